from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address, ip_network

import pytest

from tidings.errors import BlockedAddressError
from tidings.fetch.guard import AddressPolicy, blocked_reason, literal_ip

LITERALS = [
    # inet_aton spellings (tt-rss #409, hostile case N05)
    ("127.0.0.1", "127.0.0.1"),
    ("2130706433", "127.0.0.1"),
    ("0x7f000001", "127.0.0.1"),
    ("0X7F000001", "127.0.0.1"),
    ("0x7f.1", "127.0.0.1"),
    ("0177.0.0.1", "127.0.0.1"),
    ("0177.0.0.01", "127.0.0.1"),
    ("017700000001", "127.0.0.1"),
    ("127.1", "127.0.0.1"),
    ("127.0.1", "127.0.0.1"),
    ("0", "0.0.0.0"),
    ("127.0.0.1.", "127.0.0.1"),
    ("1.16777215", "1.255.255.255"),
    ("1.2.65535", "1.2.255.255"),
    ("4294967295", "255.255.255.255"),
    ("169.254.169.254", "169.254.169.254"),
    # IPv6, bracketed or not, with zones
    ("::1", "::1"),
    ("[::1]", "::1"),
    ("[::ffff:127.0.0.1]", "::ffff:7f00:1"),
    ("::ffff:7f00:1", "::ffff:7f00:1"),
    ("fe80::1%eth0", "fe80::1%eth0"),
    ("fe80::1%25eth0", "fe80::1%eth0"),
    # not IP literals: names, or spellings inet_aton refuses
    ("localhost", None),
    ("example.com", None),
    ("127.0.0.1.nip.io", None),
    ("", None),
    ("0x", None),
    ("08.0.0.1", None),
    ("1.2.3.4.5", None),
    ("1..2", None),
    ("256.0.0.1", None),
    ("0x100.1", None),
    ("1.16777216", None),
    ("4294967296", None),
    ("1.2.3.-4", None),
    ("0x_7f.1", None),
    ("١٢٧.0.0.1", None),
    ("::ffff:0x7f.1", None),
    ("fe80::1%", None),
    ("[::1", None),
]


@pytest.mark.parametrize(("host", "expected"), LITERALS)
def test_literal_ip(host: str, expected: str | None) -> None:
    ip = literal_ip(host)
    assert (None if ip is None else str(ip)) == expected


BLOCKED = [
    # N01 / N02: loopback and unspecified
    ("127.0.0.1", "loopback"),
    ("127.0.0.2", "loopback"),
    ("2130706433", "loopback"),
    ("0x7f.1", "loopback"),
    ("0177.0.0.1", "loopback"),
    ("::1", "loopback"),
    ("0.0.0.0", "unspecified"),
    ("0", "unspecified"),
    ("::", "unspecified"),
    # N03: cloud metadata
    ("169.254.169.254", "link-local"),
    ("fd00:ec2::254", "unique local"),
    # N04: private and reserved
    ("10.0.0.1", "private"),
    ("172.16.0.1", "private"),
    ("172.31.255.255", "private"),
    ("192.168.1.1", "private"),
    ("100.64.0.1", "shared"),
    ("100.127.255.255", "shared"),
    ("fc00::1", "unique local"),
    ("fe80::1%eth0", "link-local"),
    ("224.0.0.1", "multicast"),
    ("239.255.255.250", "multicast"),
    ("ff02::1", "multicast"),
    ("255.255.255.255", "broadcast"),
    ("240.0.0.1", "reserved"),
    ("192.0.2.1", "documentation"),
    ("198.51.100.7", "documentation"),
    ("203.0.113.9", "documentation"),
    ("198.18.0.1", "benchmarking"),
    ("192.0.0.8", "reserved"),
    ("2001:db8::1", "documentation"),
    ("fec0::1", "site-local"),
    ("100::1", "discard"),
    ("2001::1", "Teredo"),
    ("4000::1", "reserved"),
    # N06: IPv4 embedded in IPv6
    ("::ffff:127.0.0.1", "embedding 127.0.0.1"),
    ("[::ffff:7f00:1]", "embedding 127.0.0.1"),
    ("::ffff:169.254.169.254", "embedding 169.254.169.254"),
    ("::ffff:10.0.0.1", "embedding 10.0.0.1"),
    ("64:ff9b::7f00:1", "embedding 127.0.0.1"),
    ("64:ff9b::a00:1", "embedding 10.0.0.1"),
    ("2002:7f00:1::1", "embedding 127.0.0.1"),
    ("2002:c0a8:101::1", "embedding 192.168.1.1"),
    ("::7f00:1", "IPv4-compatible"),
    ("::8.8.8.8", "IPv4-compatible"),
    ("64:ff9b:1::1", "NAT64"),
]


