"""An lxml tree read into the records feedparser would have made of it (the subset we map).

The lxml path's reader walks the parsed tree once, in document order, and keeps the state that
decides feedparser's results (which title wins, whether a second description is content, when
an RSS author string is split), so that ``mapping`` gives the same
:class:`~tidings.types.ParsedFeed` from either record. Text constructs are read by
``lxmlconstructs``. Anything it is not sure of raises :class:`~tidings.parse.lxmlnodes.Decline`.

Known differences from feedparser, on input seen neither in the corpus nor in feedparser's own
test documents (the differential tests would show them otherwise):

- skipHours / skipDays are read from the first such element the walk meets (the channel's);
  the feedparser path's patterns take the first anywhere in the text, even inside CDATA;
- a ``base`` attribute spelled in capitals ("BASE") is not taken for xml:base;
- when one item has two dates of a kind at different depths, feedparser parses the last one
  but keeps the shallowest one's text; the lxml path reads the kept text;
- an element in a namespace feedparser does not know, under a prefix that another part of the
  document binds to a namespace it knows, keeps the document's prefix.
"""

from __future__ import annotations

from collections.abc import Callable

from tidings.parse.lxmlconstructs import map_content_type, read_construct
from tidings.parse.lxmlnodes import (
    CAN_BE_RELATIVE,
    HTML_TYPES,
    NAME_BY_TAG,
    XHTML,
    Decline,
    Node,
    Record,
    add_tag,
    attributes,
    child_base,
    enforce_href,
    finish,
    link_text,
    name_of,
    own_text,
    resolve,
    sync_author,
    tag_text,
    text_of,
)
from tidings.parse.text import collapse_whitespace

_DESCRIPTIONS = frozenset({"description", "dc_description", "media_description"})
_SUMMARIES = frozenset({"summary", "itunes_summary"})
_CONTENT_DEFAULTS = {
    "content": "text/plain",
    "content_encoded": "text/html",
    "fullitem": "text/html",
    "body": XHTML,
    "xhtml_body": XHTML,
}
_PUBLISHED = frozenset({"published", "pubdate", "issued", "dcterms_issued"})
_DATES = _PUBLISHED | {"updated", "modified", "lastbuilddate", "dc_date", "dcterms_modified"}
_SPLIT_TAGS = {"itunes_keywords": "http://www.itunes.com/", "media_keywords": None, "tags": None}
# push_content elements whose values we never read: skipped, but their children must not be
# elements feedparser would dispatch (an XML-typed construct with element children)
_IGNORED_CONSTRUCTS = frozenset(
    {
        "rights", "copyright", "dc_rights", "info", "feedburner_browserfriendly", "subtitle",
        "tagline", "itunes_subtitle",
    }
)  # fmt: skip
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
# names without a handler seen so far that are none of the above (most such elements)
_PLAIN_OTHERS: set[str] = set()


