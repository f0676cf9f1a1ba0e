"""The DNS step of the guard: only allowed addresses ever reach the connector.

aiohttp dials exactly the addresses its resolver returns, so filtering them here checks the address
actually dialled, after DNS, at every hop and for every new connection. That closes DNS rebinding
(a name that resolves to a public address for a pre-check and to a private one for the dial) and
names with mixed public and private records (only the public ones are kept).
"""

from __future__ import annotations

import socket

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver

from tidings.errors import BlockedAddressError
from tidings.fetch.guard import AddressPolicy


class GuardedResolver(AbstractResolver):
    """Wraps a resolver and drops every address the policy refuses."""

    def __init__(self, policy: AddressPolicy, inner: AbstractResolver | None = None) -> None:
        self._policy = policy
        self._owns_inner = inner is None
        self._inner: AbstractResolver = DefaultResolver() if inner is None else inner

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        if not results:
            # an OSError is what aiohttp reports as a DNS failure
            raise OSError(f"{host} has no address")
        kept: list[ResolveResult] = []
        refusals: list[str] = []
        for result in results:
            try:
                self._policy.check(result["host"], result["port"])
            except BlockedAddressError as exc:
                refusals.append(str(exc))
            else:
                kept.append(result)
        if not kept:
            detail = "; ".join(dict.fromkeys(refusals)) or "no addresses"
            raise BlockedAddressError(f"{host} resolves only to refused addresses: {detail}")
        return kept

    async def close(self) -> None:
        """Close the inner resolver only if this object created it."""
        if self._owns_inner:
            await self._inner.close()
