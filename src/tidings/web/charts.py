"""A small inline SVG chart of a feed's fetch history: new items per day and response times.

Pure string building from ``FetchRecord`` values, for the admin's feed page. Every piece of text
that comes from the data (an error message in a tooltip) is escaped; everything else is numbers
this module formats itself. Colours are presentation attributes, never ``style``, so the strict
Content-Security-Policy (no inline styles) does not blank the chart.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta
from html import escape
from typing import Final

from tidings.timefmt import gettext as _
from tidings.timefmt import ngettext
from tidings.types import FetchRecord

WIDTH: Final = 480
PANEL: Final = 64  # height of each of the two panels
GAP: Final = 22  # room for a panel's caption
MAX_DAYS: Final = 60  # the items panel shows at most the last 60 days of the history


def _f(value: float) -> str:
    """Coordinates with one decimal at most: small, stable output."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _days(records: Sequence[FetchRecord]) -> list[tuple[date, int]]:
    """New items per day (UTC), every day from the first fetch to the last, at most MAX_DAYS."""
    per_day = Counter[date]()
    for record in records:
        per_day[record.at.date()] += record.new_items
    last = max(per_day)
    first = max(min(per_day), last - timedelta(days=MAX_DAYS - 1))
    count = (last - first).days + 1
    return [
        (first + timedelta(days=n), per_day.get(first + timedelta(days=n), 0)) for n in range(count)
    ]


def history_svg(records: Sequence[FetchRecord], *, title: str = "Fetch history") -> str:
    """The chart as one ``<svg>`` element; a short note in one when there is no history."""
    label = escape(title, quote=True)
    height = 2 * (PANEL + GAP)
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="history-chart" width="{WIDTH}" '
        f'height="{height}" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{label}">'
        f"<title>{escape(title)}</title>"
    )
    if not records:
        return (
            head
            + f'<text x="4" y="{GAP}" font-size="12" fill="currentColor">'
            + escape(_("No fetches yet."))
            + "</text></svg>"
        )
    fetches = sorted(records, key=lambda r: r.at)
    parts = [head, _items_panel(fetches), _times_panel(fetches), "</svg>"]
    return "".join(parts)


def _items_panel(fetches: Sequence[FetchRecord]) -> str:
    days = _days(fetches)
    peak = max(n for _, n in days) or 1
    slot = WIDTH / len(days)
    bar = max(slot - 1, 1)
    top = GAP
    out = [
        f'<g class="items"><text x="0" y="{top - 6}" font-size="12" fill="currentColor">'
        + escape(_("New items per day (max %(peak)d)") % {"peak": peak})
        + "</text>",
        f'<line x1="0" y1="{top + PANEL}" x2="{WIDTH}" y2="{top + PANEL}" stroke="#999" '
        'stroke-width="1"/>',
    ]
    for index, (day, count) in enumerate(days):
        if not count:
            continue
        h = PANEL * count / peak
        tip = escape(f"{day.isoformat()}: " + ngettext("%(num)d new", "%(num)d new", count))
        out.append(
            f'<rect x="{_f(index * slot)}" y="{_f(top + PANEL - h)}" width="{_f(bar)}" '
            f'height="{_f(h)}" fill="#4a7ab8"><title>{tip % {"num": count}}</title></rect>'
        )
    out.append("</g>")
    return "".join(out)


def _times_panel(fetches: Sequence[FetchRecord]) -> str:
    peak = max(r.duration_ms for r in fetches) or 1
    top = 2 * GAP + PANEL
    step = WIDTH / max(len(fetches) - 1, 1)
    points = []
    marks = []
    for index, record in enumerate(fetches):
        x = index * step if len(fetches) > 1 else WIDTH / 2
        y = top + PANEL - PANEL * record.duration_ms / peak
        points.append(f"{_f(x)},{_f(y)}")
        if record.error:
            tip = escape(f"{record.at:%Y-%m-%d %H:%M} UTC: {record.error}")
            marks.append(
                f'<circle cx="{_f(x)}" cy="{_f(y)}" r="3" fill="#c0392b"><title>{tip}</title>'
                "</circle>"
            )
    return (
        f'<g class="times"><text x="0" y="{top - 6}" font-size="12" fill="currentColor">'
        + escape(_("Response time, ms (max %(peak)d); failures in red") % {"peak": peak})
        + "</text>"
        f'<line x1="0" y1="{top + PANEL}" x2="{WIDTH}" y2="{top + PANEL}" stroke="#999" '
        'stroke-width="1"/>'
        f'<polyline points="{" ".join(points)}" fill="none" stroke="#2e8b57" stroke-width="1.5"/>'
        + "".join(marks)
        + "</g>"
    )
