"""Moving files between our drops and the clearinghouses: `local` (the drop folders are the exchange: nothing
moves) or `sftp` (upload our outbound drop to their inbox, fetch their outbox into our inbound drop).

Low in the house: uses rcm.errors, rcm.config, rcm.drops and rcm.store, never a stage. Every file moves exactly
once, and a run cut off at any point is finished by the next one (see rcm.transport.sending and .fetching).

    send_all(settings, engine)     every clearinghouse's outbound drop to its server
    fetch_all(settings, engine)    every clearinghouse's outbox into our inbound drop
"""

from __future__ import annotations

from rcm.transport.fetching import fetch_files
from rcm.transport.link import TransferredFile, TransferReport
from rcm.transport.remote import Connector, RemoteEntry, RemoteFolder
from rcm.transport.sending import send_files
from rcm.transport.service import fetch_all, send_all, uses_remote_transport
from rcm.transport.settings import (
    AFTER_FETCH,
    TRANSPORTS,
    ClearinghouseTransport,
    RetryPolicy,
    SftpSettings,
    clearinghouse_transports,
    parse_sftp,
    parse_transport_kind,
    transport_for,
)

__all__ = [
    "AFTER_FETCH",
    "TRANSPORTS",
    "ClearinghouseTransport",
    "Connector",
    "RemoteEntry",
    "RemoteFolder",
    "RetryPolicy",
    "SftpSettings",
    "TransferReport",
    "TransferredFile",
    "clearinghouse_transports",
    "fetch_all",
    "fetch_files",
    "parse_sftp",
    "parse_transport_kind",
    "send_all",
    "send_files",
    "transport_for",
    "uses_remote_transport",
]
