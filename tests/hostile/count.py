"""Count the collected hostile tests per class, for the table in docs/security.md:

    .venv/bin/python -m tests.hostile.count

Each test belongs to the class of its case id (X.., T.., XML.., N.., H.., M.., A.., S.., P..) or,
for tests without one, to the class of its file and name.
"""

from __future__ import annotations

import re
import sys
from collections import Counter

import pytest

CLASSES = [
    ("xss-content", "XSS in item content (X)"),
    ("xss-fields", "XSS in titles, links, enclosures, metadata (T), on every output"),
    ("browser", "XSS in a real browser (Chromium)"),
    ("sanitizer-properties", "Sanitizer properties (hypothesis)"),
    ("xml", "XML bombs and external entities (XML)"),
    ("ssrf", "SSRF, URL validation and redirects (N)"),
    ("exhaustion", "Resource exhaustion and hostile HTTP (H)"),
    ("isolation", "Fault isolation (O-ISO, 100 feeds)"),
    ("malformed", "Malformed input and encodings (M, D10)"),
    ("parser-fuzz", "Parser fuzzing (hypothesis, mutated corpus)"),
    ("web", "Sign-in, sessions, CSRF, clickjacking, headers (A)"),
    ("query", "Search and query-parameter injection (S)"),
    ("opml", "OPML attacks (P)"),
    ("apis", "The apps' APIs: another person's data, roles, logs, CORS, ids (A, S)"),
]


def classify(nodeid: str) -> str:
    path, _, name = nodeid.partition("::")
    file = path.rsplit("/", 1)[-1]
    case = re.search(r"\[(?:[a-z]+-)?([A-Z]+)\d", name)
    if file == "test_xss_parse.py":
        return "xss-content" if "content" in name else "xss-fields"
    if file in ("test_xss_render.py", "test_error_render.py"):
        return "xss-fields"
    if file == "test_properties.py":
        return "sanitizer-properties"
    if file == "test_web.py":
        if (case and case.group(1) == "S") or "search" in name or "query_parameters" in name:
            return "query"
        return "web"
    return {
        "test_xml.py": "xml",
        "test_ssrf.py": "ssrf",
        "test_exhaustion.py": "exhaustion",
        "test_isolation.py": "isolation",
        "test_malformed.py": "malformed",
        "test_fuzz.py": "parser-fuzz",
        "test_opml.py": "opml",
        "test_browser.py": "browser",
        "test_sync_apis.py": "apis",
    }.get(file, "other")


class _Collect:
    def __init__(self) -> None:
        self.ids: list[str] = []

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        self.ids = [item.nodeid for item in items]


def main() -> int:
    collector = _Collect()
    code = pytest.main(["--collect-only", "-q", "-p", "no:cacheprovider", "tests/hostile"],
                       plugins=[collector])  # fmt: skip
    counts = Counter(classify(nodeid) for nodeid in collector.ids)
    print("\n| class | tests |\n| --- | ---: |")
    for key, title in CLASSES:
        print(f"| {title} | {counts.get(key, 0)} |")
    if counts.get("other"):
        print(f"| other | {counts['other']} |")
    print(f"| **total** | **{sum(counts.values())}** |")
    return int(code)


if __name__ == "__main__":
    sys.exit(main())