@pytest.mark.parametrize(("ip", "reason"), BLOCKED)
def test_blocked_addresses_are_refused_with_a_reason(ip: str, reason: str) -> None:
    with pytest.raises(BlockedAddressError) as info:
        AddressPolicy().check(ip, 80)
    message = str(info.value)
    assert reason in message
    shown = str(literal_ip(ip)).split("%")[0]  # the zone is not part of the address judged
    assert message.startswith(f"private/loopback address not allowed: {shown} port 80, ")
    assert message.endswith("(add it to TIDINGS_ALLOWED_NETWORKS to allow it)")
    assert info.value.permanent
    assert info.value.kind == "blocked"


PUBLIC = [
    "93.184.216.34",
    "8.8.8.8",
    "1.1.1.1",
    "100.128.0.1",  # just past the shared range
    "172.32.0.1",  # just past 172.16/12
    "2606:4700:4700::1111",
    "2a00:1450:4001:80b::200e",
    "::ffff:8.8.8.8",
    "64:ff9b::808:808",
    "2002:808:808::1",
]


@pytest.mark.parametrize("ip", PUBLIC)
def test_public_addresses_pass(ip: str) -> None:
    AddressPolicy().check(ip, 443)
    assert blocked_reason(literal_ip(ip) or IPv4Address(0)) is None


def test_an_unparseable_address_is_refused() -> None:
    with pytest.raises(BlockedAddressError, match="not an IP address"):
        AddressPolicy().check("localhost", 80)


ALLOWED_NETWORKS = [
    ("127.0.0.1", ["127.0.0.0/8"]),
    ("2130706433", ["127.0.0.0/8"]),
    ("::ffff:127.0.0.1", ["127.0.0.0/8"]),  # a mapped address is dialled as its IPv4
    ("10.1.2.3", ["10.0.0.0/8"]),
    ("fd12::1", ["fd00::/8"]),
    ("::1", ["::1/128"]),
]


@pytest.mark.parametrize(("ip", "networks"), ALLOWED_NETWORKS)
def test_allowed_networks_open_private_ranges(ip: str, networks: list[str]) -> None:
    AddressPolicy(allowed_networks=[ip_network(n) for n in networks]).check(ip, 80)


@pytest.mark.parametrize(
    ("ip", "networks"),
    [
        ("127.0.0.1", ["10.0.0.0/8"]),
        ("::1", ["127.0.0.0/8"]),
        ("192.168.0.1", ["192.168.1.0/24"]),
    ],
)
def test_allowed_networks_open_only_themselves(ip: str, networks: list[str]) -> None:
    policy = AddressPolicy(allowed_networks=[ip_network(n) for n in networks])
    with pytest.raises(BlockedAddressError):
        policy.check(ip, 80)


def test_allowed_origins_open_one_ip_and_port_exactly() -> None:
    policy = AddressPolicy(allowed_origins=[("127.0.0.1", 8080)])
    policy.check("127.0.0.1", 8080)
    policy.check("0x7f.1", 8080)  # the same address in another spelling
    policy.check("::ffff:127.0.0.1", 8080)
    for ip, port in [
        ("127.0.0.1", 8081),
        ("127.0.0.2", 8080),
        ("::1", 8080),
        ("64:ff9b::7f00:1", 8080),
        ("2002:7f00:1::1", 8080),
    ]:
        with pytest.raises(BlockedAddressError):
            policy.check(ip, port)


def test_allowed_origin_must_be_an_ip() -> None:
    with pytest.raises(ValueError, match="not an IP address"):
        AddressPolicy(allowed_origins=[("localhost", 80)])


def test_literal_ip_returns_address_objects() -> None:
    assert isinstance(literal_ip("127.1"), IPv4Address)
    assert isinstance(literal_ip("[::1]"), IPv6Address)


def test_a_remembered_pass_is_for_that_address_and_port_only() -> None:
    policy = AddressPolicy(allowed_origins=[("127.0.0.1", 8080)])
    for _ in range(2):  # the second time from memory
        policy.check("127.0.0.1", 8080)
    for ip, port in (("127.0.0.1", 8081), ("127.0.0.2", 8080), ("10.0.0.1", 8080)):
        for _ in range(2):  # a refusal is never remembered as a pass
            with pytest.raises(BlockedAddressError):
                policy.check(ip, port)
    policy.check("93.184.216.34", 443)  # public: passes, and is remembered like any pass
    with pytest.raises(BlockedAddressError):
        AddressPolicy().check("127.0.0.1", 8080)  # memory is the policy's own
