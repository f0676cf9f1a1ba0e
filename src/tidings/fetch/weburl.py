"""What a person typed as a feed's address, as the web URLs to try, or a clear refusal.

``example.org/feed`` has no scheme: it is tried as https, then as http (as other readers do).
``https://...`` and ``http://...`` are tried as they are. Anything else is not a web URL (another
scheme such as ``ftp:``, ``javascript:`` or ``mailto:``, nothing at all, spaces inside, no host)
and is refused with a message that says why. And a feed's own User-Agent, which must be one line.
Pure: nothing is fetched here.
"""

from __future__ import annotations

import re
from typing import Final
from urllib.parse import urlsplit

from tidings.errors import FetchError

WEB_SCHEMES: Final = ("https", "http")
# "name:" before anything that is not a port: a scheme ("mailto:x", "javascript:x", "ftp://x")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):(?!\d+(?:[/?#]|$))")


def not_a_web_url(text: str, why: str) -> FetchError:
    shown = text if len(text) <= 200 else text[:200] + "..."
    return FetchError(f"not a web URL: {shown!r}: {why}", kind="bad_url", permanent=True)


def web_url_candidates(text: str) -> list[str]:
    """The URLs to try for ``text``, in order: itself if it is http(s), else https:// and http://
    before it when it has no scheme; FetchError (kind ``bad_url``) for what is not a web URL."""
    url = text.strip()
    if not url:
        raise not_a_web_url(text, "it is empty")
    if any(c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        raise not_a_web_url(text, "a URL has no spaces or control characters in it")
    scheme = _SCHEME.match(url)
    if scheme is not None:
        name = scheme.group(1).lower()
        if name not in WEB_SCHEMES:
            raise not_a_web_url(text, f"its scheme {name}: is not http or https")
        candidates = [url]
    elif url.startswith("//"):
        candidates = [f"{name}:{url}" for name in WEB_SCHEMES]
    else:
        candidates = [f"{name}://{url}" for name in WEB_SCHEMES]
    try:
        host = urlsplit(candidates[0]).hostname
    except ValueError as exc:
        raise not_a_web_url(text, str(exc)) from exc
    if not host:
        raise not_a_web_url(text, "it names no host")
    return candidates


def check_user_agent(value: str | None) -> str | None:
    """A feed's own User-Agent: one line of printable text, or None (empty: the site's)."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if len(value) > 500 or any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        raise FetchError(
            "user agent: one line of printable text, at most 500 characters", kind="bad_user_agent"
        )
    return value
