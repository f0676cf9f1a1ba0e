"""Settings: defaults, the environment, tidings.toml, and a clear error naming the variable."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

import pytest

from tidings.config import Settings
from tidings.errors import ConfigError


def test_defaults() -> None:
    s = Settings.load({})
    assert s.effective_database_url == "sqlite:///.tidings/tidings.db"
    assert s.allowed_networks == ()
    assert s.per_host_concurrency == 2 and s.max_body_bytes == 10 * 1024 * 1024
    assert "tidings" in s.user_agent and "http" in s.user_agent


def test_environment_values() -> None:
    s = Settings.load(
        {
            "TIDINGS_DATA_DIR": "/tmp/x",
            "TIDINGS_ALLOWED_NETWORKS": "10.0.0.0/8, 127.0.0.1",
            "TIDINGS_DEFAULT_REFRESH": "30m",
            "TIDINGS_TIMEZONE": "Europe/Ljubljana",
            "TIDINGS_RETENTION_DAYS": "never",
            "TIDINGS_SAMPLES": "false",
        }
    )
    assert s.sqlite_path == Path("/tmp/x/tidings.db")
    assert s.allowed_networks == (
        ipaddress.ip_network("10.0.0.0/8"),
        ipaddress.ip_network("127.0.0.1/32"),
    )
    assert s.default_refresh == 1800 and s.retention_days is None and s.samples is False
    assert str(s.timezone) == "Europe/Ljubljana"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"TIDINGS_ALLOWED_NETWORKS": "10.0.0.0/33"}, "TIDINGS_ALLOWED_NETWORKS"),
        ({"TIDINGS_MAX_BODY_BYTES": "lots"}, "TIDINGS_MAX_BODY_BYTES"),
        ({"TIDINGS_PER_HOST_CONCURRENCY": "0"}, "TIDINGS_PER_HOST_CONCURRENCY"),
        ({"TIDINGS_TIMEZONE": "Mars/Olympus"}, "TIDINGS_TIMEZONE"),
        ({"TIDINGS_DEFAULT_REFRESH": "soon"}, "TIDINGS_DEFAULT_REFRESH"),
        ({"TIDINGS_DEFAULT_REFRESH": "1m"}, "TIDINGS_DEFAULT_REFRESH"),  # below the floor
        ({"TIDINGS_DATABASE_URL": "mysql://x"}, "TIDINGS_DATABASE_URL"),
        ({"TIDINGS_SAMPLES": "maybe"}, "TIDINGS_SAMPLES"),
        ({"TIDINGS_READ_TIMEOUT": "-1"}, "TIDINGS_READ_TIMEOUT"),
        ({"TIDINGS_TYPO": "1"}, "TIDINGS_TYPO"),
        ({"TIDINGS_BASE_URL": "news.example.org"}, "TIDINGS_BASE_URL"),
        ({"TIDINGS_BASE_URL": "ftp://news.example.org/"}, "TIDINGS_BASE_URL"),
        ({"TIDINGS_BASE_URL": "https://news.example.org:99999/"}, "TIDINGS_BASE_URL"),
        ({"TIDINGS_BASE_URL": "https://news.example.org/?x=1"}, "TIDINGS_BASE_URL"),
        ({"TIDINGS_BASE_URL": "https://news.example.org/news/"}, "TIDINGS_BASE_URL"),
        ({"TIDINGS_TRUSTED_PROXIES": "the proxy"}, "TIDINGS_TRUSTED_PROXIES"),
    ],
)
def test_bad_values_name_the_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Settings.load(env)


def test_toml_file_and_environment_precedence(tmp_path: Path) -> None:
    path = tmp_path / "tidings.toml"
    path.write_text(
        'site_title = "Planet Python"\nper_host_concurrency = 4\n'
        'allowed_networks = ["192.168.0.0/16"]\n'
    )
    s = Settings.load({"TIDINGS_CONFIG": str(path), "TIDINGS_PER_HOST_CONCURRENCY": "3"})
    assert s.site_title == "Planet Python" and s.per_host_concurrency == 3
    assert s.allowed_networks == (ipaddress.ip_network("192.168.0.0/16"),)
    path.write_text("site_title = \n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        Settings.load({"TIDINGS_CONFIG": str(path)})
    with pytest.raises(ConfigError, match="TIDINGS_CONFIG"):
        Settings.load({"TIDINGS_CONFIG": str(tmp_path / "missing.toml")})


def test_secret_key_is_generated_once_and_kept(tmp_path: Path) -> None:
    s = Settings.load({"TIDINGS_DATA_DIR": str(tmp_path)})
    first = s.with_secret().secret_key
    assert len(first) >= 32
    assert s.with_secret().secret_key == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(
    ("value", "expected"), [(None, 0.0), ("0", 0.0), ("0.5", 0.5), (" 2 ", 2.0), ("3600", 3600.0)]
)
def test_host_min_gap(value: str | None, expected: float) -> None:
    env = {} if value is None else {"TIDINGS_HOST_MIN_GAP": value}
    assert Settings.load(env).host_min_gap == expected


@pytest.mark.parametrize("value", ["-1", "soon", "nan", "inf", "3601", ""])
def test_bad_host_min_gap_names_the_variable(value: str) -> None:
    with pytest.raises(ConfigError, match="TIDINGS_HOST_MIN_GAP"):
        Settings.load({"TIDINGS_HOST_MIN_GAP": value})


def test_page_cache_seconds() -> None:
    assert Settings.load({}).page_cache_seconds == 5.0
    assert Settings.load({"TIDINGS_PAGE_CACHE_SECONDS": "0"}).page_cache_seconds == 0.0
    with pytest.raises(ConfigError, match="TIDINGS_PAGE_CACHE_SECONDS"):
        Settings.load({"TIDINGS_PAGE_CACHE_SECONDS": "-1"})


def test_parse_processes() -> None:
    assert Settings.load({"TIDINGS_PARSE_PROCESSES": "0"}).parse_processes == 0
    cores = os.cpu_count() or 1
    assert Settings.load({}).parse_processes == (0 if cores < 2 else min(cores, 8))
    for bad in ("-1", "many", "65"):
        with pytest.raises(ConfigError, match="TIDINGS_PARSE_PROCESSES"):
            Settings.load({"TIDINGS_PARSE_PROCESSES": bad})


def test_base_url_and_trusted_proxies() -> None:
    defaults = Settings.load({})
    assert defaults.base_url == ""
    assert [str(n) for n in defaults.trusted_proxies] == ["127.0.0.1/32", "::1/128"]
    s = Settings.load(
        {
            "TIDINGS_BASE_URL": "HTTPS://News.Example.org:443/",
            "TIDINGS_TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.7",
        }
    )
    assert s.base_url == "https://news.example.org"
    assert [str(n) for n in s.trusted_proxies] == ["10.0.0.0/8", "192.0.2.7/32"]
    assert Settings.load({"TIDINGS_BASE_URL": "http://[::1]:8080"}).base_url == "http://[::1]:8080"
    assert Settings.load({"TIDINGS_TRUSTED_PROXIES": ""}).trusted_proxies == ()


def test_the_user_agent_setting_is_read_and_documented() -> None:
    assert Settings.load({"TIDINGS_USER_AGENT": "Mine/1.0"}).user_agent == "Mine/1.0"
    assert Settings.load({}).user_agent.startswith("tidings/")
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    settings = readme.split("## Settings", 1)[1].split("\n## ", 1)[0]
    assert "| `TIDINGS_USER_AGENT` |" in settings


def test_host_and_port_of_serve() -> None:
    assert (Settings.load({}).host, Settings.load({}).port) == ("127.0.0.1", 8000)
    s = Settings.load({"TIDINGS_HOST": "0.0.0.0", "TIDINGS_PORT": "8080"})
    assert (s.host, s.port) == ("0.0.0.0", 8080)
    for bad in ("0", "65536", "http"):
        with pytest.raises(ConfigError, match="TIDINGS_PORT"):
            Settings.load({"TIDINGS_PORT": bad})
    with pytest.raises(ConfigError, match="TIDINGS_HOST"):
        Settings.load({"TIDINGS_HOST": " "})
