"""A command speaks the language of its environment: TIDINGS_LANGUAGE, else the locale's
(LC_ALL, LC_MESSAGES, LANG), else English."""

from __future__ import annotations

from contextvars import copy_context
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.cli.helpers import environment
from tidings import i18n
from tidings.cli import app
from tidings.cli.common import language_of

LOCALE = ("TIDINGS_LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def spoken(data: Path, **names: str) -> str:
    """The language ``tidings doctor`` spoke with these variables (and no other of the locale's);
    in a context of its own, so that the tests after it still speak English."""
    env: dict[str, str | None] = {**environment(data), **dict.fromkeys(LOCALE)}
    env.update(names)

    def doctor() -> str:
        result = CliRunner().invoke(app, ["doctor"], env=env, catch_exceptions=False)
        assert result.exit_code == 0, result.stdout
        return i18n.current()

    return copy_context().run(doctor)


def test_the_locale_names_the_language(tmp_path: Path) -> None:
    assert spoken(tmp_path, LANG="de_DE.UTF-8") == "de"
    assert spoken(tmp_path, LC_ALL="pt_BR.UTF-8", LANG="de_DE.UTF-8") == "pt_BR"
    assert i18n.current() == "en"  # the test's own context is untouched


def test_tidings_language_comes_first(tmp_path: Path) -> None:
    assert spoken(tmp_path, TIDINGS_LANGUAGE="fr", LANG="de_DE.UTF-8") == "fr"


def test_c_and_posix_and_nothing_are_english(tmp_path: Path) -> None:
    assert spoken(tmp_path, LANG="C") == "en"
    assert spoken(tmp_path, LC_ALL="POSIX", LANG="C.UTF-8") == "en"
    assert spoken(tmp_path) == "en"


@pytest.mark.parametrize(
    ("names", "language"),
    [
        ({"LC_MESSAGES": "ja_JP.UTF-8", "LANG": "de_DE.UTF-8"}, "ja"),
        ({"LC_ALL": "C", "LC_MESSAGES": "uk_UA.UTF-8"}, "uk"),
        ({"TIDINGS_LANGUAGE": "xx", "LANG": "nl_NL.UTF-8"}, "nl"),
        ({"LANG": "de_DE@euro"}, "de"),
        ({"LANG": "sv_SE.UTF-8"}, "en"),
    ],
)
def test_the_first_variable_that_names_one_of_ours_wins(
    names: dict[str, str], language: str
) -> None:
    assert language_of(names) == language
