"""The address policy: which IP addresses the fetcher may dial.

A feed URL is chosen by whoever subscribes, and every redirect target by whoever runs the server,
so any of them may point at the machine itself, the local network or a cloud metadata service.
The policy judges the *socket address* (after DNS, after every spelling trick), never the URL text:
the validator and the HTTP library must agree on what is dialled.

Pure: no I/O, no DNS.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

from tidings.errors import BlockedAddressError

IPAddress = IPv4Address | IPv6Address
IPNetwork = IPv4Network | IPv6Network

# IANA special-purpose ranges, most specific reasons first. Explicit tables rather than
# ``ipaddress.is_global`` alone: its answers change between Python releases, and it calls
# multicast "global".
_V4_BLOCKED: tuple[tuple[IPv4Network, str], ...] = tuple(
    (IPv4Network(net), reason)
    for net, reason in (
        ("0.0.0.0/8", "an unspecified ('this network') address"),
        ("127.0.0.0/8", "a loopback address"),
        ("10.0.0.0/8", "a private address"),
        ("172.16.0.0/12", "a private address"),
        ("192.168.0.0/16", "a private address"),
        ("100.64.0.0/10", "a shared (carrier-grade NAT) address"),
        ("169.254.0.0/16", "a link-local address"),
        ("192.0.0.0/24", "a reserved (IETF protocol) address"),
        ("192.0.2.0/24", "a documentation address"),
        ("198.51.100.0/24", "a documentation address"),
        ("203.0.113.0/24", "a documentation address"),
        ("192.88.99.0/24", "a reserved (6to4 relay) address"),
        ("198.18.0.0/15", "a benchmarking address"),
        ("224.0.0.0/4", "a multicast address"),
        ("255.255.255.255/32", "the broadcast address"),
        ("240.0.0.0/4", "a reserved address"),
    )
)

_V6_BLOCKED: tuple[tuple[IPv6Network, str], ...] = tuple(
    (IPv6Network(net), reason)
    for net, reason in (
        ("::/128", "an unspecified address"),
        ("::1/128", "a loopback address"),
        ("::/96", "an IPv4-compatible address (deprecated)"),
        ("64:ff9b:1::/48", "a local-use NAT64 address"),
        ("100::/64", "a discard-only address"),
        ("2001::/23", "a reserved (IETF protocol, Teredo) address"),
        ("2001:db8::/32", "a documentation address"),
        ("3fff::/20", "a documentation address"),
        ("5f00::/16", "a reserved (SRv6) address"),
        ("fc00::/7", "a private (unique local) address"),
        ("fe80::/10", "a link-local address"),
        ("fec0::/10", "a site-local address (deprecated)"),
        ("ff00::/8", "a multicast address"),
    )
)

_V6_GLOBAL_UNICAST = IPv6Network("2000::/3")
_NAT64 = IPv6Network("64:ff9b::/96")


def _embedded_v4(ip: IPv6Address) -> IPv4Address | None:
    """The IPv4 address a v6 address really leads to (mapped, NAT64 or 6to4), if any."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _NAT64:
        return IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip.sixtofour


def _without_scope(ip: IPAddress) -> IPAddress:
    if isinstance(ip, IPv6Address) and ip.scope_id:
        return IPv6Address(str(ip).split("%", 1)[0])
    return ip


def blocked_reason(ip: IPAddress) -> str | None:
    """Why ``ip`` must not be dialled (e.g. "a loopback address"), or None if it is public."""
    ip = _without_scope(ip)
    if isinstance(ip, IPv4Address):
        for net, reason in _V4_BLOCKED:
            if ip in net:
                return reason
        return None if ip.is_global else "not a public address"
    embedded = _embedded_v4(ip)
    if embedded is not None:
        inner = blocked_reason(embedded)
        return None if inner is None else f"an address embedding {embedded}, {inner}"
    for net6, reason in _V6_BLOCKED:
        if ip in net6:
            return reason
    if ip not in _V6_GLOBAL_UNICAST:
        return "a reserved address"
    return None


PASSED_KEPT = 4096  # (address, port) pairs remembered as allowed


