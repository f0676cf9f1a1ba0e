"""What the fast path needs to know about lxml elements, in feedparser's terms.

feedparser names every element by a canonical prefix for its namespace ("dc", "media", "" for
RSS and Atom ...) and the lower-cased local name, lower-cases attribute names (and the values of
``rel`` and ``type``) and post-processes every text value the same way (see :func:`finish`). The
fast path reads the same names and values, so that it can fill the same records; the tables are
feedparser's, written out in :mod:`tidings.parse.vocabulary` (and re-exported from here).
"""

from __future__ import annotations

import contextlib
import re
import urllib.parse
from collections.abc import Iterator
from typing import Any, Protocol

from tidings.parse.vocabulary import CAN_BE_RELATIVE as CAN_BE_RELATIVE
from tidings.parse.vocabulary import END_HANDLERS as END_HANDLERS
from tidings.parse.vocabulary import HTML_TYPES as HTML_TYPES
from tidings.parse.vocabulary import NAMESPACES
from tidings.parse.vocabulary import looks_like_html as looks_like_html

XHTML = "application/xhtml+xml"

_AMP_REFERENCE = re.compile("&([A-Za-z0-9_]+);")
_C1_CONTROL = re.compile("[\x80-\x9f]")
_SCHEME_SLASHES = re.compile("^([A-Za-z][A-Za-z0-9+-.]*://)(/*)(.*?)")
# lower-case http(s), a host without brackets, no ";" parameters, no empty query or fragment and
# no whitespace: urljoin returns such a URI unchanged, whatever the base
_PLAIN_ABSOLUTE = re.compile(r"https?://[^/?#\[\];\s]+[^?#;\s]*(?:\?[^#;\s]+)?(?:#[^;\s]+)?\Z")


class Decline(Exception):
    """The fast path is not sure it reads this document as feedparser would: use feedparser."""


class Node(Protocol):
    """The part of lxml's ``_Element`` the fast path uses (lxml ships no type information)."""

    tag: object
    text: str | None
    tail: str | None
    prefix: str | None

    def get(self, key: str) -> str | None: ...

    def items(self) -> list[tuple[str, str]]: ...

    def __iter__(self) -> Iterator[Node]: ...

    def __len__(self) -> int: ...


_NAMES: dict[tuple[str, str | None], str] = {}  # tags in namespaces we do not know
NAME_BY_TAG: dict[object, str] = {}  # the rest, whose name does not depend on the prefix


def name_of(node: Node) -> str:
    """feedparser's name for an element: "title", "dc_creator", "media_content" ...

    Cached by tag (by tag and prefix in namespaces feedparser does not know, where it goes by
    the document's prefix); the caches are cleared when they grow large.
    """
    tag = node.tag
    known = NAME_BY_TAG.get(tag)
    if known is not None:
        return known
    if not isinstance(tag, str):
        return ""
    key = (tag, node.prefix)
    known = _NAMES.get(key)
    if known is not None:
        return known
    if tag[0] != "{":
        name = tag.lower()
    else:
        namespace, _, local = tag[1:].partition("}")
        prefix = namespace_prefix(namespace)
        if prefix is None:  # unknown namespace: feedparser goes by the document's prefix
            name = f"{node.prefix}_{local}".lower() if node.prefix else local.lower()
            if len(_NAMES) > 10_000:
                _NAMES.clear()
            _NAMES[key] = name
            return name
        name = f"{prefix}_{local}".lower() if prefix else local.lower()
    if len(NAME_BY_TAG) > 10_000:
        NAME_BY_TAG.clear()
    NAME_BY_TAG[tag] = name
    return name


def namespace_prefix(namespace: str) -> str | None:
    """feedparser's prefix for a namespace URI, None when it does not know the namespace."""
    lowered = namespace.lower()
    if "backend.userland.com/rss" in lowered:
        return ""
    return NAMESPACES.get(lowered)


def attributes(node: Node) -> dict[str, str]:
    """The attributes as feedparser keys them: lower-cased, known namespaces as "xml:base"."""
    found: dict[str, str] = {}
    for key, value in node.items():
        if key[0] == "{":
            namespace, _, local = key[1:].partition("}")
            prefix = namespace_prefix(namespace)
            key = f"{prefix}:{local}" if prefix else local
        key = key.lower()
        found[key] = value.lower() if key in ("rel", "type") else value
    return found


_XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"


def child_base(node: Node, base: str) -> str:
    """The base URI inside ``node``: its xml:base (or ``base``) resolved as feedparser does."""
    given = node.get(_XML_BASE)
    if given is None:
        given = node.get("base")
    if not given:
        return base
    return _safe_absolute(base, given) or base


# feedparser.urls.ACCEPTABLE_URI_SCHEMES, written out so that the fast path does not import
# feedparser (a test holds the two equal)
_ACCEPTABLE_SCHEMES = frozenset(
    {
        "file", "ftp", "gopher", "h323", "hdl", "http", "https", "imap", "magnet", "mailto",
        "mms", "news", "nntp", "prospero", "rsync", "rtsp", "rtspu", "sftp", "shttp", "sip",
        "sips", "snews", "svn", "svn+ssh", "telnet", "wais", "aim", "callto", "cvs", "facetime",
        "feed", "git", "gtalk", "irc", "ircs", "irc6", "itms", "msnim", "skype", "ssh", "smb",
        "ymsg",
    }
)  # fmt: skip


