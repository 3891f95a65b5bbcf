"""Staff corrections of a claim not yet sent: a biller changes what the scrubber flagged, the claim is re-scrubbed.

What a biller may change: a header diagnosis (``diagnoses[n]``, replacing one or adding the next), the claim's
place of service (``place_of_service``), and per line (``lines[<line id>].<name>``) the diagnosis pointers,
place of service, charge, units and modifiers: the same field names the scrubber's findings carry.

A correction is a new version of the claim's encounter, saved the way intake saves one (``save_encounter``), so
the claim is rebuilt from it and its findings start over; it is then scrubbed again at once. The audit log keeps
who changed which field from what to what, and why. The new version keeps the content hash of the EMR record it
corrects: that hash is what intake compares an incoming export with, so re-ingesting the same unchanged export
does not undo the biller's fix, while a changed record from the EMR still becomes the next version (the EMR
wins, and the scrubber judges it again). The caller commits.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy.orm import Session

from rcm.codes import icd10_dotted, icd10_shape, to_money
from rcm.coding.findings import ScrubFinding
from rcm.coding.rulebook import RuleBook
from rcm.coding.service import scrub_pending
from rcm.domain import Encounter, ServiceLine
from rcm.errors import InputError, RecordError, StateError
from rcm.store import (
    SUBMITTED_STATUSES,
    EncounterVersion,
    audit,
    current_encounter_version,
    find_claim,
    save_encounter,
)

__all__ = [
    "LINE_FIELDS",
    "MAX_DIAGNOSES",
    "MAX_MODIFIERS",
    "MAX_POINTERS",
    "CorrectionRejected",
    "CorrectionResult",
    "FieldChange",
    "correct_claim",
]

MAX_DIAGNOSES = 12  # HI segments of an 837P
MAX_POINTERS = 4  # SV107
MAX_MODIFIERS = 4  # SV101-3..6
LINE_FIELDS = ("diagnosis_pointers", "place_of_service", "charge", "units", "modifiers")
CORRECTION_SOURCE = "staff correction"

_MONEY_LIMIT = Decimal("9999999999.99")  # NUMERIC(12, 2)
_UNITS_LIMIT = Decimal("999999.999")  # NUMERIC(9, 3)
_UNITS_QUANTUM = Decimal("0.001")
_DX_FIELD = re.compile(r"^diagnoses\[(\d{1,2})\]$")
_LINE_FIELD = re.compile(r"^lines\[([^\]]{1,50})\]\.(" + "|".join(LINE_FIELDS) + r")$")
_SEPARATORS = re.compile(r"[\s,;:]+")
_MODIFIER = re.compile(r"^[0-9A-Z]{2}$")


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One field a biller changed, before and after, written the way the page shows them."""

    field: str
    before: str
    after: str

    def as_json(self) -> dict[str, str]:
        return {"field": self.field, "from": self.before, "to": self.after}


@dataclass(slots=True)
class CorrectionResult:
    """What a correction did: the new encounter version, the changes, and the claim after its re-scrub."""

    claim_number: str
    encounter_version_id: int
    version: int
    changes: list[FieldChange]
    status: str
    findings: list[ScrubFinding] = field(default_factory=list)


class CorrectionRejected(InputError):
    """Values a biller entered that cannot go on the claim; ``problems`` maps each field to what is wrong.

    The key ``"*"`` holds a problem with the correction as a whole (nothing changed). Messages name fields,
    codes and amounts, never the patient.
    """

    def __init__(self, claim_number: str, problems: Mapping[str, str]) -> None:
        self.claim_number = claim_number
        self.problems = dict(problems)
        listed = "; ".join(f"{k}: {v}" if k != "*" else v for k, v in self.problems.items())
        super().__init__(f"claim {claim_number}: {listed}")


def _pointers_text(pointers: list[int]) -> str:
    return ",".join(str(p) for p in pointers)


def _units_text(units: Decimal) -> str:
    return f"{units.normalize():f}"


def _parse_diagnosis(text: str) -> str:
    try:
        return icd10_shape(text)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not an ICD-10-CM code: {exc}") from None


def _parse_pointers(text: str, diagnosis_count: int) -> list[int]:
    parts = [p for p in _SEPARATORS.split(text.strip()) if p]
    if not parts:
        raise ValueError("a line needs at least one diagnosis pointer")
    if any(not p.isdigit() for p in parts):
        raise ValueError("pointers are diagnosis numbers separated by commas, e.g. 1,2")
    pointers = [int(p) for p in parts]
    if len(pointers) > MAX_POINTERS:
        raise ValueError(f"a line points to at most {MAX_POINTERS} diagnoses")
    if len(set(pointers)) != len(pointers):
        raise ValueError("a diagnosis is pointed to twice")
    for pointer in pointers:
        if not 1 <= pointer <= diagnosis_count:
            raise ValueError(f"pointer {pointer} is out of range: the claim has {diagnosis_count} diagnoses")
    return pointers


