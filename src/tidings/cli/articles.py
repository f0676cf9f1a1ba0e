"""The command of full articles: a feed's items fetched from their pages for the article."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from tidings.cli.common import app, fail, opened, run
from tidings.i18n import gettext as _
from tidings.i18n import ngettext

if TYPE_CHECKING:
    from tidings.arrival import ArticleRun
    from tidings.core import Aggregator

NOW_TURNS = 100  # --now: turns of 32 pages at most, so a command always ends


async def fetch_now(agg: Aggregator) -> list[ArticleRun]:
    """Turns of the article fetcher until a turn finds nothing to claim."""
    runs = []
    for _turn in range(NOW_TURNS):
        done = await agg.fetch_articles()
        if not done.claimed:
            break
        runs.append(done)
    return runs


@app.command()
def articles(
    ref: Annotated[str, typer.Argument(help="The feed's id or URL.")],
    on: Annotated[
        bool | None,
        typer.Option("--on/--off", help="Fetch each new item's page for its article, or stop."),
    ] = None,
    latest: Annotated[
        int,
        typer.Option(min=0, max=500, help="Also queue the pages of this many newest items."),
    ] = 0,
    now: Annotated[
        bool, typer.Option("--now", help="Fetch the queued pages now, not at the next chore.")
    ] = False,
) -> None:
    """Full articles of a feed: turn them on or off, queue its latest items, fetch the queue;
    then say how its articles stand."""
    with opened() as agg:
        feed = agg.feed(ref)
        if on is not None:
            feed = agg.set_full_articles(feed.id, on, latest=latest)
        elif latest:
            if not feed.full_articles:
                raise fail(_("--latest: full articles are off for this feed (turn them on: --on)"))
            agg.queue_articles(feed.id, latest)
        if now:
            for done in run(agg, lambda: fetch_now(agg)):
                print(
                    _("fetched %(pages)d pages: %(articles)s, %(failed)d failed")
                    % {
                        "pages": done.claimed,
                        "articles": article_count(done.done),
                        "failed": done.failed,
                    }
                )
        counts = agg.article_counts([feed.id]).get(feed.id)
    state = _("full articles on") if feed.full_articles else _("full articles off")
    print(f"{feed.id}\t{feed.display_title}\t{state}")
    if counts is not None:
        waiting = counts.pending + counts.fetching
        print(
            _("%(articles)s, %(failed)d failed, %(waiting)d waiting")
            % {"articles": article_count(counts.done), "failed": counts.failed, "waiting": waiting}
        )
        if counts.last_error:
            print(_("last failure: %(error)s") % {"error": counts.last_error})


def article_count(n: int) -> str:
    return ngettext("%(n)d article", "%(n)d articles", n) % {"n": n}
