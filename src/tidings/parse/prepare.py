"""An XML document made ready for either XML path, the same way for both.

Decoded to text (``charset``), control characters dealt with, then our DTD policy (``dtd``), in
that order: the lxml path and the feedparser path must read the same text, or they could not
give the same ParsedFeed. The notes about what was changed become the feed's warnings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from tidings.parse.charset import charset_from_content_type, decode_document, normalize_xml
from tidings.parse.dtd import Doctype, apply_doctype_policy


@dataclass(frozen=True, slots=True)
class PreparedXml:
    """The document's text, what its DOCTYPE said, and the notes about its preparation."""

    text: str
    doctype: Doctype
    notes: list[str]

    def version(self, found: str) -> str:
        """feedparser's name for the format, with what only the removed DOCTYPE could say."""
        if found == "rss091u" and self.doctype.netscape:
            return "rss091n"
        return found


def prepare_xml(body: bytes, headers: Mapping[str, str]) -> PreparedXml:
    """The body as clean text without a DOCTYPE (``headers`` have lower-cased names)."""
    decoded = decode_document(
        body, http_charset=charset_from_content_type(headers.get("content-type")), xml=True
    )
    notes = list(decoded.warnings)
    text, more = normalize_xml(decoded.text)
    notes += more
    text, doctype = apply_doctype_policy(text)
    if doctype.dropped:
        notes.append(
            "ignored the document's DTD declarations ("
            + ", ".join(sorted(set(doctype.dropped))[:5])
            + ")"
        )
    return PreparedXml(text, doctype, notes)
