"""tidings user api-password (asked twice, --password-stdin, --remove) and user api-key (the
secret printed once, alone on standard output), checked against what apps sign in with."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.cli.conftest import Invoke
from tests.cli.helpers import environment, run_tidings
from tidings.config import Settings
from tidings.core import Aggregator, make_aggregator


@contextmanager
def opened(data: Path) -> Iterator[Aggregator]:
    """The aggregator over the data folder the commands used."""
    agg = make_aggregator(Settings.load(environment(data)))
    try:
        yield agg
    finally:
        agg.close()


def test_set_asked_twice_from_stdin_and_removed(cli: Invoke, tmp_path: Path) -> None:
    assert cli("user", "add", "ada", "--password-stdin", input="correct horse\n").exit_code == 0
    asked = cli("user", "api-password", "ada", input="apps only 1\napps only 1\n")
    assert asked.exit_code == 0, asked.output
    assert asked.stdout.endswith("set the API password of ada; apps sign in with it as ada\n")
    assert "API password" in asked.stdout  # the prompt names it
    with opened(tmp_path / "data") as agg:
        assert agg.api_sign_in("ada", "apps only 1") is not None
        assert agg.api_sign_in("ada", "correct horse") is None
        assert agg.sign_in("ada", "correct horse") is not None  # the sign-in password stays

    piped = cli("user", "api-password", "ada", "--password-stdin", input="apps only 2\n")
    assert piped.exit_code == 0, piped.output
    assert piped.stdout == "set the API password of ada; apps sign in with it as ada\n"
    with opened(tmp_path / "data") as agg:
        assert agg.api_sign_in("ada", "apps only 1") is None
        assert agg.api_sign_in("ada", "apps only 2") is not None

    removed = cli("user", "api-password", "ada", "--remove")
    assert removed.exit_code == 0, removed.output
    assert removed.stdout == "removed the API password of ada; apps can no longer sign in\n"
    with opened(tmp_path / "data") as agg:
        assert not agg.has_api_password(agg.users()[0].user.id)
        assert agg.api_sign_in("ada", "apps only 2") is None


def test_refused_passwords_and_names(cli: Invoke, tmp_path: Path) -> None:
    assert cli("user", "add", "ada", "--password-stdin", input="correct horse\n").exit_code == 0
    short = cli("user", "api-password", "ada", "--password-stdin", input="short\n")
    assert (short.exit_code, short.stderr) == (
        1,
        "error: a password needs at least 8 characters\n",
    )
    differ = cli("user", "api-password", "ada", input="apps only 1\napps only 2\n")
    assert differ.exit_code != 0  # the prompt asks again, then input runs out
    both = cli("user", "api-password", "ada", "--remove", "--password-stdin", input="x\n")
    assert (both.exit_code, both.stderr) == (1, "error: --remove reads no password\n")
    for args in (["nobody", "--password-stdin"], ["nobody", "--remove"]):
        nobody = cli("user", "api-password", *args, input="apps only 1\n")
        assert (nobody.exit_code, nobody.stderr) == (1, "error: no user named 'nobody'\n"), args
    nobody = cli("user", "api-key", "nobody", "--description", "Unread")
    assert (nobody.exit_code, nobody.stderr) == (1, "error: no user named 'nobody'\n")
    with opened(tmp_path / "data") as agg:
        assert not agg.has_api_password(agg.users()[0].user.id)


def test_an_api_key_is_printed_once_alone_on_stdout(cli: Invoke, tmp_path: Path) -> None:
    assert cli("user", "add", "ada", "--password-stdin", input="correct horse\n").exit_code == 0
    made = cli("user", "api-key", "ada", "--description", "  Unread  on my phone ")
    assert made.exit_code == 0, made.output
    secret = made.stdout.strip()
    assert made.stdout == secret + "\n" and len(secret) >= 32 and " " not in secret
    assert made.stderr == (
        "API key 1 of ada (Unread on my phone); copy it now, it is not shown again:\n"
    )
    with opened(tmp_path / "data") as agg:
        ada = agg.user_for_api_key(secret)
        assert ada is not None and ada.name == "ada"
        (key,) = agg.api_keys(ada.id)
        assert key.description == "Unread on my phone"
    other = cli("user", "api-key", "ada", "--description", "newsboat")
    assert other.exit_code == 0 and other.stdout.strip() != secret
    blank = cli("user", "api-key", "ada", "--description", "  ")
    assert (blank.exit_code, blank.stderr) == (
        1,
        "error: describe the key in 1 to 200 characters\n",
    )
    assert cli("user", "api-key", "ada").exit_code == 2  # --description is required


def test_in_a_real_process(tmp_path: Path) -> None:
    """The commands as a script runs them: the password piped in, the key read from stdout."""
    data = tmp_path / "data"
    assert (
        run_tidings(
            data, "user", "add", "bob", "--password-stdin", stdin="battery staple\n"
        ).returncode
        == 0
    )
    done = run_tidings(
        data, "user", "api-password", "bob", "--password-stdin", stdin="apps only 1\n"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "set the API password of bob; apps sign in with it as bob\n"
    key = run_tidings(data, "user", "api-key", "bob", "--description", "newsboat")
    assert key.returncode == 0, key.stderr
    with opened(data) as agg:
        bob = agg.api_sign_in("bob", "apps only 1")
        assert bob is not None and agg.user_for_api_key(key.stdout.strip()) == bob
