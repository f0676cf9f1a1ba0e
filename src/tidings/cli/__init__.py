"""The command line: add, list, remove, enable, update, health, import, export, items, serve,
run-scheduler, worker, dispatch, user, db and doctor; and a person's own reading (--user NAME):
subscribe, unsubscribe, subscriptions, unread, mark-read, star and unstar; rules and
notification targets (notify), the site's or a person's; WebSub (push list).

Each area's commands are in a module of their own; importing them registers them on ``app``.
"""

# importing the modules registers their commands
from tidings.cli import (  # noqa: F401
    admin,
    articles,
    doctor,
    feeds,
    notify,
    processes,
    push,
    reading,
    rules,
    unread,
)
from tidings.cli.common import app

__all__ = ["app", "main"]


def main() -> None:
    app()
