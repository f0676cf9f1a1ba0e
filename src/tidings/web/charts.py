"""A small inline SVG chart of a feed's fetch history: new items per day and response times.

Pure string building from ``FetchRecord`` values, for the admin's feed page. Every piece of text
that comes from the data (an error message in a tooltip) is escaped; everything else is numbers
this module formats itself. The look comes from classes that ``static/style.css`` colours from
its tokens (light and dark); the presentation attributes beside them are the fallback. Never a
``style`` attribute: the strict Content-Security-Policy (no inline styles) would drop it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta
from html import escape
from typing import Final

from tidings.i18n import gettext as _
from tidings.i18n import ngettext
from tidings.types import FetchRecord

WIDTH: Final = 400
PANEL: Final = 64  # height of each of the two panels
CAPTION: Final = 24  # room above a panel for its caption
TICKS: Final = 32  # room below a panel for the first and last date, and a gap
INSET: Final = 5  # the response-time points keep clear of the edges
MIN_DAYS: Final = 14  # the items panel shows at least two weeks, so one day is one narrow bar
MAX_DAYS: Final = 60  # and at most the last 60 days of the history
MAX_BAR: Final = 16  # the widest a day's bar gets
TEXT: Final = 'fill="currentColor" font-size="15"'
TICK: Final = 'class="tick" fill="currentColor" font-size="14"'


def _f(value: float) -> str:
    """Coordinates with one decimal at most: small, stable output."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _days(records: Sequence[FetchRecord]) -> list[tuple[date, int]]:
    """New items per day (UTC), every day from the first fetch to the last, MIN_DAYS to
    MAX_DAYS of them, ending with the day of the last fetch."""
    per_day = Counter[date]()
    for record in records:
        per_day[record.at.date()] += record.new_items
    last = max(per_day)
    first = min(min(per_day), last - timedelta(days=MIN_DAYS - 1))
    first = max(first, last - timedelta(days=MAX_DAYS - 1))
    count = (last - first).days + 1
    return [
        (first + timedelta(days=n), per_day.get(first + timedelta(days=n), 0)) for n in range(count)
    ]


def history_svg(records: Sequence[FetchRecord], *, title: str | None = None) -> str:
    """The chart as one ``<svg>`` element; a short note in one when there is no history."""
    title = title or _("Fetch history")
    label = escape(title, quote=True)
    height = 2 * (CAPTION + PANEL + TICKS)
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="history-chart" width="{WIDTH}" '
        f'height="{height}" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{label}">'
        f"<title>{escape(title)}</title>"
    )
    if not records:
        return head + f'<text x="0" y="18" {TEXT}>' + escape(_("No fetches yet.")) + "</text></svg>"
    fetches = sorted(records, key=lambda r: r.at)
    parts = [head, _items_panel(fetches), _times_panel(fetches), "</svg>"]
    return "".join(parts)


def _axis(top: int) -> str:
    """The baseline of a panel whose top is at ``top``, and a faint line at its top."""
    bottom = top + PANEL
    return (
        f'<line class="grid" x1="0" y1="{top}" x2="{WIDTH}" y2="{top}" stroke="#ccc" '
        'stroke-width="1" stroke-dasharray="2 3"/>'
        f'<line class="axis" x1="0" y1="{bottom}" x2="{WIDTH}" y2="{bottom}" stroke="#767480" '
        'stroke-width="1"/>'
    )


def _ticks(top: int, first: str, last: str) -> str:
    """The first and last label under a panel whose top is at ``top``."""
    y = top + PANEL + 16
    return (
        f'<text x="0" y="{y}" {TICK}>{escape(first)}</text>'
        f'<text x="{WIDTH}" y="{y}" text-anchor="end" {TICK}>{escape(last)}</text>'
    )


def _items_panel(fetches: Sequence[FetchRecord]) -> str:
    days = _days(fetches)
    peak = max(n for _, n in days) or 1
    slot = WIDTH / len(days)
    bar = min(max(slot * 0.7, 1), MAX_BAR)
    top = CAPTION
    out = [
        f'<g class="items"><text x="0" y="{top - 8}" {TEXT}>'
        + escape(_("New items per day (max %(peak)d)") % {"peak": peak})
        + "</text>",
        _axis(top),
    ]
    for index, (day, count) in enumerate(days):
        if not count:
            continue
        h = PANEL * count / peak
        x = index * slot + (slot - bar) / 2
        tip = escape(f"{day.isoformat()}: " + ngettext("%(num)d new", "%(num)d new", count))
        out.append(
            f'<rect class="bar" x="{_f(x)}" y="{_f(top + PANEL - h)}" width="{_f(bar)}" '
            f'height="{_f(h)}" fill="#3461a0"><title>{tip % {"num": count}}</title></rect>'
        )
    out.append(_ticks(top, days[0][0].isoformat(), days[-1][0].isoformat()))
    out.append("</g>")
    return "".join(out)


def _times_panel(fetches: Sequence[FetchRecord]) -> str:
    peak = max(r.duration_ms for r in fetches) or 1
    top = 2 * CAPTION + PANEL + TICKS
    step = (WIDTH - 2 * INSET) / max(len(fetches) - 1, 1)
    points = []
    marks = []
    for index, record in enumerate(fetches):
        x = INSET + index * step if len(fetches) > 1 else WIDTH / 2
        y = top + PANEL - (PANEL - INSET) * record.duration_ms / peak
        points.append(f"{_f(x)},{_f(y)}")
        when = escape(f"{record.at:%Y-%m-%d %H:%M} UTC: ")
        if record.error:
            marks.append(
                f'<circle class="fail" cx="{_f(x)}" cy="{_f(y)}" r="4" fill="#b3261e">'
                f"<title>{when}{escape(record.error)}</title></circle>"
            )
        else:
            tip = when + escape(_("%(n)d ms") % {"n": record.duration_ms})
            marks.append(
                f'<circle class="point" cx="{_f(x)}" cy="{_f(y)}" r="2.5" fill="#176b35">'
                f"<title>{tip}</title></circle>"
            )
    first, last = fetches[0].at, fetches[-1].at
    return (
        f'<g class="times"><text x="0" y="{top - 8}" {TEXT}>'
        + escape(_("Response time, ms (max %(peak)d); failures in red") % {"peak": peak})
        + "</text>"
        + _axis(top)
        + f'<polyline class="line" points="{" ".join(points)}" fill="none" stroke="#176b35" '
        'stroke-width="2"/>'
        + "".join(marks)
        + _ticks(top, f"{first:%Y-%m-%d %H:%M}", f"{last:%Y-%m-%d %H:%M}")
        + "</g>"
    )
