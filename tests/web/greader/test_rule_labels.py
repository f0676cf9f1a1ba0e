"""What an app sees of rules over Google Reader: a rule's label among an item's categories and
as a stream of its own (a label that is not a folder's name), in the tag list as a tag; an item
a rule hid is in no stream and no answer."""

from __future__ import annotations

from tests.web.greader.helpers import API, READING_LIST, Reader
from tidings.arrival import RuleDraft


def rule(name: str, pattern: str, action: str, label: str | None = None) -> RuleDraft:
    return RuleDraft(
        name=name, field="title", match="contains", pattern=pattern, action=action, label=label
    )


def test_labels_and_hidden_items(reader: Reader) -> None:
    agg, ada = reader.agg, reader.user_id
    later = agg.add_rule(rule("later", "nato 1", "label", "Later"), ada)
    folder_named = agg.add_rule(rule("world too", "nato 3", "label", "World"), ada)
    hide = agg.add_rule(rule("hide", "nato 2", "drop"), ada)
    for r in (later, folder_named, hide):
        assert agg.apply_rule(r.id, ada).matched == 1
    by_title = {i.title: i.id for i in agg.items(feed_id=reader.feeds["nato"])}

    labeled = reader.ids(s="user/-/label/Later")
    assert labeled == [by_title["nato 1"]]
    # a label named as a folder is the folder: its feeds' items, not the labeled ones
    assert set(reader.ids(s="user/-/label/World")) == {by_title["nato 1"], by_title["nato 3"]}

    everything = reader.ids(s=READING_LIST)
    assert by_title["nato 2"] not in everything and by_title["nato 1"] in everything
    assert by_title["nato 2"] not in reader.ids(s=READING_LIST, xt="user/-/state/com.google/read")

    contents = reader.json(f"{API}/stream/contents/{READING_LIST}", n=50)["items"]
    categories = {i["title"]: i["categories"] for i in contents}
    assert "nato 2" not in categories
    assert "user/-/label/Later" in categories["nato 1"]
    assert categories["nato 3"].count("user/-/label/World") == 1
    assert not any("Later" in c for c in categories["nato 3"])

    tags = reader.json(f"{API}/tag/list", output="json")["tags"]
    assert {"id": "user/-/label/Later", "label": "Later", "type": "tag"} in tags
    assert [t for t in tags if t.get("label") == "World"] == [
        {"id": "user/-/label/World", "label": "World", "type": "folder"}
    ]
    counts = reader.json(f"{API}/unread-count", output="json")["unreadcounts"]
    nato = next(c for c in counts if c["id"] == f"feed/{reader.feeds['nato']}")
    assert nato["count"] == 2  # three items, one hidden


def test_another_person_sees_none_of_it(reader: Reader, bob: Reader) -> None:
    agg, ada = reader.agg, reader.user_id
    agg.apply_rule(agg.add_rule(rule("later", "nato 1", "label", "Later"), ada).id, ada)
    agg.apply_rule(agg.add_rule(rule("hide", "nato 2", "drop"), ada).id, ada)
    assert bob.ids(s="user/-/label/Later") == []
    assert len(bob.ids(s=READING_LIST)) == 3
    tags = bob.json(f"{API}/tag/list", output="json")["tags"]
    assert not any(t.get("label") == "Later" for t in tags)
