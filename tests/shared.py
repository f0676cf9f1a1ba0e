"""Where the shared test data is: one folder beside the repository holding ``corpus/`` (real
feeds and feedparser's test documents), ``security/`` and ``tools/``.

``TIDINGS_SHARED`` names it; by default it is ``../shared`` beside the repository. Outside CI a
test that needs it is skipped when it is missing, with the reason; under ``CI=true`` the run
fails at its start instead (``tests/conftest.py``), so that hundreds of corpus tests cannot
silently skip where they must run.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

VARIABLE = "TIDINGS_SHARED"
REPO = Path(__file__).resolve().parents[1]
DEFAULT = REPO.parent / "shared"
SHARED = Path(os.environ.get(VARIABLE) or DEFAULT)
CORPUS = SHARED / "corpus" / "feeds"
FEEDPARSER_TESTS = SHARED / "corpus" / "feedparser-tests"
TOOLS = SHARED / "tools"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def missing(path: Path = CORPUS) -> str:
    """Why a test cannot run: where the data was looked for, and how to say where it is."""
    return (
        f"the shared test data is missing: no {path} (set {VARIABLE} to the folder holding "
        f"corpus/, security/ and tools/; by default {DEFAULT})"
    )


def require(path: Path) -> Path:
    """``path``, if it exists; else the test is skipped (under CI=true: fails), saying why."""
    if not path.exists():
        if in_ci():
            pytest.fail(missing(path), pytrace=False)
        pytest.skip(missing(path))
    return path
