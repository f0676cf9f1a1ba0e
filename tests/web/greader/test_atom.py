"""/reader/atom/<stream>: a stream as Atom the way FeedHQ served it to Newsboat: long item ids,
state in Google's scheme of categories, continuation, the header required."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from tests.web.greader.helpers import ITEM_PREFIX, Reader

ATOM = "{http://www.w3.org/2005/Atom}"
GR = "{http://www.google.com/schemas/reader/atom/}"
SCHEME = "http://www.google.com/reader/"


def entries(reader: Reader, path: str, **params: str) -> tuple[ET.Element, dict[int, set[str]]]:
    response = reader.get(path, **params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    found: dict[int, set[str]] = {}
    for entry in root.iter(f"{ATOM}entry"):
        text = entry.findtext(f"{ATOM}id") or ""
        assert text.startswith(ITEM_PREFIX)
        labels = set()
        for category in entry.iter(f"{ATOM}category"):
            assert category.get("scheme") == SCHEME
            assert category.get("term", "").endswith("/" + category.get("label", "?"))
            labels.add(category.get("label", ""))
        found[int(text[len(ITEM_PREFIX) :], 16)] = labels
    return root, found


def test_state_is_in_the_labels_newsboat_reads(reader: Reader) -> None:
    nato = reader.feeds["nato"]
    ids = reader.ids(s=f"feed/{nato}")
    reader.agg.set_read(reader.user_id, ids[:1])
    reader.agg.set_starred(reader.user_id, ids[1:2])
    root, found = entries(reader, f"/reader/atom/feed%2F{nato}", n="20")
    assert list(found) == ids
    assert found[ids[0]] == {"reading-list", "read"}
    assert found[ids[1]] == {"reading-list", "kept-unread", "starred"}
    assert found[ids[2]] == {"reading-list", "kept-unread"}
    assert root.findtext(f"{ATOM}title") == "NATO News"
    entry = root.find(f"{ATOM}entry")
    assert entry is not None and entry.get(f"{GR}crawl-timestamp-msec", "").isdigit()
    assert entry.findtext(f"{ATOM}title") and entry.findtext(f"{ATOM}content")
    link = entry.find(f"{ATOM}link")
    assert link is not None and link.get("href", "").startswith("https://nato.example/")


def test_a_folder_label_is_never_written_a_folder_named_read_included(reader: Reader) -> None:
    reader.agg.edit_subscription(reader.user_id, reader.feeds["harbour"], folder="read")
    _, found = entries(reader, "/reader/atom/user/-/label/read")
    assert found and all(labels == {"reading-list", "kept-unread"} for labels in found.values())


def test_pages_and_streams(reader: Reader) -> None:
    root, first = entries(reader, "/reader/atom", n="4")
    assert len(first) == 4
    cont = root.findtext(f"{GR}continuation")
    assert cont
    _, rest = entries(reader, "/reader/atom/user%2F-%2Fstate%2Fcom.google%2Freading-list", c=cont)
    assert sorted([*first, *rest], reverse=True) == [*first, *rest]
    assert set(first) | set(rest) == reader.every()
    _, unread = entries(
        reader,
        "/reader/atom/user/-/state/com.google/reading-list",
        xt="user/-/state/com.google/read",
    )
    assert set(unread) == reader.unread()
    assert reader.get("/reader/atom/nonsense").status_code == 400
    anonymous = reader.http.get("/reader/atom")
    assert anonymous.status_code == 401


def test_text_is_escaped_once(reader: Reader) -> None:
    root, _ = entries(reader, f"/reader/atom/feed/{reader.feeds['science']}")
    assert root.findtext(f"{ATOM}title") == "Science & <Nature>"
    source = root.find(f"{ATOM}entry/{ATOM}source")
    assert source is not None and source.findtext(f"{ATOM}title") == "Science & <Nature>"
    content = root.findtext(f"{ATOM}entry/{ATOM}content")
    assert content == "<p>science story 1</p>"