class Reader:
    """One document's walk. ``feed`` and ``entries`` are shaped like feedparser's.

    Element handlers share one signature, ``(node, name, depth, base, context)``: ``context``
    is the entry being read, or ``self.feed`` at the feed's level.
    """

    def __init__(self, version: str, language: str | None, *, bases: bool = True) -> None:
        self.version = version
        # False when the document has no "base" anywhere, so no element can set xml:base
        self.bases = bases
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
        self._summary = False  # whether the current entry has a "summary" key
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
        self.walk(root, 1, base, self.feed, "feed" if name == "feed" else "root")

    def walk(self, parent: Node, depth: int, base: str, context: Record, mode: str) -> None:
        """Dispatch the children of ``parent`` (at ``depth``) in ``mode`` root, feed or entry."""
        depth += 1
        by_tag, bases = NAME_BY_TAG, self.bases
        table = _ENTRY if mode == "entry" else _FEED
        for node in parent:
            name = by_tag.get(node.tag) or name_of(node)
            if not name:
                continue
            node_base = child_base(node, base) if bases else base
            if mode == "root":
                self._root_element(node, name, depth, node_base)
                continue
            handler = table.get(name)
            if handler is not None:
                handler(self, node, name, depth, node_base, context)
            elif mode != "entry" or name not in _PLAIN_OTHERS or len(node):
                self._other(node, name, depth, node_base, context, mode)
            # else: an entry's element without a handler or children files nothing

    def _other(
        self, node: Node, name: str, depth: int, base: str, context: Record, mode: str
    ) -> None:
        if name not in _PLAIN_OTHERS:
            if name in _NESTED_ROOTS:
                where = "inside an item" if mode == "entry" else "where none is expected"
                raise Decline(f"a {name} element {where}")
            if name in _SKIPPED or name in _IGNORED_CONSTRUCTS:
                if name in ("textinput", "source"):
                    self.title_depth = -1  # feedparser starts title tracking afresh there
                if name in _IGNORED_CONSTRUCTS and len(node):
                    read_construct(
                        node, "", self.version, "text/plain"
                    )  # declines what feedparser dispatches
                return
            local = name.rsplit("_", 1)[-1]
            if local in _HOURS_OR_DAYS:
                self._hours_or_days(node, local)
                return
            if len(_PLAIN_OTHERS) > 10_000:
                _PLAIN_OTHERS.clear()
            _PLAIN_OTHERS.add(name)
        # an element without a handler: feedparser reads its children as usual and files its
        # text (or, when it has attributes, a record of them) under its name
        if len(node):
            self.walk(node, depth, base, context, mode)
        if mode == "feed" and name in _FEED_KEYS:
            if node.items():
                self.feed[name] = attributes(node)
            else:
                self.feed[name] = finish(own_text(node), base if name in CAN_BE_RELATIVE else None)

    def _root_element(self, node: Node, name: str, depth: int, base: str) -> None:
        """Outside the channel (RSS 0.90 and 1.0 put items, image and textinput there)."""
        if name == "channel":
            if node.get("href") is not None or node.get("lastmod") is not None:
                raise Decline("a CDF channel")
            self.walk(node, depth, base, self.feed, "feed")
        elif name in ("item", "entry"):
            self._entry(node, name, depth, base, self.feed)
        elif name in _NESTED_ROOTS:
            raise Decline(f"a {name} element where none is expected")
        elif name in ("image", "textinput"):
            self.title_depth = -1
            if name == "image":
                self.feed.setdefault("image", {})
        elif len(node):
            self.walk(node, depth, base, self.feed, "root")

    def _entry(self, node: Node, name: str, depth: int, base: str, context: Record) -> None:
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

    def _store(self, context: Record, key: str, value: object, depth: int) -> None:
        """feedparser keeps an entry's value from the shallowest element that gave one (and a
        feed's from the last)."""
        if context is self.feed:
            context[key] = value
            return
        old = self._depths.get(key)
        if old is None or depth <= old:
            self._depths[key] = depth
            context[key] = value

    # -- text constructs ---------------------------------------------------------------------

    def _title(self, node: Node, name: str, depth: int, base: str, context: Record) -> None:
        before = self.title_depth
        value, detail = read_construct(node, base, self.version, "text/plain")
        if not (-1 < self.title_depth <= depth):
            self._store(context, "title", value, depth)
            context["title_detail"] = detail
        if value:
            self.title_depth = depth
        if name == "media_title":
            self.title_depth = before

    def _description(self, node: Node, name: str, depth: int, base: str, context: Record) -> None:
        """description and summary: a second one is content unless content came first."""
        if name == "media_description":
            self.captions.add(collapse_whitespace(own_text(node)))
        in_feed = context is self.feed
        if (self._feed_summary if in_feed else self._summary) and not self.has_content:
            self.has_content = True
            self._content(node, name, depth, base, context, default="text/plain")
            return
        default = "text/html" if name in _DESCRIPTIONS else "text/plain"
        value, detail = read_construct(node, base, self.version, default)
        key = ("subtitle" if name in _DESCRIPTIONS else "summary") if in_feed else "summary"
        self._store(context, key, value, depth)
        context[f"{key}_detail"] = detail
        if key == "summary":
            if in_feed:
                self._feed_summary = True
            else:
                self._summary = True

    def _subtitle(self, node: Node, name: str, depth: int, base: str, context: Record) -> None:
        value, detail = read_construct(node, base, self.version, "text/plain")
        key = "subtitle" if context is self.feed else "summary"  # abstract is a description
        self._store(context, key, value, depth)
        context[f"{key}_detail"] = detail
        if key == "summary":
            self._summary = True

    def _content(
        self,
        node: Node,
        name: str,
        depth: int,
        base: str,
        context: Record,
        default: str | None = None,
    ) -> None:
        """Content (or a description filed as content): kept in the entry, and copied to its
        summary when there is none and it is text or HTML."""
        if default is None:
            default = _CONTENT_DEFAULTS[name]
            if name not in ("body", "xhtml_body"):
                self.has_content = True
        attrs = attributes(node) if node.items() else {}
        declared = map_content_type(attrs.get("type", default))
        value, detail = read_construct(node, base, self.version, default)
        copy = declared in HTML_TYPES or declared == "text/plain"
        if context is self.feed:
            self._feed_summary = self._feed_summary or copy
            return
        context.setdefault("content", []).append(detail)
        if copy:
            context.setdefault("summary", value)
            self._summary = True

    # -- links, ids, people ------------------------------------------------------------------

    def _link(self, node: Node, name: str, depth: int, base: str, context: Record) -> None:
        attrs = attributes(node) if node.items() else {}
        attrs.setdefault("rel", "alternate")
        attrs.setdefault("type", "application/atom+xml" if attrs["rel"] == "self" else "text/html")
        attrs = enforce_href(attrs)
        if "href" in attrs:
            attrs["href"] = resolve(base, attrs["href"])
        links = context.setdefault("links", [])
        links.append(attrs)
        if "href" in attrs:
            if attrs["rel"] == "alternate" and map_content_type(attrs["type"]) in HTML_TYPES:
                context["link"] = attrs["href"]
            return
        in_entry = context is not self.feed
        output = link_text(finish(text_of(node), base), in_entry)
        context["link"] = output
        if output or not in_entry:
            links[-1]["href"] = output

    def _id(self, node: Node, name: str, depth: int, base: str, context: Record) -> None:
        attrs = attributes(node) if node.items() else {}
        # feedparserfeed marks every literal <guid> isPermaLink="false" before feedparser reads it
        tag = str(node.tag)
        written_guid = tag == "guid" or (node.prefix is None and tag.endswith("}guid"))
        is_link = not written_guid and attrs.get("ispermalink", "true") == "true"
        value = finish(text_of(node), base if is_link else None)
        self._store(context, "id", value, depth)
        if is_link:
            context.setdefault("link", value)

    def _author(self, node: Node, name: str, depth: int, base: str, context: Record) -> None:
        context.setdefault("authors", []).append({})
        mode = "feed" if context is self.feed else "entry"
        for child in node:
            child_name = NAME_BY_TAG.get(child.tag) or name_of(child)
            if not child_name:
                continue
            if child_name in ("name", "itunes_name"):
                self._save_author(context, "name", finish(text_of(child)))
            elif child_name in ("email", "itunes_email"):
                self._save_author(context, "email", finish(text_of(child)))
            elif child_name in ("uri", "url", "homepage"):
                url = finish(text_of(child), child_base(child, base))
                self._save_author(context, "href", url)
            else:  # feedparser handles anything else in an author as usual
                handler = (_ENTRY if mode == "entry" else _FEED).get(child_name)
                child_depth, node_base = depth + 1, child_base(child, base)
                if handler is not None:
                    handler(self, child, child_name, child_depth, node_base, context)
                else:
                    self._other(child, child_name, child_depth, node_base, context, mode)
        self._store(context, "author", finish(own_text(node)), depth)
        sync_author(context)

    def _save_author(self, context: Record, key: str, value: str) -> None:
        sync_author(context)
        context.setdefault("authors", [{}])[-1][key] = value

    # -- entry elements ------------------------------------------------------------------------

    def _date(self, node: Node, name: str, depth: int, base: str, context: Record) -> None:
        key = "published" if name in _PUBLISHED else "updated"
        self._store(context, key, finish(text_of(node)), depth)

    def _category(self, node: Node, name: str, depth: int, base: str, context: Record) -> None:
        attrs = attributes(node) if node.items() else {}
        if name == "media_category":
            attrs.setdefault("scheme", "http://search.yahoo.com/mrss/category_schema")
        scheme = attrs.get("scheme", attrs.get("domain"))
        add_tag(context, attrs.get("term"), scheme, attrs.get("label"))
        tag_text(context, finish(text_of(node)))

    def _itunes_category(
        self, node: Node, name: str, depth: int, base: str, context: Record
    ) -> None:
        attrs = attributes(node) if node.items() else {}
        add_tag(context, attrs.get("text"), "http://www.itunes.com/", None)
        self.walk(node, depth, base, context, "entry")
        tag_text(context, finish(own_text(node)))

    def _split_tags(self, node: Node, name: str, depth: int, base: str, context: Record) -> None:
        if node.items() and name != "tags":
            return  # feedparser files an attributed keywords element as a record instead
        scheme = _SPLIT_TAGS[name]
        for term in finish(text_of(node)).split(","):
            if term.strip() or name == "tags":
                add_tag(context, term.strip(), scheme, None)

    def _enclosure(self, node: Node, name: str, depth: int, base: str, context: Record) -> None:
        attrs = enforce_href(attributes(node))
        attrs["rel"] = "enclosure"
        context.setdefault("links", []).append(attrs)
        if len(node):
            self.walk(node, depth, base, context, "entry")

    def _media_content(self, node: Node, name: str, depth: int, base: str, context: Record) -> None:
        if context is not self.feed:
            context.setdefault("media_content", []).append(attributes(node))
        self._group(node, name, depth, base, context)

    def _group(self, node: Node, name: str, depth: int, base: str, context: Record) -> None:
        self.walk(node, depth, base, context, "feed" if context is self.feed else "entry")

    def _thumbnail(self, node: Node, name: str, depth: int, base: str, context: Record) -> None:
        thumbnail = attributes(node)
        context.setdefault("media_thumbnail", []).append(thumbnail)
        url = finish(text_of(node), base)
        if url.strip() and "url" not in thumbnail:
            thumbnail["url"] = url

    def _itunes_image(self, node: Node, name: str, depth: int, base: str, context: Record) -> None:
        attrs = attributes(node) if node.items() else {}
        if attrs.get("href"):
            context["image"] = {"href": attrs["href"]}
        elif attrs.get("url"):
            context["image"] = {"href": attrs["url"]}

    def _entry_image(self, node: Node, name: str, depth: int, base: str, context: Record) -> None:
        if len(node):
            raise Decline("an image element with children inside an item")
        self.title_depth = -1

    # -- feed elements -----------------------------------------------------------------------

    def _language(self, node: Node, name: str, depth: int, base: str, context: Record) -> None:
        context["language"] = finish(text_of(node))

    def _feed_image(self, node: Node, name: str, depth: int, base: str, context: Record) -> None:
        image = context.setdefault("image", {})
        self.title_depth = -1
        for child in node:
            child_name = NAME_BY_TAG.get(child.tag) or name_of(child)
            if not child_name:
                continue
            if child_name not in _IMAGE_CHILDREN or len(child):
                raise Decline("an image element with unusual children")
            if child_name in ("url", "href"):
                image["href"] = finish(text_of(child), child_base(child, base))
            elif child_name == "title":
                value = finish(text_of(child))
                if not (-1 < self.title_depth <= depth + 1):
                    image["title"] = value
                if value:
                    self.title_depth = depth + 1

    def _hours_or_days(self, node: Node, local: str) -> None:
        """The first skipHours / skipDays block, as feedparserfeed's patterns read it."""
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


