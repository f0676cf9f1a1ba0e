"""The workers clear the jobs of a dead worker themselves: a job left ``doing`` by a worker whose
heartbeat stopped goes back to the queue; a live worker's job stays its own (real PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text

from tests.pg import fresh_schema
from tidings.schedule import jobs
from tidings.store import queue
from tidings.store.store import Store

pytestmark = pytest.mark.postgres


@pytest.fixture
def engine(pg_database: str) -> Iterator[Engine]:
    fresh_schema(pg_database)
    store = Store.open(pg_database)
    queue.ensure_schema(store.engine)
    yield store.engine
    store.close()


def job_doing(engine: Engine, worker_seconds_ago: float | None) -> int:
    """A fetch job a worker started: one with a heartbeat that long ago, or one pruned (None)."""
    with engine.begin() as conn:
        worker = None
        if worker_seconds_ago is not None:
            worker = conn.execute(
                text(
                    "INSERT INTO procrastinate_workers (last_heartbeat)"
                    " VALUES (now() - make_interval(secs => :ago)) RETURNING id"
                ),
                {"ago": worker_seconds_ago},
            ).scalar()
        return int(
            conn.execute(
                text(
                    "INSERT INTO procrastinate_jobs (queue_name, task_name, args, status,"
                    " attempts, worker_id) VALUES (:queue, :task, '{\"leases\": []}', 'doing',"
                    " 1, :worker) RETURNING id"
                ),
                {"queue": queue.FETCH_QUEUE, "task": queue.FETCH_TASK, "worker": worker},
            ).scalar_one()
        )


def status(engine: Engine, job_id: int) -> str:
    with engine.connect() as conn:
        return str(
            conn.execute(
                text("SELECT status FROM procrastinate_jobs WHERE id = :id"), {"id": job_id}
            ).scalar_one()
        )


async def test_jobs_of_dead_workers_go_back_to_the_queue(engine: Engine) -> None:
    dead = job_doing(engine, worker_seconds_ago=120)
    pruned = job_doing(engine, worker_seconds_ago=None)
    alive = job_doing(engine, worker_seconds_ago=1)
    with jobs.app.replace_connector(jobs.connector(engine, 2)) as app:
        async with app.open_async():
            assert await jobs.retry_stalled(app.job_manager, stalled_after=30) == 2
            assert await jobs.retry_stalled(app.job_manager, stalled_after=30) == 0
    assert (status(engine, dead), status(engine, pruned)) == ("todo", "todo")
    assert status(engine, alive) == "doing"


def test_heartbeats_come_well_within_a_lease() -> None:
    assert jobs.heartbeat(600) == 10.0  # the default lease: stalled after 30 s
    assert jobs.heartbeat(6) == 1.0
    assert jobs.heartbeat(0.1) == 0.2  # never a busy loop
    for lease in (1, 6, 60, 600, 3600):
        assert jobs.MISSED_HEARTBEATS * jobs.heartbeat(lease) <= max(lease / 2, 0.61)
