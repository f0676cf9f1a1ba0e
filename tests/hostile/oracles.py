"""Oracles: does this HTML, feed or JSON carry anything a browser (or a feed reader) would run?

They parse what tidings wrote the way a browser would read it (attribute values entity-decoded)
and return a list of problems, empty when the output is safe, so a failing test says what leaked.

- ``fragment_problems``: sanitized item HTML (O-SAFE): only the sanitizer's allowlist, no event
  handler, no dangerous attribute, URLs absolute http(s)/mailto after decoding.
- ``page_problems``: a whole page of ours: the same rules, except for the page's own furniture
  (its one script file, stylesheet, meta tags, forms posting to our own paths).
- ``xml_feed_problems`` / ``json_feed_problems``: an outgoing feed: well-formed, every HTML field
  passes ``fragment_problems``, every URL field is http(s).
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import Any

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type information

from tidings.parse import ALLOWED_TAGS

# Elements that must never come from a feed (O-SAFE); svg and math carry their own script vectors.
FORBIDDEN_ELEMENTS = frozenset(
    {
        "script", "style", "iframe", "object", "embed", "applet", "frame", "frameset", "base",
        "meta", "link", "form", "input", "button", "textarea", "select", "noscript", "template",
        "foreignobject", "svg", "math", "animate", "set", "use", "param", "isindex", "keygen",
        "portal", "xmp", "plaintext", "marquee", "body", "html", "head", "title",
    }
)  # fmt: skip
FORBIDDEN_ATTRIBUTES = frozenset(
    {
        "style", "srcdoc", "formaction", "action", "ping", "background", "dynsrc", "lowsrc",
        "referrerpolicy", "xmlns", "autofocus", "http-equiv", "target",
    }
)  # fmt: skip
URL_ATTRIBUTES = frozenset(
    {"href", "src", "poster", "cite", "data", "xlink:href", "action", "formaction", "codebase"}
)
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
_DATA_IMAGE = re.compile(r"data:image/(png|gif|jpeg|webp)[;,]")
_JUNK = re.compile(r"[\x00-\x20\x7f]")
_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):")

# What a page of ours may contain of its own (not from a feed).
OWN_SCRIPTS = frozenset({"/static/ages.js"})
OWN_SVG_XMLNS = ("svg", "xmlns", "http://www.w3.org/2000/svg")  # the admin's inline chart


def url_scheme(value: str) -> str | None:
    """The scheme a browser would see: controls and whitespace removed, lower-cased; None if
    the URL is relative."""
    cleaned = _JUNK.sub("", value).lower()
    match = _SCHEME.match(cleaned)
    return match.group(1) if match else None


def url_problem(value: str, *, tag: str = "", attribute: str = "", relative_ok: bool) -> str | None:
    """Why a URL attribute value is unsafe, or None."""
    scheme = url_scheme(value)
    if scheme is None:
        if relative_ok:
            stripped = _JUNK.sub("", value)
            # a relative URL is ours only if it is a path: "//host" and "/\host" leave the site
            if stripped.startswith(("//", "/\\", "\\")):
                return f"<{tag} {attribute}={value!r}> leaves the site"
            return None
        return f"<{tag} {attribute}={value!r}> is relative (must be absolute http(s))"
    if scheme in SAFE_SCHEMES:
        return None
    if scheme == "data" and tag == "img" and attribute == "src" and _DATA_IMAGE.match(value):
        return None
    return f"<{tag} {attribute}={value!r}> has the scheme {scheme!r}"


def srcset_urls(value: str) -> list[str]:
    """The URLs of a ``srcset`` as the HTML standard splits it (a comma inside a URL is part of
    it; only trailing commas and commas after the descriptors separate candidates)."""
    urls: list[str] = []
    pos, end = 0, len(value)
    while pos < end:
        while pos < end and (value[pos] in " \t\n\r\f,"):
            pos += 1
        start = pos
        while pos < end and value[pos] not in " \t\n\r\f":
            pos += 1
        url = value[start:pos]
        if not url:
            break
        if url.endswith(","):
            urls.append(url.rstrip(","))
            continue
        urls.append(url)
        depth = 0
        while pos < end and not (value[pos] == "," and depth == 0):
            depth += {"(": 1, ")": -1}.get(value[pos], 0)
            pos += 1
    return urls


class _Tokens(HTMLParser):
    """Start tags with decoded attributes, and the text of script/style elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str]]]] = []
        self.raw_text: dict[int, str] = {}
        self._open_raw: int | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag.lower(), [(k.lower(), v or "") for k, v in attrs]))
        if tag.lower() in ("script", "style"):
            self._open_raw = len(self.tags) - 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag.lower(), [(k.lower(), v or "") for k, v in attrs]))

    def handle_endtag(self, tag: str) -> None:
        self._open_raw = None

    def handle_data(self, data: str) -> None:
        if self._open_raw is not None:
            self.raw_text[self._open_raw] = self.raw_text.get(self._open_raw, "") + data


