"""feedparser-shaped records to :class:`~tidings.types.ParsedFeed`: one mapping for both XML paths.

The feedparser path (``feedparserfeed``) and the lxml path (``lxmlfeed``) each read a document
into records shaped like feedparser's result (a feed mapping and a list of entry mappings); the
functions here turn either into the same ParsedFeed, so that the two paths can only differ in
how they read, never in how they map. What only one reader can supply (skipHours and skipDays as
written, Media RSS captions, feedparser's reading of odd dates) comes in :class:`Records`.

Records are dicts (feedparser's FeedParserDict is one): the checks on their nested values ask
``isinstance(value, dict)``, several times cheaper than asking for a ``Mapping``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from tidings.parse.dates import from_struct_time, parse_date
from tidings.parse.items import (
    Sanitized,
    cap_items,
    clean_id,
    enclosure,
    html_field,
    markup_or_text,
    unique,
)
from tidings.parse.text import collapse_whitespace, markup_to_text
from tidings.parse.urls import absolute_url, resolve_base, web_link
from tidings.timefmt import count
from tidings.types import Enclosure, ParsedFeed, ParsedItem

DateFallback = Callable[[Mapping[str, Any], str], "time.struct_time | None"]

_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MIME = re.compile(r"[A-Za-z0-9][\w.+\-]*/[\w.+\-]+")
_PERIODS: Final = {
    "hourly": 3600,
    "daily": 24 * 3600,
    "weekly": 7 * 24 * 3600,
    "monthly": 30 * 24 * 3600,
    "yearly": 365 * 24 * 3600,
}


@dataclass(frozen=True, slots=True)
class Records:
    """One document as a reader gives it to :func:`map_feed`."""

    version: str  # feedparser's name for the format ("rss20", "atom10" ...), "" if unknown
    feed: Mapping[str, Any]
    entries: Sequence[Mapping[str, Any]]
    # texts of Media RSS descriptions: feedparser files them as content (see ``_content``)
    captions: frozenset[str]
    skip_hours: Iterable[str]  # the first skipHours block's hours, as written
    skip_days: Iterable[str]  # the first skipDays block's days, as written
    # feedparser's reading of an entry's date ("published" or "updated"), for the dates that
    # ours cannot read strictly
    feedparser_date: DateFallback


def map_feed(records: Records, *, url: str, max_items: int, notes: list[str]) -> ParsedFeed:
    """The feed record from a reader's records; ``notes`` (the reader's) gain the mapping's."""
    feed, version = records.feed, records.version
    atom = version.startswith("atom")
    feed_base = resolve_base(_detail_base(feed, ("title_detail", "subtitle_detail")), url)
    kept, cap_note = cap_items(records.entries, max_items)
    if cap_note:
        notes.append(cap_note)
    # Atom entries without an author inherit the feed's (RFC 4287, 4.2.1); RSS ones do not
    feed_author = _author(feed, _Document(records)) if atom else None
    items: list[ParsedItem] = []
    empty = 0
    document = _Document(records)
    for entry in kept:
        parsed = _item(entry, url, feed_author, document)
        if parsed is None:
            empty += 1
        else:
            items.append(parsed)
    if empty:
        notes.append(f"skipped {count(empty, 'item', 'items')} with no id, link, title or content")
    hubs, self_url = websub_links(feed.get("links"))
    return ParsedFeed(
        version=version or "unknown",
        title=_typed_text(feed, "title"),
        link=_feed_link(feed, feed_base, atom=atom),
        description=_typed_text(feed, "subtitle"),
        image=_feed_image(feed, feed_base),
        language=_language(feed.get("language")),
        ttl_minutes=_ttl(feed.get("ttl")),
        skip_hours=_skip_hours(records.skip_hours),
        skip_days=_skip_days(records.skip_days),
        update_period_seconds=_update_period(
            own_value(feed, "sy_updateperiod"), own_value(feed, "sy_updatefrequency")
        ),
        items=tuple(items),
        warnings=tuple(notes),
        hubs=hubs,
        self_url=self_url,
    )


