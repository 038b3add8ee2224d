"""Settings: one table, every entry documented, precedence as documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from csnet.errors import BadInput
from csnet.settings import SETTINGS, env_var, load_settings, resolve_data_dir, write_config

DOCS = Path(__file__).resolve().parent.parent / "docs" / "settings.md"


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_every_setting_is_documented(setting: object) -> None:
    text = DOCS.read_text("utf-8")
    name = setting.name  # type: ignore[attr-defined]
    assert f"`{name}`" in text
    assert f"`{env_var(name)}`" in text


def test_every_setting_has_help() -> None:
    assert all(s.help.strip() for s in SETTINGS)
    assert len({s.name for s in SETTINGS}) == len(SETTINGS)


def test_data_dir_precedence(tmp_path: Path) -> None:
    assert resolve_data_dir(tmp_path / "a", {"CSNET_DATA_DIR": "b"}) == tmp_path / "a"
    assert resolve_data_dir(None, {"CSNET_DATA_DIR": "b"}) == Path("b")
    assert resolve_data_dir(None, {}) == Path("./csnet-data")


def test_env_overrides_file_and_overrides_win(tmp_path: Path) -> None:
    write_config(tmp_path, {"port": 9000, "node_name": "GR-HCG"})
    assert load_settings(tmp_path, environ={}).port == 9000
    assert load_settings(tmp_path, environ={"CSNET_PORT": "9100"}).port == 9100
    assert load_settings(tmp_path, environ={"CSNET_PORT": "9100"}, port=9200).port == 9200
    assert load_settings(tmp_path, environ={}).node_name == "GR-HCG"


def test_defaults_apply(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, environ={})
    assert settings.lockout_threshold == 5
    assert settings.cookie_secure is False
    assert settings.prescreen_bloom is False  # pre-screens leak more than PSI: opt in
    assert settings.prescreen_fp_rate == 0.01


def test_rates_are_read_from_file_and_environment(tmp_path: Path) -> None:
    write_config(tmp_path, {"prescreen_bloom": True, "prescreen_fp_rate": 0.05})
    settings = load_settings(tmp_path, environ={})
    assert (settings.prescreen_bloom, settings.prescreen_fp_rate) == (True, 0.05)
    assert (
        load_settings(tmp_path, environ={"CSNET_PRESCREEN_FP_RATE": "0.001"}).prescreen_fp_rate
        == 0.001
    )


@pytest.mark.parametrize(
    ("environ", "config", "message"),
    [
        ({"CSNET_PORT": "eighty"}, "", "CSNET_PORT"),
        ({"CSNET_COOKIE_SECURE": "maybe"}, "", "CSNET_COOKIE_SECURE"),
        ({"CSNET_PORT": "70000"}, "", "not a TCP port"),
        ({"CSNET_LOG_LEVEL": "loud"}, "", "CSNET_LOG_LEVEL"),
        ({"CSNET_PRESCREEN_BLOOM": "sometimes"}, "", "CSNET_PRESCREEN_BLOOM"),
        ({"CSNET_PRESCREEN_FP_RATE": "0.5"}, "", "not between 0.0001 and 0.25"),
        ({"CSNET_PRESCREEN_FP_RATE": "nan"}, "", "not between 0.0001 and 0.25"),
        ({"CSNET_PRESCREEN_FP_RATE": "often"}, "", "CSNET_PRESCREEN_FP_RATE"),
        ({}, "prescreen_fp_rate = 0.00001\n", "not between 0.0001 and 0.25"),
        ({"CSNET_ALLOW_PLAIN_HTTP_PEERS": "sometimes"}, "", "CSNET_ALLOW_PLAIN_HTTP_PEERS"),
        ({"CSNET_TLS_CERT_FILE": "node.crt\nx"}, "", "CSNET_TLS_CERT_FILE"),
        ({"CSNET_TLS_KEY_FILE": "k" * 5000}, "", "not a file path"),
        ({}, 'peer_ca_file = "ca\\u0001.pem"\n', "not a file path"),
        ({}, "colour = 'red'\n", "unknown setting"),
        ({}, "port = 70000\n", "not a TCP port"),
        ({}, "port = [1]\n", "not a string"),
        ({}, "port = [\n", "not valid TOML"),
    ],
)
def test_bad_settings_are_refused_clearly(
    tmp_path: Path, environ: dict[str, str], config: str, message: str
) -> None:
    if config:
        (tmp_path / "config.toml").write_text(config)
    with pytest.raises(BadInput, match=message):
        load_settings(tmp_path, environ=environ)


def test_unknown_setting_attribute_raises(tmp_path: Path) -> None:
    with pytest.raises(AttributeError):
        _ = load_settings(tmp_path, environ={}).no_such_setting


def test_tls_is_off_and_plain_http_peers_refused_by_default(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, environ={})
    assert settings.allow_plain_http_peers is False
    assert (settings.tls_cert_file, settings.tls_key_file, settings.peer_ca_file) == ("", "", "")
    assert settings.tls_enabled is False and settings.served_over_https is False


def test_tls_settings_are_read_and_imply_https(tmp_path: Path) -> None:
    write_config(tmp_path, {"tls_cert_file": "/etc/csnet/node.crt", "peer_ca_file": "ca.pem"})
    environ = {"CSNET_TLS_KEY_FILE": " /etc/csnet/node.key ", "CSNET_ALLOW_PLAIN_HTTP_PEERS": "1"}
    settings = load_settings(tmp_path, environ=environ)
    assert settings.tls_key_file == "/etc/csnet/node.key"
    assert settings.peer_ca_file == "ca.pem" and settings.allow_plain_http_peers is True
    assert settings.tls_enabled and settings.served_over_https
    proxied = load_settings(tmp_path / "p", environ={"CSNET_PUBLIC_URL": "HTTPS://csnet.test"})
    assert proxied.served_over_https and not proxied.tls_enabled
