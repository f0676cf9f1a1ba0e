from __future__ import annotations

import socket
from ipaddress import ip_network

import pytest

from tidings.errors import BlockedAddressError
from tidings.fetch import AddressPolicy, GuardedResolver

from .conftest import StubResolver

TABLE = {
    "public.test": ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"],
    "mixed.test": ["10.0.0.1", "93.184.216.34", "127.0.0.1"],
    "private.test": ["10.0.0.1", "::1", "169.254.169.254"],
    "mapped.test": ["::ffff:127.0.0.1"],
}


async def resolve(policy: AddressPolicy, host: str, port: int = 80) -> list[str]:
    resolver = GuardedResolver(policy, StubResolver(TABLE))
    return [r["host"] for r in await resolver.resolve(host, port, socket.AF_UNSPEC)]


async def test_public_answers_pass() -> None:
    assert await resolve(AddressPolicy(), "public.test") == TABLE["public.test"]


async def test_private_answers_are_dropped_from_a_mixed_name() -> None:
    assert await resolve(AddressPolicy(), "mixed.test") == ["93.184.216.34"]


@pytest.mark.parametrize("host", ["private.test", "mapped.test"])
async def test_a_name_with_only_private_answers_is_refused(host: str) -> None:
    with pytest.raises(BlockedAddressError) as info:
        await resolve(AddressPolicy(), host)
    assert host in str(info.value)
    assert "private/loopback address not allowed" in str(info.value)


async def test_allowed_networks_and_origins_apply_to_answers() -> None:
    policy = AddressPolicy(allowed_networks=[ip_network("10.0.0.0/8")])
    assert await resolve(policy, "private.test") == ["10.0.0.1"]
    origin = AddressPolicy(allowed_origins=[("127.0.0.1", 8080)])
    assert await resolve(origin, "mixed.test", 8080) == ["93.184.216.34", "127.0.0.1"]
    assert await resolve(origin, "mixed.test", 8081) == ["93.184.216.34"]


async def test_dns_failures_pass_through_as_oserror() -> None:
    with pytest.raises(OSError, match="not known"):
        await resolve(AddressPolicy(), "unknown.test")


async def test_an_injected_resolver_is_not_closed() -> None:
    closed = False

    class Tracking(StubResolver):
        async def close(self) -> None:
            nonlocal closed
            closed = True

    await GuardedResolver(AddressPolicy(), Tracking({})).close()
    assert not closed
