"""Settings: the only place that reads the environment or a config file.

Every setting is a ``TIDINGS_*`` environment variable, or the same name in lower case without the
prefix in ``tidings.toml`` (in the working directory, or the file named by ``TIDINGS_CONFIG``). The
environment wins. A bad value raises ``ConfigError`` naming the variable: startup fails.
"""

from __future__ import annotations

import importlib.util
import ipaddress
import os
import secrets
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tidings.errors import ConfigError
from tidings.i18n import N_
from tidings.i18n import gettext as _
from tidings.timefmt import parse_duration

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
LOOPBACK_PROXIES: tuple[IPNetwork, ...] = (
    ipaddress.ip_network("127.0.0.1/32"),
    ipaddress.ip_network("::1/128"),
)

PROJECT_URL = "https://github.com/tidings-aggregator/tidings"
VERSION = "0.1.0"
USER_AGENT = f"tidings/{VERSION} (+{PROJECT_URL})"
# read from the environment alone, before the settings: the file of the settings, and the
# language of the command line (cli/common.py)
ENVIRONMENT_ONLY = ("TIDINGS_CONFIG", "TIDINGS_LANGUAGE")

# the errors of a value that several settings share; each names the variable
NOT_A_URL = N_("%(name)s: %(value)r is not a URL: %(error)s")
NOT_HTTP = N_("%(name)s: expected an http:// or https:// URL with a host, got %(value)r")
NOT_WHOLE = N_("%(name)s: expected a whole number, got %(value)r")
NOT_SECONDS = N_("%(name)s: expected a number of seconds, got %(value)r")


