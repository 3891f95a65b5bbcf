"""Send to, or fetch from, every configured clearinghouse (or one): what the nightly step and `rcm transfer` call.

A clearinghouse whose settings are wrong, or whose server fails, is reported in its own report; the others go on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

from sqlalchemy import Engine

from rcm.config import Settings
from rcm.errors import ConfigError
from rcm.transport.fetching import fetch_files
from rcm.transport.link import TransferReport
from rcm.transport.remote import Connector
from rcm.transport.sending import send_files
from rcm.transport.settings import ClearinghouseTransport, clearinghouse_transports, transport_for

__all__ = ["fetch_all", "send_all", "uses_remote_transport"]

_Mover = Callable[..., TransferReport]


def _each(settings: Settings, clearinghouse: str | None, direction: str, move: _Mover, engine: Engine,
          connectors: Mapping[str, Connector] | None, sleep: Callable[[float], None]) -> list[TransferReport]:
    if clearinghouse is not None:
        clearinghouse_transports(settings, clearinghouse)  # an unknown name is the caller's mistake: raise
    names = [clearinghouse] if clearinghouse is not None else list(settings.clearinghouses)
    reports: list[TransferReport] = []
    for name in names:
        try:
            transport: ClearinghouseTransport = transport_for(name, settings.clearinghouses[name], settings)
        except ConfigError as exc:
            report = TransferReport(name, direction, str(settings.clearinghouses[name].get("transport", "?")))
            report.add_error(exc)
            reports.append(report)
            continue
        reports.append(move(transport, engine, connect=(connectors or {}).get(name), sleep=sleep))
    return reports


def send_all(settings: Settings, engine: Engine, *, clearinghouse: str | None = None,
             connectors: Mapping[str, Connector] | None = None,
             sleep: Callable[[float], None] = time.sleep) -> list[TransferReport]:
    """Send the outbound drop of every clearinghouse (or the one named) that is reached over SFTP."""
    return _each(settings, clearinghouse, "send", send_files, engine, connectors, sleep)


def fetch_all(settings: Settings, engine: Engine, *, clearinghouse: str | None = None,
              connectors: Mapping[str, Connector] | None = None,
              sleep: Callable[[float], None] = time.sleep) -> list[TransferReport]:
    """Fetch into the inbound drop what every clearinghouse (or the one named) reached over SFTP left for us."""
    return _each(settings, clearinghouse, "fetch", fetch_files, engine, connectors, sleep)


def uses_remote_transport(settings: Settings) -> bool:
    """Whether any clearinghouse is configured with a transport that moves files (not a local folder)."""
    return any(str(entry.get("transport") or "local") != "local" for entry in settings.clearinghouses.values())
