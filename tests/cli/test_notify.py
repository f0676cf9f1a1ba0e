"""tidings notify: add, list, test, disable, enable and remove targets, the site's and a
person's, against a webhook receiver on loopback (in a thread: the command runs its own loop)."""

from __future__ import annotations

import pytest

from tests.cli.conftest import Invoke
from tests.notifying.receiver import Hook, hook_fixture  # noqa: F401  (the fixture)


def test_a_site_target_is_added_listed_tested_and_removed(cli: Invoke, hook: Hook) -> None:
    assert "the site has no notification targets" in cli("notify", "list").stderr
    added = cli("notify", "add", hook.url.replace("json://", "json://ops:s3cret@"), "--name", "ops")
    assert added.exit_code == 0, added.output
    assert added.stdout.startswith("added notification target 1 of the site: ops (json://ops:****@")
    (line,) = cli("notify", "list").stdout.splitlines()
    fields = line.split("\t")
    assert fields[:5] == ["1", "ops", hook.url.replace("json://", "json://ops:****@"), "on", "0"]
    assert "s3cret" not in line
    tested = cli("notify", "test", "1")
    assert tested.exit_code == 0, tested.output
    assert tested.stdout == "delivered to ops\n"
    assert [m["title"] for m in hook.received] == ["tidings: a test message"]
    assert cli("notify", "disable", "1").stdout == "notification target 1 is off\n"
    assert cli("notify", "list").stdout.split("\t")[3] == "off"
    assert cli("notify", "enable", "1").stdout == "notification target 1 is on\n"
    assert cli("notify", "remove", "1").stdout == "removed notification target 1: ops\n"
    missing = cli("notify", "remove", "1")
    assert missing.exit_code == 1 and missing.stderr == "error: no notification target 1\n"


def test_a_failed_test_says_why_and_exits_1(cli: Invoke, hook: Hook) -> None:
    hook.status = 500
    assert cli("notify", "add", hook.url).exit_code == 0
    tested = cli("notify", "test", "1")
    assert tested.exit_code == 1
    assert tested.stderr.startswith("error: not delivered to JSON (127.0.0.1): ")
    assert "500" in tested.stderr
    assert "failing (1)" in cli("notify", "list").stdout


def test_a_persons_targets_are_theirs_alone(cli: Invoke, hook: Hook) -> None:
    assert cli("user", "add", "bob", "--password-stdin", input="battery staple\n").exit_code == 0
    added = cli("notify", "add", hook.url, "--user", "bob", "--digest")
    assert added.exit_code == 0 and "target 1 of bob" in added.stdout
    assert cli("notify", "list").stdout == ""
    assert cli("notify", "list", "--user", "bob").stdout.split("\t")[3] == "on, digest"
    assert cli("notify", "remove", "1").exit_code == 1  # not the site's
    nobody = cli("notify", "list", "--user", "eve")
    assert nobody.exit_code == 1 and nobody.stderr == "error: no user named 'eve'\n"


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("bogus://x", "error: unknown notification service bogus:// (Apprise has none)\n"),
        ("json://10.0.0.1/hook", "error: refused address for 10.0.0.1: "),
        ("json://", "error: malformed json:// URL: "),
    ],
)
def test_a_bad_target_is_refused_with_the_reason(cli: Invoke, url: str, says: str) -> None:
    refused = cli("notify", "add", url)
    assert refused.exit_code == 1
    assert refused.stderr.startswith(says)
