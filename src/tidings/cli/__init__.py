"""The command line: add, list, remove, enable, update, health, import, export, items, serve,
run-scheduler, worker, dispatch, user, db and doctor.

Each area's commands are in a module of their own; importing them registers them on ``app``.
"""

from tidings.cli import admin, doctor, feeds, processes  # noqa: F401  (importing registers them)
from tidings.cli.common import app

__all__ = ["app", "main"]


def main() -> None:
    app()
