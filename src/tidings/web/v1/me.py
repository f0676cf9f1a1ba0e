"""``GET /v1/me`` and ``GET /v1/version``: who is signed in, and what answers.

The user object is Miniflux's: apps read the id, the name, ``is_admin`` and the sorting and
display preferences. tidings has no per-person theme, language or rules, so those fields say
what tidings does for everyone (the system's light or dark scheme, English, the site's time
zone, newest first), and the fields of Miniflux's features tidings lacks are empty.
"""

from __future__ import annotations

import platform
import sys
from datetime import datetime

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

import tidings
from tidings.types import User
from tidings.web.context import agg_of
from tidings.web.v1.endpoint import Endpoints, answer, rfc3339
from tidings.web.v1.spec import BOOLEAN, DATE, INTEGER, STRING, Operation, obj, schema

ENTRIES_PER_PAGE = 50  # the reading page's page

USER = schema(
    "User",
    obj(
        {
            "id": INTEGER,
            "username": STRING,
            "is_admin": BOOLEAN,
            "theme": {**STRING, "description": "system_sans_serif: the system's light or dark"},
            "language": STRING,
            "timezone": {**STRING, "description": "the site's time zone"},
            "entry_sorting_direction": {**STRING, "enum": ["asc", "desc"]},
            "entry_sorting_order": STRING,
            "entries_per_page": INTEGER,
            "mark_read_on_view": {**BOOLEAN, "description": "marking read on scroll"},
            "keyboard_shortcuts": BOOLEAN,
            "show_reading_time": BOOLEAN,
            "entry_swipe": BOOLEAN,
            "display_mode": STRING,
            "gesture_nav": STRING,
            "default_home_page": STRING,
            "categories_sorting_order": STRING,
            "default_reading_speed": INTEGER,
            "cjk_reading_speed": INTEGER,
            "media_playback_rate": {"type": "number"},
            "stylesheet": STRING,
            "custom_js": STRING,
            "external_font_hosts": STRING,
            "google_id": STRING,
            "openid_connect_id": STRING,
            "block_filter_entry_rules": STRING,
            "keep_filter_entry_rules": STRING,
            "always_open_external_links": BOOLEAN,
            "open_external_links_in_new_tab": BOOLEAN,
            "mark_read_on_media_player_completion": BOOLEAN,
            "last_login_at": {
                **DATE,
                "description": "now: the credentials were checked for this request (apps such "
                "as Capy Reader refuse a null here)",
            },
        }
    ),
)
VERSION = schema(
    "Version",
    obj(
        {
            "version": {**STRING, "description": "the version of tidings"},
            "commit": STRING,
            "build_date": STRING,
            "go_version": {**STRING, "description": "empty: tidings is not written in Go"},
            "compiler": STRING,
            "arch": STRING,
            "os": STRING,
        }
    ),
)

endpoints = Endpoints()


def user_json(
    user: User, timezone: str, mark_read_on_scroll: bool, now: datetime
) -> dict[str, object]:
    """Miniflux's user object for ``user``."""
    return {
        "id": user.id,
        "username": user.name,
        "is_admin": user.is_admin,
        "theme": "system_sans_serif",
        "language": "en_US",
        "timezone": timezone,
        "entry_sorting_direction": "desc",
        "entry_sorting_order": "published_at",
        "entries_per_page": ENTRIES_PER_PAGE,
        "mark_read_on_view": mark_read_on_scroll,
        "keyboard_shortcuts": True,
        "show_reading_time": False,
        "entry_swipe": False,
        "display_mode": "standalone",
        "gesture_nav": "none",
        "default_home_page": "unread",
        "categories_sorting_order": "alphabetical",
        "default_reading_speed": 265,
        "cjk_reading_speed": 500,
        "media_playback_rate": 1.0,
        "stylesheet": "",
        "custom_js": "",
        "external_font_hosts": "",
        "google_id": "",
        "openid_connect_id": "",
        "block_filter_entry_rules": "",
        "keep_filter_entry_rules": "",
        "always_open_external_links": False,
        "open_external_links_in_new_tab": False,
        "mark_read_on_media_player_completion": False,
        "last_login_at": rfc3339(now),
    }


@endpoints(
    Operation("GET", "/v1/me", "The person the credentials name", "me", responses={200: USER})
)
async def me(request: Request, user: User) -> Response:
    agg = agg_of(request)
    settings = await run_in_threadpool(agg.reading_settings, user.id)
    timezone = str(agg.site().timezone)
    return answer(user_json(user, timezone, settings.mark_read_on_scroll, agg.clock()))


@endpoints(
    Operation(
        "GET", "/v1/version", "What answers: tidings, its version", "me", responses={200: VERSION}
    )
)
async def version(request: Request, user: User) -> Response:
    return answer(
        {
            "version": tidings.__version__,
            "commit": "",
            "build_date": "",
            "go_version": "",
            "compiler": f"python {platform.python_version()}",
            "arch": platform.machine(),
            "os": sys.platform,
        }
    )


routes = endpoints.routes
operations = endpoints.operations
