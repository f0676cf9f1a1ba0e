"""Tables on a terminal fit its width and never break a URL; piped, one record per line."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from rich.console import Console
from rich.text import Text

from tidings.cli.tables import Cell, Col, show

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
LONG_URL = "https://news.example.org/" + "/".join(["a-rather-long-path-segment"] * 3) + "/feed.xml"
COLS = (Col("id", right=True), Col("title"), Col("url", url=True), Col("last check"), Col("errors"))
ROWS: list[list[Cell]] = [
    [1, "A title long enough to wrap when the terminal is narrow", LONG_URL, NOW, Text("0")],
    [
        2,
        "Short",
        "http://127.0.0.1:8080/feed.xml",
        NOW - timedelta(minutes=5),
        Text("3: HTTP 503 Service Unavailable from the publisher's server"),
    ],
]


def rendered(width: int) -> str:
    console = Console(file=StringIO(), width=width, color_system=None)
    show(COLS, ROWS, now=NOW, console=console, tty=True)
    text = console.file.getvalue()  # type: ignore[attr-defined]
    assert isinstance(text, str)
    return text


@pytest.mark.parametrize("width", [260, 200, 160, 100, 60, 30])
def test_urls_are_whole_at_any_width(width: int) -> None:
    text = rendered(width)
    for row in ROWS:
        assert any(str(row[2]) in line for line in text.splitlines()), (width, text)


def test_a_wide_terminal_gets_the_table_on_one_line_a_record() -> None:
    lines = rendered(260).splitlines()
    assert lines[0].split() == ["id", "title", "url", "last", "check", "errors"]
    assert len(lines) == 3
    assert "just now" in lines[1] and "5 minutes ago" in lines[2]


@pytest.mark.parametrize("width", [200, 160])
def test_a_narrower_terminal_wraps_the_other_columns_within_its_width(width: int) -> None:
    lines = rendered(width).splitlines()
    assert lines[0].split() == ["id", "title", "url", "last", "check", "errors"]
    assert len(lines) > 3  # a title or an error wrapped
    assert all(len(line) <= width for line in lines)


@pytest.mark.parametrize("width", [100, 60])
def test_too_narrow_for_a_table_each_record_gets_lines_of_its_own(width: int) -> None:
    lines = rendered(width).splitlines()
    assert f"url: {LONG_URL}" in lines
    assert "title: Short" in lines
    assert "errors: 3: HTTP 503 Service Unavailable from the publisher's server" in lines
    assert "last check: 5 minutes ago" in lines


def test_piped_output_is_one_line_a_record_with_tabs() -> None:
    console = Console(file=StringIO(), width=40)
    show(COLS, ROWS, now=NOW, console=console, tty=False)
    assert console.file.getvalue().splitlines() == [  # type: ignore[attr-defined]
        f"1\tA title long enough to wrap when the terminal is narrow\t{LONG_URL}\t"
        "2026-11-28T12:00:00+00:00\t0",
        "2\tShort\thttp://127.0.0.1:8080/feed.xml\t2026-11-28T11:55:00+00:00\t"
        "3: HTTP 503 Service Unavailable from the publisher's server",
    ]


def test_fields_of_a_piped_line_hold_no_tabs_nor_newlines() -> None:
    console = Console(file=StringIO())
    show(
        [Col("a"), Col("b")], [["one\ttwo", "three\nfour"], [None, ""]], console=console, tty=False
    )
    assert console.file.getvalue() == "one two\tthree four\n\t\n"  # type: ignore[attr-defined]
