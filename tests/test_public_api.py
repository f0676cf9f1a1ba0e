"""``tidings.__all__`` and the README's API section name the same things."""

from __future__ import annotations

import re
from pathlib import Path

import tidings

README = Path(__file__).resolve().parents[1] / "README.md"


def test_every_public_name_is_documented_and_importable() -> None:
    section = README.read_text(encoding="utf-8").split("## Python API", 1)[1]
    documented = set(re.findall(r"`([A-Za-z_][A-Za-z0-9_]*)[`(]", section))
    for name in tidings.__all__:
        assert hasattr(tidings, name), name
        assert name in documented, f"{name} is exported but not in the README's Python API"
