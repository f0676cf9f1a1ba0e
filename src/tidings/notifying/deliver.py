"""One delivery through Apprise, off the event loop and bounded in time.

Apprise is synchronous (requests, smtplib): a delivery runs on a worker thread, and the event
loop waits for it at most ``TIMEOUT`` seconds, so a service that hangs holds up neither the
updates nor the other targets. Apprise is also told the same bound, which ends its own work; a
delivery cut short by the outer bound is reported as failed and tried again later (a service
that did receive it then may show it twice).
"""

from __future__ import annotations

import asyncio

from tidings.fetch.guard import AddressPolicy
from tidings.notifying.urls import TargetURLError, apprise_log, check_hosts, plugin_of

TIMEOUT = 30.0  # seconds for one delivery, under the minute between two to one target


def deliver_now(url: str, title: str, body: str, policy: AddressPolicy) -> str | None:
    """Deliver on this thread: None when the service took it, else the reason it did not.

    The hosts are resolved and judged again first: a name that resolved to a public address
    when the target was added may lead elsewhere now."""
    import apprise

    try:
        plugin = plugin_of(url)
        check_hosts(plugin, policy, unresolved_ok=False)
    except TargetURLError as exc:
        return str(exc)
    sender = apprise.Apprise()
    sender.add(plugin)
    with apprise_log() as said:
        try:
            result = sender.notify(body=body, title=title, timeout=TIMEOUT)
        except Exception as exc:  # a plugin's own bug must not end the sender's turn
            return f"{type(exc).__name__}: {exc}"
    if result:
        return None
    # the reasons Apprise gave, on this thread or on the threads of its own timeout
    said += [e.message for e in result.logs() if e.level in ("WARNING", "ERROR", "CRITICAL")]
    return "; ".join(dict.fromkeys(said)) or "the service did not take the message"


async def deliver(url: str, title: str, body: str, policy: AddressPolicy) -> str | None:
    """``deliver_now`` on a worker thread, given up a little after ``TIMEOUT`` seconds."""
    try:
        async with asyncio.timeout(TIMEOUT + 5):
            return await asyncio.to_thread(deliver_now, url, title, body, policy)
    except TimeoutError:
        return f"no answer within {TIMEOUT:g} seconds"
