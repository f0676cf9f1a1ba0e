"""What every command shares: the version option."""

from __future__ import annotations

from importlib.metadata import version

from tests.cli.conftest import Invoke


def test_version_prints_the_installed_version(cli: Invoke) -> None:
    result = cli("--version")
    assert result.exit_code == 0
    assert result.stdout == f"tidings {version('tidings')}\n"
