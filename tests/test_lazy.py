"""lazy_names: a name resolved on first use, kept, and an unknown name an AttributeError."""

from __future__ import annotations

import sys
import types

import pytest

from tidings.lazy import lazy_names


def test_a_name_is_imported_on_first_use_and_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    module = types.ModuleType("tidings_lazy_probe")
    monkeypatch.setitem(sys.modules, module.__name__, module)
    getter = lazy_names(module.__name__, {"dumps": "json"})
    import json

    assert getter("dumps") is json.dumps
    assert module.dumps is json.dumps  # kept: the next lookup is an ordinary attribute
    with pytest.raises(AttributeError, match="'tidings_lazy_probe' has no attribute 'loads'"):
        getter("loads")
