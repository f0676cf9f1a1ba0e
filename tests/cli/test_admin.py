"""tidings user: add, list, passwd and remove."""

from __future__ import annotations

from tests.cli.conftest import Invoke


def test_user_list_passwd_and_remove(cli: Invoke) -> None:
    assert cli("user", "list").stderr == "no users yet; add one with 'tidings user add NAME'\n"
    assert cli("user", "add", "ada", "--password-stdin", input="correct horse\n").exit_code == 0
    assert cli("user", "add", "bob", input="battery staple\nbattery staple\n").exit_code == 0
    listed = cli("user", "list").stdout.splitlines()  # piped: name, created, open sessions
    assert [line.split("\t")[0] for line in listed] == ["ada", "bob"]
    assert all(line.endswith("\t0") for line in listed)

    changed = cli("user", "passwd", "ada", "--password-stdin", input="a new password\n")
    assert changed.exit_code == 0, changed.stderr
    assert changed.stdout == "changed the password of ada; their sessions ended\n"
    asked = cli("user", "passwd", "bob", input="another one\nanother one\n")
    assert asked.exit_code == 0 and "changed the password of bob" in asked.stdout
    short = cli("user", "passwd", "ada", "--password-stdin", input="short\n")
    assert short.exit_code == 1 and short.stderr.startswith("error: a password needs at least")

    removed = cli("user", "remove", "bob")
    assert removed.exit_code == 0 and removed.stdout == "removed user bob; their sessions ended\n"
    assert [line.split("\t")[0] for line in cli("user", "list").stdout.splitlines()] == ["ada"]


def test_unknown_users_are_an_error(cli: Invoke) -> None:
    assert cli("user", "add", "ada", "--password-stdin", input="correct horse\n").exit_code == 0
    for args in (["remove", "nobody"], ["passwd", "nobody", "--password-stdin"]):
        result = cli("user", *args, input="whatever you say\n")
        assert result.exit_code == 1, args
        assert result.stderr == "error: no user named 'nobody'\n", args
