"""Rules on the command line: ``tidings rules add|list|remove|enable|apply``, the site's by
default (the admin's), a person's with ``--user NAME``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from tidings.cli.common import Sections, app, err, fail, iso, opened, print_json
from tidings.cli.tables import Cell, Col, show
from tidings.i18n import N_
from tidings.i18n import gettext as _

if TYPE_CHECKING:
    from tidings.arrival import Rule
    from tidings.core import Aggregator

rules_app = typer.Typer(
    no_args_is_help=True,
    help="Rules run on each new item: the site's, or a person's with --user NAME.",
    cls=Sections,
    rich_markup_mode=None,
)
app.add_typer(rules_app, name="rules")

RULE_COLUMNS = (
    Col(N_("id"), right=True),
    Col(N_("name")),
    Col(N_("condition")),
    Col(N_("scope")),
    Col(N_("action")),
    Col(N_("hits"), right=True),
    Col(N_("state")),
)


User = Annotated[
    str | None,
    typer.Option("--user", metavar="NAME", help="A person's rules (else the site's)."),
]


def owner(agg: Aggregator, name: str | None) -> int | None:
    """The person named by ``--user NAME``; None (the site's rules) without it."""
    if name is None or not name.strip():
        return None
    wanted = name.strip()
    for account in agg.users():
        if account.user.name == wanted:
            return account.user.id
    raise fail(_('no user named "%(name)s"') % {"name": wanted})


def condition(rule: Rule) -> str:
    if rule.match == "regex":
        text = (
            _("%(field)s not matches %(pattern)r")
            if rule.negate
            else _("%(field)s matches %(pattern)r")
        )
    else:
        text = (
            _("%(field)s not contains %(pattern)r")
            if rule.negate
            else _("%(field)s contains %(pattern)r")
        )
    return text % {"field": rule.field, "pattern": rule.pattern}


def scope(rule: Rule) -> str:
    if rule.feed_id is not None:
        return _("feed %(id)s") % {"id": rule.feed_id}
    if rule.folder is not None:
        return _("folder %(name)s") % {"name": rule.folder}
    return _("all")


def state(rule: Rule) -> str:
    if rule.failing:
        return _("failing: %(error)s") % {"error": rule.failing}
    return _("enabled") if rule.enabled else _("disabled")


def rule_row(rule: Rule) -> list[Cell]:
    action = _("label %(label)s") % {"label": rule.label} if rule.action == "label" else rule.action
    return [rule.id, rule.name, condition(rule), scope(rule), action, rule.hits, state(rule)]


def rule_json(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "user_id": rule.user_id,
        "name": rule.name,
        "field": rule.field,
        "match": rule.match,
        "negate": rule.negate,
        "pattern": rule.pattern,
        "feed_id": rule.feed_id,
        "folder": rule.folder,
        "action": rule.action,
        "label": rule.label,
        "enabled": rule.enabled,
        "failing": rule.failing,
        "failing_since": iso(rule.failing_since),
        "hits": rule.hits,
        "last_hit_at": iso(rule.last_hit_at),
        "created_at": iso(rule.created_at),
    }


@rules_app.command("add")
def add(
    name: str,
    pattern: Annotated[str, typer.Argument(help="Text to find, or a regular expression.")],
    action: Annotated[
        str, typer.Option(help="read, star, drop, label or notify (the site: drop, label, notify).")
    ],
    field: Annotated[
        str, typer.Option(help="title, content, author, link, category or any.")
    ] = "any",
    regex: Annotated[
        bool, typer.Option("--regex", help="PATTERN is a regular expression.")
    ] = False,
    negate: Annotated[bool, typer.Option("--not", help="Act when it does NOT match.")] = False,
    feed: Annotated[int | None, typer.Option(metavar="ID", help="Only this feed's items.")] = None,
    folder: Annotated[
        str | None, typer.Option(metavar="NAME", help="Only the items of this folder's feeds.")
    ] = None,
    label: Annotated[str | None, typer.Option(help="The label (action label).")] = None,
    user: User = None,
) -> None:
    """Add a rule; it runs on the items that arrive from now on ('apply' runs it on the rest)."""
    from tidings.arrival import RuleDraft

    draft = RuleDraft(
        name=name,
        field=field,
        match="regex" if regex else "contains",
        pattern=pattern,
        action=action,
        negate=negate,
        feed_id=feed,
        folder=folder,
        label=label,
    )
    with opened() as agg:
        rule = agg.add_rule(draft, owner(agg, user))
    show(RULE_COLUMNS, [rule_row(rule)])


@rules_app.command("list")
def list_rules(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    user: User = None,
) -> None:
    """The rules, oldest first, with their hits and whether they are failing."""
    with opened() as agg:
        rules = agg.rules(owner(agg, user))
    if as_json:
        print_json([rule_json(r) for r in rules])
        return
    if not rules:
        err.print(_("no rules yet; add one with 'tidings rules add'"), highlight=False)
        return
    show(RULE_COLUMNS, [rule_row(r) for r in rules])


@rules_app.command("remove")
def remove(rule_id: Annotated[int, typer.Argument(metavar="ID")], user: User = None) -> None:
    """Remove a rule (what it did to items stays)."""
    with opened() as agg:
        rule = agg.remove_rule(rule_id, owner(agg, user))
    print(_("removed %(id)s\t%(title)s") % {"id": rule.id, "title": rule.name})


@rules_app.command("enable")
def enable(
    rule_id: Annotated[int, typer.Argument(metavar="ID")],
    off: Annotated[bool, typer.Option("--off", help="Disable it instead.")] = False,
    user: User = None,
) -> None:
    """Enable a rule (a failing one runs again) or, with --off, disable it."""
    with opened() as agg:
        rule = agg.enable_rule(rule_id, not off, owner(agg, user))
    show(RULE_COLUMNS, [rule_row(rule)])


@rules_app.command("apply")
def apply(rule_id: Annotated[int, typer.Argument(metavar="ID")], user: User = None) -> None:
    """Run a rule over the items already stored in its scope: how many it matched."""
    with opened() as agg:
        run = agg.apply_rule(rule_id, owner(agg, user))
    print(
        _("rule %(id)s: %(matched)d of %(checked)d items matched")
        % {"id": run.rule_id, "matched": run.matched, "checked": run.checked}
    )
    if run.failing:
        raise fail(
            _("the rule failed and is now marked failing: %(error)s") % {"error": run.failing}
        )
