"""tidings user: add (a reader, or --admin), role, list, passwd and remove."""

from __future__ import annotations

from tests.cli.conftest import Invoke


def names_and_roles(cli: Invoke) -> list[tuple[str, str]]:
    listed = cli("user", "list")  # piped: name, role, created, open sessions
    assert listed.exit_code == 0, listed.output
    return [(line.split("\t")[0], line.split("\t")[1]) for line in listed.stdout.splitlines()]


def test_user_list_passwd_and_remove(cli: Invoke) -> None:
    assert (
        cli("user", "list").stderr == "no users yet; add one with 'tidings user add NAME --admin'\n"
    )
    added = cli("user", "add", "ada", "--admin", "--password-stdin", input="correct horse\n")
    assert added.exit_code == 0, added.output
    assert added.stdout == "created user ada, an admin; sign in at /signin\n"
    assert cli("user", "add", "bob", input="battery staple\nbattery staple\n").exit_code == 0
    listed = cli("user", "list").stdout.splitlines()
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


def test_a_new_user_is_a_reader_unless_added_as_an_admin(cli: Invoke) -> None:
    added = cli("user", "add", "bob", "--password-stdin", input="battery staple\n")
    assert added.exit_code == 0, added.output
    assert added.stdout == "created user bob, a reader; sign in at /signin\n"
    assert cli("user", "add", "ada", "--admin", "--password-stdin", input="short\n").exit_code == 1
    added = cli("user", "add", "ada", "--admin", "--password-stdin", input="correct horse\n")
    assert added.exit_code == 0, added.output
    assert names_and_roles(cli) == [("ada", "admin"), ("bob", "reader")]


def test_roles_change_both_ways(cli: Invoke) -> None:
    cli("user", "add", "ada", "--admin", "--password-stdin", input="correct horse\n")
    cli("user", "add", "bob", "--password-stdin", input="battery staple\n")

    promoted = cli("user", "role", "bob", "admin")
    assert promoted.exit_code == 0, promoted.output
    assert promoted.stdout == "bob is now an admin\n"
    demoted = cli("user", "role", "ada", "reader")
    assert demoted.exit_code == 0, demoted.output
    assert demoted.stdout == "ada is now a reader\n"
    assert names_and_roles(cli) == [("ada", "reader"), ("bob", "admin")]

    wrong = cli("user", "role", "bob", "owner")
    assert (wrong.exit_code, wrong.stderr) == (1, "error: a role is admin or reader, not 'owner'\n")
    nobody = cli("user", "role", "nobody", "admin")
    assert nobody.exit_code == 1 and nobody.stderr.count("\n") == 1
    assert nobody.stderr.startswith("error: no user named")
    assert names_and_roles(cli) == [("ada", "reader"), ("bob", "admin")]


def test_unknown_users_are_an_error(cli: Invoke) -> None:
    assert cli("user", "add", "ada", "--password-stdin", input="correct horse\n").exit_code == 0
    for args in (["remove", "nobody"], ["passwd", "nobody", "--password-stdin"]):
        result = cli("user", *args, input="whatever you say\n")
        assert result.exit_code == 1, args
        assert result.stderr == "error: no user named 'nobody'\n", args
