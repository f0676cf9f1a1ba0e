"""Apprise URLs: read and judged when a target is added, masked when shown, their hosts checked
against the address policy before every delivery.

Apprise makes its own connections (requests, smtplib ...), not through tidings' guarded client,
so the guard is applied here instead: the hosts a URL names are resolved and each address is
judged by ``fetch.guard.AddressPolicy``, the policy of every feed fetch
(``TIDINGS_ALLOWED_NETWORKS`` opens it). A service whose host token is an account id rather
than a machine (Discord, Telegram ...) talks to its vendor's fixed public address, so nothing is
resolved for it.
"""

from __future__ import annotations

import logging
import socket
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from ipaddress import ip_address
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlencode, urlsplit, urlunsplit

from tidings.errors import BlockedAddressError, TidingsError
from tidings.fetch.guard import AddressPolicy
from tidings.i18n import gettext as _

if TYPE_CHECKING:
    from apprise.plugins.base import NotifyBase

MAX_URL = 2000
MASK = "****"
# query parameters whose value is a secret in some service (and any "+Header" of json://)
SECRET_WORDS = ("token", "key", "secret", "pass", "pwd", "auth", "sig", "code", "bearer")


class TargetURLError(TidingsError):
    """A notification URL that Apprise cannot use, or that leads to a refused address."""


class _Collect(logging.Filter):
    """Takes the records of the threads that collect them, lets the others through."""

    def __init__(self) -> None:
        super().__init__()
        self.collecting: dict[int, list[str]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        lines = self.collecting.get(record.thread or 0)
        if lines is None:
            return True
        if record.levelno >= logging.WARNING:
            lines.append(record.getMessage())
        return False


_COLLECT = _Collect()
logging.getLogger("apprise").addFilter(_COLLECT)


@contextmanager
def apprise_log() -> Iterator[list[str]]:
    """Apprise's warnings and errors on this thread, collected instead of logged: they are the
    reason a URL or a delivery failed, and become the error tidings reports."""
    me = threading.get_ident()
    lines: list[str] = []
    _COLLECT.collecting[me] = lines
    try:
        yield lines
    finally:
        _COLLECT.collecting.pop(me, None)


@cache
def schemes() -> frozenset[str]:
    """The services Apprise knows. Its plugins are loaded here, once: on Python 3.11 one of
    them imports the deprecated ``imghdr``, a warning about Apprise that is no one's to act on
    (the tests turn warnings into errors)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from apprise.manager_plugins import NotificationManager

        found: list[str] = NotificationManager().schemas()  # type: ignore[no-untyped-call]
    return frozenset(s.lower() for s in found)


def plugin_of(url: str) -> NotifyBase:
    """Apprise's plugin for ``url``, or TargetURLError saying what is wrong with it."""
    import apprise

    url = url.strip()
    if not url:
        raise TargetURLError(_("a notification URL is needed (e.g. ntfy://ntfy.sh/my-topic)"))
    if len(url) > MAX_URL:
        raise TargetURLError(
            _("a notification URL has at most %(max_url)s characters") % {"max_url": MAX_URL}
        )
    scheme, sep, _rest = url.partition("://")
    if not sep or not scheme:
        raise TargetURLError(
            _(
                "not an Apprise URL: it starts with the service, e.g. ntfy://, gotify://, "
                "mailto://, json://"
            )
        )
    if scheme.lower() not in schemes():
        raise TargetURLError(
            _("unknown notification service %(scheme)s:// (Apprise has none)") % {"scheme": scheme}
        )
    with apprise_log() as said:
        plugin = apprise.Apprise.instantiate(url, suppress_exceptions=True)
    if plugin is None:
        why = "; ".join(dict.fromkeys(said)) or _("Apprise cannot read it")
        raise TargetURLError(
            _("malformed %(scheme)s:// URL: %(why)s") % {"scheme": scheme, "why": why}
        )
    return plugin


def service_name(plugin: NotifyBase) -> str:
    name = str(getattr(plugin, "service_name", "") or plugin.protocol or "notifications")
    host = network_hosts(plugin)
    return f"{name} ({host[0][0]})" if host else name


def network_hosts(plugin: NotifyBase) -> list[tuple[str, int]]:
    """The (host, port) pairs the plugin will connect to, where the URL chooses them."""
    tokens: dict[str, Any] = getattr(type(plugin), "template_tokens", {})
    found: list[tuple[str, int]] = []
    host_token = tokens.get("host")
    if isinstance(host_token, dict) and not host_token.get("map_to") and plugin.host:
        default = 443 if getattr(plugin, "secure", False) else 80
        found.append((str(plugin.host), int(plugin.port or default)))
    smtp = getattr(plugin, "smtp_host", None)
    if smtp:
        found.append((str(smtp), int(plugin.port or 25)))
    return found


def check_hosts(plugin: NotifyBase, policy: AddressPolicy, *, unresolved_ok: bool) -> None:
    """Refuse a URL whose hosts resolve to an address the policy refuses (any of them: Apprise
    may dial each). A name that does not resolve passes only with ``unresolved_ok`` (when a
    target is added: it is checked again before each delivery)."""
    for host, port in network_hosts(plugin):
        try:
            addresses = _addresses(host.strip("[]"), port)
        except (OSError, UnicodeError) as exc:  # no such name; a label IDNA refuses
            if unresolved_ok:
                continue
            raise TargetURLError(
                _("%(host)s does not resolve: %(exc)s") % {"host": host, "exc": exc}
            ) from exc
        for address in addresses:
            try:
                policy.check(address, port)
            except BlockedAddressError as exc:
                raise TargetURLError(
                    _("refused address for %(host)s: %(exc)s") % {"host": host, "exc": exc}
                ) from exc


def _addresses(host: str, port: int) -> list[str]:
    try:
        return [str(ip_address(host))]
    except ValueError:
        pass
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def redacted(url: str) -> str:
    """``url`` as the pages show it: Apprise's private form (passwords and tokens masked),
    with only the query parameters the URL itself had, secret-looking values masked too."""
    try:
        plugin = plugin_of(url)
    except TargetURLError:
        return url.partition("://")[0] + "://" + MASK
    shown = urlsplit(str(plugin.url(privacy=True)))  # type: ignore[no-untyped-call]
    typed = {k for k, _v in _query(urlsplit(url).query)}
    kept = [(k, MASK if _secret(k) else v) for k, v in _query(shown.query) if k in typed]
    return urlunsplit(shown._replace(query=urlencode(kept, safe="*:/@")))


def _query(query: str) -> list[tuple[str, str]]:
    """The query's pairs, a "+" kept as a plus (Apprise's json:// headers start with one)."""
    pairs = (part.partition("=") for part in query.split("&") if part)
    return [(unquote(k), unquote(v)) for k, _eq, v in pairs]


def _secret(key: str) -> bool:
    low = key.lower()
    return low.startswith(("+", ":")) or any(word in low for word in SECRET_WORDS)
