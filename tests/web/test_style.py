"""The colour tokens of static/style.css meet WCAG AA in light and in dark, read from the file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CSS = (Path(__file__).resolve().parents[2] / "src/tidings/web/static/style.css").read_text()

# (foreground, background, least contrast): text 4.5:1, controls, borders and chart marks 3:1
PAIRS = [
    ("fg", "bg", 4.5),
    ("fg", "surface", 4.5),
    ("muted", "bg", 4.5),
    ("muted", "surface", 4.5),
    ("accent", "bg", 4.5),
    ("accent", "surface", 4.5),
    ("on-accent", "accent", 4.5),
    ("danger", "bg", 4.5),
    ("fg", "accent-soft", 4.5),
    ("accent", "accent-soft", 4.5),
    *((status, ground, 4.5) for status in ("good", "warn", "bad") for ground in ("bg", "surface")),
    ("border", "bg", 3),
    ("border", "surface", 3),
    ("focus", "bg", 3),
    ("chart-bar", "bg", 3),
    ("chart-line", "bg", 3),
    ("chart-fail", "bg", 3),
    ("chart-axis", "bg", 3),
]


def tokens(block: str) -> dict[str, str]:
    return dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{6})\b", block))


def schemes() -> dict[str, dict[str, str]]:
    """The light tokens (the first :root) and the dark ones laid over them."""
    light = tokens(CSS.split("@media (prefers-color-scheme: dark)")[0])
    dark_block = re.search(r"@media \(prefers-color-scheme: dark\) \{(.*?)\n\}", CSS, re.S)
    assert dark_block, "no dark colours in style.css"
    return {"light": light, "dark": {**light, **tokens(dark_block.group(1))}}


def contrast(a: str, b: str) -> float:
    def luminance(colour: str) -> float:
        channels = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
        r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_colour_tokens_meet_wcag_aa(scheme: str) -> None:
    colours = schemes()[scheme]
    weak = [
        f"--{fg} on --{bg}: {contrast(colours[fg], colours[bg]):.2f} < {least}"
        for fg, bg, least in PAIRS
        if contrast(colours[fg], colours[bg]) < least
    ]
    assert not weak, f"{scheme}: " + "; ".join(weak)


def test_the_dark_scheme_sets_every_colour() -> None:
    light, dark = (tokens(part) for part in CSS.split("@media (prefers-color-scheme: dark)")[:2])
    assert set(light) - set(dark) == set(), "a colour without its dark value"


def test_no_colour_outside_the_tokens() -> None:
    """Rules use var(--...); a literal colour lives only where a token is defined."""
    rules = re.sub(r"--[a-z-]+:\s*#[0-9a-fA-F]{3,8}\b", "", CSS)
    assert re.findall(r"#[0-9a-fA-F]{3,8}\b", rules) == []