Handler = Callable[[Reader, Node, str, int, str, Record], None]
_COMMON: dict[str, Handler] = {
    **dict.fromkeys(("title", "dc_title", "media_title"), Reader._title),
    "link": Reader._link,
    **dict.fromkeys(("id", "guid"), Reader._id),
    **dict.fromkeys(_DESCRIPTIONS | _SUMMARIES, Reader._description),
    **dict.fromkeys(_CONTENT_DEFAULTS, Reader._content),
    **dict.fromkeys(
        ("author", "managingeditor", "dc_author", "dc_creator", "itunes_author"), Reader._author
    ),
    **dict.fromkeys(("itunes_image", "itunes_link"), Reader._itunes_image),
    "media_content": Reader._media_content,
    "media_group": Reader._group,
}
_ENTRY: dict[str, Handler] = {
    **_COMMON,
    "abstract": Reader._subtitle,
    **dict.fromkeys(_DATES, Reader._date),
    **dict.fromkeys(("category", "keywords", "dc_subject", "media_category"), Reader._category),
    "itunes_category": Reader._itunes_category,
    **dict.fromkeys(_SPLIT_TAGS, Reader._split_tags),
    "enclosure": Reader._enclosure,
    "media_thumbnail": Reader._thumbnail,
    "image": Reader._entry_image,
}
_FEED: dict[str, Handler] = {
    **_COMMON,
    **dict.fromkeys(("item", "entry"), Reader._entry),
    **dict.fromkeys(("subtitle", "tagline", "itunes_subtitle", "abstract"), Reader._subtitle),
    **dict.fromkeys(("language", "dc_language"), Reader._language),
    "image": Reader._feed_image,
}
