"""A synthetic payer's 271 answers to our 270s (for the demo until the clearinghouse simulator exists): mostly
active with copay, coinsurance, deductible and out-of-pocket figures, some inactive, some AAA 72 / 75 / 42.

Imports only rcm.x12: answers are decided per trace number from ``seed`` (same inputs, same bytes), or forced
per trace with ``answers`` (tests use that to cover every EB01 and AAA code).
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from rcm.drops import replace_file
from rcm.errors import RcmError
from rcm.x12.errors import NotX12Error
from rcm.x12.reader import Transaction, read_file
from rcm.x12.sets.common import Party
from rcm.x12.sets.eligibility279 import EligibilityInquiry, Member, inquiry_from_tree
from rcm.x12.tokenizer import iter_segments
from rcm.x12.writer import ElementValue, GroupOut, Repeats, TransactionOut, write_interchange

__all__ = ["LEDGER_NAME", "PayerAnswer", "answer_for", "answer_outbound_270s", "respond_to_270"]

IMPLEMENTATION = "005010X279A1"
LEDGER_NAME = "eligibility-sim.json"


@dataclass(frozen=True, slots=True)
class PayerAnswer:
    """What the synthetic payer says about one inquiry: an EB01 status (1-8) with figures, or an AAA reject."""

    status_code: str = "1"  # EB01 of the plan coverage line; ignored when reject_reason is set
    reject_reason: str | None = None  # AAA03 at the member level
    follow_up: str = "C"  # AAA04
    copay: Decimal = Decimal("25.00")
    coinsurance: Decimal = Decimal("0.2")
    deductible: Decimal = Decimal("1500.00")
    deductible_remaining: Decimal = Decimal("900.00")
    oop_remaining: Decimal = Decimal("4200.00")
    plan_begin: date | None = None
    plan_end: date | None = None
    member_id: str | None = None  # a corrected member id, echoed instead of the one asked about


def answer_for(trace: str, seed: int) -> PayerAnswer:
    """The seeded answer for one trace: about 88 % active, 5 % inactive, 7 % rejected (72, 75 or 42)."""
    rng = random.Random(f"{seed}:{trace}")
    roll = rng.random()
    copay = Decimal(rng.choice(("10.00", "20.00", "25.00", "30.00", "40.00")))
    deductible = Decimal(rng.choice(("500.00", "1000.00", "1500.00", "3000.00")))
    used = (deductible * Decimal(rng.randint(0, 100)) / Decimal(100)).quantize(Decimal("0.01"))
    oop = Decimal(rng.choice(("3000.00", "5000.00", "7500.00")))
    remaining = deductible - used
    oop_left = oop - used
    coinsurance = Decimal(rng.choice(("0.1", "0.2", "0.3")))
    if roll < 0.93:
        return PayerAnswer("1" if roll < 0.88 else "6", copay=copay, coinsurance=coinsurance, deductible=deductible,
                           deductible_remaining=remaining, oop_remaining=oop_left)
    reason, follow = rng.choice((("72", "C"), ("75", "C"), ("42", "R")))
    return PayerAnswer(reject_reason=reason, follow_up=follow)


def _d8(d: date) -> str:
    return d.strftime("%Y%m%d")


def _party(p: Party | None, entity: str) -> list[ElementValue]:
    if p is None:
        return ["NM1", entity, "2", "UNKNOWN"]
    out: list[ElementValue] = ["NM1", p.entity or entity, p.entity_type or "2", p.last_name, p.first_name,
                               p.middle_name, "", p.suffix]
    if p.id_qualifier and p.id:
        out += [p.id_qualifier, p.id]
    while out and out[-1] == "":
        out.pop()
    return out


def _member_name(m: Member, entity: str, member_id: str | None) -> list[list[ElementValue]]:
    p = m.person
    name: list[ElementValue] = ["NM1", entity, "1", p.last_name if p else "", p.first_name if p else "",
                                p.middle_name if p else ""]
    ident = member_id or (p.id if p is not None and p.id_qualifier == "MI" else "")
    if ident:
        name += ["", "", "MI", ident]
    while name and name[-1] == "":
        name.pop()
    out = [name]
    if m.birth_date is not None:
        dmg: list[ElementValue] = ["DMG", "D8", _d8(m.birth_date)]
        if m.gender:
            dmg.append(m.gender)
        out.append(dmg)
    return out


def _benefits(a: PayerAnswer, asked: list[str], day: date) -> list[list[ElementValue]]:
    begin = a.plan_begin or date(day.year, 1, 1)
    if a.status_code in ("6", "7", "8"):
        end = a.plan_end or date(day.year - 1, 12, 31)
        return [["DTP", "346", "D8", _d8(date(end.year, 1, 1))], ["DTP", "347", "D8", _d8(end)],
                ["EB", a.status_code, "IND", "30", "", "SYNTHETIC PPO"]]
    out: list[list[ElementValue]] = [["DTP", "346", "D8", _d8(begin)]]
    if a.plan_end is not None:
        out.append(["DTP", "347", "D8", _d8(a.plan_end)])
    out.append(["EB", a.status_code, "IND", "30", "", "SYNTHETIC PPO"])
    specific = [t for t in asked if t != "30"]
    if specific:
        out.append(["EB", "1", "IND", Repeats(specific) if len(specific) > 1 else specific[0]])
    office = "98" if "98" in asked or not specific else specific[0]
    out += [
        ["EB", "B", "IND", office, "", "", "27", f"{a.copay:.2f}", "", "", "", "", "Y"],
        ["EB", "A", "IND", "30", "", "", "27", "", str(a.coinsurance), "", "", "", "Y"],
        ["EB", "C", "IND", "30", "", "", "23", f"{a.deductible:.2f}", "", "", "", "", "Y"],
        ["EB", "C", "IND", "30", "", "", "29", f"{a.deductible_remaining:.2f}", "", "", "", "", "Y"],
        ["EB", "G", "IND", "30", "", "", "29", f"{a.oop_remaining:.2f}", "", "", "", "", "Y"],
    ]
    return out


def _answer_segments(m: Member, a: PayerAnswer, day: date) -> list[list[ElementValue]]:
    out: list[list[ElementValue]] = [["TRN", "2", t.number, t.originator] for t in m.traces if t.number]
    out += _member_name(m, "IL" if m.level == "subscriber" else "03", a.member_id if m.level == "subscriber" else None)
    if a.reject_reason is not None:
        out.append(["AAA", "N", "", a.reject_reason, a.follow_up])
        return out
    if m.level == "dependent" and m.relationship:
        out.append(["INS", "N", m.relationship])
    asked = [t for inq in m.inquiries for t in inq.service_types if t] or ["30"]
    return out + _benefits(a, asked, day)


def _respond(model: EligibilityInquiry, control: str, seed: int, answers: Mapping[str, PayerAnswer] | None,
             when: datetime) -> TransactionOut:
    segments: list[list[ElementValue]] = [
        ["BHT", "0022", "11", model.reference or control, _d8(when.date()), when.strftime("%H%M")],
    ]
    hl = 0
    source_hl = receiver_hl = subscriber_hl = 0
    last_source = last_receiver = None
    for m in model.members:
        if m.source is not last_source or source_hl == 0:
            hl += 1
            source_hl = hl
            segments += [["HL", str(hl), "", "20", "1"], _party(m.source, "PR")]
            last_source, last_receiver = m.source, None
        if m.receiver is not last_receiver or receiver_hl == 0:
            hl += 1
            receiver_hl = hl
            segments += [["HL", str(hl), str(source_hl), "21", "1"], _party(m.receiver, "1P")]
            last_receiver = m.receiver
        trace = next((t.number for t in m.traces if t.number), "")
        answer = (answers or {}).get(trace) or answer_for(trace, seed)
        hl += 1
        if m.level == "subscriber":
            subscriber_hl = hl
            has_child = any(x.parent_hl_id == m.hl_id for x in model.members)
            segments.append(["HL", str(hl), str(receiver_hl), "22", "1" if has_child else "0"])
            if m.traces or m.inquiries:
                segments += _answer_segments(m, answer, when.date())
            else:
                segments += _member_name(m, "IL", None)
        else:
            segments.append(["HL", str(hl), str(subscriber_hl), "23", "0"])
            segments += _answer_segments(m, answer, when.date())
    return TransactionOut("271", control, segments, IMPLEMENTATION)


def respond_to_270(content: bytes, *, seed: int, answers: Mapping[str, PayerAnswer] | None = None,
                   now: datetime | None = None) -> bytes:
    """A 271 interchange answering every 270 of ``content`` (sender and receiver swapped, one 271 per 270)."""
    when = now or datetime.now(UTC)
    x12file = read_file(content)
    inquiries: list[tuple[Transaction, EligibilityInquiry]] = []
    for tx in x12file.transactions:
        if tx.set_id == "270":
            inquiries.append((tx, inquiry_from_tree(tx.tree, control_number=tx.control_number, version=tx.version)))
    if not inquiries:
        raise ValueError("no 270 transaction set to answer")
    header = inquiries[0][0].interchange
    group = inquiries[0][0].group
    transactions = [_respond(model, tx.control_number, seed, answers, when) for tx, model in inquiries]
    icn = int(header.control_number) if header and header.control_number.isdigit() else 1
    group_out = GroupOut(
        functional_id="HB", sender_id=(group.receiver_id if group else "") or "PAYER",
        receiver_id=(group.sender_id if group else "") or "PROVIDER", control_number=icn or 1,
        version=IMPLEMENTATION, date=when.date(), time=when.strftime("%H%M"), transactions=transactions,
    )
    return write_interchange(
        sender_qualifier=(header.receiver_qualifier if header else "") or "ZZ",
        sender_id=(header.receiver_id if header else "") or "PAYER",
        receiver_qualifier=(header.sender_qualifier if header else "") or "ZZ",
        receiver_id=(header.sender_id if header else "") or "PROVIDER",
        control_number=icn or 1, date=when.date(), time=when.strftime("%H%M"),
        usage=header.usage if header and header.usage in ("P", "T") else "T", groups=[group_out], newline=True,
    )


def _is_270(content: bytes) -> bool:
    """Whether the first transaction set of a file is a 270 (read only up to its ST)."""
    try:
        for segment in iter_segments(content):
            if segment.id == "ST":
                return segment.get(1) == "270"
    except (NotX12Error, RcmError):
        return False
    return False


def answer_outbound_270s(outbound_dir: Path, inbound_dir: Path, *, seed: int = 0, ledger: Path | None = None,
                         now: datetime | None = None) -> list[Path]:
    """Demo: answer every 270 in ``outbound_dir`` (and below) not answered before with a 271 in ``inbound_dir``
    (``271_<first 16 hex of the 270's SHA-256>.x12``); a ledger next to the inbound folder remembers what was
    answered, so a re-run answers nothing twice.  Returns the files written."""
    ledger_path = ledger or inbound_dir.resolve().parent / LEDGER_NAME
    try:
        answered: dict[str, str] = json.loads(ledger_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        answered = {}
    written: list[Path] = []
    if not outbound_dir.is_dir():
        return written
    for path in sorted(p for p in outbound_dir.rglob("*") if p.is_file() and not p.name.startswith(".")):
        content = path.read_bytes()
        digest = hashlib.sha256(content).hexdigest()
        if digest in answered or not _is_270(content):
            continue
        try:
            data = respond_to_270(content, seed=seed, now=now)
        except (NotX12Error, ValueError):
            continue
        inbound_dir.mkdir(parents=True, exist_ok=True)
        target = inbound_dir / f"271_{digest[:16]}.x12"
        replace_file(target, data)
        written.append(target)
        answered[digest] = target.name
        ledger_path.parent.mkdir(parents=True, exist_ok=True)
        replace_file(ledger_path, (json.dumps(answered, indent=2, sort_keys=True) + "\n").encode("utf-8"))
    return written
