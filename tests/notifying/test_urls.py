"""Apprise URLs: what is refused when a target is added, and what the pages show of one."""

from __future__ import annotations

from ipaddress import ip_network
from typing import TYPE_CHECKING, Any, ClassVar, cast

import pytest

from tidings.fetch.guard import AddressPolicy
from tidings.notifying.urls import TargetURLError, check_hosts, plugin_of, redacted

if TYPE_CHECKING:
    from apprise.plugins.base import NotifyBase

PUBLIC_ONLY = AddressPolicy()


@pytest.mark.parametrize(
    "url",
    [
        "json://127.0.0.1:8080/hook",
        "json://localhost/hook",
        "gotify://10.1.2.3/AbCdEf123",
        "ntfy://[::1]/topic",
        "mailto://u:p@example.org?smtp=192.168.1.5",
        "matrix://u:p@169.254.169.254/#room",
    ],
)
def test_a_private_or_loopback_host_is_refused(url: str) -> None:
    with pytest.raises(TargetURLError, match="refused address"):
        check_hosts(plugin_of(url), PUBLIC_ONLY, unresolved_ok=True)


def test_the_allowed_networks_open_the_policy() -> None:
    allowed = AddressPolicy(allowed_networks=[ip_network("10.0.0.0/8")])
    check_hosts(plugin_of("gotify://10.1.2.3/AbCdEf123"), allowed, unresolved_ok=False)


def test_public_hosts_and_account_ids_pass() -> None:
    check_hosts(plugin_of("json://93.184.215.14/hook"), PUBLIC_ONLY, unresolved_ok=False)
    # Discord's "host" is a webhook id, not a machine: nothing to resolve
    check_hosts(plugin_of("discord://127/abc"), PUBLIC_ONLY, unresolved_ok=False)


def test_a_name_that_does_not_resolve_passes_only_when_added() -> None:
    plugin = plugin_of("ntfy://no-such-host.invalid/topic")
    check_hosts(plugin, PUBLIC_ONLY, unresolved_ok=True)
    with pytest.raises(TargetURLError, match="does not resolve"):
        check_hosts(plugin, PUBLIC_ONLY, unresolved_ok=False)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("json://user:s3cret@example.org/hook", "json://user:****@example.org/hook"),
        ("ntfy://ntfy.sh/alerts", "ntfy://ntfy.sh/alerts"),
        ("gotify://gotify.example.org/AbCdEfGh12345", "gotify://gotify.example.org/A...5/"),
        (
            "json://example.org/hook?+Authorization=Bearer%20xyz&method=PUT",
            "json://example.org/hook?method=PUT&%2BAuthorization=****",
        ),
        ("bogus://user:pw@x", "bogus://****"),
    ],
)
def test_secrets_are_never_shown_back(url: str, shown: str) -> None:
    assert redacted(url) == shown


class OddHost:
    """A plugin naming a host that IDNA cannot encode (a label over 63 characters)."""

    template_tokens: ClassVar[dict[str, Any]] = {"host": {"type": "string"}}
    host = "a" * 70 + ".example.org"
    port = None
    secure = True


def test_a_host_that_cannot_be_encoded_is_a_clear_refusal() -> None:
    plugin = cast("NotifyBase", OddHost())
    check_hosts(plugin, PUBLIC_ONLY, unresolved_ok=True)
    with pytest.raises(TargetURLError, match="does not resolve"):
        check_hosts(plugin, PUBLIC_ONLY, unresolved_ok=False)
