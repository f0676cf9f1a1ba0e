"""The reader side, run by the Python of reader's own venv (standard library and reader only).

    python reader_runner.py add DB URLS_FILE   # subscribe (not timed by the harness)
    python reader_runner.py update DB          # update every feed, workers=8; the timed step
    python reader_runner.py count DB           # entries stored

Each prints one JSON line. ``update`` asks for every feed (``scheduled=False``): since reader
3.21 ``update_feeds`` only updates the feeds whose schedule says so, which after a cold update
is none of them for an hour; tidings is likewise run with ``update --all``.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from typing import Any

from reader import make_reader  # type: ignore[import-not-found,unused-ignore]


def main(argv: list[str]) -> int:
    command, db = argv[0], argv[1]
    reader = make_reader(db)
    out: dict[str, Any]
    if command == "add":
        with open(argv[2], encoding="utf-8") as f:
            urls = [u.strip() for u in f if u.strip()]
        for url in urls:
            reader.add_feed(url, exist_ok=True)
        out = {"feeds": len(urls)}
    elif command == "update":
        workers = int(argv[2]) if len(argv) > 2 else 8
        kinds: Counter[str] = Counter()
        new = modified = 0
        errors: list[str] = []
        # update_feeds() is this loop with the results dropped; we keep the counts
        for url, value in reader.update_feeds_iter(workers=workers, scheduled=False):
            if value is None:
                kinds["not_modified"] += 1
            elif isinstance(value, Exception):
                kinds["failed"] += 1
                if len(errors) < 20:
                    errors.append(f"{url}: {value!r}")
            else:
                kinds["updated"] += 1
                new += value.new
                modified += value.modified
        out = {"new": new, "modified": modified, "errors": errors, **kinds}
    elif command == "count":
        counts = reader.get_entry_counts()
        out = {"entries": counts.total, "feeds": reader.get_feed_counts().total}
    else:
        print(f"unknown command {command!r}", file=sys.stderr)
        return 2
    reader.close()
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
