"""An in-process registry of update counters, written out in the Prometheus text format.

A few counters and one histogram do not justify a dependency: this is the exposition format
(version 0.0.4) for exactly what tidings counts. The pipeline records every update here; the
web app's ``/metrics`` writes the fetch counters of every process from the database
(``store/counters.py``) when it is given them, the duration histogram of this process, and the
gauges read from the store at scrape time.
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from tidings.store.counters import FetchTotals

# seconds; a feed fetch on a good day is 50-500 ms, a bad one runs into the total deadline
DURATION_BUCKETS: Final = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


def _escape_label(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _number(value: float) -> str:
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))


@dataclass(frozen=True, slots=True)
class Gauge:
    """A value read at scrape time, with its help text and optional labels."""

    name: str
    help: str
    samples: Sequence[tuple[Mapping[str, str], float]]


class Metrics:
    """Counters of fetches by outcome, bytes, items, and a fetch-duration histogram.

    Updated from the event loop and read from a request thread, hence the lock.
    """

    def __init__(self, buckets: Sequence[float] = DURATION_BUCKETS) -> None:
        self._lock = threading.Lock()
        self.buckets = tuple(sorted(buckets))
        self.fetches: Counter[str] = Counter()
        self._per_outcome: dict[str, list[int]] = {}  # bytes, new and changed items
        self.bytes = 0
        self.new_items = 0
        self.changed_items = 0
        # moves whenever an update or a subscription stored items: the pages built before are old
        self.changes = 0
        self._bucket_counts = [0] * len(self.buckets)
        self._duration_sum = 0.0
        self._duration_count = 0

    def observe(
        self,
        *,
        outcome: str,
        seconds: float,
        size: int = 0,
        new: int = 0,
        changed: int = 0,
    ) -> None:
        """Count one update: ``outcome`` is ok, not_modified, or the error's kind."""
        with self._lock:
            self.fetches[outcome] += 1
            counts = self._per_outcome.setdefault(outcome, [0, 0, 0])
            counts[0] += max(size, 0)
            counts[1] += max(new, 0)
            counts[2] += max(changed, 0)
            self.bytes += max(size, 0)
            self.new_items += max(new, 0)
            self.changed_items += max(changed, 0)
            self.changes += 1 if new > 0 or changed > 0 else 0
            self._duration_sum += max(seconds, 0.0)
            self._duration_count += 1
            for index, bound in enumerate(self.buckets):
                if seconds <= bound:
                    self._bucket_counts[index] += 1

    def _totals(self) -> dict[str, FetchTotals]:
        """This process's own fetch counters, in the shape of the database's."""
        with self._lock:
            return {
                outcome: FetchTotals(n, *self._per_outcome[outcome])
                for outcome, n in self.fetches.items()
            }

    def changed(self) -> None:
        """Count a change to what the pages show that is not an update (a subscription)."""
        with self._lock:
            self.changes += 1

    def render(
        self, gauges: Iterable[Gauge] = (), totals: Mapping[str, FetchTotals] | None = None
    ) -> str:
        """The registry and ``gauges`` in the Prometheus text exposition format; with
        ``totals`` (the installation's, from the database), the fetch counters are those."""
        if totals is None:
            totals = self._totals()
        lines: list[str] = []

        def head(name: str, kind: str, text: str) -> None:
            lines.append(f"# HELP {name} {text}")
            lines.append(f"# TYPE {name} {kind}")

        def sample(name: str, value: float, labels: Mapping[str, str] | None = None) -> None:
            if labels:
                inner = ",".join(f'{k}="{_escape_label(v)}"' for k, v in sorted(labels.items()))
                lines.append(f"{name}{{{inner}}} {_number(value)}")
            else:
                lines.append(f"{name} {_number(value)}")

        head(
            "tidings_fetches_total",
            "counter",
            "Feed updates stored, by outcome (ok, not_modified, or the error kind).",
        )
        for outcome in sorted(totals):
            sample("tidings_fetches_total", totals[outcome].fetches, {"outcome": outcome})
        head("tidings_fetch_bytes_total", "counter", "Body bytes received for feeds.")
        sample("tidings_fetch_bytes_total", sum(t.bytes for t in totals.values()))
        head("tidings_new_items_total", "counter", "Items stored as new.")
        sample("tidings_new_items_total", sum(t.new_items for t in totals.values()))
        head("tidings_changed_items_total", "counter", "Stored items updated with new content.")
        sample("tidings_changed_items_total", sum(t.changed_items for t in totals.values()))
        with self._lock:
            name = "tidings_fetch_duration_seconds"
            head(
                name,
                "histogram",
                "Time to fetch a feed, from request to last byte, in this process only.",
            )
            for bound, count in zip(self.buckets, self._bucket_counts, strict=True):
                sample(f"{name}_bucket", count, {"le": _number(bound)})
            sample(f"{name}_bucket", self._duration_count, {"le": "+Inf"})
            sample(f"{name}_sum", self._duration_sum)
            sample(f"{name}_count", self._duration_count)
        for gauge in gauges:
            head(gauge.name, "gauge", gauge.help)
            for labels, value in gauge.samples:
                sample(gauge.name, value, labels)
        return "\n".join(lines) + "\n"
