"""The catalogs: every text marked, the template current, each language complete and sound; the
choice of language and the per-context hook."""

from __future__ import annotations

import concurrent.futures
import os
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from tests import i18n_scan
from tidings import i18n

ROOT = Path(__file__).parent.parent
TRANSLATED = [language for language in i18n.LANGUAGES if language != i18n.DEFAULT]


def test_every_template_text_is_marked() -> None:
    assert i18n_scan.unmarked_in_templates() == {}


def test_every_message_is_marked() -> None:
    assert i18n_scan.unmarked_in_python() == {}


def test_the_scanners_see_what_they_must() -> None:
    page = '<p>Hello</p><input type="submit" value="Save it"> {{ nav("/x", "Home page") }}'
    assert i18n_scan.template_texts(page) == ["Hello", 'value="Save it"', '"Home page"']
    marked = '<p>{{ _("Hello") }}</p><code>curl -s</code><a href="https://example.org/">RSS</a>'
    assert i18n_scan.template_texts(marked) == []
    module = 'raise NotFoundError(f"no feed {x}")\nfail(_("ok then"))\n_(f"bad {x}")\n'
    assert [t.split(":")[0] for t in i18n_scan.python_texts(module)] == ["1", "3"]


def _template() -> Catalog:
    with (i18n.LOCALE_DIR / "tidings.pot").open("rb") as file:
        return read_po(file)


def _catalog(language: str) -> Catalog:
    with (i18n.LOCALE_DIR / language / "LC_MESSAGES" / "tidings.po").open("rb") as file:
        return read_po(file, locale=language)


def test_the_template_holds_every_marked_text() -> None:
    """``make messages`` was run after the last change of a marked text."""
    with (ROOT / "babel.cfg").open() as file:
        method_map, options_map = parse_mapping_cfg(file)  # type: ignore[no-untyped-call]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
    extracted = {
        message if isinstance(message, str) else message[0]
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=keywords
        )
    }
    in_template = {str(m.id if isinstance(m.id, str) else m.id[0]) for m in _template() if m.id}
    assert sorted(extracted - in_template) == []
    assert sorted(in_template - extracted) == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_each_catalog_is_complete_and_sound(language: str) -> None:
    catalog = _catalog(language)
    template = {m.id if isinstance(m.id, str) else m.id[0] for m in _template() if m.id}
    assert catalog.plural_forms == Catalog(locale=language).plural_forms  # Babel's (CLDR's) rule
    missing, fuzzy = [], []
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        template.discard(key)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings) or len(strings) != (catalog.num_plurals if message.pluralizable else 1):
            missing.append(key)
        if message.fuzzy:
            fuzzy.append(key)
    problems = [f"{m.id!r}: {errors}" for m, errors in catalog.check()]
    assert template == set(), f"not in the {language} catalog"
    assert missing == [], f"untranslated in {language}"
    assert fuzzy == [], f"fuzzy in {language}"
    assert problems == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_each_catalog_speaks(language: str) -> None:
    with i18n.speaking(language) as spoken:
        assert spoken == language
        assert i18n.gettext("Sign in") != "Sign in"
        assert i18n.current() == language
    assert i18n.current() == i18n.DEFAULT


def test_languages_do_not_leak_between_threads() -> None:
    def word(language: str) -> str:
        with i18n.speaking(language):
            return i18n.gettext("Sign in")

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        words = list(pool.map(word, ["de", "en", "fr", "en"] * 10))
    assert words[1::2] == ["Sign in"] * 20
    assert words[0] != words[2]


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("pt-BR", "pt_BR"),
        ("pt", "pt_BR"),
        ("zh-CN", "zh_Hans"),
        ("zh-Hans-CN", "zh_Hans"),
        ("de-AT", "de"),
        ("UK", "uk"),
        ("ar-EG", "ar"),
        ("tlh", None),
        ("", None),
        ("de;drop", None),
        (None, None),
    ],
)
def test_normalize(tag: str | None, expected: str | None) -> None:
    assert i18n.normalize(tag) == expected


def test_negotiate_by_weight_then_order() -> None:
    assert i18n.negotiate("fr;q=0.5, de;q=0.8") == "de"
    assert i18n.negotiate("fr, de") == "fr"
    assert i18n.negotiate("fr;q=bad, de;q=0.1") == "de"
    assert i18n.negotiate("*") is None
    assert i18n.negotiate(",".join(["xx"] * 10_000) + ",de") is None  # bounded work


def test_direction_and_names() -> None:
    assert i18n.direction("ar") == "rtl" and i18n.direction("ja") == "ltr"
    assert i18n.language_name("de") == "Deutsch" and i18n.language_name("ja") == "日本語"
    assert i18n.html_lang("zh_Hans") == "zh-Hans"


def test_a_compiled_catalog_is_read_unless_stale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The wheel's .mo is used; a .mo older than its .po (an edited checkout) is not."""
    folder = tmp_path / "de" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    po, mo = folder / "tidings.po", folder / "tidings.mo"
    po.write_bytes((i18n.LOCALE_DIR / "de" / "LC_MESSAGES" / "tidings.po").read_bytes())
    catalog = _catalog("de")
    catalog["Sign in"].string = "Hereinspaziert"
    with mo.open("wb") as file:
        write_mo(file, catalog)
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n.translations.cache_clear()
    try:
        assert i18n.translations("de").gettext("Sign in") == "Hereinspaziert"
        os.utime(mo, (1, 1))  # older than the .po
        i18n.translations.cache_clear()
        assert i18n.translations("de").gettext("Sign in") == _catalog("de")["Sign in"].string
    finally:
        i18n.translations.cache_clear()
