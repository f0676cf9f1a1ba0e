"""Editing a rule on the pages: the site's on /admin/rules and a person's on /read/settings, each
with a form pre-filled with the rule; a save clears a failing state, a bad pattern comes back as
a 400 with its message and what was typed, a form without its token is a 403, and a person's
rule is theirs alone (another's is a 404)."""

from __future__ import annotations

import html

import httpx
from starlette.testclient import TestClient

from tests.conftest import Clock
from tests.web.helpers import add_items, sign_in, sign_in_reader
from tidings.arrival import RuleDraft
from tidings.core import Aggregator
from tidings.types import ParsedItem

Site = tuple[Aggregator, TestClient]


def post(client: TestClient, path: str, **data: str) -> httpx.Response:
    response: httpx.Response = client.post(path, data=data, follow_redirects=False)
    return response


def edit_form(token: str, **fields: str) -> dict[str, str]:
    base = {
        "csrf_token": token,
        "name": "ads out",
        "field": "content",
        "match": "regex",
        "pattern": r"sponsor(ed)?",
        "action": "label",
        "label": "ads",
        "scope": "all",
    }
    return base | fields


def edit_section(page: str, rule_id: int) -> str:
    """The rule's edit form (its <details>), from the page."""
    start = page.index(f'id="edit-rule-{rule_id}"')
    return page[start : page.index("</details>", start)]


def test_the_admin_edits_a_site_rule(site: Site, clock: Clock) -> None:
    agg, client = site
    fid = add_items(agg, clock(), ParsedItem(guid="1", title="Sponsored"))
    token = sign_in(client, agg)
    draft = RuleDraft("no ads", "title", "regex", "(a+)+$", "drop", feed_id=fid)
    rule = agg.add_rule(draft)
    agg.store.rule_failed(rule.id, "took too long", clock())

    page = client.get("/admin/rules").text
    form = edit_section(page, rule.id)
    assert f'action="/admin/rules/{rule.id}/edit"' in form
    assert 'name="name" maxlength="100" required value="no ads"' in form
    assert '<option value="regex" selected>' in form
    assert f'<option value="feed:{fid}" selected>' in form
    assert 'value="(a+)+$"' in form and " open" not in form.split(">", 1)[0]
    assert f'href="#edit-rule-form-{rule.id}"' in page  # the browser opens its <details>

    saved = post(client, f"/admin/rules/{rule.id}/edit", **edit_form(token))
    assert saved.status_code == 303 and saved.headers["location"] == "/admin/rules"
    edited = agg.rule(rule.id)
    assert (edited.name, edited.field, edited.pattern, edited.action) == (
        "ads out",
        "content",
        "sponsor(ed)?",
        "label",
    )
    assert (edited.label, edited.feed_id, edited.failing, edited.failing_since) == (
        "ads",
        None,
        None,
        None,
    )
    assert "Saved the rule ads out" in client.get("/admin/rules").text
    assert len(agg.rules()) == 1  # rewritten, not added


def test_a_refused_edit_comes_back_with_what_was_typed(site: Site, clock: Clock) -> None:
    agg, client = site
    token = sign_in(client, agg)
    rule = agg.add_rule(RuleDraft("no ads", "title", "contains", "sponsored", "drop"))

    typed = edit_form(token, name="typed name", pattern="a{2,1}")
    refused = post(client, f"/admin/rules/{rule.id}/edit", **typed)
    assert refused.status_code == 400
    assert "Could not save the rule" in refused.text and "not a regular expression" in refused.text
    form = edit_section(refused.text, rule.id)
    assert form.startswith(f'id="edit-rule-{rule.id}" open')  # shown opened, as typed
    assert 'value="typed name"' in form and 'value="a{2,1}"' in form
    add = refused.text[refused.text.index('action="/admin/rules">') :]
    assert 'value="typed name"' not in add  # the form that adds one stays empty
    assert agg.rule(rule.id).pattern == "sponsored"

    assert post(client, f"/admin/rules/{rule.id}/edit", **edit_form("forged")).status_code == 403
    assert client.get(f"/admin/rules/{rule.id}/edit").status_code == 405
    assert post(client, "/admin/rules/999/edit", **edit_form(token)).status_code == 404
    unknown_feed = post(client, f"/admin/rules/{rule.id}/edit", **edit_form(token, scope="feed:77"))
    assert unknown_feed.status_code == 400
    assert agg.rule(rule.id).name == "no ads"

    sign_in_reader(client, agg, "bea")
    assert client.get("/admin/rules").status_code == 403


def test_a_person_edits_their_own_rule_and_no_one_else_s(site: Site, clock: Clock) -> None:
    agg, client = site
    fid = add_items(agg, clock(), ParsedItem(guid="1", title="Weather"))
    token = sign_in_reader(client, agg, "bea")
    bea = next(a.user for a in agg.users() if a.user.name == "bea")
    agg.store.add_subscription(bea.id, fid, now=clock(), folder="News")
    rule = agg.add_rule(
        RuleDraft("wx", "title", "contains", "weather", "read", folder="News"), bea.id
    )
    agg.store.rule_failed(rule.id, "took too long", clock())

    form = edit_section(client.get("/read/settings").text, rule.id)
    assert f'action="/read/rules/{rule.id}/edit"' in form
    assert '<option value="folder:News" selected>' in form
    assert '<option value="read" selected>' in form

    saved = post(
        client,
        f"/read/rules/{rule.id}/edit",
        **edit_form(token, name="storms", action="star", scope=f"feed:{fid}", pattern="storm"),
    )
    assert saved.status_code == 303 and saved.headers["location"] == "/read/settings"
    edited = agg.rule(rule.id, bea.id)
    assert (edited.name, edited.action, edited.feed_id, edited.folder, edited.failing) == (
        "storms",
        "star",
        fid,
        None,
        None,
    )
    assert "Saved the rule storms" in client.get("/read/settings").text

    refused = post(client, f"/read/rules/{rule.id}/edit", **edit_form(token, pattern="(", name="x"))
    assert refused.status_code == 400 and "Could not save the rule" in refused.text
    assert html.escape("not a regular expression") in refused.text
    assert 'value="("' in edit_section(refused.text, rule.id)
    assert post(client, f"/read/rules/{rule.id}/edit", **edit_form("forged")).status_code == 403

    # another person: a 404, as a rule that never was; nor is the site's rule theirs
    other = sign_in_reader(client, agg, "cy")
    assert post(client, f"/read/rules/{rule.id}/edit", **edit_form(other)).status_code == 404
    site_rule = agg.add_rule(RuleDraft("no ads", "title", "contains", "ad", "drop"))
    assert post(client, f"/read/rules/{site_rule.id}/edit", **edit_form(other)).status_code == 404
    assert f"edit-rule-{rule.id}" not in client.get("/read/settings").text
    assert agg.rule(rule.id, bea.id).name == "storms"
    assert agg.rule(site_rule.id).name == "no ads"