def _parse_pos(text: str, book: RuleBook, *, optional: bool) -> str | None:
    value = text.strip()
    if not value:
        if optional:
            return None
        raise ValueError("a place of service is required")
    if len(value) == 1 and value.isdigit():
        value = "0" + value
    if not (len(value) == 2 and value.isdigit()):
        raise ValueError(f"{text.strip()!r} is not a place of service (2 digits)")
    if value not in book.codes.pos:
        raise ValueError(f"place of service {value} is not in the CMS place of service code table")
    return value


def _parse_charge(text: str) -> Decimal:
    try:
        charge = to_money(text)
    except ValueError as exc:
        raise ValueError(f"{text.strip()!r}: {exc}") from None
    if charge <= 0:
        raise ValueError("a charge must be more than 0.00")
    if charge > _MONEY_LIMIT:
        raise ValueError("the charge is too large")
    return charge


def _parse_units(text: str) -> Decimal:
    try:
        units = Decimal(text.strip())
    except InvalidOperation:
        raise ValueError(f"{text.strip()!r} is not a number of units") from None
    if not units.is_finite() or units <= 0:
        raise ValueError("units must be more than 0")
    if units > _UNITS_LIMIT:
        raise ValueError(f"units must be at most {_UNITS_LIMIT}")
    if units != units.quantize(_UNITS_QUANTUM):
        raise ValueError("units have at most 3 decimal places")
    return units


def _parse_modifiers(text: str, book: RuleBook) -> list[str]:
    modifiers = [m.upper() for m in _SEPARATORS.split(text.strip()) if m]
    if len(modifiers) > MAX_MODIFIERS:
        raise ValueError(f"a line has at most {MAX_MODIFIERS} modifiers")
    if len(set(modifiers)) != len(modifiers):
        raise ValueError("a modifier is given twice")
    for modifier in modifiers:
        if not _MODIFIER.match(modifier):
            raise ValueError(f"{modifier!r} is not a modifier (2 letters or digits)")
        if not book.modifier_known(modifier):
            raise ValueError(f"modifier {modifier} is not in the modifier table")
    return modifiers


class _Editor:
    """Applies a biller's edits to a copy of the encounter, collecting changes and problems field by field."""

    def __init__(self, encounter: Encounter, book: RuleBook) -> None:
        self.encounter = encounter.model_copy(deep=True)
        self.book = book
        self.changes: list[FieldChange] = []
        self.problems: dict[str, str] = {}
        self.lines: dict[str, ServiceLine] = {line.line_id: line for line in self.encounter.lines}

    def diagnosis(self, name: str, position: int, text: str) -> None:
        diagnoses = self.encounter.diagnoses
        if not 1 <= position <= min(len(diagnoses) + 1, MAX_DIAGNOSES):
            self.problems[name] = f"the claim has {len(diagnoses)} diagnoses; position {position} cannot be set"
            return
        current = diagnoses[position - 1] if position <= len(diagnoses) else None
        if not text.strip():
            if current is not None:
                self.problems[name] = "a diagnosis cannot be removed here (the lines' pointers would move)"
            return
        try:
            code = _parse_diagnosis(text)
        except ValueError as exc:
            self.problems[name] = str(exc)
            return
        if code == current:
            return
        if code in diagnoses:
            self.problems[name] = f"{icd10_dotted(code)} is already diagnosis {diagnoses.index(code) + 1}"
            return
        if current is None:
            diagnoses.append(code)
        else:
            diagnoses[position - 1] = code
        self.changes.append(FieldChange(name, icd10_dotted(current) if current else "", icd10_dotted(code)))

    def claim_pos(self, name: str, text: str) -> None:
        try:
            pos = _parse_pos(text, self.book, optional=self.encounter.place_of_service is None)
        except ValueError as exc:
            self.problems[name] = str(exc)
            return
        if pos != self.encounter.place_of_service:
            self.changes.append(FieldChange(name, self.encounter.place_of_service or "", pos or ""))
            self.encounter.place_of_service = pos

    def line(self, name: str, line_id: str, attribute: str, text: str) -> None:
        line = self.lines.get(line_id)
        if line is None:
            self.problems[name] = f"the claim has no line {line_id}"
            return
        try:
            if attribute == "diagnosis_pointers":
                pointers = _parse_pointers(text, len(self.encounter.diagnoses))
                if pointers != line.diagnosis_pointers:
                    self.changes.append(
                        FieldChange(name, _pointers_text(line.diagnosis_pointers), _pointers_text(pointers))
                    )
                    line.diagnosis_pointers = pointers
            elif attribute == "place_of_service":
                pos = _parse_pos(text, self.book, optional=True)
                if pos != line.place_of_service:
                    self.changes.append(FieldChange(name, line.place_of_service or "", pos or ""))
                    line.place_of_service = pos
            elif attribute == "charge":
                charge = _parse_charge(text)
                if charge != line.charge:
                    self.changes.append(FieldChange(name, f"{line.charge:.2f}", f"{charge:.2f}"))
                    line.charge = charge
            elif attribute == "units":
                units = _parse_units(text)
                if units != line.units:
                    self.changes.append(FieldChange(name, _units_text(line.units), _units_text(units)))
                    line.units = units
            else:
                modifiers = _parse_modifiers(text, self.book)
                if modifiers != line.modifiers:
                    self.changes.append(FieldChange(name, ",".join(line.modifiers), ",".join(modifiers)))
                    line.modifiers = modifiers
        except ValueError as exc:
            self.problems[name] = str(exc)