def _tokens(html: str) -> _Tokens:
    parser = _Tokens()
    parser.feed(html)
    parser.close()
    return parser


def _attribute_problems(
    tag: str,
    attrs: list[tuple[str, str]],
    *,
    relative_ok: bool,
    own_page: bool,
    own_origin: str | None = None,
) -> list[str]:
    problems: list[str] = []
    names = {k for k, _ in attrs}
    for name, value in attrs:
        if name.startswith("on"):
            problems.append(f"<{tag}> has the event handler {name}={value!r}")
        elif name in FORBIDDEN_ATTRIBUTES and not (
            own_page and (name in ("action", "target") or (tag, name, value) == OWN_SVG_XMLNS)
        ):
            problems.append(f"<{tag}> has the attribute {name}={value!r}")
        if name in URL_ATTRIBUTES or name.endswith(":href"):
            problem = url_problem(value, tag=tag, attribute=name, relative_ok=relative_ok)
            if problem:
                problems.append(problem)
        elif name == "srcset":
            for url in srcset_urls(value):
                problem = url_problem(url, tag=tag, attribute=name, relative_ok=relative_ok)
                if problem:
                    problems.append(problem)
    if tag == "a" and "target" in names:
        rel = dict(attrs).get("rel", "").split()
        href = dict(attrs).get("href", "")
        own = own_origin is not None and href.startswith(own_origin + "/")
        external = url_scheme(href) is not None and not own
        if "noopener" not in rel or (external and "noreferrer" not in rel):
            problems.append(f"<a target> without rel=noopener noreferrer: {attrs!r}")
    return problems


def fragment_problems(html: str) -> list[str]:
    """O-SAFE for sanitized item HTML."""
    problems: list[str] = []
    for tag, attrs in _tokens(html).tags:
        if tag in FORBIDDEN_ELEMENTS:
            problems.append(f"forbidden element <{tag}>")
        elif tag not in ALLOWED_TAGS:
            problems.append(f"element <{tag}> outside the sanitizer's allowlist")
        problems += _attribute_problems(tag, attrs, relative_ok=False, own_page=False)
    return problems


def element_names(html: str) -> set[str]:
    return {tag for tag, _ in _tokens(html).tags}


def _own_furniture(
    tag: str, attrs: dict[str, str], text: str, own_style: str | None, own_origin: str
) -> bool:
    """Whether an element that feeds may never create is the page's own."""
    if tag == "script":
        return attrs.get("src") in OWN_SCRIPTS and not text.strip()
    if tag == "style":
        return own_style is not None and text == own_style
    if tag == "meta":
        return set(attrs) <= {"charset", "name", "content"} and attrs.get("name") in (
            None,
            "viewport",
            "referrer",
        )
    if tag == "link":
        # our style, icon, feeds and canonical address: on this site, by path or absolute
        href = attrs.get("href", "")
        own = (href.startswith("/") and not href.startswith("//")) or href.startswith(
            own_origin + "/"
        )
        return attrs.get("rel") in ("stylesheet", "alternate", "icon", "canonical") and own
    if tag == "form":
        action = attrs.get("action", "")
        return action.startswith("/") and not action.startswith(("//", "/\\"))
    if tag == "svg":
        # the admin's fetch-history chart (web/charts.py), drawn from numbers with its text escaped
        return attrs.get("class") == "history-chart"
    # controls of our own forms (their names are fixed in the templates, never feed data)
    return tag in ("input", "button", "textarea", "select", "title", "html", "head", "body")


