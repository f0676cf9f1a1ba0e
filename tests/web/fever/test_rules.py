"""What a Fever app sees of rules: an item a person's rule hid is in none of their id lists nor
their items, on both backends; read and starred marks by rules are their marks."""

from __future__ import annotations

from tests.web.fever.helpers import Fever, ids_of
from tidings.arrival import RuleDraft


def rule(name: str, pattern: str, action: str) -> RuleDraft:
    return RuleDraft(name=name, field="title", match="contains", pattern=pattern, action=action)


def test_hidden_items_are_left_out_and_marks_are_marks(fever: Fever) -> None:
    agg, ada = fever.agg, fever.user_id
    ids = {i.title: i.id for i in agg.items(limit=50)}
    for name, pattern, action in (("hide", "nato 2", "drop"), ("star", "harbour 1", "star")):
        r = agg.add_rule(rule(name, pattern, action), ada)
        assert agg.apply_rule(r.id, ada).matched == 1
    body = fever.post("api&unread_item_ids&saved_item_ids&items", with_ids=str(ids["nato 2"]))
    assert ids["nato 2"] not in ids_of(body["unread_item_ids"])
    assert ids_of(body["saved_item_ids"]) == {ids["harbour 1"]}
    assert body["items"] == []  # asked for by id: not there
    listed = {i["id"] for i in fever.post("api&items")["items"]}
    assert ids["nato 2"] not in listed and ids["nato 1"] in listed
    assert len(listed) == 5  # six items, one hidden
