"""Our DTD policy: strip the DOCTYPE, keep only harmless entities, bound their expansion.

feedparser's own policy keeps "simple" entities and hands them to its lenient parser, which
expands them without limit (an entity of 100,000 characters used 100,000 times becomes 10 GB).
So before feedparser sees a document, its DOCTYPE is replaced:

- external DTDs, parameter entities, external (SYSTEM/PUBLIC) entities and entities that refer
  to other entities are dropped (nothing is ever fetched, nothing expands recursively);
- internal entities whose value is plain text (character references allowed; no ``<``, ``>`` or
  ``"``, which feedparser's own DOCTYPE handling would misread) are kept, but only
  if all their uses together expand to at most ``MAX_EXPANSION`` characters; otherwise the
  document is refused with :class:`ParseError`.

Undeclared entities that remain (``&nbsp;`` after an XHTML DTD was dropped) make the XML not
well-formed, and feedparser's lenient parser reads them as HTML entities.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tidings.errors import ParseError

MAX_EXPANSION = 1_000_000  # characters added by all entity references together
MAX_ENTITIES = 256

_DOCTYPE_START = re.compile(r"<!DOCTYPE\b", re.IGNORECASE)
_ENTITY = re.compile(
    r"""<!ENTITY\s+(?P<pe>%\s+)?(?P<name>[A-Za-z_][\w.\-]*)\s+
        (?:(?P<external>SYSTEM|PUBLIC)\b|"(?P<dq>[^"]*)"|'(?P<sq>[^']*)')""",
    re.VERBOSE,
)
_CHAR_REF = re.compile(r"&#(?:[0-9]{1,7}|x[0-9A-Fa-f]{1,6});")


@dataclass(frozen=True, slots=True)
class Doctype:
    """What the removed DOCTYPE said, for the few things that depend on it."""

    root: str | None = None
    netscape: bool = False  # the Netscape RSS 0.91 DTD (feedparser's "rss091n")
    dropped: tuple[str, ...] = ()  # names of declarations that were not kept


def _prolog_doctype(text: str) -> int | None:
    """Where the DOCTYPE starts, walking the prolog (declaration, PIs, comments) only.

    A "<!DOCTYPE" inside a comment, a CDATA section or an element is text, not a declaration.
    """
    pos, end = 0, min(len(text), 1 << 20)
    while pos < end:
        if text[pos].isspace():
            pos += 1
        elif text.startswith("<?", pos):
            close = text.find("?>", pos + 2)
            if close < 0:
                return None
            pos = close + 2
        elif text.startswith("<!--", pos):
            close = text.find("-->", pos + 4)
            if close < 0:
                return None
            pos = close + 3
        elif _DOCTYPE_START.match(text, pos):
            return pos
        else:
            return None
    return None


def _doctype_end(text: str, start: int) -> int:
    """Index just past the DOCTYPE that starts at ``start`` (quotes, comments and [] aware)."""
    pos, end, in_subset = start + len("<!DOCTYPE"), len(text), False
    while pos < end:
        char = text[pos]
        if char in "\"'":
            close = text.find(char, pos + 1)
            if close < 0:
                break
            pos = close + 1
            continue
        if text.startswith("<!--", pos):
            close = text.find("-->", pos + 4)
            if close < 0:
                break
            pos = close + 3
            continue
        if char == "[":
            in_subset = True
        elif char == "]":
            in_subset = False
        elif char == ">" and not in_subset:
            return pos + 1
        pos += 1
    raise ParseError("the document's DOCTYPE is never closed")


def apply_doctype_policy(text: str) -> tuple[str, Doctype]:
    """``text`` without its DOCTYPE (safe entities re-declared), and what the DOCTYPE said."""
    start = _prolog_doctype(text)
    if start is None:
        return text, Doctype()
    end = _doctype_end(text, start)
    declaration = text[start:end]
    root_match = re.match(r"<!DOCTYPE\s+([^\s\[>]+)", declaration, re.IGNORECASE)
    root = root_match.group(1) if root_match else None
    rest = text[end:]

    kept: dict[str, str] = {}
    dropped: list[str] = []
    for entity in _ENTITY.finditer(declaration):
        name = entity.group("name")
        value = entity.group("dq") if entity.group("dq") is not None else entity.group("sq")
        safe = (
            not entity.group("pe")
            and not entity.group("external")
            and value is not None
            and "%" not in value
            and not any(char in value for char in '<>"')
            and "&" not in _CHAR_REF.sub("", value)
        )
        if safe and value is not None and name not in kept and len(kept) < MAX_ENTITIES:
            kept[name] = value
        else:
            dropped.append(name)
    if "%" in declaration and not dropped:
        dropped.append("%")

    expansion = sum(len(value) * rest.count(f"&{name};") for name, value in kept.items())
    if expansion > MAX_EXPANSION:
        raise ParseError(
            f"the document's XML entities would expand to {expansion:,} characters "
            f"(limit {MAX_EXPANSION:,}); refused as an entity expansion attack"
        )
    replacement = ""
    if kept:
        lines = "".join(f'<!ENTITY {name} "{value}">\n' for name, value in kept.items())
        # on lines of their own: feedparser looks for both with line-anchored patterns
        replacement = f"\n<!DOCTYPE {root or 'feed'} [\n{lines}]>"
    # keep the line count so parser errors still point at the publisher's lines
    padding = "\n" * max(0, declaration.count("\n") - replacement.count("\n"))
    netscape = "netscape" in declaration.lower()
    return (
        text[:start] + replacement + padding + rest,
        Doctype(root=root, netscape=netscape, dropped=tuple(dropped)),
    )