def page_problems(
    html: str, *, own_style: str | None = None, own_origin: str = "http://testserver"
) -> list[str]:
    """O-SAFE for a whole page of ours: nothing runs but the page's own script file."""
    problems: list[str] = []
    tokens = _tokens(html)
    for index, (tag, attrs) in enumerate(tokens.tags):
        as_dict = dict(attrs)
        if tag in FORBIDDEN_ELEMENTS and not _own_furniture(
            tag, as_dict, tokens.raw_text.get(index, ""), own_style, own_origin
        ):
            problems.append(f"forbidden element <{tag} {attrs!r}>")
        if tag == "meta" and "http-equiv" in as_dict:
            problems.append(f"<meta http-equiv={as_dict['http-equiv']!r}>")
        problems += _attribute_problems(
            tag, attrs, relative_ok=True, own_page=True, own_origin=own_origin
        )
    return problems


# -- outgoing feeds ------------------------------------------------------------------------------

_HTML_ELEMENTS = {"description", "{http://purl.org/rss/1.0/modules/content/}encoded"}
_ATOM = "{http://www.w3.org/2005/Atom}"
_URL_TEXT_ELEMENTS = {
    "link",
    "comments",
    "docs",
    "url",
    f"{_ATOM}id",
    f"{_ATOM}icon",
    f"{_ATOM}logo",
}


def xml_feed_problems(body: bytes) -> list[str]:
    """An outgoing RSS or Atom document: well-formed without a DTD, HTML fields safe, URLs web."""
    problems: list[str] = []
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.fromstring(body, parser)
    if root.getroottree().docinfo.doctype:
        problems.append("the feed has a DOCTYPE")
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        local = element.tag
        is_html = local in _HTML_ELEMENTS or (
            local in (f"{_ATOM}content", f"{_ATOM}summary", f"{_ATOM}title", f"{_ATOM}subtitle")
            and element.get("type") == "html"
        )
        if local.startswith(_ATOM) and element.get("type") == "xhtml":
            problems.append(f"{local} is xhtml (not produced by tidings)")
        if is_html and element.text:
            problems += [f"{local}: {p}" for p in fragment_problems(element.text)]
        if local in _URL_TEXT_ELEMENTS and element.text:
            text = element.text.strip()
            if local == f"{_ATOM}id" and url_scheme(text) in ("urn", "tag"):
                continue
            problem = url_problem(text, tag=local, attribute="text", relative_ok=False)
            if problem and not (local == f"{_ATOM}id" and text.startswith("feed:")):
                problems.append(problem)
        for name in ("href", "url", "src", "uri"):
            value = element.get(name)
            if value is not None:
                problem = url_problem(value, tag=local, attribute=name, relative_ok=False)
                if problem:
                    problems.append(problem)
    return problems


_JSON_URL_KEYS = {
    "url", "external_url", "image", "banner_image", "home_page_url", "feed_url", "icon",
    "favicon", "avatar", "page_url", "site_url", "next_url", "link",
}  # fmt: skip
_JSON_HTML_KEYS = {"content_html", "summary_html"}


def json_problems(data: Any, path: str = "$") -> list[str]:
    """Every HTML value safe, every URL value http(s), recursively through a JSON document."""
    problems: list[str] = []
    if isinstance(data, dict):
        for key, value in data.items():
            where = f"{path}.{key}"
            if key in _JSON_URL_KEYS and isinstance(value, str):
                problem = url_problem(value, tag=where, attribute=key, relative_ok=False)
                if problem:
                    problems.append(problem)
            elif key in _JSON_HTML_KEYS and isinstance(value, str):
                problems += [f"{where}: {p}" for p in fragment_problems(value)]
            else:
                problems += json_problems(value, where)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            problems += json_problems(value, f"{path}[{index}]")
    return problems


def json_feed_problems(body: bytes) -> list[str]:
    return json_problems(json.loads(body))
