"""Labels are folders: the tag list, renaming one (its feeds move), disabling one (its feeds go
to no folder)."""

from __future__ import annotations

from tests.web.greader.helpers import API, STARRED, Reader


def folders(reader: Reader) -> dict[str, str | None]:
    found = reader.json(f"{API}/subscription/list")["subscriptions"]
    return {s["title"]: (s["categories"][0]["label"] if s["categories"] else None) for s in found}


def test_the_tag_list_is_starred_and_the_folders(reader: Reader) -> None:
    reader.agg.create_folder(reader.user_id, "Empty for now")
    tags = reader.json(f"{API}/tag/list", output="json")["tags"]
    assert tags == [
        {"id": STARRED},
        {"id": "user/-/label/Empty for now", "label": "Empty for now", "type": "folder"},
        {"id": "user/-/label/Science", "label": "Science", "type": "folder"},
        {"id": "user/-/label/World", "label": "World", "type": "folder"},
    ]


def test_the_tag_list_answers_304_to_its_etag_until_it_changes(reader: Reader) -> None:
    etag = reader.get(f"{API}/tag/list").headers["etag"]
    headers = {**reader.headers(), "If-None-Match": etag}
    assert reader.http.get(f"{API}/tag/list", headers=headers).status_code == 304
    reader.agg.create_folder(reader.user_id, "New")
    assert reader.http.get(f"{API}/tag/list", headers=headers).status_code == 200


def test_rename_tag_moves_the_feeds(reader: Reader) -> None:
    data = {"s": "user/-/label/World", "dest": "user/-/label/Globe", "T": ""}
    assert reader.post(f"{API}/rename-tag", data).text == "OK"
    assert folders(reader)["NATO News"] == "Globe"
    # News+ names it by t, dest as a bare name
    assert reader.post(f"{API}/rename-tag", {"t": "Globe", "dest": "World"}).text == "OK"
    assert folders(reader)["NATO News"] == "World"
    same = reader.post(f"{API}/rename-tag", {"s": "user/-/label/World", "dest": "World"})
    assert same.text == "OK"
    gone = reader.post(f"{API}/rename-tag", {"s": "user/-/label/Nowhere", "dest": "X"})
    assert gone.status_code == 404
    assert reader.post(f"{API}/rename-tag", {"s": "user/-/label/World"}).status_code == 400
    state = reader.post(f"{API}/rename-tag", {"s": STARRED, "dest": "x"})
    assert state.status_code == 400


def test_disable_tag_puts_its_feeds_in_no_folder(reader: Reader) -> None:
    assert reader.post(f"{API}/disable-tag", {"s": "user/-/label/World", "T": "x"}).text == "OK"
    assert folders(reader)["NATO News"] is None
    assert folders(reader)["Science & <Nature>"] == "Science"
    assert reader.post(f"{API}/disable-tag", {"t": "Science"}).text == "OK"
    assert set(folders(reader).values()) == {None}
    assert [t["id"] for t in reader.json(f"{API}/tag/list")["tags"]] == [STARRED]
    assert reader.post(f"{API}/disable-tag", {"s": "user/-/label/World"}).text == "OK"  # gone
    assert reader.post(f"{API}/disable-tag", {}).status_code == 400