def _apply(encounter: Encounter, edits: Mapping[str, str], book: RuleBook) -> _Editor:
    editor = _Editor(encounter, book)
    # Diagnoses first: the lines' pointers are checked against the diagnoses as they will be.
    ordered = sorted(edits.items(), key=lambda item: (not item[0].startswith("diagnoses["), item[0]))
    for name, text in ordered:
        dx = _DX_FIELD.match(name)
        line = _LINE_FIELD.match(name)
        if dx:
            editor.diagnosis(name, int(dx.group(1)), text)
        elif name == "place_of_service":
            editor.claim_pos(name, text)
        elif line:
            editor.line(name, line.group(1), line.group(2), text)
        else:
            editor.problems[name] = "this field cannot be changed here"
    return editor


def correct_claim(
    session: Session,
    claim_number: str,
    edits: Mapping[str, str],
    *,
    actor: str,
    reason: str,
    book: RuleBook,
    expected_version_id: int | None = None,
    as_of: date | None = None,
) -> CorrectionResult:
    """Apply a biller's edits (field name -> value as typed) to an unsent claim, save them as a new version of its
    encounter, re-scrub the claim and audit who changed what from what to what.

    Fields whose value equals the claim's are left alone. ``expected_version_id`` is the encounter version the
    biller was looking at: if the claim has moved on since, nothing is saved. Raises CorrectionRejected (with a
    message per field) for values that cannot go on the claim, StateError when the claim cannot be corrected
    here (unknown, already sent, changed meanwhile). ``as_of`` is the day the re-scrub judges by (default today).
    """
    if not actor.strip():
        raise StateError("a correction needs the name of the person making it")
    if not reason.strip():
        raise CorrectionRejected(claim_number, {"reason": "say why the claim is changed"})
    claim = find_claim(session, claim_number)
    if claim is None:
        raise StateError(f"claim {claim_number}: no such claim")
    if claim.status in SUBMITTED_STATUSES:
        raise StateError(
            f"claim {claim_number} was already sent (status {claim.status.value}): a sent claim is corrected by a "
            "replacement claim from a new encounter version, not here"
        )
    if claim.coverage_priority != "primary":
        raise StateError(
            f"claim {claim_number} bills the {claim.coverage_priority} payer: it is built from the primary claim's "
            "encounter, so correct the primary claim"
        )
    if expected_version_id is not None and expected_version_id != claim.encounter_version_id:
        raise StateError(f"claim {claim_number} changed since it was opened: reload it and make the change again")
    version = session.get(EncounterVersion, claim.encounter_version_id)
    current = current_encounter_version(session, claim.encounter_id)
    if version is None or current is None or current.id != version.id:
        raise StateError(f"claim {claim_number}: its encounter has a newer version; scrub the claim first")
    editor = _apply(Encounter.model_validate(version.payload), edits, book)
    if editor.problems:
        raise CorrectionRejected(claim_number, editor.problems)
    if not editor.changes:
        raise CorrectionRejected(claim_number, {"*": "nothing to save: every value is the one the claim has"})
    corrected = Encounter.model_validate(editor.encounter.model_dump(mode="json"))
    emr_hash = version.content_hash
    try:
        saved = save_encounter(
            session, corrected, source_file=f"{CORRECTION_SOURCE} by {actor}"[:1000], source_row=None
        )
    except RecordError as exc:
        raise CorrectionRejected(claim_number, {exc.field or "*": exc.detail}) from exc
    new_version = session.get(EncounterVersion, saved.encounter_version_id)
    if new_version is None:  # pragma: no cover - save_encounter just flushed it
        raise StateError(f"claim {claim_number}: the corrected version was not stored")
    # The version answers to the same EMR record: an unchanged re-export must not undo the fix (module docstring).
    new_version.content_hash = emr_hash
    audit(
        session,
        actor=actor,
        action="claim.correct",
        entity_type="claim",
        entity_id=claim_number,
        detail={
            "changes": [c.as_json() for c in editor.changes],
            "reason": reason,
            "from_version_id": version.id,
            "to_version_id": new_version.id,
        },
    )
    session.flush()
    summary = scrub_pending(session, book, as_of=as_of, claim_numbers=[claim_number])
    result = next((r for r in summary.results if r.claim_number == claim_number), None)
    return CorrectionResult(
        claim_number=claim_number,
        encounter_version_id=new_version.id,
        version=new_version.version,
        changes=editor.changes,
        status=result.status if result else claim.status.value,
        findings=result.findings if result else [],
    )
