"""The one translation hook: every text a person reads passes through ``gettext``/``ngettext``.

The language is the one of the request (or command, or message) being served, held in a context
variable, so that concurrent requests in different languages never see each other's words. The
catalogs are gettext ``.po`` files in ``tidings/locale``, extracted with Babel (``make messages``)
and compiled to ``.mo`` when the package is built; a checkout without ``.mo`` files (or with stale
ones) reads the ``.po`` files themselves, so a fresh clone runs translated.

``N_`` marks a text that is translated later, where it is shown (a constant of a module). English
is the source language: its catalog only exists to prove every text is marked.
"""

from __future__ import annotations

import gettext as _gettext
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path

__all__ = [
    "DEFAULT",
    "LANGUAGES",
    "N_",
    "current",
    "direction",
    "gettext",
    "html_lang",
    "language_name",
    "negotiate",
    "ngettext",
    "normalize",
    "speaking",
    "translations",
    "use",
]

DOMAIN = "tidings"
LOCALE_DIR = Path(__file__).parent / "locale"
DEFAULT = "en"

# The languages tidings speaks, as Babel names them (and as the catalogs' folders are named).
LANGUAGES = (
    "en",
    "de",
    "fr",
    "es",
    "it",
    "pt_BR",
    "nl",
    "pl",
    "ru",
    "uk",
    "cs",
    "ja",
    "zh_Hans",
    "ar",
)

# What a browser or a person may write for one of them: "pt-br", "zh-CN", "de-AT", "PT".
_ALIASES = {
    "pt": "pt_BR",
    "zh": "zh_Hans",
    "zh_cn": "zh_Hans",
    "zh_sg": "zh_Hans",
    "zh_hans_cn": "zh_Hans",
}
_BY_LOWER = {name.lower(): name for name in LANGUAGES}
_TAG = re.compile(r"^[A-Za-z]{1,8}(?:[-_][A-Za-z0-9]{1,8})*$")

_current: ContextVar[str] = ContextVar("tidings_language", default=DEFAULT)


def normalize(tag: str | None) -> str | None:
    """The language of ours that ``tag`` names ("pt-br" is "pt_BR", "de-AT" is "de"), else None."""
    if not tag or not _TAG.match(tag.strip()):
        return None
    key = tag.strip().replace("-", "_").lower()
    while key:
        found = _BY_LOWER.get(key) or _ALIASES.get(key)
        if found:
            return found
        key = key.rpartition("_")[0]
    return None


def negotiate(header: str | None) -> str | None:
    """The language an ``Accept-Language`` header prefers most among ours, else None.

    Weights (``;q=0.8``) order the tags, the header's order breaks ties, ``q=0`` refuses a tag;
    ``*`` and tags of languages we lack are skipped.
    """
    if not header:
        return None
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header[:1000].split(",")[:50]):
        tag, _sep, params = part.strip().partition(";")
        weight = 1.0
        for param in params.split(";"):
            name, _eq, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        language = normalize(tag)
        if language is not None and 0 < weight <= 1:
            ranked.append((-weight, position, language))
    return min(ranked)[2] if ranked else None


@lru_cache(maxsize=len(LANGUAGES))
def translations(language: str) -> _gettext.NullTranslations:
    """The catalog of ``language``: its compiled ``.mo`` when as new as its ``.po``, else the
    ``.po`` read by Babel; English (the source) and unknown languages translate nothing."""
    if language == DEFAULT or language not in LANGUAGES:
        return _gettext.NullTranslations()
    folder = LOCALE_DIR / language / "LC_MESSAGES"
    po, mo = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as file:
            return _gettext.GNUTranslations(file)
    if not po.exists():
        return _gettext.NullTranslations()
    return _compiled(po, language)


def _compiled(po: Path, language: str) -> _gettext.NullTranslations:
    """A ``.po`` file compiled in memory (Babel loads only when a checkout has no ``.mo``)."""
    from io import BytesIO

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as file:
        catalog = read_po(file, locale=language)
    buffer = BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


def current() -> str:
    """The language being spoken now."""
    return _current.get()


@contextmanager
def speaking(language: str) -> Iterator[str]:
    """Speak ``language`` (one of ours, else English) inside the ``with``."""
    chosen = language if language in LANGUAGES else DEFAULT
    token = _current.set(chosen)
    try:
        yield chosen
    finally:
        _current.reset(token)


def use(language: str) -> None:
    """Speak ``language`` for the rest of this context (a request's task, a command)."""
    _current.set(language if language in LANGUAGES else DEFAULT)


def gettext(message: str) -> str:
    """``message`` in the current language."""
    return translations(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form for ``n`` in the current language (which may have up to six)."""
    return translations(_current.get()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark ``message`` for the catalogs; it is translated where it is shown."""
    return message


@lru_cache(maxsize=len(LANGUAGES))
def direction(language: str) -> str:
    """ "rtl" for a language written right to left (Arabic), else "ltr"."""
    from babel import Locale

    order = Locale.parse(language).character_order
    return "rtl" if order == "right-to-left" else "ltr"


@lru_cache(maxsize=len(LANGUAGES))
def language_name(language: str) -> str:
    """The language's name in itself ("Deutsch", "日本語"), for the links that switch to it."""
    from babel import Locale

    locale = Locale.parse(language)
    name = locale.get_display_name(locale) or language
    return name[:1].upper() + name[1:]


def html_lang(language: str) -> str:
    """The BCP 47 tag for ``<html lang>``: "pt-BR", "zh-Hans"."""
    return language.replace("_", "-")
