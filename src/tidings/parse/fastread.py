"""An lxml tree read into the records feedparser would have made of it (the subset we map).

The fast path's reader walks the parsed tree once, in document order, and keeps the state that
decides feedparser's results (which title wins, whether a second description is content, when
an RSS author string is split), so that ``xmlfeed``'s mapping functions give the same
:class:`~tidings.types.ParsedFeed` from either record. Anything it is not sure of raises
:class:`~tidings.parse.fastnodes.Decline`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from tidings.parse.fastnodes import (
    CAN_BE_RELATIVE,
    HTML_TYPES,
    NAME_BY_TAG,
    XHTML,
    Decline,
    Node,
    attributes,
    child_base,
    decode_base64,
    finish,
    is_base64,
    link_text,
    looks_like_html,
    map_content_type,
    mixed_pieces,
    name_of,
    own_text,
    resolve,
    strip_xhtml_div,
    text_of,
    xhtml_pieces,
)
from tidings.parse.text import collapse_whitespace

Record = dict[str, Any]
_TITLES = frozenset({"title", "dc_title"})
_DESCRIPTIONS = frozenset({"description", "dc_description", "media_description"})
_SUMMARIES = frozenset({"summary", "itunes_summary"})
_AUTHORS = frozenset({"author", "managingeditor", "dc_author", "dc_creator", "itunes_author"})
_PUBLISHED = frozenset({"published", "pubdate", "issued", "dcterms_issued"})
_UPDATED = frozenset({"updated", "modified", "lastbuilddate", "dc_date", "dcterms_modified"})
_CATEGORIES = frozenset({"category", "keywords", "dc_subject"})
_SPLIT_TAGS = {"itunes_keywords": "http://www.itunes.com/", "media_keywords": None, "tags": None}
_LANGUAGES = frozenset({"language", "dc_language"})
# push_content elements whose values we never read: skipped, but their children must not be
# elements feedparser would dispatch (an XML-typed construct with element children)
_IGNORED_CONSTRUCTS = frozenset(
    {"rights", "copyright", "dc_rights", "info", "feedburner_browserfriendly", "itunes_subtitle"}
)
# subtrees whose values feedparser files elsewhere (publisher, contributors, source feed ...)
_SKIPPED = frozenset(
    {
        "contributor", "dc_contributor", "itunes_owner", "webmaster", "dc_publisher", "cloud",
        "generator", "textinput", "source", "media_player", "media_credit", "media_rating",
        "media_restriction", "media_license",
    }
)  # fmt: skip
_FEED_KEYS = frozenset({"logo", "icon", "ttl", "sy_updateperiod", "sy_updatefrequency"})
_NESTED_ROOTS = frozenset({"rss", "channel", "feed", "rdf_rdf", "item", "entry"})
_IMAGE_CHILDREN = frozenset({"title", "link", "description", "url", "href", "width", "height"})
_HOURS_OR_DAYS = frozenset({"skiphours", "skipdays"})
# feedparser's pattern for the email in an RSS author string
_EMAIL = re.compile(
    r"(([a-zA-Z0-9\_\-\.\+]+)@((\[[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.)|(([a-zA-Z0-9\-]+\.)+))"
    r"([a-zA-Z]{2,4}|[0-9]{1,3})(\]?))(\?subject=\S+)?"
)


class Reader:
    """One document's walk. ``feed`` and ``entries`` are shaped like feedparser's."""

    def __init__(self, version: str, language: str | None, *, bases: bool = True) -> None:
        self.version = version
        # False when the document has no "base" anywhere, so no element can set xml:base
        self.bases = bases
        self.atom = version.startswith("atom")
        self.feed: Record = {}
        self.entries: list[Record] = []
        self.captions: set[str] = set()
        self.skip_hours: list[str] | None = None
        self.skip_days: list[str] | None = None
        self.lang = language
        if language:
            self.feed["language"] = language.replace("_", "-")
        self.title_depth = -1
        self.has_content = False
        self._depths: dict[str, int] = {}
        self._summary = False  # whether the current context has a "summary" key
        self._feed_summary = False

    # -- the walk ----------------------------------------------------------------------------

    def read_root(self, root: Node, name: str, base: str) -> None:
        base = child_base(root, base)
        attrs = attributes(root) if root.items() else {}
        lang = attrs.get("xml:lang", attrs.get("lang"))
        if lang is None:
            lang = self.lang
        elif lang == "":
            lang = None
        if lang and name in ("feed", "rss"):
            self.feed["language"] = lang.replace("_", "-")
        if name == "feed":
            self.walk(root, 1, base, self.feed, "feed")
        else:
            self.walk(root, 1, base, self.feed, "root")

    def walk(self, parent: Node, depth: int, base: str, context: Record, mode: str) -> None:
        """Dispatch the children of ``parent`` (at ``depth``) in ``mode`` root, feed or entry."""
        depth += 1
        by_tag, bases = NAME_BY_TAG, self.bases
        for node in parent:
            name = by_tag.get(node.tag) or name_of(node)
            if not name:
                continue
            node_base = child_base(node, base) if bases else base
            if mode == "entry":
                handler = _ENTRY_HANDLERS.get(name)
                if handler is not None:
                    handler(self, node, name, depth, node_base, context)
                else:
                    self._entry_element(node, name, depth, node_base, context)
            elif mode == "feed":
                self._feed_element(node, name, depth, node_base)
            else:
                self._root_element(node, name, depth, node_base)

    def _root_element(self, node: Node, name: str, depth: int, base: str) -> None:
        """Outside the channel (RSS 0.90 and 1.0 put items, image and textinput there)."""
        if name == "channel":
            self._channel(node, depth, base)
        elif name in ("item", "entry"):
            self._entry(node, depth, base)
        elif name in _NESTED_ROOTS:
            raise Decline(f"a {name} element where none is expected")
        elif name in ("image", "textinput"):
            self.title_depth = -1
            if name == "image":
                self.feed.setdefault("image", {})
        elif len(node):
            self.walk(node, depth, base, self.feed, "root")

    def _channel(self, node: Node, depth: int, base: str) -> None:
        if node.get("href") is not None or node.get("lastmod") is not None:
            raise Decline("a CDF channel")
        self.walk(node, depth, base, self.feed, "feed")

    def _feed_element(self, node: Node, name: str, depth: int, base: str) -> None:
        feed = self.feed
        if name in ("item", "entry"):
            self._entry(node, depth, base)
        elif name in _TITLES or name == "media_title":
            self._title(node, depth, base, feed, in_entry=False, media=name == "media_title")
        elif name == "link":
            self._link(node, base, feed, in_entry=False)
        elif name in _DESCRIPTIONS:
            if "media" in name:
                self.captions.add(collapse_whitespace(own_text(node)))
            if self._feed_summary and not self.has_content:
                self.has_content = True
                self._content(node, base, None, "text/plain")
            else:
                self._feed_construct(node, base, "subtitle", "text/html")
        elif name in ("subtitle", "tagline", "itunes_subtitle") or name == "abstract":
            self._feed_construct(node, base, "subtitle", "text/plain")
        elif name in _SUMMARIES:
            if self._feed_summary and not self.has_content:
                self.has_content = True
                self._content(node, base, None, "text/plain")
            else:
                self._feed_construct(node, base, "summary", "text/plain")
                self._feed_summary = True
        elif name in _CONTENT_DEFAULTS:
            if name not in ("body", "xhtml_body"):
                self.has_content = True
            self._content(node, base, None, _CONTENT_DEFAULTS[name])
        elif name == "image":
            self._feed_image(node, depth, base)
        elif name in ("itunes_image", "itunes_link"):
            self._itunes_image(node, feed)
        elif name in _LANGUAGES:
            feed["language"] = finish(text_of(node))
        elif name in _AUTHORS:
            self._author(node, depth, base, feed, in_entry=False)
        elif name in ("id", "guid"):
            self._id(node, depth, base, feed, in_entry=False)
        elif name in _NESTED_ROOTS:
            raise Decline(f"a {name} element inside the feed")
        elif name in _SKIPPED or name in _IGNORED_CONSTRUCTS:
            self._skip(node, name)
        elif name in ("media_group", "media_content"):
            self.walk(node, depth, base, feed, "feed")
        else:
            self._unknown(node, name, depth, base, feed, "feed")

    def _entry(self, node: Node, depth: int, base: str) -> None:
        if node.get("href") is not None or node.get("lastmod") is not None:
            raise Decline("a CDF item")
        entry: Record = {}
        self.entries.append(entry)
        self.title_depth = -1
        self._depths = {}
        self._summary = False
        about = node.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about")
        if about:
            entry["id"] = about
        self.walk(node, depth, base, entry, "entry")
        self.has_content = False

    def _entry_element(self, node: Node, name: str, depth: int, base: str, entry: Record) -> None:
        handler = _ENTRY_HANDLERS.get(name)
        if handler is not None:
            handler(self, node, name, depth, base, entry)
        elif name in _NESTED_ROOTS:
            raise Decline(f"a {name} element inside an item")
        elif name in _SKIPPED or name in _IGNORED_CONSTRUCTS:
            self._skip(node, name)
        else:
            self._unknown(node, name, depth, base, entry, "entry")

    # -- entry elements, one signature for the dispatch table ----------------------------------

    def _e_title(self, node: Node, name: str, depth: int, base: str, entry: Record) -> None:
        self._title(node, depth, base, entry, in_entry=True, media=name == "media_title")

    def _e_link(self, node: Node, name: str, depth: int, base: str, entry: Record) -> None:
        self._link(node, base, entry, in_entry=True)

    def _e_id(self, node: Node, name: str, depth: int, base: str, entry: Record) -> None:
        self._id(node, depth, base, entry, in_entry=True)

    def _e_description(self, node: Node, name: str, depth: int, base: str, entry: Record) -> None:
        """description and summary: a second one is content unless content came first."""
        if name == "media_description":
            self.captions.add(collapse_whitespace(own_text(node)))
        if self._summary and not self.has_content:
            self.has_content = True
            self._content(node, base, entry, "text/plain")
        else:
            default = "text/html" if name in _DESCRIPTIONS else "text/plain"
            self._summary_construct(node, depth, base, entry, default)

    def _e_abstract(self, node: Node, name: str, depth: int, base: str, entry: Record) -> None:
        self._summary_construct(node, depth, base, entry, "text/plain")

    def _e_content(self, node: Node, name: str, depth: int, base: str, entry: Record) -> None:
        if name not in ("body", "xhtml_body"):
            self.has_content = True
        self._content(node, base, entry, _CONTENT_DEFAULTS[name])

    def _e_author(self, node: Node, name: str, depth: int, base: str, entry: Record) -> None:
        self._author(node, depth, base, entry, in_entry=True)

    def _e_published(self, node: Node, name: str, depth: int, base: str, entry: Record) -> None:
        self._store(entry, "published", finish(text_of(node)), depth)

    def _e_updated(self, node: Node, name: str, depth: int, base: str, entry: Record) -> None:
        self._store(entry, "updated", finish(text_of(node)), depth)

    def _e_category(self, node: Node, name: str, depth: int, base: str, entry: Record) -> None:
        self._category(node, base, entry, name == "media_category")

    def _e_itunes_category(
        self, node: Node, name: str, depth: int, base: str, entry: Record
    ) -> None:
        self._itunes_category(node, depth, base, entry)

    def _e_split_tags(self, node: Node, name: str, depth: int, base: str, entry: Record) -> None:
        self._split_tags(node, name, entry)

    def _e_enclosure(self, node: Node, name: str, depth: int, base: str, entry: Record) -> None:
        self._enclosure(node, depth, base, entry)

    def _e_media_content(self, node: Node, name: str, depth: int, base: str, entry: Record) -> None:
        entry.setdefault("media_content", []).append(attributes(node))
        self.walk(node, depth, base, entry, "entry")

    def _e_thumbnail(self, node: Node, name: str, depth: int, base: str, entry: Record) -> None:
        self._thumbnail(node, base, entry)

    def _e_group(self, node: Node, name: str, depth: int, base: str, entry: Record) -> None:
        self.walk(node, depth, base, entry, "entry")

    def _e_itunes_image(self, node: Node, name: str, depth: int, base: str, entry: Record) -> None:
        self._itunes_image(node, entry)

    def _e_image(self, node: Node, name: str, depth: int, base: str, entry: Record) -> None:
        if len(node):
            raise Decline("an image element with children inside an item")
        self.title_depth = -1

    # -- elements ----------------------------------------------------------------------------

    def _store(self, entry: Record, key: str, value: object, depth: int) -> None:
        """feedparser keeps an entry's value from the shallowest element that gave one."""
        old = self._depths.get(key)
        if old is None or depth <= old:
            self._depths[key] = depth
            entry[key] = value

    def _construct(self, node: Node, base: str, default: str) -> tuple[str, Record]:
        """A text construct (title, summary, content ...): its value and its detail record."""
        attrs = attributes(node) if node.items() else {}
        kind = map_content_type(attrs.get("type", default))
        declared = kind
        if len(node):
            if kind == XHTML:
                pieces = xhtml_pieces(node)
            elif kind.endswith("xml"):
                raise Decline("elements inside an XML construct that is not XHTML")
            else:
                pieces, kind = mixed_pieces(node, kind)
            if self.version == "atom10" and kind == XHTML:
                pieces = strip_xhtml_div(pieces)
            output = "".join(pieces).strip()
        elif kind == XHTML:
            pieces = xhtml_pieces(node)
            output = "".join(pieces).strip()
        else:
            output = (node.text or "").strip()
        if is_base64(attrs, declared):
            output = decode_base64(output)
        if not self.atom and kind == "text/plain" and looks_like_html(output):
            kind = "text/html"
        detail: Record = {"type": kind, "base": base}
        value = finish(output)
        detail["value"] = value
        return value, detail

    def _title(
        self, node: Node, depth: int, base: str, context: Record, *, in_entry: bool, media: bool
    ) -> None:
        before = self.title_depth
        value, detail = self._construct(node, base, "text/plain")
        if not (-1 < self.title_depth <= depth):
            if in_entry:
                self._store(context, "title", value, depth)
            else:
                context["title"] = value
            context["title_detail"] = detail
        if value:
            self.title_depth = depth
        if media:
            self.title_depth = before

    def _feed_construct(self, node: Node, base: str, key: str, default: str) -> None:
        value, detail = self._construct(node, base, default)
        self.feed[key] = value
        self.feed[f"{key}_detail"] = detail

    def _summary_construct(
        self, node: Node, depth: int, base: str, entry: Record, default: str
    ) -> None:
        value, detail = self._construct(node, base, default)
        self._store(entry, "summary", value, depth)
        entry["summary_detail"] = detail
        self._summary = True

    def _content(self, node: Node, base: str, entry: Record | None, default: str) -> None:
        """Content (or a description filed as content): kept in the entry, and copied to its
        summary when there is none and it is text or HTML."""
        attrs = attributes(node) if node.items() else {}
        declared = map_content_type(attrs.get("type", default))
        value, detail = self._construct(node, base, default)
        copy = declared in HTML_TYPES or declared == "text/plain"
        if entry is None:
            self._feed_summary = self._feed_summary or copy
            return
        entry.setdefault("content", []).append(detail)
        if copy:
            entry.setdefault("summary", value)
            self._summary = True

    def _link(self, node: Node, base: str, context: Record, *, in_entry: bool) -> None:
        attrs = attributes(node) if node.items() else {}
        attrs.setdefault("rel", "alternate")
        attrs.setdefault("type", "application/atom+xml" if attrs["rel"] == "self" else "text/html")
        attrs = _enforce_href(attrs)
        if "href" in attrs:
            attrs["href"] = resolve(base, attrs["href"])
        links = context.setdefault("links", [])
        links.append(attrs)
        if "href" in attrs:
            if attrs["rel"] == "alternate" and map_content_type(attrs["type"]) in HTML_TYPES:
                context["link"] = attrs["href"]
            return
        output = link_text(finish(text_of(node), base), in_entry)
        context["link"] = output
        if output or not in_entry:
            links[-1]["href"] = output

    def _id(self, node: Node, depth: int, base: str, context: Record, *, in_entry: bool) -> None:
        attrs = attributes(node) if node.items() else {}
        # xmlfeed marks every literal <guid> isPermaLink="false" before feedparser reads it
        written_guid = node.tag == "guid" or (
            isinstance(node.tag, str) and node.prefix is None and node.tag.endswith("}guid")
        )
        is_link = not written_guid and attrs.get("ispermalink", "true") == "true"
        value = finish(text_of(node), base if is_link else None)
        if in_entry:
            self._store(context, "id", value, depth)
        else:
            context["id"] = value
        if is_link:
            context.setdefault("link", value)

    def _author(
        self, node: Node, depth: int, base: str, context: Record, *, in_entry: bool
    ) -> None:
        context.setdefault("authors", []).append({})
        for child in node:
            name = name_of(child)
            if not name:
                continue
            if name in ("name", "itunes_name"):
                self._save_author(context, "name", finish(text_of(child)))
            elif name in ("email", "itunes_email"):
                self._save_author(context, "email", finish(text_of(child)))
            elif name in ("uri", "url", "homepage"):
                self._save_author(context, "href", finish(text_of(child), child_base(child, base)))
            elif in_entry:  # feedparser handles anything else in an author as usual
                self._entry_element(child, name, depth + 1, child_base(child, base), context)
            else:
                self._feed_element(child, name, depth + 1, child_base(child, base))
        value = finish(own_text(node))
        if in_entry:
            self._store(context, "author", value, depth)
        else:
            context["author"] = value
        _sync_author(context)

    def _save_author(self, context: Record, key: str, value: str) -> None:
        _sync_author(context)
        context.setdefault("authors", [{}])[-1][key] = value

    def _category(self, node: Node, base: str, entry: Record, media: bool) -> None:
        attrs = attributes(node) if node.items() else {}
        if media:
            attrs.setdefault("scheme", "http://search.yahoo.com/mrss/category_schema")
        scheme = attrs.get("scheme", attrs.get("domain"))
        _add_tag(entry, attrs.get("term"), scheme, attrs.get("label"))
        value = finish(text_of(node))
        if not value:
            return
        tags = entry["tags"]
        if tags and not tags[-1]["term"]:
            tags[-1]["term"] = value
        else:
            _add_tag(entry, value, None, None)

    def _itunes_category(self, node: Node, depth: int, base: str, entry: Record) -> None:
        attrs = attributes(node) if node.items() else {}
        _add_tag(entry, attrs.get("text"), "http://www.itunes.com/", None)
        self.walk(node, depth, base, entry, "entry")
        value = finish(own_text(node))
        if value:
            tags = entry["tags"]
            if tags and not tags[-1]["term"]:
                tags[-1]["term"] = value
            else:
                _add_tag(entry, value, None, None)

    def _split_tags(self, node: Node, name: str, entry: Record) -> None:
        if node.items() and name != "tags":
            return  # feedparser files an attributed keywords element as a record instead
        scheme = _SPLIT_TAGS[name]
        for term in finish(text_of(node)).split(","):
            if term.strip() or name == "tags":
                _add_tag(entry, term.strip(), scheme, None)

    def _enclosure(self, node: Node, depth: int, base: str, entry: Record) -> None:
        attrs = _enforce_href(attributes(node))
        attrs["rel"] = "enclosure"
        entry.setdefault("links", []).append(attrs)
        if len(node):
            self.walk(node, depth, base, entry, "entry")

    def _thumbnail(self, node: Node, base: str, entry: Record) -> None:
        thumbnail = attributes(node)
        entry.setdefault("media_thumbnail", []).append(thumbnail)
        url = finish(text_of(node), base)
        if url.strip() and "url" not in thumbnail:
            thumbnail["url"] = url

    def _itunes_image(self, node: Node, context: Record) -> None:
        attrs = attributes(node) if node.items() else {}
        if attrs.get("href"):
            context["image"] = {"href": attrs["href"]}
        elif attrs.get("url"):
            context["image"] = {"href": attrs["url"]}

    def _feed_image(self, node: Node, depth: int, base: str) -> None:
        image = self.feed.setdefault("image", {})
        self.title_depth = -1
        in_image = True
        for child in node:
            name = name_of(child)
            if not name:
                continue
            if "_" not in name and name not in _IMAGE_CHILDREN:
                in_image = False
            if not in_image or len(child):
                raise Decline("an image element with unusual children")
            if name in ("url", "uri", "homepage"):
                image["href"] = finish(text_of(child), child_base(child, base))
            elif name == "title":
                value = finish(text_of(child))
                if not (-1 < self.title_depth <= depth + 1):
                    image["title"] = value
                if value:
                    self.title_depth = depth + 1
            elif name not in _IMAGE_CHILDREN:
                raise Decline(f"a {name} element inside an image")

    def _skip(self, node: Node, name: str) -> None:
        """A subtree whose values we do not read; feedparser resets its title tracking there."""
        if name in ("textinput", "source"):
            self.title_depth = -1
        if name in _IGNORED_CONSTRUCTS and len(node):
            self._construct(node, "", "text/plain")  # declines what feedparser would dispatch

    def _unknown(
        self, node: Node, name: str, depth: int, base: str, context: Record, mode: str
    ) -> None:
        """An element without a handler: a record of its attributes, or its text."""
        local = name.rsplit("_", 1)[-1]
        if local in _HOURS_OR_DAYS:
            self._hours_or_days(node, local)
            return
        if len(node):
            self.walk(node, depth, base, context, mode)
        if mode == "feed" and name in _FEED_KEYS:
            if node.items():
                self.feed[name] = attributes(node)
            else:
                text = own_text(node)
                self.feed[name] = finish(text, base if name in CAN_BE_RELATIVE else None)

    def _hours_or_days(self, node: Node, local: str) -> None:
        """The first skipHours / skipDays block, as xmlfeed's patterns read it."""
        wanted = "hour" if local == "skiphours" else "day"
        if (self.skip_hours if wanted == "hour" else self.skip_days) is not None:
            return
        values = []
        for child in node:
            if name_of(child).rsplit("_", 1)[-1] == wanted and not len(child):
                values.append((child.text or "").strip())
        if wanted == "hour":
            self.skip_hours = values
        else:
            self.skip_days = values


