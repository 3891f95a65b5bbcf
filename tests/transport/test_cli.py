"""`rcm transfer send|fetch [--clearinghouse NAME] [--json]` against the real sshd: what it prints and moves, and its
exit code when something is left for the next run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from rcm.cli import transfer as transfer_cli
from rcm.config import reset_settings
from rcm.errors import ConfigError

from .conftest import Site
from .servers import SshServer

app = typer.Typer()
transfer_cli.register(app)


@pytest.fixture
def cli_site(database_url: str, tmp_path: Path, sshd: SshServer, monkeypatch: pytest.MonkeyPatch) -> Site:
    site = Site(tmp_path, sshd)
    for folder in (site.inbox, site.outbox):
        folder.mkdir(parents=True, exist_ok=True)
    site.write_rules({site.name: site.entry(), "local-one": {"transport": "local"}})
    monkeypatch.setenv("RCM_RULES_DIR", str(site.rules_dir))
    reset_settings()
    return site


def test_send_and_fetch_from_the_command_line(cli_site: Site) -> None:
    site = cli_site
    site.drop("837P_20260701_000000001.x12", b"ISA*claims~")
    site.leave("999_0001.x12", b"ISA*ack~")
    runner = CliRunner()

    sent = runner.invoke(app, ["transfer", "send", "--json"])
    assert sent.exit_code == 0, sent.output
    report = json.loads(sent.output)
    assert report["direction"] == "send" and report["moved"] == 1 and report["errors"] == 0
    by_name = {c["clearinghouse"]: c for c in report["clearinghouses"]}
    assert by_name["local-one"]["transport"] == "local" and by_name["local-one"]["files"] == []
    assert [(f["name"], f["outcome"]) for f in by_name["acme"]["files"]] == [("837P_20260701_000000001.x12", "sent")]
    assert (site.inbox / "837P_20260701_000000001.x12").read_bytes() == b"ISA*claims~"

    again = runner.invoke(app, ["transfer", "send", "--clearinghouse", "acme"])
    assert again.exit_code == 0, again.output
    assert again.output.splitlines() == [f"acme (127.0.0.1:{site.server.port}): 0 file(s) sent"]

    fetched = runner.invoke(app, ["transfer", "fetch"])
    assert fetched.exit_code == 0, fetched.output
    assert fetched.output.splitlines() == [
        f"acme (127.0.0.1:{site.server.port}): 1 file(s) fetched",
        "  999_0001.x12: fetched (8 bytes)",
        "local-one: local folders, nothing to move",
    ]
    assert (site.inbound / "999_0001.x12").read_bytes() == b"ISA*ack~"


def test_a_refused_transfer_exits_non_zero_and_says_what_is_left(cli_site: Site) -> None:
    site = cli_site
    empty = site.root / "no_known_hosts"
    empty.write_text("")
    site.sftp = {"known_hosts": str(empty)}
    site.write_rules()
    reset_settings()
    site.drop("837P_20260701_000000001.x12", b"ISA~")

    result = CliRunner().invoke(app, ["transfer", "send", "--clearinghouse", "acme"])

    assert result.exit_code == 1
    assert "error: clearinghouse acme, host 127.0.0.1:" in result.output
    assert "host key" in result.output and "(left for the next run)" in result.output
    assert (site.outbound / "837P_20260701_000000001.x12").exists()


def test_an_unknown_clearinghouse_is_a_config_error(cli_site: Site) -> None:
    result = CliRunner().invoke(app, ["transfer", "fetch", "--clearinghouse", "nobody"])
    assert isinstance(result.exception, ConfigError)  # `rcm` prints it and exits 1
    assert "configured: acme, local-one" in str(result.exception)