def own_value(record: Mapping[str, Any], key: str) -> Any:
    """The record's own value: FeedParserDict answers "updated" with the published date."""
    if isinstance(record, dict):
        return dict.get(record, key)
    return record.get(key)


def entry_date(
    entry: Mapping[str, Any],
    key: str,
    fallback: DateFallback,
    strict: dict[str, datetime | None] | None = None,
) -> datetime | None:
    """The entry's "published" or "updated" date.

    Ours first for RFC 822 / ISO (feedparser reads unknown zones such as CEST as UTC), then
    feedparser's many locale formats, then our last resort. ``strict`` keeps a document's
    strict readings (its dates repeat: published and updated are often the same text).
    """
    raw = own_value(entry, key)
    if strict is None or not isinstance(raw, str):
        found = parse_date(raw, loose=False)
    elif raw in strict:
        found = strict[raw]
    else:
        found = strict[raw] = parse_date(raw, loose=False)
    return found or from_struct_time(fallback(entry, key)) or parse_date(raw)


# -- the feed ------------------------------------------------------------------------------------


def websub_links(links: object) -> tuple[tuple[str, ...], str | None]:
    """The feed's WebSub hubs (``rel="hub"``, in order, once each) and its ``rel="self"`` link:
    the topic a hub knows it by (W3C WebSub, 4). Only absolute http(s) URLs count."""
    hubs: list[str] = []
    self_url = None
    for link in links if isinstance(links, list) else ():
        href = link.get("href") if isinstance(link, dict) else None
        if not isinstance(href, str) or not web_link(href):
            continue
        rels = str(link.get("rel") or "").lower().split()
        if "hub" in rels and href.strip() not in hubs:
            hubs.append(href.strip())
        if "self" in rels and self_url is None:
            self_url = href.strip()
    return tuple(hubs), self_url


