"""Who we send claims to: clearinghouse profiles and payer routing, read from rules/clearinghouses.yaml and
rules/payers.yaml."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from rcm.errors import ConfigError
from rcm.transport.settings import SftpSettings, parse_sftp, parse_transport_kind

__all__ = ["Clearinghouse", "PayerRoute", "load_clearinghouses", "load_payer_routes"]

_TEMPLATE_FIELDS = {"kind", "icn", "date", "time"}
_REQUIRED = (
    "sender_qualifier", "sender_id", "receiver_qualifier", "receiver_id",
    "submitter_name", "submitter_contact", "submitter_phone", "receiver_name",
)
_TEXT_FIELDS = (*_REQUIRED, "usage", "transport", "outbound", "inbound", "file_name")


@dataclass(frozen=True, slots=True)
class Clearinghouse:
    """One clearinghouse: the envelope ids, the submitter we say we are, limits and where files go.

    ``transport`` is ``local`` (the outbound and inbound folders are the exchange) or ``sftp`` (``sftp`` then
    says which server and folders; rcm.transport moves the files).
    """

    name: str
    sender_qualifier: str
    sender_id: str
    receiver_qualifier: str
    receiver_id: str
    submitter_name: str
    submitter_contact: str
    submitter_phone: str
    receiver_name: str
    usage: str = "P"
    max_claims_per_transaction: int = 5000
    transport: str = "local"
    outbound: str = "outbound"
    inbound: str = "inbound"
    file_name: str = "{kind}_{date}_{icn}.x12"
    sftp: SftpSettings | None = None

    def file_name_for(self, *, kind: str, icn: int, at: datetime) -> str:
        """The outbound file name from the configured template (never anything about a patient)."""
        name = self.file_name.format(
            kind=kind, icn=f"{icn:09d}", date=at.strftime("%Y%m%d"), time=at.strftime("%H%M%S")
        )
        if "/" in name or "\\" in name or name.startswith("."):
            raise ConfigError(f"clearinghouse {self.name}: file_name must be a plain file name, got {name!r}")
        return name


@dataclass(frozen=True, slots=True)
class PayerRoute:
    """What the claim builder needs about one payer: its claim filing indicator (SBR09) and clearinghouse."""

    payer_id: str
    name: str
    filing_indicator: str | None
    timely_filing_days: int | None
    clearinghouse: str


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: the file is missing") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc.__class__.__name__})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping at the top")
    return data


def load_clearinghouses(rules_dir: Path) -> dict[str, Clearinghouse]:
    """All clearinghouse profiles by name; a missing required key is a ConfigError naming it."""
    path = rules_dir / "clearinghouses.yaml"
    raw = _read_yaml(path).get("clearinghouses")
    if not isinstance(raw, dict) or not raw:
        raise ConfigError(f"{path}: no clearinghouses defined")
    result: dict[str, Clearinghouse] = {}
    for name, entry in raw.items():
        if not isinstance(entry, dict):
            raise ConfigError(f"{path}: clearinghouse {name} is not a mapping")
        texts = {k: str(entry[k]) for k in _TEXT_FIELDS if k in entry}
        missing = [k for k in _REQUIRED if k not in entry]
        if missing:
            raise ConfigError(f"{path}: clearinghouse {name}: missing {', '.join(missing)}")
        limit = entry.get("max_claims_per_transaction", 5000)
        if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
            raise ConfigError(f"{path}: clearinghouse {name}: max_claims_per_transaction must be a positive integer")
        where = f"{path}: clearinghouse {name}"
        texts["transport"] = parse_transport_kind(entry.get("transport"), where=where)
        sftp = parse_sftp(entry["sftp"], where=where) if entry.get("sftp") is not None else None
        if texts["transport"] == "sftp" and sftp is None:
            raise ConfigError(f"{where}: transport is sftp but there is no sftp: section")
        ch = Clearinghouse(name=str(name), max_claims_per_transaction=limit, sftp=sftp, **texts)
        unknown = set(re.findall(r"{(\w*)}", ch.file_name)) - _TEMPLATE_FIELDS
        if unknown:
            raise ConfigError(f"{path}: clearinghouse {name}: file_name uses unknown fields {sorted(unknown)}")
        if ch.usage not in ("P", "T"):
            raise ConfigError(f"{path}: clearinghouse {name}: usage must be P or T")
        result[ch.name] = ch
    return result


def load_payer_routes(rules_dir: Path) -> dict[str, PayerRoute]:
    """Payer facts by payer id (an unknown payer goes to the `default` clearinghouse)."""
    path = rules_dir / "payers.yaml"
    raw = _read_yaml(path).get("payers") or []
    routes: dict[str, PayerRoute] = {}
    for entry in raw:
        if not isinstance(entry, dict) or "payer_id" not in entry:
            raise ConfigError(f"{path}: every payer needs a payer_id")
        days = entry.get("timely_filing_days")
        routes[str(entry["payer_id"])] = PayerRoute(
            payer_id=str(entry["payer_id"]),
            name=str(entry.get("name") or entry["payer_id"]),
            filing_indicator=str(entry["filing_indicator"]) if entry.get("filing_indicator") else None,
            timely_filing_days=int(days) if days is not None else None,
            clearinghouse=str(entry.get("clearinghouse") or "default"),
        )
    return routes