def _safe_absolute(base: str, relative: str) -> str:
    """feedparser's make_safe_absolute_uri for a non-empty base."""
    if not relative:
        return base
    joined = join_uri(base, relative)
    if joined.strip().split(":", 1)[0] not in _ACCEPTABLE_SCHEMES:
        return ""
    return joined


def resolve(base: str, uri: str) -> str:
    """A URI resolved as feedparser resolves link, id and url values (see :func:`join_uri`).

    An absolute http(s) URI that urllib would write back unchanged comes back as it is
    without the two urlparse calls of urljoin, which cost more than the rest of the walk.
    """
    if uri.isascii() and _PLAIN_ABSOLUTE.match(uri):
        return uri
    return join_uri(base, uri)


def join_uri(base: str, uri: str) -> str:
    """feedparser's URI joining: extra slashes after the scheme dropped, "" for what urllib
    refuses."""
    uri = _SCHEME_SLASHES.sub(r"\1\3", uri)
    try:
        return urllib.parse.urljoin(base, uri)
    except ValueError:
        return ""


def _windows_1252() -> dict[int, str]:
    """The C1 controls that windows-1252 defines, as its characters (feedparser's table)."""
    table: dict[int, str] = {}
    for code in range(0x80, 0xA0):
        with contextlib.suppress(UnicodeDecodeError):
            table[code] = bytes([code]).decode("cp1252")
    return table


_WINDOWS_1252 = _windows_1252()


def text_of(node: Node) -> str:
    """The character data of an element that must have no element children."""
    if len(node):
        raise Decline("an element that should hold text holds elements")
    return node.text or ""


def own_text(node: Node) -> str:
    """The element's own character data, between and around its children."""
    if not len(node):
        return node.text or ""
    return (node.text or "") + "".join(child.tail or "" for child in node)


def finish(raw: str, base: str | None = None) -> str:
    """What feedparser does to every text value: strip, resolve (when ``base`` is given),
    undo UTF-8 read as Latin-1, map the C1 controls to the windows-1252 characters."""
    output = raw.strip()
    if base is not None and output:
        output = resolve(base, output)
    if not output.isascii():
        with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
            output = output.encode("iso-8859-1").decode("utf-8")
        if _C1_CONTROL.search(output):
            output = output.translate(_WINDOWS_1252)
    return output


def link_text(output: str, in_entry: bool) -> str:
    """feedparser's repair of "&amp;" in link text (it takes them for broken references)."""
    if "&" not in output:
        return output
    if in_entry:
        output = output.replace("&amp;", "&")
    return _AMP_REFERENCE.sub(lambda match: "&" + match.group(1), output)


# -- feedparser's ways with records --------------------------------------------------------------

Record = dict[str, Any]
# feedparser's pattern for the email in an RSS author string
_EMAIL = re.compile(
    r"(([a-zA-Z0-9\_\-\.\+]+)@((\[[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.)|(([a-zA-Z0-9\-]+\.)+))"
    r"([a-zA-Z]{2,4}|[0-9]{1,3})(\]?))(\?subject=\S+)?"
)


def enforce_href(attrs: Record) -> Record:
    """An enclosure's or link's URL under "href", whichever of url, uri, href it came as."""
    href = attrs.get("url", attrs.get("uri", attrs.get("href")))
    if href:
        attrs.pop("url", None)
        attrs.pop("uri", None)
        attrs["href"] = href
    return attrs


def add_tag(context: Record, term: str | None, scheme: str | None, label: str | None) -> None:
    tags: list[Record] = context.setdefault("tags", [])
    if not term and not scheme and not label:
        return
    value = {"term": term, "scheme": scheme, "label": label}
    if value not in tags:
        tags.append(value)


def tag_text(context: Record, value: str) -> None:
    """A category's text: the term of the tag its attributes began, or a tag of its own."""
    if not value:
        return
    tags = context["tags"]
    if tags and not tags[-1]["term"]:
        tags[-1]["term"] = value
    else:
        add_tag(context, value, None, None)


def sync_author(context: Record) -> None:
    """feedparser's _sync_author_detail: the author string from the record, or the reverse."""
    detail: Record = context.get("authors", [{}])[-1]
    if detail:
        name, email = detail.get("name"), detail.get("email")
        if name and email:
            context["author"] = f"{name} ({email})"
        elif name:
            context["author"] = name
        elif email:
            context["author"] = email
        return
    author, email = context.get("author"), None
    if not author:
        return
    match = _EMAIL.search(author)
    if match:
        email = match.group(0)
        author = author.replace(email, "").replace("()", "").replace("<>", "")
        author = author.replace("&lt;&gt;", "").strip()
        if author and author[0] == "(":
            author = author[1:]
        if author and author[-1] == ")":
            author = author[:-1]
        author = author.strip()
    if author:
        detail["name"] = author
    if email:
        detail["email"] = email
