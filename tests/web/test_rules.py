"""Rules on the pages: the admin's page of the site's rules and a person's rules on their
settings page; adding, refusing a bad pattern with a message (a 400, never a 500), applying to
the items already stored, a failing rule shown with its reason, removing; forms need their
token, and one person never reaches another's rules."""

from __future__ import annotations

import httpx
from starlette.testclient import TestClient

from tests.conftest import Clock
from tests.web.helpers import add_items, sign_in, sign_in_reader
from tidings.arrival import RuleDraft
from tidings.core import Aggregator
from tidings.types import EntryQuery, ParsedItem

Site = tuple[Aggregator, TestClient]


def post(client: TestClient, path: str, **data: str) -> httpx.Response:
    response: httpx.Response = client.post(path, data=data, follow_redirects=False)
    return response


def rule_form(token: str, **fields: str) -> dict[str, str]:
    base = {
        "csrf_token": token,
        "name": "no ads",
        "field": "title",
        "match": "contains",
        "pattern": "sponsored",
        "action": "drop",
        "scope": "all",
    }
    return base | fields


def test_only_an_admin_reaches_the_site_rules(site: Site) -> None:
    agg, client = site
    assert (
        client.get("/admin/rules", follow_redirects=False).headers["location"].startswith("/signin")
    )
    token = sign_in_reader(client, agg)
    assert client.get("/admin/rules").status_code == 403
    assert post(client, "/admin/rules", **rule_form(token)).status_code == 403
    assert agg.rules() == []


def test_the_admin_adds_applies_and_removes_a_site_rule(site: Site, clock: Clock) -> None:
    agg, client = site
    fid = add_items(
        agg,
        clock(),
        ParsedItem(guid="1", title="Sponsored: buy"),
        ParsedItem(guid="2", title="News"),
    )
    token = sign_in(client, agg)
    page = client.get("/admin/rules")
    assert page.status_code == 200 and "No rules yet." in page.text
    assert 'href="/admin/rules" aria-current="page"' in page.text
    added = post(client, "/admin/rules", **rule_form(token, scope=f"feed:{fid}"))
    assert added.status_code == 303 and added.headers["location"] == "/admin/rules"
    (rule,) = agg.rules()
    assert (rule.name, rule.action, rule.feed_id) == ("no ads", "drop", fid)
    page = client.get("/admin/rules")
    assert "Added the rule no ads" in page.text and "<code>sponsored</code>" in page.text

    applied = post(client, f"/admin/rules/{rule.id}/apply", csrf_token=token)
    assert applied.status_code == 303
    assert "The rule matched 1 of 2 stored items." in client.get("/admin/rules").text
    assert [i.title for i in agg.items(feed_id=fid)] == ["News"]

    removed = post(client, f"/admin/rules/{rule.id}/remove", csrf_token=token)
    assert removed.status_code == 303 and agg.rules() == []


def test_bad_rules_are_messages_not_errors(site: Site) -> None:
    agg, client = site
    token = sign_in(client, agg)
    for fields, message in [
        ({"match": "regex", "pattern": "(unclosed"}, "not a regular expression"),
        ({"action": "star"}, "the action is one of drop, label, notify"),
        ({"action": "label"}, "the action label needs a label"),
        ({"pattern": "x" * 501}, "at most 500 characters"),
        ({"scope": "feed:999"}, "no feed with id 999"),
        ({"scope": "nowhere"}, "the scope is all, a feed or a folder"),
    ]:
        refused = post(client, "/admin/rules", **rule_form(token, **fields))
        assert refused.status_code == 400, fields
        assert message in refused.text, (fields, refused.text[:2000])
        assert 'value="no ads"' in refused.text  # what was typed stays
    assert post(client, "/admin/rules", **rule_form("forged")).status_code == 403
    assert post(client, "/admin/rules/99/remove", csrf_token=token).status_code == 400
    assert post(client, "/admin/rules/99/explode", csrf_token=token).status_code == 404
    assert agg.rules() == []


def test_a_failing_rule_shows_why_and_can_be_enabled_again(site: Site, clock: Clock) -> None:
    agg, client = site
    add_items(agg, clock(), ParsedItem(guid="1", title="a" * 5000 + "!"))
    rule = agg.add_rule(
        RuleDraft(name="runaway", field="title", match="regex", pattern="(a|aa)+$", action="drop")
    )
    token = sign_in(client, agg)
    post(client, f"/admin/rules/{rule.id}/apply", csrf_token=token)
    page = client.get("/admin/rules").text
    assert "It failed and is now marked failing" in page
    assert "Failing since" in page and "took over" in page
    assert f'action="/admin/rules/{rule.id}/enable"' in page
    assert post(client, f"/admin/rules/{rule.id}/enable", csrf_token=token).status_code == 303
    assert agg.rule(rule.id).failing is None


def test_a_person_keeps_rules_of_their_own(site: Site, clock: Clock) -> None:
    agg, client = site
    fid = add_items(agg, clock(), ParsedItem(guid="1", title="Weather"))
    token = sign_in_reader(client, agg, "bea")
    bea = next(a.user for a in agg.users() if a.user.name == "bea")
    agg.store.add_subscription(bea.id, fid, now=clock(), folder="News")
    page = client.get("/read/settings")
    assert page.status_code == 200 and "No rules yet." in page.text
    assert '<option value="folder:News">' in page.text

    added = post(
        client,
        "/read/rules",
        **rule_form(token, name="wx", pattern="weather", action="read", scope="folder:News"),
    )
    assert added.status_code == 303 and added.headers["location"] == "/read/settings"
    (rule,) = agg.rules(bea.id)
    assert (rule.action, rule.folder, rule.user_id) == ("read", "News", bea.id)
    assert agg.rules() == []  # not the site's
    page = client.get("/read/settings").text
    assert "Added the rule wx" in page and f'action="/read/rules/{rule.id}/remove"' in page

    refused = post(client, "/read/rules", **rule_form(token, match="regex", pattern="a{2,1}"))
    assert refused.status_code == 400 and "not a regular expression" in refused.text
    refused = post(client, "/read/rules", **rule_form(token, scope="folder:Elsewhere"))
    assert refused.status_code == 400 and "no folder named" in refused.text

    applied = post(client, f"/read/rules/{rule.id}/apply", csrf_token=token)
    assert applied.status_code == 303
    assert "matched 1 of 1 stored items" in client.get("/read/settings").text
    (entry,) = agg.entries(bea.id, EntryQuery(status="all"))
    assert entry.read is True

    # another person cannot touch it
    other = sign_in_reader(client, agg, "cy")
    assert post(client, f"/read/rules/{rule.id}/remove", csrf_token=other).status_code == 400
    assert agg.rules(bea.id) == [agg.rule(rule.id, bea.id)]
