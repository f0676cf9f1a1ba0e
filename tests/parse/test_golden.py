"""Golden files: a few corpus feeds parsed once, checked by eye, and held still since.

Regenerate after a deliberate change with ``TIDINGS_UPDATE_GOLDEN=1 pytest tests/parse`` and read
the diff before committing it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tidings.parse import parse_feed

from .conftest import GOLDEN
from .summary import feed_summary

# file name -> the URL it is pretended to have been fetched from
CASES = {
    "feedrs__rss_0.91_spec_1.xml": "https://www.example.com/rss091.xml",
    "feedrs__rss_1.0_example_1.xml": "https://www.example.com/rdf.xml",
    "feedrs__rss_2.0_encoding_1.xml": "https://www.example.com/rss.xml",
    "feedrs__atom_xml_base.xml": "https://numi.st/feed.xml",
    "feedrs__atom_example_2.xml": "https://www.example.com/atom.xml",
    "feedrs__jsonfeed_spec_1.json": "https://www.example.com/feed.json",
    "feedrs__jsonfeed_elastic_1.1.json": "https://www.example.com/feed.json",
    "nodefeedparser__mediacontent-dupes.xml": "https://www.example.com/media.xml",
    "miniflux__no_encoding_ISO-8859-1.xml": "https://le-cercle-psy.example.com/rss",
    "rssparserkt__feed-test-greek.xml": "https://www.liberal.gr/rss",
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(corpus: Path, name: str) -> None:
    path = corpus / name
    if not path.exists():
        pytest.skip(f"{name} is not in the corpus at {corpus}")
    summary = feed_summary(parse_feed(path.read_bytes(), url=CASES[name], headers={}))
    golden = GOLDEN / (name + ".json")
    rendered = json.dumps(summary, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
    if os.environ.get("TIDINGS_UPDATE_GOLDEN") == "1" or not golden.exists():
        golden.write_text(rendered, encoding="utf-8")
        if os.environ.get("TIDINGS_UPDATE_GOLDEN") != "1":
            pytest.fail(f"wrote a new golden file {golden.name}; check it by eye and rerun")
    assert summary == json.loads(golden.read_text(encoding="utf-8"))
