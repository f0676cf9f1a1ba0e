"""__init__.py: the public names and the expat check."""

from __future__ import annotations

import pyexpat

import pytest

import tidings.parse as parse_package
from tidings.parse import EXPAT_MINIMUM, expat_problem


def test_public_names() -> None:
    for name in ("parse_feed", "sanitize_html", "html_to_text", "expat_problem"):
        assert name in parse_package.__all__
        assert callable(getattr(parse_package, name))


def test_expat_problem_names_the_version(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pyexpat, "EXPAT_VERSION", "expat_2.5.0")
    problem = expat_problem()
    assert problem is not None and "2.5.0" in problem and "2.7.2" in problem
    monkeypatch.setattr(pyexpat, "EXPAT_VERSION", "expat_2.7.2")
    assert expat_problem() is None
    monkeypatch.setattr(pyexpat, "EXPAT_VERSION", "expat_2.10.0")
    assert expat_problem() is None
    assert EXPAT_MINIMUM == (2, 7, 2)
