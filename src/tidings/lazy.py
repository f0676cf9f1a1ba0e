"""Names a module hands out on first use: ``__getattr__ = lazy_names(__name__, {name: home})``.

A command that only prints its help, or only reads the store, should not pay for importing the
network client, the parsers or the web app. The modules that re-export those (the package's root,
``core``, ``fetch``, ``parse``) resolve each name when it is first asked for and keep it, so the
next lookup is an ordinary attribute; ``TYPE_CHECKING`` imports beside them keep the types.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any


def lazy_names(module: str, homes: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` that imports each name of ``homes`` from the module it names."""

    def __getattr__(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        value = getattr(import_module(home), name)
        setattr(sys.modules[module], name, value)
        return value

    return __getattr__
