"""The fetch-history chart: well-formed SVG, the numbers it is drawn from, and escaping."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest

from tidings.types import FetchRecord
from tidings.web.charts import INSET, MAX_BAR, MAX_DAYS, MIN_DAYS, PANEL, WIDTH, history_svg

SVG = "{http://www.w3.org/2000/svg}"
T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def record(hours: float, *, new: int = 0, ms: int = 100, error: str | None = None) -> FetchRecord:
    status = 500 if error else 200
    return FetchRecord(1, T0 + timedelta(hours=hours), status, ms, 1000, new, 0, error)


def bars(svg: str) -> list[ET.Element]:
    return list(ET.fromstring(svg).iter(f"{SVG}rect"))


def test_no_history_is_a_note_not_an_error() -> None:
    svg = history_svg([])
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert "No fetches yet." in svg and not bars(svg)


def test_items_per_day_are_bars_scaled_to_the_busiest_day() -> None:
    history = [
        record(0, new=4),
        record(6, new=2),  # the same day: 6 in all
        record(24, new=3),
        record(72, new=0),
    ]
    svg = history_svg(history)
    heights = [float(b.get("height", "0")) for b in bars(svg)]
    assert heights == [PANEL, PANEL / 2]  # 6 and 3; the empty days draw nothing
    tips = [b.findtext(f"{SVG}title") for b in bars(svg)]
    assert tips == ["2026-11-01: 6 new", "2026-11-02: 3 new"]
    assert "max 6" in svg
    # four days of fetches show as the last four of two weeks, each day a slot of the width
    slot = WIDTH / MIN_DAYS
    first, second = (float(b.get("x", "0")) for b in bars(svg))
    assert second - first == pytest.approx(slot, abs=0.1)  # one decimal in the output
    assert first + float(bars(svg)[0].get("width", "0")) / 2 == pytest.approx(
        (MIN_DAYS - 4 + 0.5) * slot, abs=0.1
    )
    labels = [t.text for t in ET.fromstring(svg).iter(f"{SVG}text")]
    assert "2026-10-22" in labels and "2026-11-04" in labels  # the first and last day shown


def test_one_day_of_history_is_one_narrow_bar_not_the_whole_width() -> None:
    svg = history_svg([record(0, new=3), record(1, new=2)])
    (bar,) = bars(svg)
    assert float(bar.get("width", "0")) <= MAX_BAR
    assert float(bar.get("x", "0")) > WIDTH / 2  # today is on the right, after two weeks
    assert bar.get("class") == "bar"  # coloured by the stylesheet's tokens


def test_response_times_are_a_line_and_failures_red_marks() -> None:
    history = [record(n, ms=ms) for n, ms in enumerate((100, 400, 200))]
    history.append(record(3, ms=50, error="HTTP 503 Service Unavailable"))
    root = ET.fromstring(history_svg(list(reversed(history))))  # newest first, as stored
    (line,) = root.iter(f"{SVG}polyline")
    points = [tuple(map(float, p.split(","))) for p in (line.get("points") or "").split()]
    step = (WIDTH - 2 * INSET) / 3
    assert [x for x, _ in points] == [pytest.approx(INSET + n * step) for n in range(4)]
    ys = [y for _, y in points]
    assert ys[1] == min(ys)  # 400 ms is the peak, drawn highest
    marks = list(root.iter(f"{SVG}circle"))
    assert [m.get("class") for m in marks] == ["point", "point", "point", "fail"]
    assert "503" in (marks[-1].findtext(f"{SVG}title") or "")


def test_error_text_and_title_are_escaped() -> None:
    hostile = '</title><script>alert(1)</script><a href="javascript:x">&'
    svg = history_svg([record(0, error=hostile)], title='Feed "<b>"')
    assert "<script" not in svg and "<b>" not in svg
    root = ET.fromstring(svg)  # still well-formed XML
    (mark,) = root.iter(f"{SVG}circle")
    assert hostile in (mark.findtext(f"{SVG}title") or "")
    assert mark.get("class") == "fail"
    assert root.get("aria-label") == 'Feed "<b>"'


def test_no_inline_styles_and_a_bounded_size() -> None:
    history = [record(h * 6, new=1, ms=h % 700) for h in range(100)]
    history += [record(-24 * 200, new=5)]  # a fetch long ago: the days shown stay bounded
    svg = history_svg(history)
    assert "style=" not in svg
    assert len(bars(svg)) <= MAX_DAYS
    assert len(svg) < 40_000
    assert re.fullmatch(r"<svg [^>]*>.*</svg>", svg, re.S)