def _detail_base(container: Mapping[str, Any], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        detail = container.get(key)
        if isinstance(detail, dict) and isinstance(detail.get("base"), str):
            return str(detail["base"])
    return None


def _typed_text(container: Mapping[str, Any], key: str) -> str | None:
    """A text construct as text: HTML/XHTML ones lose their tags, text ones stay as they are."""
    detail = container.get(f"{key}_detail")
    kind = detail.get("type") if isinstance(detail, dict) else None
    return markup_to_text(container.get(key), is_html=bool(kind and "html" in kind))


def _feed_link(feed: Mapping[str, Any], base: str | None, atom: bool) -> str | None:
    """The site's home page: the alternate link (for Atom never the id feedparser copies in)."""
    for candidate in feed.get("links") or ():
        if isinstance(candidate, dict) and candidate.get("rel") in (None, "alternate"):
            link = absolute_url(candidate.get("href"), base)
            if link is not None:
                return link
    return None if atom else absolute_url(feed.get("link"), base)


def _feed_image(feed: Mapping[str, Any], base: str | None) -> str | None:
    image = feed.get("image")
    candidates = [image.get("href") if isinstance(image, dict) else None]
    candidates += [feed.get("logo"), feed.get("icon")]
    return _first_url(candidates, base)


def _first_url(candidates: Iterable[object], base: str | None) -> str | None:
    for candidate in candidates:
        url = absolute_url(candidate, base)
        if url is not None:
            return url
    return None


def _language(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    language = value.strip()
    if not language or len(language) > 35 or not re.fullmatch(r"[A-Za-z0-9_\-]+", language):
        return None
    return language


def _ttl(value: object) -> int | None:
    if not isinstance(value, str) or not value.strip().isdigit():
        return None
    minutes = int(value.strip())
    return minutes if 0 < minutes <= 525_600 else None  # at most a year


def _update_period(period: str | None, frequency: str | int | None) -> int | None:
    """``sy:updatePeriod`` / ``sy:updateFrequency`` as seconds between updates (RSS 1.0 module).

    The period defaults to daily and the frequency to 1 when only the other is given; values that
    cannot be read give None, never a guess.
    """
    if period is None and frequency is None:
        return None
    length = _PERIODS.get((period or "daily").strip().lower())
    if length is None:
        return None
    try:
        times = int(str(frequency).strip()) if frequency is not None else 1
    except ValueError:
        return None
    if times <= 0:
        return None
    return max(length // times, 1)


def _skip_hours(hours: Iterable[str]) -> frozenset[int]:
    """RSS ``skipHours``: 0-23, where 24 is midnight too; anything else is ignored."""
    return frozenset(
        int(hour) % 24 for hour in hours if re.fullmatch(r"\d{1,2}", hour) and int(hour) <= 24
    )


def _skip_days(days: Iterable[str]) -> frozenset[str]:
    """RSS ``skipDays`` as the RSS 2.0 spelling of each day, whatever the case written."""
    names = {day.lower(): day for day in _DAYS}
    return frozenset(names[day.lower()] for day in days if day.lower() in names)


# -- an item -------------------------------------------------------------------------------------


class _Document:
    """One document's records and what its items repeat, each worked out once: sanitized
    HTML, the texts of authors and categories, strict date readings."""

    def __init__(self, records: Records) -> None:
        self.records = records
        self.sanitized: Sanitized = {}
        self.dates: dict[str, datetime | None] = {}
        self._texts: dict[str, str | None] = {}
        self._bases: dict[tuple[str, str | None], str | None] = {}

    def base(self, xml_base: object, against: str | None) -> str | None:
        """``resolve_base``, once per distinct pair (every field of every item asks)."""
        if not isinstance(xml_base, str):
            return resolve_base(xml_base, against)
        key = (xml_base, against)
        if key not in self._bases:
            self._bases[key] = resolve_base(xml_base, against)
        return self._bases[key]

    def text(self, value: object) -> str | None:
        """``markup_or_text``, once per distinct value."""
        if not isinstance(value, str):
            return None
        if value not in self._texts:
            self._texts[value] = markup_or_text(value)
        return self._texts[value]


def _item(
    entry: Mapping[str, Any], feed_url: str, feed_author: str | None, document: _Document
) -> ParsedItem | None:
    """One entry as an item, None for one with nothing to show or link to."""
    records, done = document.records, document.sanitized
    keys = ("title_detail", "summary_detail")
    base = document.base(_detail_base(entry, keys) or _content_base(entry), feed_url)
    guid = clean_id(entry.get("id"))
    link = absolute_url(entry.get("link"), base)
    if link is None and guid is not None and guid.lower().startswith(("http://", "https://")):
        link = absolute_url(guid, None)
    summary_html = None
    summary = entry.get("summary_detail")
    if isinstance(summary, dict):  # absent when feedparser copied the content into summary
        summary_html = html_field(
            summary.get("value"),
            summary.get("type"),
            document.base(summary.get("base"), base),
            done,
        )
    captions = records.captions if summary_html else frozenset()
    content_html = _content(entry, base, captions, document)
    enclosures = _enclosures(entry, base)
    title = _typed_text(entry, "title")
    if not (guid or link or title or summary_html or content_html or enclosures):
        return None
    return ParsedItem(
        guid=guid,
        title=title,
        link=link,
        author=_author(entry, document) or feed_author,
        published=entry_date(entry, "published", records.feedparser_date, document.dates),
        updated=entry_date(entry, "updated", records.feedparser_date, document.dates),
        summary_html=summary_html,
        content_html=content_html,
        enclosures=enclosures,
        categories=_categories(entry, document),
        image=_item_image(entry, base, enclosures),
    )


def _content_base(entry: Mapping[str, Any]) -> str | None:
    for content in entry.get("content") or ():
        if isinstance(content, dict) and isinstance(content.get("base"), str):
            return str(content["base"])
    return None


def _content(
    entry: Mapping[str, Any], base: str | None, captions: frozenset[str], document: _Document
) -> str | None:
    """The first content with a value, HTML before text; a caption is not the item's content
    when the item has a summary of its own."""
    contents = [c for c in entry.get("content") or () if isinstance(c, dict)]
    if len(contents) > 1:
        contents.sort(key=lambda c: "html" not in str(c.get("type") or ""))  # stable
    for content in contents:
        if captions and collapse_whitespace(str(content.get("value") or "")) in captions:
            continue
        value = html_field(
            content.get("value"),
            content.get("type"),
            document.base(content.get("base"), base),
            document.sanitized,
        )
        if value:
            return value
    return None


_EMAIL = r"[^\s()<>@]+@[^\s()<>@]+"
_EMAIL_THEN_NAME = re.compile(rf"\s*{_EMAIL}\s*\((.+)\)\s*")
_NAME_THEN_EMAIL = re.compile(rf"\s*(.+?)\s*[(<]\s*(?:mailto:)?{_EMAIL}\s*[)>]\s*")


def _person(raw: str) -> str:
    """The name in an RSS ``author`` ("email (Name)", "Name (email)", "Name <email>")."""
    for pattern in (_EMAIL_THEN_NAME, _NAME_THEN_EMAIL):
        match = pattern.fullmatch(raw)
        if match is not None:
            return match.group(1)
    return raw


def _author(container: Mapping[str, Any], document: _Document) -> str | None:
    """Several authors joined by commas, else the one author's name (an email if nothing else).

    The raw RSS string is read here: feedparser's email pattern misses long TLDs and then mangles
    "jonas@insanity.industries (Jonas)" into a wrong name.
    """
    people = [p for p in container.get("authors") or () if isinstance(p, dict)]
    raw = container.get("author")
    names: list[object]
    if len(people) > 1:
        names = [p.get("name") or p.get("email") for p in people]
    elif isinstance(raw, str) and raw.strip():
        names = [_person(raw)]
    else:
        names = [p.get("name") or p.get("email") for p in people]
    texts = unique(document.text(name) for name in names)
    return ", ".join(texts) or None


def _categories(entry: Mapping[str, Any], document: _Document) -> tuple[str, ...]:
    terms = []
    for tag in entry.get("tags") or ():
        if isinstance(tag, dict):
            terms.append(document.text(tag.get("label") or tag.get("term")))
    return tuple(unique(terms))


def _enclosures(entry: Mapping[str, Any], base: str | None) -> tuple[Enclosure, ...]:
    """Enclosure links, then Media RSS audio and video, each URL once."""
    found: list[Enclosure | None] = []
    for link in entry.get("links") or ():
        if isinstance(link, dict) and link.get("rel") == "enclosure":
            found.append(enclosure(link.get("href"), link.get("type"), link.get("length"), base))
    for media in entry.get("media_content") or ():
        if not isinstance(media, dict):
            continue
        kind = str(media.get("type") or media.get("medium") or "")
        if kind.startswith(("audio", "video")):
            mime = kind if _MIME.fullmatch(kind) else None
            found.append(enclosure(media.get("url"), mime, media.get("filesize"), base))
    seen: set[str] = set()
    result = []
    for item in found:
        if item is not None and item.url not in seen:
            seen.add(item.url)
            result.append(item)
    return tuple(result)


def _item_image(
    entry: Mapping[str, Any], base: str | None, enclosures: tuple[Enclosure, ...]
) -> str | None:
    """Media RSS thumbnail, then Media RSS image, then iTunes image, then an image enclosure."""
    candidates: list[object] = []
    for thumbnail in entry.get("media_thumbnail") or ():
        if isinstance(thumbnail, dict):
            candidates.append(thumbnail.get("url"))
    for media in entry.get("media_content") or ():
        if isinstance(media, dict):
            kind = str(media.get("medium") or media.get("type") or "")
            if kind.startswith("image"):
                candidates.append(media.get("url"))
    image = entry.get("image")
    if isinstance(image, dict):
        candidates.append(image.get("href"))
    candidates += [e.url for e in enclosures if (e.type or "").startswith("image/")]
    return _first_url(candidates, base)