class AddressPolicy:
    """Refuses non-public addresses, except the networks and origins an admin allowed."""

    def __init__(
        self,
        allowed_networks: Sequence[IPv4Network | IPv6Network] = (),
        allowed_origins: Collection[tuple[str, int]] = (),
    ) -> None:
        self.allowed_networks: tuple[IPNetwork, ...] = tuple(allowed_networks)
        origins: set[tuple[IPAddress, int]] = set()
        for host, port in allowed_origins:
            ip = literal_ip(host)
            if ip is None:
                raise ValueError(f"allowed origin {host!r} is not an IP address")
            origins.add((_without_scope(ip), port))
        self.allowed_origins: frozenset[tuple[IPAddress, int]] = frozenset(origins)
        self._passed: set[tuple[str, int]] = set()

    def _allowed(self, ip: IPAddress, port: int) -> bool:
        candidates: list[IPAddress] = [ip]
        # a mapped address is dialled as its IPv4; NAT64 and 6to4 ones go through a gateway, so
        # allowing the IPv4 inside them does not allow them
        if isinstance(ip, IPv6Address) and ip.ipv4_mapped is not None:
            candidates.append(ip.ipv4_mapped)
        for candidate in candidates:
            if (candidate, port) in self.allowed_origins:
                return True
            if any(candidate in net for net in self.allowed_networks):
                return True
        return False

    def check(self, ip: str, port: int) -> None:
        """Raise BlockedAddressError unless ``ip`` (any spelling) may be dialled on ``port``.

        The verdict depends on nothing but the two and this policy, which never changes, so
        the pairs let through are remembered (a farm of feeds asks for the same few hosts at
        every request); a refusal is worked out, and worded, every time.
        """
        if (ip, port) in self._passed:
            return
        addr = literal_ip(ip)
        if addr is None:
            raise BlockedAddressError(f"{ip!r} is not an IP address; refusing to connect")
        addr = _without_scope(addr)
        reason = blocked_reason(addr)
        if reason is None or self._allowed(addr, port):
            if len(self._passed) >= PASSED_KEPT:
                self._passed.clear()
            self._passed.add((ip, port))
            return
        raise BlockedAddressError(
            f"private/loopback address not allowed: {addr} port {port}, {reason} "
            f"(add it to TIDINGS_ALLOWED_NETWORKS to allow it)"
        )


def _inet_aton_part(part: str) -> int | None:
    """One dot-separated part as inet_aton(3) reads it: decimal, 0-octal or 0x-hex."""
    if not part or not part.isascii():
        return None
    lowered = part.lower()
    try:
        if lowered.startswith("0x"):
            digits = lowered[2:]
            # inet_aton takes "0x" with no digits as an error; int() takes "0x_1" as valid
            if not digits or not all(c in "0123456789abcdef" for c in digits):
                return None
            return int(digits, 16)
        if not lowered.isdigit():
            return None
        if len(lowered) > 1 and lowered.startswith("0"):
            return int(lowered, 8)
        return int(lowered, 10)
    except ValueError:  # "08" and "09": invalid octal
        return None


def _parse_inet_aton(host: str) -> IPv4Address | None:
    """IPv4 in any spelling inet_aton(3) accepts ("127.1", "0x7f.1", "2130706433" ...)."""
    if host.endswith("."):
        host = host[:-1]  # the URL standard ignores one trailing dot on an IPv4 host
    parts = host.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    values: list[int] = []
    for part in parts:
        value = _inet_aton_part(part)
        if value is None:
            return None
        values.append(value)
    *head, last = values
    if any(v > 0xFF for v in head):
        return None
    if last >= 1 << (8 * (5 - len(values))):
        return None
    number = last
    for i, value in enumerate(head):
        number |= value << (8 * (3 - i))
    return IPv4Address(number)


def literal_ip(host: str) -> IPAddress | None:
    """The address a URL host denotes if it is an IP literal in any spelling, else None.

    Recognises what the resolver underneath (glibc inet_aton) would accept, so that a URL like
    ``http://0x7f.1/`` is judged as 127.0.0.1 before anything is dialled. IPv6 may be bracketed and
    may carry a zone (``%eth0`` or URL-encoded ``%25eth0``).
    """
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if ":" in host:
        address, sep, zone = host.partition("%")
        if sep:
            if zone.startswith("25"):
                zone = zone[2:]
            if not zone:
                return None
        try:
            v6 = IPv6Address(address)
        except ValueError:
            return None
        return IPv6Address(f"{v6}%{zone}") if sep else v6
    return _parse_inet_aton(host)