_CONTENT_DEFAULTS = {
    "content": "text/plain",
    "content_encoded": "text/html",
    "fullitem": "text/html",
    "body": XHTML,
    "xhtml_body": XHTML,
}

EntryHandler = Callable[[Reader, Node, str, int, str, Record], None]
_ENTRY_HANDLERS: dict[str, EntryHandler] = {
    **dict.fromkeys(("title", "dc_title", "media_title"), Reader._e_title),
    "link": Reader._e_link,
    **dict.fromkeys(("id", "guid"), Reader._e_id),
    **dict.fromkeys(_DESCRIPTIONS | _SUMMARIES, Reader._e_description),
    "abstract": Reader._e_abstract,
    **dict.fromkeys(_CONTENT_DEFAULTS, Reader._e_content),
    **dict.fromkeys(_AUTHORS, Reader._e_author),
    **dict.fromkeys(_PUBLISHED, Reader._e_published),
    **dict.fromkeys(_UPDATED, Reader._e_updated),
    **dict.fromkeys(_CATEGORIES | {"media_category"}, Reader._e_category),
    "itunes_category": Reader._e_itunes_category,
    **dict.fromkeys(_SPLIT_TAGS, Reader._e_split_tags),
    "enclosure": Reader._e_enclosure,
    "media_content": Reader._e_media_content,
    "media_thumbnail": Reader._e_thumbnail,
    "media_group": Reader._e_group,
    **dict.fromkeys(("itunes_image", "itunes_link"), Reader._e_itunes_image),
    "image": Reader._e_image,
}


def _enforce_href(attrs: Record) -> Record:
    href = attrs.get("url", attrs.get("uri", attrs.get("href")))
    if href:
        attrs.pop("url", None)
        attrs.pop("uri", None)
        attrs["href"] = href
    return attrs


def _add_tag(context: Record, term: str | None, scheme: str | None, label: str | None) -> None:
    tags: list[Record] = context.setdefault("tags", [])
    if not term and not scheme and not label:
        return
    value = {"term": term, "scheme": scheme, "label": label}
    if value not in tags:
        tags.append(value)


def _sync_author(context: Record) -> None:
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
