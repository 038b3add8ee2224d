"""All node settings in one declarative table, read from CSNET_* variables or the config file.

Precedence: explicit overrides > CSNET_* environment > the data directory's config.toml > default.
Every setting here is documented in docs/settings.md (tests/test_settings.py checks it).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from csnet.errors import BadInput

CONFIG_FILE = "config.toml"


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    parse: Callable[[str], Any] = str


def _bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"{text!r} is not a boolean")


LOG_LEVELS = ("debug", "info", "warning", "error")


def _log_level(text: str) -> str:
    level = text.strip().lower()
    if level not in LOG_LEVELS:
        raise ValueError(f"{text!r} is not one of {', '.join(LOG_LEVELS)}")
    return level


def _port(text: str) -> int:
    port = int(text)
    if not 1 <= port <= 65535:
        raise ValueError(f"{port} is not a TCP port")
    return port


def _seconds(text: str) -> int:
    seconds = int(text)
    if not 1 <= seconds <= 86_400:
        raise ValueError(f"{seconds} is not between 1 and 86400 seconds")
    return seconds


def _noisy_after(text: str) -> int:
    count = int(text)
    if not 2 <= count <= 100_000:
        raise ValueError(f"{count} is not between 2 and 100000 items")
    return count


def _fp_rate(text: str) -> float:
    rate = float(text)
    if not 0.0001 <= rate <= 0.25:  # why: NaN fails this test too
        raise ValueError(f"{text!r} is not between 0.0001 and 0.25")
    return rate


def _bus_url(text: str) -> str:
    url = text.strip()
    if url and not url.startswith("nats://"):
        raise ValueError(f"{text!r} is not a nats:// URL (empty means the in-process bus)")
    return url


def _file_path(text: str) -> str:
    """A file path or empty; whether the file can be read is checked where it is used."""
    path = text.strip()
    if len(path) > 4096 or any(ord(char) < 32 for char in path):
        raise ValueError(f"{text!r} is not a file path (empty means none)")
    return path


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "data_dir", "./csnet-data", "Data directory: identity key, config and SQLite database."
    ),
    Setting("database_url", "", "SQLAlchemy URL; empty means SQLite at <data_dir>/csnet.db.", str),
    Setting("host", "127.0.0.1", "Address `csnet serve` binds to."),
    Setting("port", 8080, "Port `csnet serve` listens on.", _port),
    Setting(
        "public_url",
        "",
        "URL peers use to reach this node; empty means http(s)://{host}:{port} (https with TLS).",
    ),
    Setting(
        "tls_cert_file",
        "",
        "PEM certificate chain `csnet serve` presents (TLS on with tls_key_file); empty: HTTP.",
        _file_path,
    ),
    Setting(
        "tls_key_file", "", "PEM private key of tls_cert_file (unencrypted, mode 0600).", _file_path
    ),
    Setting(
        "peer_ca_file",
        "",
        "PEM CA bundle that peers' TLS certificates are checked against; empty: the system store.",
        _file_path,
    ),
    Setting(
        "allow_plain_http_peers",
        False,
        "Allow peers at plain http:// URLs off loopback (traffic readable on the path).",
        _bool,
    ),
    Setting("node_name", "", "Short node name, e.g. PK-FIA (set by `csnet init`)."),
    Setting("country", "", "ISO 3166-1 alpha-2 country of the agency (set by `csnet init`)."),
    Setting("agency", "", "Full name of the agency running the node (set by `csnet init`)."),
    Setting("session_hours", 12, "Lifetime of an interactive login session, in hours.", int),
    Setting(
        "lockout_threshold",
        5,
        "Failed logins of one username from one address before that address is locked out of it.",
        int,
    ),
    Setting("lockout_minutes", 15, "How long a locked account stays locked.", int),
    Setting(
        "lockout_account_threshold",
        50,
        "Failed logins of one username from any addresses before it is locked for everyone.",
        int,
    ),
    Setting(
        "login_address_threshold",
        20,
        "Failed logins from one address, whatever the usernames, before it is refused.",
        int,
    ),
    Setting(
        "login_address_minutes",
        15,
        "Window in which an address's failed logins are counted, and how long it is refused.",
        int,
    ),
    Setting(
        "psi_max_holder_points",
        1_000_000,
        "Most points of a peer's own set accepted back in one hit/no-hit (PSI) answer.",
        int,
    ),
    Setting(
        "peer_response_max_bytes",
        64 * 1024 * 1024,
        "Largest answer read from a peer, in bytes; reading stops past it.",
        int,
    ),
    Setting("token_days", 30, "Default lifetime of API tokens, in days.", int),
    Setting("max_request_bytes", 1_048_576, "Largest request body accepted, in bytes.", int),
    Setting(
        "cookie_secure",
        False,
        "Mark cookies Secure even without TLS or an https public_url (both imply it).",
        _bool,
    ),
    Setting(
        "log_level", "info", "Log level of `csnet serve` (debug, info, warning, error).", _log_level
    ),
    Setting(
        "federation_pull_seconds",
        30,
        "How often `csnet serve` pulls new items from each active peer, in seconds.",
        _seconds,
    ),
    Setting(
        "bus_url",
        "",
        "NATS JetStream URL (nats://host:4222) shared by the worker processes of this node for "
        "live events and outbox work; empty means the in-process bus (one process).",
        _bus_url,
    ),
    Setting(
        "correlation_noisy_after",
        50,
        "Items sharing one indicator value before it is marked noisy: no further sightings or "
        "hits are recorded for it (2-100000).",
        _noisy_after,
    ),
    Setting(
        "prescreen_bloom",
        False,
        "Offer and use keyed Bloom-filter pre-screens before PSI, for wallets and documents "
        "only; issue group keys for them (see what they leak in docs/indicators.md).",
        _bool,
    ),
    Setting(
        "prescreen_fp_rate",
        0.01,
        "False-positive rate of the pre-screen filters this node serves (0.0001-0.25).",
        _fp_rate,
    ),
)

BY_NAME: Mapping[str, Setting] = {s.name: s for s in SETTINGS}


@dataclass(frozen=True)
class Settings:
    values: Mapping[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        if name in BY_NAME:
            return self.values.get(name, BY_NAME[name].default)
        raise AttributeError(name)

    @property
    def tls_enabled(self) -> bool:
        """`csnet serve` speaks TLS itself (a certificate and its key are configured)."""
        return bool(self.tls_cert_file or self.tls_key_file)

    @property
    def served_over_https(self) -> bool:
        """Browsers reach us over https: TLS here, or at a proxy in front (an https public_url)."""
        return self.tls_enabled or str(self.public_url).strip().lower().startswith("https://")

    @property
    def data_path(self) -> Path:
        return Path(str(self.values.get("data_dir", BY_NAME["data_dir"].default)))

    def replace(self, **changes: Any) -> Settings:
        return Settings({**self.values, **changes})


def env_var(name: str) -> str:
    return "CSNET_" + name.upper()


def _coerce(setting: Setting, raw: Any, source: str) -> Any:
    """Every value, from the environment or the file, goes through the setting's parser."""
    if isinstance(raw, bool):
        raw = "true" if raw else "false"
    if not isinstance(raw, str | int | float):
        raise BadInput(f"setting {setting.name} from {source}: not a string, number or boolean")
    try:
        return setting.parse(str(raw))
    except ValueError as exc:
        raise BadInput(f"setting {setting.name} from {source}: {exc}") from None