def default_parse_processes() -> int:
    """One parsing process per core (at most 8), none on a single core. The main process's event
    loop and store leave a core mostly idle (SQLite writes without Python's lock): on 2 cores a
    cold update of 1,000 feeds took 7.4 s with two parsing processes, 8.1 s with one."""
    cores = os.cpu_count() or 1
    return 0 if cores < 2 else min(cores, 8)


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path(".tidings")
    host: str = "127.0.0.1"  # where 'tidings serve' listens (its --host and --port win)
    port: int = 8000
    database_url: str = ""  # empty: a SQLite file in data_dir
    allowed_networks: tuple[IPNetwork, ...] = ()
    secret_key: str = ""  # empty: generated once and kept in data_dir
    user_agent: str = USER_AGENT
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    total_timeout: float = 60.0
    max_body_bytes: int = 10 * 1024 * 1024
    max_items_per_feed: int = 5000
    per_host_concurrency: int = 2
    max_concurrency: int = 64
    host_min_gap: float = 0.0  # seconds between the starts of two requests to one host
    default_refresh: int = 3600  # seconds
    min_refresh: int = 300
    retention_days: int | None = None  # None: keep items forever
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    site_title: str = "tidings"
    items_per_page: int = 30
    samples: bool = True  # subscribe the bundled sample feeds on an empty database
    page_cache_seconds: float = 5.0  # how stale a visitor's page may be; 0: no cache
    parse_processes: int = field(default_factory=default_parse_processes)  # 0: parse in threads
    # embedded: this process fetches; workers: 'tidings worker' processes do (PostgreSQL only)
    mode: str = "embedded"
    lease_seconds: int = 600  # how long a worker holds a feed before it is due again
    # the site's public address (scheme, host, port) for every absolute URL; empty: the request's
    base_url: str = ""
    # the proxies whose X-Forwarded-Proto, -Host and -For are believed
    trusted_proxies: tuple[IPNetwork, ...] = LOOPBACK_PROXIES
    open_signup: bool = False  # anyone may create a reader account at /signup
    # a person subscribing to a feed already stored finds the items first seen this recently unread
    unread_window_days: int = 7
    # WebSub (docs/arrival.md): how often a feed its hub pushes is still polled; the hub this
    # site's own feeds declare and ping (needs base_url); the largest pushed body; the lease asked
    websub_poll: int = 24 * 3600
    websub_hub: str = ""
    websub_max_body: int = 10 * 1024 * 1024
    websub_lease: int = 10 * 24 * 3600

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "tidings.db"

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.sqlite_path}"

    def with_secret(self) -> Settings:
        """Return settings whose secret key is set, generating and keeping one in data_dir."""
        if self.secret_key:
            return self
        path = self.data_dir / "secret_key"
        try:
            key = path.read_text().strip()
        except FileNotFoundError:
            key = ""
        if not key:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            key = secrets.token_urlsafe(32)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(key)
        return _replace(self, secret_key=key)

    @classmethod
    def load(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read the environment (and ``tidings.toml``) once, validating every value."""
        values = _raw_values(dict(os.environ if environ is None else environ))
        known = {f"TIDINGS_{name.upper()}" for name in cls.__dataclass_fields__}
        for name in values:
            if name not in known:
                raise ConfigError(
                    _("%(name)s: unknown setting (known: %(known)s)")
                    % {"name": name, "known": ", ".join(sorted(known))}
                )
        settings = cls(**_converted(values))
        _check(settings)
        return settings


def _raw_values(env: dict[str, str]) -> dict[str, str]:
    """The TIDINGS_* strings: the config file's, then the environment's over them."""
    values: dict[str, str] = {}
    config_file = env.get("TIDINGS_CONFIG")
    path = Path(config_file) if config_file else Path("tidings.toml")
    if path.is_file() or config_file:
        values.update(_read_toml(path))
    values.update(
        {k: v for k, v in env.items() if k.startswith("TIDINGS_") and k not in ENVIRONMENT_ONLY}
    )
    values.pop("TIDINGS_CONFIG", None)
    return values


def _check(settings: Settings) -> None:
    """What no single value shows: settings that contradict each other or the installation."""
    if settings.mode == "workers" and not settings.database_url.startswith("postgres"):
        raise ConfigError(
            _("TIDINGS_MODE: workers need PostgreSQL: set TIDINGS_DATABASE_URL=postgresql://...")
        )
    if settings.mode == "workers" and importlib.util.find_spec("procrastinate") is None:
        raise ConfigError(
            _("TIDINGS_MODE: workers need procrastinate: pip install 'tidings[workers]'")
        )
    if settings.default_refresh < settings.min_refresh:
        raise ConfigError(
            _("TIDINGS_DEFAULT_REFRESH: %(default)ss is below TIDINGS_MIN_REFRESH (%(min)ss)")
            % {"default": settings.default_refresh, "min": settings.min_refresh}
        )
    if settings.websub_hub and not settings.base_url:
        raise ConfigError(
            _(
                "TIDINGS_WEBSUB_HUB: the site's feeds name their own absolute address for the "
                "hub: set TIDINGS_BASE_URL too"
            )
        )


def _replace(settings: Settings, **changes: Any) -> Settings:
    from dataclasses import replace

    return replace(settings, **changes)


def _read_toml(path: Path) -> dict[str, str]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(_("TIDINGS_CONFIG: no such file: %(path)s") % {"path": path}) from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        message = _("%(path)s: not valid TOML: %(error)s") % {"path": path, "error": exc}
        raise ConfigError(message) from exc
    out: dict[str, str] = {}
    for key, value in data.items():
        if isinstance(value, list):
            value = ",".join(str(v) for v in value)
        elif isinstance(value, bool):
            value = "true" if value else "false"
        out[f"TIDINGS_{key.upper()}"] = str(value)
    return out


def _nonempty(var: str, s: str) -> str:
    if not s:
        raise ConfigError(_("%(name)s: must not be empty") % {"name": var})
    return s


def _database_url(var: str, s: str) -> str:
    if s and not s.startswith(("sqlite:", "postgresql:", "postgresql+psycopg:")):
        raise ConfigError(
            _("%(name)s: expected a sqlite:/// or postgresql:// URL, got %(value)r")
            % {"name": var, "value": s}
        )
    return s


def _networks(var: str, s: str) -> tuple[IPNetwork, ...]:
    nets = []
    for part in filter(None, (p.strip() for p in s.split(","))):
        try:
            nets.append(ipaddress.ip_network(part, strict=False))
        except ValueError as exc:
            message = _("%(name)s: %(value)r is not a network (e.g. 10.0.0.0/8)")
            raise ConfigError(message % {"name": var, "value": part}) from exc
    return tuple(nets)


def _base_url(var: str, s: str) -> str:
    """An http(s) origin such as https://news.example.org or http://example.org:8080."""
    if not s:
        return ""
    try:
        parts = urlsplit(s)
        port = parts.port
    except ValueError as exc:
        raise ConfigError(_(NOT_A_URL) % {"name": var, "value": s, "error": exc}) from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(_(NOT_HTTP) % {"name": var, "value": s})
    if parts.username or parts.password or parts.query or parts.fragment:
        raise ConfigError(
            _("%(name)s: only a scheme, a host and a port, got %(value)r")
            % {"name": var, "value": s}
        )
    if parts.path not in ("", "/"):
        raise ConfigError(
            _(
                "%(name)s: a path (%(path)s) is not supported: serve tidings at the root of a "
                "host name of its own (e.g. https://news.example.org/)"
            )
            % {"name": var, "path": parts.path}
        )
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    default = {"http": 80, "https": 443}[parts.scheme]
    return f"{parts.scheme}://{host}" + (f":{port}" if port not in (None, default) else "")


def _hub_url(var: str, s: str) -> str:
    """An http(s) URL with a host (a WebSub hub's address), or empty for none."""
    if not s:
        return ""
    try:
        parts = urlsplit(s)
        parts.port  # noqa: B018  (a bad port raises here)
    except ValueError as exc:
        raise ConfigError(_(NOT_A_URL) % {"name": var, "value": s, "error": exc}) from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(_(NOT_HTTP) % {"name": var, "value": s})
    return s


def _positive_int(var: str, s: str) -> int:
    try:
        n = int(s)
    except ValueError as exc:
        raise ConfigError(_(NOT_WHOLE) % {"name": var, "value": s}) from exc
    if n <= 0:
        raise ConfigError(
            _("%(name)s: must be positive, got %(value)s") % {"name": var, "value": n}
        )
    return n


def _non_negative_int(var: str, s: str) -> int:
    try:
        n = int(s)
    except ValueError as exc:
        raise ConfigError(_(NOT_WHOLE) % {"name": var, "value": s}) from exc
    if n < 0:
        raise ConfigError(
            _("%(name)s: must be 0 or more, got %(value)s") % {"name": var, "value": n}
        )
    return n


def _port(var: str, s: str) -> int:
    n = _positive_int(var, s)
    if n > 65535:
        raise ConfigError(
            _("%(name)s: a port is 1 to 65535, got %(value)s") % {"name": var, "value": n}
        )
    return n


def _processes(var: str, s: str) -> int:
    try:
        n = int(s)
    except ValueError as exc:
        message = _("%(name)s: expected a whole number of processes, got %(value)r")
        raise ConfigError(message % {"name": var, "value": s}) from exc
    if not 0 <= n <= 64:
        raise ConfigError(
            _("%(name)s: must be from 0 to 64, got %(value)s") % {"name": var, "value": n}
        )
    return n


def _positive_float(var: str, s: str) -> float:
    try:
        n = float(s)
    except ValueError as exc:
        raise ConfigError(_(NOT_SECONDS) % {"name": var, "value": s}) from exc
    if not n > 0:
        raise ConfigError(
            _("%(name)s: must be positive, got %(value)s") % {"name": var, "value": s}
        )
    return n


def _non_negative_float(var: str, s: str) -> float:
    try:
        n = float(s)
    except ValueError as exc:
        raise ConfigError(_(NOT_SECONDS) % {"name": var, "value": s}) from exc
    if not 0 <= n <= 3600:  # also refuses nan and inf
        raise ConfigError(
            _("%(name)s: must be from 0 to 3600 seconds, got %(value)s") % {"name": var, "value": s}
        )
    return n


def _seconds(var: str, s: str) -> int:
    try:
        n = parse_duration(s)
    except ValueError as exc:
        raise ConfigError(_("%(name)s: %(error)s") % {"name": var, "error": exc}) from exc
    if n <= 0:
        raise ConfigError(_("%(name)s: must be positive") % {"name": var})
    return n


def _optional_days(var: str, s: str) -> int | None:
    if s.lower() in ("", "never", "0"):
        return None
    return _positive_int(var, s)


def _zone(var: str, s: str) -> ZoneInfo:
    try:
        return ZoneInfo(s)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        message = _("%(name)s: unknown time zone %(value)r (e.g. UTC, Europe/Ljubljana)")
        raise ConfigError(message % {"name": var, "value": s}) from exc


def _bool(var: str, s: str) -> bool:
    low = s.lower()
    if low in ("1", "true", "yes", "on"):
        return True
    if low in ("0", "false", "no", "off"):
        return False
    raise ConfigError(
        _("%(name)s: expected true or false, got %(value)r") % {"name": var, "value": s}
    )


def _mode(var: str, s: str) -> str:
    low = s.lower()
    if low not in ("embedded", "workers"):
        raise ConfigError(
            _("%(name)s: expected embedded or workers, got %(value)r") % {"name": var, "value": s}
        )
    return low


# how each setting's text becomes its value; every converter names the variable on error
_CONVERTERS: dict[str, Callable[[str, str], Any]] = {
    "data_dir": lambda _v, s: Path(s),
    "host": _nonempty,
    "port": _port,
    "database_url": _database_url,
    "allowed_networks": _networks,
    "secret_key": lambda _v, s: s,
    "user_agent": _nonempty,
    **dict.fromkeys(("connect_timeout", "read_timeout", "total_timeout"), _positive_float),
    **dict.fromkeys(
        (
            "max_body_bytes",
            "max_items_per_feed",
            "per_host_concurrency",
            "max_concurrency",
            "items_per_page",
        ),
        _positive_int,
    ),
    "host_min_gap": _non_negative_float,
    "page_cache_seconds": _non_negative_float,
    "parse_processes": _processes,
    "default_refresh": _seconds,
    "min_refresh": _seconds,
    "retention_days": _optional_days,
    "timezone": _zone,
    "site_title": _nonempty,
    "samples": _bool,
    "mode": _mode,
    "lease_seconds": _seconds,
    "base_url": _base_url,
    "trusted_proxies": _networks,
    "open_signup": _bool,
    "unread_window_days": _non_negative_int,
    "websub_poll": _seconds,
    "websub_hub": _hub_url,
    "websub_max_body": _positive_int,
    "websub_lease": _seconds,
}


def _converted(values: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, convert in _CONVERTERS.items():
        var = f"TIDINGS_{name.upper()}"
        if var in values:
            out[name] = convert(var, values[var].strip())
    return out
