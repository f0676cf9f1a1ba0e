"""A web page's article: the page's own text told from its navigation, sidebars and comments.

trafilatura reads the page; it is handed the decoded HTML as a string and never fetches
anything (the page was fetched by the guarded client). What it finds is sanitized as every
feed's HTML is (``sanitize``, the same allowlist), relative URLs resolved against the page's
final URL. A page that holds no article, only a teaser behind a "subscribe to read" box or no
more than the feed's own text, is an ``ArticleError`` with a reason a person can read.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping

from tidings.errors import ParseError
from tidings.parse.charset import charset_from_content_type, decode_document
from tidings.parse.sanitize import sanitize_html
from tidings.parse.text import html_to_text

# fewer words than this is a teaser, a sign-up box or an error page, not an article
MIN_WORDS = 50
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_META_CHARSET = re.compile(
    rb"""<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]{1,40})""", re.IGNORECASE
)
_MARKUP = re.compile(rb"<\s*(?:!doctype\s+html|html|head|body|p|div|article)\b", re.IGNORECASE)


class ArticleError(ParseError):
    """The page holds no article to keep (not HTML, a teaser, nothing past the feed's text)."""

    kind = "no_article"
    permanent = True


def page_text(body: bytes, headers: Mapping[str, str]) -> str:
    """The page as text: the server's charset, else the page's own ``<meta charset>``."""
    content_type = headers.get("content-type")
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media and media not in _HTML_TYPES:
        raise ArticleError(f"not a web page: the server says it is {media[:80]}")
    if not media and not _MARKUP.search(body[:4096]):
        raise ArticleError("not a web page: no Content-Type, and the body is not HTML")
    charset = charset_from_content_type(content_type)
    if charset is None:
        meta = _META_CHARSET.search(body[:4096])
        charset = meta.group(1).decode("ascii") if meta else None
    return decode_document(body, http_charset=charset, xml=False).text


def extract_article(
    body: bytes, headers: Mapping[str, str], final_url: str, feed_html: str | None = None
) -> str:
    """The page's article as safe HTML, or ArticleError saying why there is none.

    ``feed_html`` is what the feed itself gave for the item: a page that holds no more text
    than that adds nothing (a paywall shows the same teaser the feed does).
    """
    import trafilatura  # ~100 ms to import: only a process that extracts pays for it

    # it warns "discarding data" for every page without an article, which the fetcher logs
    # once, with the item and the reason
    logging.getLogger("trafilatura").setLevel(logging.ERROR)
    html = page_text(body, headers)
    try:
        found = trafilatura.extract(
            html,
            output_format="html",
            include_comments=False,
            include_links=True,
            include_images=True,
            include_tables=True,
            deduplicate=False,
            with_metadata=False,
        )
    except (ValueError, TypeError, RecursionError, MemoryError) as exc:
        raise ArticleError(f"the page could not be read ({type(exc).__name__})") from exc
    article = sanitize_html(found or "", final_url).strip()
    words = len(html_to_text(article).split())
    if words < MIN_WORDS:
        shown = "no text" if not words else f"only {words} words"
        raise ArticleError(
            f"no article on the page ({shown}: a teaser, a sign-up box or a page of links)"
        )
    if feed_html and words <= len(html_to_text(feed_html).split()):
        raise ArticleError("the page holds no more text than the feed's own")
    return article