def resolve_data_dir(explicit: str | Path | None, environ: Mapping[str, str]) -> Path:
    """--data-dir, else CSNET_DATA_DIR, else ./csnet-data."""
    if explicit:
        return Path(explicit)
    return Path(environ.get(env_var("data_dir")) or BY_NAME["data_dir"].default)


def load_settings(
    data_dir: str | Path | None = None,
    environ: Mapping[str, str] | None = None,
    **overrides: Any,
) -> Settings:
    environ = os.environ if environ is None else environ
    directory = resolve_data_dir(data_dir, environ)
    values: dict[str, Any] = {}
    config = directory / CONFIG_FILE
    if config.is_file():
        try:
            from_file = tomllib.loads(config.read_text("utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise BadInput(f"{config.name} is not valid TOML: {exc}") from None
        for key, raw in from_file.items():
            if key not in BY_NAME:
                raise BadInput(f"{config.name}: unknown setting {key!r}")
            values[key] = _coerce(BY_NAME[key], raw, config.name)
    for setting in SETTINGS:
        raw_env = environ.get(env_var(setting.name))
        if raw_env is not None and setting.name != "data_dir":
            values[setting.name] = _coerce(setting, raw_env, env_var(setting.name))
    values.update({k: v for k, v in overrides.items() if v is not None})
    values["data_dir"] = str(directory)
    return Settings(values)


def write_config(directory: Path, values: Mapping[str, Any]) -> None:
    """Write the node's config file (simple TOML: strings, numbers, bools)."""
    lines = []
    for key, value in values.items():
        if key not in BY_NAME:
            raise BadInput(f"unknown setting {key!r}")
        if isinstance(value, bool):
            lines.append(f"{key} = {'true' if value else 'false'}")
        elif isinstance(value, int | float):
            lines.append(f"{key} = {value!r}")
        else:
            escaped = str(value).replace("\\", "\\\\").replace('"', '\\"')
            lines.append(f'{key} = "{escaped}"')
    (directory / CONFIG_FILE).write_text("\n".join(lines) + "\n", "utf-8")
