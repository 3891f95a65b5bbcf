"""An eligibility run: encounters whose coverage is unverified or older than the window become 270 inquiries,
one interchange per clearinghouse in the outbound drop, each inquiry stored with the trace number its answer
will echo.

    request_eligibility(session, settings, now=None, max_age_days=30) -> InquiryReport   (the caller commits)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from rcm.config import Settings
from rcm.domain import Relationship
from rcm.drops import remove_dropped, write_new_file
from rcm.eligibility.requests270 import IMPLEMENTATION_270, InquiryLine, build_270_transaction
from rcm.eligibility.selection import ToVerify, encounters_to_verify
from rcm.eligibility.service_types import service_types_for
from rcm.errors import ConfigError, StateError
from rcm.store.repositories.files import next_control_number, record_file
from rcm.store.tables.eligibility import EligibilityInquiry
from rcm.store.tables.parties import Payer
from rcm.x12.validation import validate_file
from rcm.x12.writer import GroupOut, TransactionOut, write_interchange

__all__ = ["DEFAULT_MAX_AGE_DAYS", "InquiryFile", "InquiryReport", "request_eligibility"]

DEFAULT_MAX_AGE_DAYS = 30
_MEMBERS_PER_TRANSACTION = 99
_MAX_9_DIGITS = 999_999_999


@dataclass(frozen=True, slots=True)
class InquiryFile:
    """One 270 interchange written to the drop."""

    path: str
    clearinghouse: str
    interchange_control_number: str
    transactions: int
    inquiries: int


@dataclass(slots=True)
class InquiryReport:
    """What an eligibility run asked and why it left some encounters out (ids only, no PHI)."""

    files: list[InquiryFile] = field(default_factory=list)
    inquiries: int = 0
    skipped: int = 0  # verified, asked or billed within the window
    not_sendable: list[tuple[str, str]] = field(default_factory=list)  # (encounter id, reason)

    def as_json(self) -> dict[str, Any]:
        return {
            "inquiries": self.inquiries,
            "skipped": self.skipped,
            "files": [
                {"file": f.path, "clearinghouse": f.clearinghouse, "interchange": f.interchange_control_number,
                 "transactions": f.transactions, "inquiries": f.inquiries}
                for f in self.files
            ],
            "not_sendable": [{"encounter": e, "reason": r} for e, r in self.not_sendable],
        }


def _payer_routes(settings: Settings) -> dict[str, dict[str, Any]]:
    path = settings.rules_dir / "payers.yaml"
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read payer settings ({type(exc).__name__})") from exc
    entries = data.get("payers") if isinstance(data, dict) else None
    return {str(e["payer_id"]): dict(e) for e in entries or [] if isinstance(e, dict) and "payer_id" in e}


def _clearinghouse(settings: Settings, name: str) -> dict[str, Any]:
    profile = settings.clearinghouses.get(name) or settings.clearinghouses.get("default")
    if profile is None:
        raise ConfigError(f"{settings.rules_dir / 'clearinghouses.yaml'}: no clearinghouse {name!r} and no default")
    for key in ("sender_id", "receiver_id"):
        if not profile.get(key):
            raise ConfigError(f"clearinghouse {name}: {key} is not set")
    return profile


def _counter(session: Session, name: str) -> int:
    value = next_control_number(session, name)
    if value > _MAX_9_DIGITS:
        raise StateError(f"control counter {name} is exhausted (more than nine digits)")
    return value


def _not_sendable_reason(item: ToVerify) -> str | None:
    enc = item.encounter
    if enc.billing_provider is None and enc.rendering_provider is None:
        return "no billing or rendering provider to ask as"
    person = item.coverage.subscriber if item.coverage.relationship is not Relationship.self_ else enc.patient
    has_name = bool(person and person.last_name) or bool(enc.patient.last_name)
    if not item.coverage.member_id and not has_name:
        return "neither a member id nor a name to ask about"
    return None


def _folder(settings: Settings, profile: dict[str, Any]) -> Path:
    configured = profile.get("outbound")
    if not configured:
        return settings.outbound_dir
    folder = Path(str(configured))
    return folder if folder.is_absolute() else settings.data_dir / folder


def _file_name(profile: dict[str, Any], icn: int, at: datetime) -> str:
    template = str(profile.get("file_name") or "{kind}_{date}_{icn}.x12")
    try:
        name = template.format(kind="270", icn=f"{icn:09d}", date=at.strftime("%Y%m%d"), time=at.strftime("%H%M%S"))
    except (KeyError, IndexError, ValueError) as exc:
        raise ConfigError(f"clearinghouse {profile.get('name')}: file_name template is not usable") from exc
    if "/" in name or "\\" in name or name.startswith("."):
        raise ConfigError(f"clearinghouse {profile.get('name')}: file_name must be a plain file name")
    return name


def request_eligibility(
    session: Session,
    settings: Settings,
    *,
    now: datetime | None = None,
    max_age_days: int = DEFAULT_MAX_AGE_DAYS,
) -> InquiryReport:
    """Write 270s for coverages unverified or verified longer than ``max_age_days`` ago (files dropped after
    their rows are flushed; on any failure the files of this run are taken back).  The caller commits."""
    if max_age_days < 0:
        raise ValueError("max_age_days must not be negative")
    when = now or datetime.now(UTC)
    report = InquiryReport()
    chosen, report.skipped = encounters_to_verify(session, now=when, max_age_days=max_age_days)
    routes = _payer_routes(settings)
    names = dict(session.execute(select(Payer.payer_id, Payer.name)).tuples().all())
    by_house: dict[str, dict[str, list[ToVerify]]] = {}
    for item in chosen:
        reason = _not_sendable_reason(item)
        if reason is not None:
            report.not_sendable.append((item.encounter.encounter_id, reason))
            continue
        house = str(routes.get(item.coverage.payer_id, {}).get("clearinghouse") or "default")
        by_house.setdefault(house, {}).setdefault(item.coverage.payer_id, []).append(item)
    pending: list[tuple[Path, str, bytes]] = []
    for house, by_payer in sorted(by_house.items()):
        pending.append(_interchange(session, settings, house, by_payer, names, routes, when, report))
    written: list[Path] = []
    try:
        for folder, name, content in pending:
            written.append(write_new_file(folder, name, content))
    except BaseException:
        for path in written:
            remove_dropped(path)
        raise
    report.files = [
        InquiryFile(str(path), f.clearinghouse, f.interchange_control_number, f.transactions, f.inquiries)
        for path, f in zip(written, report.files, strict=True)
    ]
    return report


def _interchange(
    session: Session, settings: Settings, house: str, by_payer: dict[str, list[ToVerify]],
    names: dict[str, str], routes: dict[str, dict[str, Any]], when: datetime, report: InquiryReport,
) -> tuple[Path, str, bytes]:
    profile = _clearinghouse(settings, house)
    sender = str(profile["sender_id"])
    icn = _counter(session, f"isa13:{sender}")
    gs06 = _counter(session, f"gs06:{sender}")
    transactions: list[TransactionOut] = []
    inquiries: list[tuple[InquiryLine, ToVerify]] = []
    for payer_id, items in sorted(by_payer.items()):
        payer_name = names.get(payer_id) or str(routes.get(payer_id, {}).get("name") or "") \
            or items[0].coverage.payer_name or payer_id
        for start in range(0, len(items), _MEMBERS_PER_TRANSACTION):
            lines: list[InquiryLine] = []
            for item in items[start:start + _MEMBERS_PER_TRANSACTION]:
                trace = f"RCM{_counter(session, 'eligibility-trace'):09d}"  # ours at a glance, never a payer's
                line = InquiryLine(item.encounter, item.coverage, payer_name,
                                   tuple(service_types_for(item.encounter)), trace)
                lines.append(line)
                inquiries.append((line, item))
            st02 = f"{_counter(session, f'st02:{sender}'):04d}"
            transactions.append(build_270_transaction(lines, control_number=st02, reference=f"{icn:09d}{st02}",
                                                      created=when))
    group = GroupOut(functional_id="HS", sender_id=sender, receiver_id=str(profile["receiver_id"]),
                     control_number=gs06, version=IMPLEMENTATION_270, date=when.date(), time=when.strftime("%H%M"),
                     transactions=transactions)
    content = write_interchange(
        sender_qualifier=str(profile.get("sender_qualifier") or "ZZ"), sender_id=sender,
        receiver_qualifier=str(profile.get("receiver_qualifier") or "ZZ"), receiver_id=str(profile["receiver_id"]),
        control_number=icn, date=when.date(), time=when.strftime("%H%M"),
        usage=str(profile.get("usage") or "P") if str(profile.get("usage") or "P") in ("P", "T") else "P",
        groups=[group], newline=True,
    )
    problems = [f for f in validate_file(content) if f.severity == "error"]
    if problems:
        # never drop a file our own validator rejects: that is a builder bug, not an inquiry to send
        first = "; ".join(f"segment {f.segment}: {f.message}" for f in problems[:5])
        raise StateError(f"270 interchange {icn:09d} failed validation before it was dropped "
                         f"({len(problems)} error(s)): {first}")
    folder = _folder(settings, profile)
    name = _file_name(profile, icn, when)
    record, _ = record_file(
        session, direction="out", kind="270", name=name, path=str(folder / name), content=content,
        interchange_control_number=f"{icn:09d}", sender_id=sender[:15], receiver_id=str(profile["receiver_id"])[:15],
        clearinghouse=house, status="sent", detail={"inquiries": len(inquiries), "transactions": len(transactions)},
    )
    for line, item in inquiries:
        session.add(EligibilityInquiry(
            trace_number=line.trace_number, encounter_id=item.encounter.encounter_id, patient_id=item.patient_id,
            payer_id=item.coverage.payer_id, service_types=list(line.service_types), file_id=record.id,
            sent_at=when,
        ))
    session.flush()
    report.inquiries += len(inquiries)
    report.files.append(InquiryFile(str(folder / name), house, f"{icn:09d}", len(transactions), len(inquiries)))
    return folder, name, content
