"""An entry as Miniflux's API shows it: its fields, names and types exactly (integer ids,
RFC 3339 dates in whole seconds with ``Z``, empty strings rather than nulls), with the feed it
came from and that feed's category inside, and the schemas the OpenAPI document gives for them.

Newsboat's miniflux mode drops the offset of a date with fractional seconds, so no date here
carries any. An enclosure has no id of its own in tidings: it is numbered from its entry's
(``entry id * 100 + its place``), stable as long as the entry is.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass
from typing import Any

from tidings.entryfilter import changed_at
from tidings.synctypes import Folder
from tidings.types import Entry, Subscription
from tidings.web.v1.endpoint import ZERO_TIME, rfc3339
from tidings.web.v1.shapes import FEED, Folders, category_json, feed_json
from tidings.web.v1.spec import (
    BOOLEAN,
    DATE,
    INTEGER,
    SCHEMAS,
    STRING,
    array_of,
    obj,
    ref,
    schema,
)

WORDS_PER_MINUTE = 265  # Miniflux's default reading speed
ENCLOSURES_MAX = 99  # per entry, so that their ids stay the entry's own
_TAG = re.compile(r"<[^>]*>")


def reading_time(html: str) -> int:
    """Minutes to read ``html`` at Miniflux's default speed, rounded up."""
    words = len(_TAG.sub(" ", html).split())
    return math.ceil(words / WORDS_PER_MINUTE)


@dataclass(frozen=True, slots=True)
class Context:
    """What the entries of one answer are shown with: the person's subscriptions by feed id and
    their folders."""

    user_id: int
    subscriptions: dict[int, Subscription]
    folders: Folders

    @classmethod
    def of(cls, user_id: int, subs: list[Subscription], folders: list[Folder]) -> Context:
        return cls(user_id, {s.feed.id: s for s in subs}, Folders.of(folders))


def _blank(definition: dict[str, Any]) -> Any:
    kind = definition.get("type")
    if definition.get("format") == "date-time":
        return ZERO_TIME
    return {"string": "", "boolean": False, "integer": 0}.get(str(kind))


def gone_feed_json(ctx: Context, entry: Entry) -> dict[str, Any]:
    """The feed of a starred entry whose feed the person no longer follows: its id and title,
    in no folder, every other field empty."""
    shape = {name: _blank(d) for name, d in SCHEMAS[FEED]["properties"].items()}
    none = ctx.folders.by_name.get("") or Folder(0, "", 0, 0)
    shape.update(
        id=entry.item.feed_id,
        user_id=ctx.user_id,
        title=entry.title,
        category=category_json(none, ctx.user_id),
        icon=None,
    )
    return shape


def entry_feed_json(ctx: Context, entry: Entry) -> dict[str, Any]:
    sub = ctx.subscriptions.get(entry.item.feed_id)
    return feed_json(sub, ctx.folders) if sub is not None else gone_feed_json(ctx, entry)


def entry_id_hash(entry: Entry) -> str:
    """Miniflux's ``hash``: a digest of what identifies the entry in its feed."""
    item = entry.item
    return hashlib.sha256((item.guid or item.link or str(item.id)).encode()).hexdigest()


def entry_json(ctx: Context, entry: Entry) -> dict[str, Any]:
    item = entry.item
    # the page's article when the feed has full articles
    content = item.article_html or item.content_html or item.summary_html or ""
    return {
        "id": item.id,
        "user_id": ctx.user_id,
        "feed_id": item.feed_id,
        "status": "read" if entry.read else "unread",
        "hash": entry_id_hash(entry),
        "title": item.title or item.link or "",
        "url": item.link or "",
        "comments_url": "",
        "language": "",
        "published_at": rfc3339(item.sort_date),
        "created_at": rfc3339(item.first_seen),
        "changed_at": rfc3339(changed_at(entry.read_at, entry.starred_at, item.first_seen)),
        "content": content,
        "author": item.author or "",
        "share_code": "",
        "starred": entry.starred,
        "reading_time": reading_time(content),
        "enclosures": [
            {
                "id": item.id * 100 + n + 1,
                "user_id": ctx.user_id,
                "entry_id": item.id,
                "url": e.url,
                "mime_type": e.type or "",
                "size": e.length or 0,
                "media_progression": 0,
            }
            for n, e in enumerate(item.enclosures[:ENCLOSURES_MAX])
        ],
        # the feed's categories, then the labels rules put on it (the person's and the site's)
        "tags": list(dict.fromkeys([*item.categories, *entry.labels])),
        "feed": entry_feed_json(ctx, entry),
    }


# -- schemas -------------------------------------------------------------------------------------

ID = {**INTEGER, "minimum": 1}
ENCLOSURE = schema(
    "Enclosure",
    obj(
        {
            "id": ID,
            "user_id": INTEGER,
            "entry_id": ID,
            "url": STRING,
            "mime_type": STRING,
            "size": INTEGER,
            "media_progression": INTEGER,
        }
    ),
)
STATUS = {"type": "string", "enum": ["read", "unread"]}
ENTRY = schema(
    "Entry",
    obj(
        {
            "id": ID,
            "user_id": INTEGER,
            "feed_id": ID,
            "status": STATUS,
            "hash": STRING,
            "title": STRING,
            "url": STRING,
            "comments_url": STRING,
            "language": STRING,
            "published_at": DATE,
            "created_at": DATE,
            "changed_at": {
                **DATE,
                "description": "when its read or starred state last changed, else created_at",
            },
            "content": STRING,
            "author": STRING,
            "share_code": STRING,
            "starred": BOOLEAN,
            "reading_time": {**INTEGER, "minimum": 0, "description": "minutes"},
            "enclosures": array_of(ENCLOSURE),
            "tags": {"type": "array", "items": STRING},
            "feed": ref(FEED),
        }
    ),
)
