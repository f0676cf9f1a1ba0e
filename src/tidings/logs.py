"""Structured log lines: the message, then the record's facts as ``key=value`` pairs (logfmt).

The pipeline and the scheduler log every line about a feed with ``extra={"feed_id": ...}`` and
more (url, outcome, status, duration_ms ...). This formatter prints those fields, so each line
can be grepped by feed and read by a log shipper without a parser of our own.
"""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime
from typing import Final, TextIO

# the attributes every LogRecord has: anything else on a record came from ``extra``
_STANDARD: Final = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "taskName",
}


def _value(value: object) -> str:
    text = str(value)
    if text and not any(c in text for c in ' "=\\\n\r\t'):
        return text
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return '"' + escaped.replace("\r", "\\r").replace("\t", "\\t") + '"'


def fields_of(record: logging.LogRecord) -> dict[str, object]:
    """The ``extra`` fields of a record, in the order they were given."""
    return {
        k: v for k, v in record.__dict__.items() if k not in _STANDARD and not k.startswith("_")
    }


class KeyValueFormatter(logging.Formatter):
    """``time=... level=... logger=... msg="..." feed_id=12 url=...``, one line per record."""

    def format(self, record: logging.LogRecord) -> str:
        when = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
        parts = {
            "time": when,
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
            **fields_of(record),
        }
        line = " ".join(
            f"{key}={_value(value)}" for key, value in parts.items() if value is not None
        )
        if record.exc_info:
            line += " error=" + _value(self.formatException(record.exc_info))
        return line


def configure(level: int = logging.INFO, stream: TextIO | None = None) -> logging.Handler:
    """Send tidings' own loggers to ``stream`` (stderr) as key=value lines; returns the handler."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(KeyValueFormatter())
    root = logging.getLogger("tidings")
    root.handlers = [h for h in root.handlers if not getattr(h, "_tidings", False)]
    handler._tidings = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    root.propagate = False
    return handler
