"""The transport settings in rules/clearinghouses.yaml: the shipped file and its commented SFTP example load, and
each mistake is a ConfigError that names the clearinghouse and the key (never a secret)."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from rcm.claims.clearinghouses import load_clearinghouses
from rcm.config import load_settings
from rcm.errors import ConfigError
from rcm.transport import RetryPolicy, clearinghouse_transports, parse_sftp, transport_for

REPO_ROOT = Path(__file__).resolve().parents[2]
RULES = REPO_ROOT / "rules" / "clearinghouses.yaml"
WHERE = "clearinghouses.yaml: clearinghouse acme"


def _good(**changes: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {"host": "sftp.example", "username": "billing", "key_file": "keys/acme",
                           "known_hosts": "keys/known_hosts", "inbox": "/in", "outbox": "/out"}
    raw.update(changes)
    return {k: v for k, v in raw.items() if v is not None}


def _uncommented_example() -> dict[str, Any]:
    lines = RULES.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "# example-sftp:")
    block = []
    for line in lines[start:]:
        if not line.startswith("  #"):
            break
        text = line.replace("  # ", "  ", 1) if line.startswith("  # ") else line
        block.append(text)
    doc = yaml.safe_load("\n".join(block))
    assert isinstance(doc, dict)
    return doc


def test_the_shipped_file_keeps_the_default_clearinghouse_local() -> None:
    profiles = load_clearinghouses(RULES.parent)
    assert profiles["default"].transport == "local" and profiles["default"].sftp is None
    settings = load_settings({"RCM_DATA_DIR": "/srv/rcm"})
    [default] = clearinghouse_transports(settings, "default")
    assert default.kind == "local" and default.outbound == Path("/srv/rcm/outbound/default")


def test_the_commented_sftp_example_is_a_valid_profile(tmp_path: Path) -> None:
    example = _uncommented_example()
    assert set(example) == {"example-sftp"}
    (tmp_path / "clearinghouses.yaml").write_text(yaml.safe_dump({"clearinghouses": example}))
    profile = load_clearinghouses(tmp_path)["example-sftp"]
    assert profile.transport == "sftp" and profile.sftp is not None
    assert profile.sftp.key_passphrase_env == "RCM_EXAMPLE_SFTP_KEY_PASSPHRASE"
    assert profile.sftp.retry == RetryPolicy(attempts=5, first_delay=2.0, max_delay=60.0)
    settings = load_settings({"RCM_DATA_DIR": str(tmp_path / "data"), "RCM_RULES_DIR": str(tmp_path)})
    [transport] = clearinghouse_transports(settings)
    assert transport.sftp is not None
    assert transport.sftp.key_file == tmp_path / "data" / "keys" / "example-sftp_ed25519"  # under the data dir
    assert transport.sftp.known_hosts == tmp_path / "data" / "keys" / "known_hosts"
    assert transport.outbound == tmp_path / "data" / "outbound" / "example-sftp"
    assert transport.sent == tmp_path / "data" / "archive" / "sent" / "example-sftp"
    assert transport.host == "sftp.clearinghouse.example"


def test_a_full_sftp_section_is_read() -> None:
    s = parse_sftp(_good(port=2222, password_env="ACME_PW", after_fetch="archive", archive="/out/done",
                         timeout_seconds=5, retry={"attempts": 2, "first_delay_seconds": 0.5, "max_delay_seconds": 1}),
                   where=WHERE)
    assert (s.host, s.port, s.username, s.inbox, s.outbox, s.after_fetch, s.archive, s.timeout) == (
        "sftp.example", 2222, "billing", "/in", "/out", "archive", "/out/done", 5.0)
    assert s.password_env == "ACME_PW" and s.retry == RetryPolicy(2, 0.5, 1.0)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"host": None}, "sftp.host is missing"),
        ({"username": ""}, "sftp.username must be a non-empty text"),
        ({"known_hosts": None}, "sftp.known_hosts is missing"),
        ({"inbox": None}, "sftp.inbox is missing"),
        ({"outbox": "/in"}, "inbox and sftp.outbox must be different"),
        ({"key_file": None}, "needs key_file or password_env"),
        ({"key_file": None, "password_env": "PW", "key_passphrase_env": "PP"}, "key_passphrase_env is set but"),
        ({"port": 0}, "sftp.port must be"),
        ({"port": "22"}, "sftp.port must be"),
        ({"after_fetch": "shred"}, "after_fetch must be one of delete, archive, keep"),
        ({"after_fetch": "archive"}, "sftp.archive is missing"),
        ({"archive": "/old"}, "archive is set but after_fetch is 'delete'"),
        ({"after_fetch": "archive", "archive": "/out"}, "archive must not be the outbox"),
        ({"timeout_seconds": 0}, "timeout_seconds must be a number"),
        ({"retry": {"attempts": 0}}, "retry.attempts must be a whole number"),
        ({"retry": {"first_delay_seconds": 5, "max_delay_seconds": 1}}, "must not be less than"),
        ({"retry": {"tries": 3}}, "retry has unknown keys ['tries']"),
        ({"hostname": "x"}, "sftp has unknown keys ['hostname']"),
        ({"inbox": "C:\\in"}, "with / separators"),
    ],
)
def test_each_mistake_names_the_key(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_sftp(_good(**changes), where=WHERE)
    assert str(caught.value).startswith(WHERE + ": ")
    assert message in str(caught.value)


@pytest.mark.parametrize("key", ["password", "passphrase", "key_passphrase"])
def test_a_secret_written_in_the_file_is_refused_without_repeating_it(key: str) -> None:
    with pytest.raises(ConfigError, match="secrets are never written in this file") as caught:
        parse_sftp(_good(**{key: "hunter2-sekret"}), where=WHERE)
    assert "hunter2-sekret" not in str(caught.value)


def test_a_secret_written_where_a_variable_name_goes_is_refused_without_repeating_it() -> None:
    with pytest.raises(ConfigError, match="must name an environment variable") as caught:
        parse_sftp(_good(password_env="hunter2 sekret!"), where=WHERE)
    assert "hunter2" not in str(caught.value)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"transport": "ftp"}, "transport must be one of local, sftp, got 'ftp'"),
        ({"transport": "sftp"}, "transport is sftp but there is no sftp: section"),
        ({"transport": "sftp", "sftp": "sftp.example"}, "sftp must be a mapping"),
        ({"transport": "sftp", "sftp": _good(), "outbound": "x", "inbound": "x"}, "must be different folders"),
    ],
)
def test_clearinghouse_entries_are_checked(tmp_path: Path, entry: dict[str, Any], message: str) -> None:
    settings = load_settings({"RCM_DATA_DIR": str(tmp_path)})
    with pytest.raises(ConfigError, match=re.escape(message)):
        transport_for("acme", entry, settings)


def test_the_claims_loader_checks_the_same_settings(tmp_path: Path) -> None:
    profile = {k: "X" for k in ("sender_qualifier", "sender_id", "receiver_qualifier", "receiver_id",
                                "submitter_name", "submitter_contact", "submitter_phone", "receiver_name")}
    (tmp_path / "clearinghouses.yaml").write_text(yaml.safe_dump(
        {"clearinghouses": {"acme": {**profile, "transport": "sftp", "sftp": _good(port=70000)}}}))
    with pytest.raises(ConfigError, match=r"clearinghouse acme: sftp\.port must be"):
        load_clearinghouses(tmp_path)
    (tmp_path / "clearinghouses.yaml").write_text(yaml.safe_dump(
        {"clearinghouses": {"acme": {**profile, "transport": "carrier pigeon"}}}))
    with pytest.raises(ConfigError, match="transport must be one of"):
        load_clearinghouses(tmp_path)


def test_an_unknown_clearinghouse_name_is_a_config_error_listing_the_known_ones(tmp_path: Path) -> None:
    settings = load_settings({"RCM_DATA_DIR": str(tmp_path)})
    with pytest.raises(ConfigError, match=r"no clearinghouse named 'nobody'.*configured: default"):
        clearinghouse_transports(settings, "nobody")


def test_the_transport_package_stays_low_in_the_house() -> None:
    allowed = ("rcm.errors", "rcm.config", "rcm.drops", "rcm.store", "rcm.transport")
    for path in sorted((REPO_ROOT / "rcm" / "transport").rglob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module] if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 else [])
            for name in names:
                if name == "rcm" or name.startswith("rcm."):
                    assert name.startswith(allowed), f"{path.name} imports {name}"
                assert not name.startswith("prefect"), f"{path.name} imports prefect"
