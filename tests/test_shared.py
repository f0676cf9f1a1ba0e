"""The shared test data: one variable says where it is; under CI=true its absence fails the run,
elsewhere the tests that need it skip, saying where it was looked for."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.shared import REPO

pytestmark = pytest.mark.slow  # two pytest runs in processes of their own, 3 to 7 s each


def pytest_run(shared: Path, *, ci: bool) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "TIDINGS_SHARED")}
    env["TIDINGS_SHARED"] = str(shared)
    if ci:
        env["CI"] = "true"
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-rs",
            "-p",
            "no:cacheprovider",
            "tests/parse/test_vocabulary.py::test_looks_like_html_agrees_on_corpus_text",
            "tests/hostile/test_fuzz.py::test_every_seed_parses_or_fails_cleanly",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_under_ci_a_missing_shared_folder_fails_the_run(tmp_path: Path) -> None:
    result = pytest_run(tmp_path, ci=True)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert f"no {tmp_path / 'corpus' / 'feeds'}" in output
    assert "set TIDINGS_SHARED" in output
    assert "passed" not in output and "skipped" not in output


def test_outside_ci_the_tests_that_need_it_skip_saying_why(tmp_path: Path) -> None:
    result = pytest_run(tmp_path, ci=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 skipped" in result.stdout
    skips = [line for line in result.stdout.splitlines() if line.startswith("SKIPPED")]
    assert len(skips) == 2
    assert all(f"no {tmp_path / 'corpus' / 'feeds'}" in line for line in skips)
    assert all("set TIDINGS_SHARED" in line for line in skips)
