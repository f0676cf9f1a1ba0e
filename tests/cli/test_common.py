"""What every command shares: the version option and the help."""

from __future__ import annotations

from importlib.metadata import version

from tests.cli.conftest import Invoke


def test_version_prints_the_installed_version(cli: Invoke) -> None:
    result = cli("--version")
    assert result.exit_code == 0
    assert result.stdout == f"tidings {version('tidings')}\n"


def test_help_is_plain_text_in_sections(cli: Invoke) -> None:
    """The site's commands, then the groups, then a person's commands under their own title;
    each with its help up to the first blank line, not cut at "e.g."."""
    result = cli("--help")
    assert result.exit_code == 0
    site, personal = result.stdout.split("\nA person's reading (tidings --user NAME COMMAND):\n")
    assert site.index("\n  list ") < site.index("\n  db ") < site.index("\n  user ")
    assert "\n  unread " in personal and "\n  unread " not in site
    assert "\n  list " not in personal
    assert not set(result.stdout) & set("─│╭╰")
    copy = cli("db", "--help").stdout
    assert "(e.g. SQLite to" in " ".join(copy.split())
