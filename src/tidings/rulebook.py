"""The rules of the facade: the site's (the admin's, ``user_id`` None) and each person's, what
the command line and the pages call (``docs/arrival.md``, "Rules").

``Rulebook`` is a part of ``core.Aggregator``. A rule is checked when it is written (a bad
regular expression is a RuleError, which the pages show as a message); the update runs the
rules on new items (``update.rulestep``); running one over the items already stored is asked
for explicitly (``apply_rule``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from tidings.arrival import Rule, RuleDraft, RuleRun
from tidings.errors import NotFoundError
from tidings.i18n import gettext as _
from tidings.store.store import Store
from tidings.update.rules import RuleError, check_draft
from tidings.update.rulestep import RuleStep, run_over_stored

if TYPE_CHECKING:
    from tidings.update.pipeline import Pipeline


class Rulebook:
    """Rules over the store's ``rules`` room; every method takes the owner (None: the site)."""

    store: Store
    clock: Callable[[], datetime]
    _rule_steps: list[RuleStep] | None = None

    def _rules_changed(self) -> None:
        """This process's updates see a change at once (others within seconds)."""
        for step in self._rule_steps or ():
            step.expire()

    def rule_step(self, pipeline: Pipeline) -> RuleStep:
        """The step that runs the rules on the pipeline's new items, on its store threads."""
        step = RuleStep(self.store, run=pipeline.db, read=pipeline.read, clock=self.clock)
        self._rule_steps = [*(self._rule_steps or ()), step][-4:]
        return step

    def rules(self, user_id: int | None = None) -> list[Rule]:
        """The site's rules (``user_id`` None) or a person's, oldest first."""
        return self.store.rules_of(user_id)

    def rule(self, rule_id: int, user_id: int | None = None) -> Rule:
        """The owner's rule ``rule_id``; another's is NotFoundError, as one that never was."""
        rule = self.store.rule(rule_id)
        if rule.user_id != user_id:
            raise NotFoundError(_("no rule with id %(rule_id)s") % {"rule_id": rule_id})
        return rule

    def _checked(self, draft: RuleDraft, user_id: int | None) -> RuleDraft:
        draft = check_draft(draft, site=user_id is None)
        if draft.feed_id is not None:
            if user_id is None:
                self.store.get_feed(draft.feed_id)  # NotFoundError names it
            elif not self.store.rule_followers(draft.feed_id, [user_id]):
                raise RuleError(
                    _("you do not follow a feed with id %(feed_id)s") % {"feed_id": draft.feed_id}
                )
        if draft.folder is not None and user_id is not None:
            folders = {f or "" for f in self.store.folders(user_id)}
            if draft.folder not in folders:
                raise RuleError(_("you have no folder named %(folder)r") % {"folder": draft.folder})
        return draft

    def add_rule(self, draft: RuleDraft, user_id: int | None = None) -> Rule:
        """Keep a new rule for the site (``user_id`` None) or a person; it runs on the items
        that arrive from now on."""
        rule = self.store.add_rule(user_id, self._checked(draft, user_id), self.clock())
        self._rules_changed()
        return rule

    def edit_rule(self, rule_id: int, draft: RuleDraft, user_id: int | None = None) -> Rule:
        """Rewrite a rule (a failing one runs again)."""
        self.rule(rule_id, user_id)
        rule = self.store.edit_rule(rule_id, self._checked(draft, user_id))
        self._rules_changed()
        return rule

    def enable_rule(self, rule_id: int, enabled: bool = True, user_id: int | None = None) -> Rule:
        """Enable a rule (a failing one: again, its failure forgotten) or disable it."""
        self.rule(rule_id, user_id)
        rule = self.store.enable_rule(rule_id, enabled)
        self._rules_changed()
        return rule

    def remove_rule(self, rule_id: int, user_id: int | None = None) -> Rule:
        rule = self.rule(rule_id, user_id)
        self.store.remove_rule(rule_id)
        self._rules_changed()
        return rule

    def apply_rule(self, rule_id: int, user_id: int | None = None) -> RuleRun:
        """Run a rule over the items already stored in its scope, a page at a time: how many
        were looked at and how many it acted on. Notifications are for items as they arrive:
        a notify rule is refused here. A failing or disabled rule runs too (it was asked for)."""
        rule = self.rule(rule_id, user_id)
        if rule.action == "notify":
            raise RuleError(_("a notify rule runs on new items only: nothing is sent for old ones"))
        return run_over_stored(self.store, replace(rule, failing=None), self.clock())

    def rule_labels(self, user_id: int) -> list[str]:
        """The labels a person sees on items (theirs and the site's), by name."""
        return self.store.label_names(user_id)
