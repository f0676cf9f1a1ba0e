"""Real clients against a real ``tidings serve`` on a loopback port, over 2,000 items of feeds
fetched from a loopback feed server: PyPI's ``google-reader`` (in a Python >= 3.12 venv of its
own, made by ``make unit``) and Debian's newsboat in its ``feedhq`` mode (the Atom streams)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.shared import REPO, in_ci
from tests.web.v1.served import API_PASSWORD, Served, served
from tests.web.v1.test_newsboat import Terminal
from tidings.config import Settings
from tidings.core import make_aggregator
from tidings.synctypes import SYNC_MAX, IdQuery

pytestmark = pytest.mark.slow  # real server and command-line processes

CLIENT = REPO / ".cache" / "greader-venv" / "bin" / "python"
STAMP = REPO / ".cache" / "greader-venv" / ".installed"
SCRIPT = Path(__file__).with_name("google_reader_script.py")
NEWSBOAT = shutil.which("newsboat")
FEEDS = {
    "/ships.xml": ("Ships", 1000, "Ships"),
    "/trains.xml": ("Trains", 600, None),
    "/planes.xml": ("Planes", 400, "Sky"),
}


def need(found: object, reason: str) -> None:
    if not found:
        if in_ci():
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)


def states(
    site: Served, name: str, feed_id: int | None = None
) -> tuple[set[int], set[int], set[int]]:
    """Every, unread and starred item id of ``name`` (of one feed), through the facade."""
    settings = Settings.load({"TIDINGS_DATA_DIR": str(site.data)})
    agg = make_aggregator(settings)
    try:
        user = agg.api_sign_in(name, API_PASSWORD)
        assert user is not None

        def ids(status: str) -> set[int]:
            feeds = None if feed_id is None else (feed_id,)
            query = IdQuery(status=status, feed_ids=feeds, limit=SYNC_MAX)
            return set(agg.item_ids(user.id, query))

        return ids("all"), ids("unread"), ids("starred")
    finally:
        agg.close()


def test_google_reader_client(tmp_path: Path) -> None:
    need(STAMP.exists() and CLIENT.exists(), "the google-reader venv is missing (make unit)")
    with served(tmp_path) as site:
        site.reader("ada", FEEDS)
        every, unread, _ = states(site, "ada")
        assert len(every) == 2000
        done = subprocess.run(
            [str(CLIENT), str(SCRIPT), site.base, "ada", API_PASSWORD],
            capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        seen = json.loads(done.stdout)
        after_every, after_unread, after_starred = states(site, "ada")
        planes = int(seen["marked_feed"].split("/")[1])
        planes_items, _, _ = states(site, "ada", planes)
    assert seen["user"] == "ada" and seen["token"] == 57
    titles = {title: labels for _, title, labels in seen["subscriptions"]}
    assert titles == {"Ships": ["Ships"], "Trains": [], "Planes": ["Sky"]}
    assert {"user/-/label/Ships", "user/-/label/Sky"} <= set(seen["tags"])
    # 2,000 ids in pages of 500, each once, newest first
    listed = [int(i) for i in seen["all"]]
    assert len(listed) == 2000 and set(listed) == every and listed == sorted(listed, reverse=True)
    assert {int(i) for i in seen["unread_before"]} == unread
    assert len(seen["contents"]) == 250
    assert seen["contents"][0] == f"tag:google.com,2005:reader/item/{listed[0]:016x}"
    item = seen["item"]
    assert item["origin"].startswith("feed/") and item["summary"] and item["canonical"]
    assert item["crawl"].isdigit() and isinstance(item["published"], int)
    read = {int(i) for i in seen["read"]}
    assert not read & {int(i) for i in seen["unread_after"]}
    assert {int(i) for i in seen["starred"]} == {int(i) for i in seen["asked_starred"]}
    assert after_starred == {int(i) for i in seen["asked_starred"]}
    assert not read & after_unread
    after = {title: labels for _, title, labels in seen["after"]}
    assert after == {"Ships": ["Boats"], "Renamed by the client": [], "Planes": ["Sky"]}
    assert len(planes_items) == 400 and after_every == every
    assert after_unread == unread - read - planes_items


def newsboat(folder: Path, site: Served, name: str) -> tuple[list[str], dict[str, str]]:
    """The command and environment of a newsboat of its own in ``feedhq`` mode."""
    folder.mkdir(exist_ok=True)
    (folder / "config").write_text(
        f'urls-source "feedhq"\nfeedhq-url "{site.base}"\nfeedhq-login "{name}"\n'
        f'feedhq-password "{API_PASSWORD}"\nfeedhq-min-items 1000\n'
    )
    (folder / "urls").write_text("")
    env = {"HOME": str(folder), "TERM": "xterm", "LANG": "C.UTF-8", "PATH": "/usr/bin:/bin"}
    command = [
        NEWSBOAT or "newsboat", "-C", str(folder / "config"), "-u", str(folder / "urls"),
        "-c", str(folder / "cache.db"), f"--log-file={folder / 'log.txt'}", "--log-level=6",
    ]  # fmt: skip
    return command, env


def newsboat_unread(folder: Path, site: Served, name: str) -> int:
    """``newsboat -x reload print-unread``: what it counts unread after syncing."""
    command, env = newsboat(folder, site, name)
    done = subprocess.run(
        [*command, "-x", "reload", "print-unread"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    found = re.search(r"(\d+) unread articles", done.stdout)
    assert found, done.stdout
    return int(found.group(1))


def newsboat_read_one(folder: Path, site: Served, name: str) -> None:
    """In its interface: open the first feed (below the three query feeds of feedhq mode) and
    its first article, which marks it read on the server too (``edit-tag`` with the Atom
    entry's id and the token), and quit."""
    command, env = newsboat(folder, site, name)
    screen = Terminal(command, env)
    try:
        assert screen.wait_for(b"unread"), "no feed list"
        screen.drain(0.5)
        for _ in range(3):  # People you follow, Starred items, Shared items
            screen.press(b"\x1bOB")  # down, in the keypad mode it sets
            screen.drain(0.3)
        screen.press(b"\r")
        assert screen.wait_for(b" 0", 40), bytes(screen.screen[-3000:]).decode(errors="replace")
        screen.press(b"\r")
        assert screen.wait_for(b"Item "), "no article"
        screen.drain(1.5)  # it sends the mark from a thread of its own
        for _ in range(3):  # the article, the feed, newsboat
            screen.press(b"q")
            screen.drain(0.5)
    finally:
        screen.close()
    log = (folder / "log.txt").read_text(errors="replace")
    assert "edit-tag" in log and "result = OK" in log, "newsboat sent no mark"


def test_newsboat_feedhq_mode(tmp_path: Path) -> None:
    need(NEWSBOAT, "newsboat is not installed (apt-get install newsboat)")
    with served(tmp_path) as site:
        site.reader("ada", FEEDS)
        _, unread, _ = states(site, "ada")
        home = tmp_path / "newsboat"
        assert newsboat_unread(home, site, "ada") == len(unread) == 2000
        # read elsewhere: through the facade, as another app would
        agg = make_aggregator(Settings.load({"TIDINGS_DATA_DIR": str(site.data)}))
        try:
            user = agg.api_sign_in("ada", API_PASSWORD)
            assert user is not None
            agg.set_read(user.id, sorted(unread)[:150])
        finally:
            agg.close()
        _, unread_now, _ = states(site, "ada")
        assert newsboat_unread(home, site, "ada") == len(unread_now) == 1850
        # read in newsboat: read on the server
        newsboat_read_one(home, site, "ada")
        _, unread_last, _ = states(site, "ada")
        assert len(unread_last) == 1849 and unread_last < unread_now
        assert newsboat_unread(home, site, "ada") == 1849
