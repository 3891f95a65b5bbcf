"""The built-in edits: code validity, diagnosis fit, modifiers, NCCI, MUE, pointers, NPIs, POS, history, deadlines.

Each edit reads the claim through a ``ClaimRun`` and reports through ``run.emit(rule_id, ...)``; whether a
rule is on, its severity and its words come from rules/scrub/builtin.yaml.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from rcm.codes import icd10_dotted, npi_check_digit_ok
from rcm.coding.codesets import DX_EXTERNAL_CAUSE, DX_MANIFESTATION, DX_UNACCEPTABLE_PDX, fiscal_year
from rcm.coding.edits_institutional import institutional_codes
from rcm.coding.findings import Severity
from rcm.coding.mue import MueEntry
from rcm.coding.ncci import day_number
from rcm.coding.rulebook import CodeInfo
from rcm.domain import ClaimType, ServiceLine

if TYPE_CHECKING:
    from rcm.coding.engine import ClaimRun

__all__ = ["run_builtin_edits"]

_ZERO = Decimal(0)
_X_MODIFIERS = frozenset({"XE", "XS", "XP", "XU"})
_DISTINCT_MODIFIERS = frozenset({"59", "XE", "XS", "XP", "XU"})
_REPEAT_MODIFIERS = frozenset({"76", "77", "91"})
_BAD_ELIGIBILITY = frozenset({"inactive", "rejected"})
_PROVIDER_ROLES = (
    ("billing_provider", "billing provider"),
    ("rendering_provider", "rendering provider"),
    ("referring_provider", "referring provider"),
    ("attending_provider", "attending provider"),
)


_NPI_OK: dict[str, bool] = {}


def _npi_ok(npi: str) -> bool:
    ok = _NPI_OK.get(npi)
    if ok is None:
        if len(_NPI_OK) > 100_000:
            _NPI_OK.clear()
        ok = _NPI_OK[npi] = npi_check_digit_ok(npi)
    return ok


def _units(value: Decimal) -> str:
    return f"{value.normalize():f}"


def run_builtin_edits(run: ClaimRun) -> None:
    coverage = run.coverage
    if coverage is None:
        run.emit("ELIG-NO-COVERAGE", field="coverage")
    diagnoses(run)
    infos = lines(run)
    providers(run)
    same_day_pairs(run, infos)
    if len(run.encounter.lines) > 1:
        _same_claim_duplicates(run)
    if run.context.history is not None:
        history(run)
    # The cheap tests first: most claims are in time and have no coverage dates or eligibility answers.
    if run.filing_cutoff is not None and run.dos < run.filing_cutoff:
        deadline(run)
    if coverage is not None and (coverage.start_date or coverage.end_date or run.context.eligibility is not None):
        eligibility(run)
    if run.claim_type is ClaimType.institutional:
        institutional_codes(run)


def diagnoses(run: ClaimRun) -> None:
    codes = run.book.codes
    dxs = run.encounter.diagnoses
    if not dxs:
        run.emit("DX-MISSING", field="diagnoses")
        return
    fy = fiscal_year(run.dos)
    table = codes.icd.get(fy)
    severity: Severity | None = None
    note = ""
    if table is None:
        table = codes.nearest_icd(run.dos)
        if table is None:
            return
        # The right year's code set is not loaded: check against the nearest one, but never as an error.
        severity = "warning"
        note = f"(The ICD-10-CM code set for FY{fy} is not loaded; checked against FY{table.fiscal_year}.)"
    age = run.age
    sex = run.sex if run.sex in ("F", "M") else None
    book = run.book
    table_codes = table.codes
    institutional = run.claim_type is ClaimType.institutional
    for position, code in enumerate(dxs, start=1):
        entry = table_codes.get(code)
        if entry is None:
            rule = "ICD10-NOT-BILLABLE" if code in table.headers else "ICD10-INVALID"
            run.emit(rule, field=f"diagnoses[{position}]", severity=severity, note=note, code=icd10_dotted(code), fy=fy)
            continue
        lo, hi, flags = entry
        if age is not None and (age < lo or age > hi):
            run.emit("DX-AGE", field=f"diagnoses[{position}]", code=icd10_dotted(code), lo=lo, hi=hi)
        if position == 1:
            rule_id = None
            if flags & DX_MANIFESTATION:
                rule_id = "DX-PRINCIPAL-MANIFESTATION"
            elif flags & DX_EXTERNAL_CAUSE:
                rule_id = "DX-PRINCIPAL-EXTERNAL-CAUSE"
            elif institutional:
                if flags & DX_UNACCEPTABLE_PDX:
                    rule_id = "DX-PRINCIPAL-UNACCEPTABLE"
            elif book.secondary_only(code):
                rule_id = "DX-PRINCIPAL-SECONDARY-ONLY"
            if rule_id is not None:
                run.emit(rule_id, field="diagnoses[1]", code=icd10_dotted(code))
        if sex is not None:
            code_sex = book.dx_sex(code)
            if code_sex is not None and code_sex != sex:
                run.emit(
                    "DX-SEX",
                    field=f"diagnoses[{position}]",
                    code=icd10_dotted(code),
                    sex_word="female" if code_sex == "F" else "male",
                    patient_sex="female" if sex == "F" else "male",
                )


def lines(run: ClaimRun) -> list[CodeInfo]:
    """Checks of each line on its own; returns the lines' code facts (for the same-day edits)."""
    book = run.book
    codes = book.codes
    encounter = run.encounter
    claim_pos = encounter.place_of_service
    professional = run.claim_type is ClaimType.professional
    dx_count = len(encounter.diagnoses)
    claim_pos_reported = False
    code_info = book._code_info
    infos: list[CodeInfo] = []
    first_day = last_day = run.dos
    for line in encounter.lines:
        lid = line.line_id
        code = line.code
        day = line.date_of_service
        if day is not None and day != first_day:
            if day < first_day:
                first_day = day
            elif day > last_day:
                last_day = day
        info = code_info.get(code) or book.code_info(code)
        infos.append(info)
        if not info.shape_ok:
            run.emit("CPT-FORMAT", line=lid, field=f"lines[{lid}].code", code=code)
        elif info.hcpcs:
            if not info.hcpcs_known:
                run.emit("HCPCS-INVALID", line=lid, field=f"lines[{lid}].code", code=code)
            elif info.status_indicator in ("E1", "E2"):
                run.emit(
                    "HCPCS-NOT-COVERED-MEDICARE",
                    line=lid,
                    field=f"lines[{lid}].code",
                    code=code,
                    si=info.status_indicator,
                )
        modifiers = line.modifiers
        if modifiers:
            _modifiers(run, line, info.is_em, info.shape_ok)
        if line.charge <= _ZERO:
            run.emit(
                "CHARGE-NOT-POSITIVE", line=lid, field=f"lines[{lid}].charge", code=code, charge=f"{line.charge:.2f}"
            )
        if line.units == _ZERO:
            run.emit("UNITS-ZERO", line=lid, field=f"lines[{lid}].units", code=code)
        if professional:
            pointers = line.diagnosis_pointers
            if not pointers:
                if dx_count:
                    run.emit(
                        "DX-POINTER-MISSING",
                        line=lid,
                        field=f"lines[{lid}].diagnosis_pointers",
                        code=code,
                        count=dx_count,
                    )
            else:
                bad = None
                for pointer in pointers:
                    if pointer < 1 or pointer > dx_count:
                        bad = pointer
                        break
                if bad is not None:
                    run.emit(
                        "DX-POINTER-RANGE",
                        line=lid,
                        field=f"lines[{lid}].diagnosis_pointers",
                        pointer=bad,
                        count=dx_count,
                    )
                if len(pointers) > 4:
                    run.emit(
                        "DX-POINTER-TOO-MANY", line=lid, field=f"lines[{lid}].diagnosis_pointers", count=len(pointers)
                    )
            pos = line.place_of_service or claim_pos
            if pos is None:
                continue
            if pos not in codes.pos:
                if line.place_of_service is not None:
                    run.emit(
                        "POS-INVALID", line=lid, field=f"lines[{lid}].place_of_service", pos=pos, where=f" (line {lid})"
                    )
                elif not claim_pos_reported:
                    claim_pos_reported = True
                    run.emit("POS-INVALID", field="place_of_service", pos=pos, where="")
                continue
            if pos in book.telehealth_pos and not codes.telehealth_modifiers.intersection(modifiers):
                run.emit("POS-TELEHEALTH-MODIFIER", line=lid, field=f"lines[{lid}].modifiers", pos=pos, code=code)
            if (info.pos_only is not None and pos not in info.pos_only) or pos in info.pos_never:
                run.emit("POS-CODE-MISMATCH", line=lid, field=f"lines[{lid}].place_of_service", pos=pos, code=code)
        else:
            revenue = line.revenue_code
            if not revenue:
                run.emit("REV-CODE-MISSING", line=lid, field=f"lines[{lid}].revenue_code", code=code)
            elif revenue.zfill(4) not in codes.revenue_codes:
                run.emit("REV-CODE-INVALID", line=lid, field=f"lines[{lid}].revenue_code", revenue=revenue)
    run.first_day, run.last_day = first_day, last_day
    return infos


def _modifiers(run: ClaimRun, line: ServiceLine, is_em: bool, shape_ok: bool) -> None:
    lid = line.line_id
    where = f"lines[{lid}].modifiers"
    seen: set[str] = set()
    for modifier in line.modifiers:
        if not run.book.modifier_known(modifier):
            run.emit("MOD-INVALID", line=lid, field=where, modifier=modifier, code=line.code)
        elif modifier in seen:
            run.emit("MOD-REPEATED", line=lid, field=where, modifier=modifier, code=line.code)
        seen.add(modifier)
    if "59" in seen and seen & _X_MODIFIERS:
        run.emit("MOD-59-AND-X", line=lid, field=where, modifier=sorted(seen & _X_MODIFIERS)[0], code=line.code)
    if "25" in seen and shape_ok and not is_em:
        run.emit("MOD-25-NOT-EM", line=lid, field=where, code=line.code)


def providers(run: ClaimRun) -> None:
    encounter = run.encounter
    billing = encounter.billing_provider
    if (
        encounter.rendering_provider is None
        and billing is not None
        and billing.is_organization
        and run.claim_type is ClaimType.professional
    ):
        run.emit("REQ-RENDERING-PROVIDER", field="rendering_provider")
    for attribute, role in _PROVIDER_ROLES:
        provider = getattr(encounter, attribute)
        if provider is not None and not _npi_ok(provider.npi):
            run.emit("NPI-CHECK-DIGIT", field=f"{attribute}.npi", npi_role=role)


def _line_day(line: ServiceLine, default: date) -> date:
    return line.date_of_service or default


def same_day_pairs(run: ClaimRun, infos: list[CodeInfo]) -> None:
    """Modifier 25, NCCI PTP and MUE: edits that look at the lines of one date of service together."""
    all_lines = run.encounter.lines
    mue = run.book.mue_by_setting[run.setting]
    if len(all_lines) == 1:
        if mue:
            _mue(run, _line_day(all_lines[0], run.dos), all_lines, mue)
        return
    first_day = _line_day(all_lines[0], run.dos)
    if run.first_day == run.last_day:
        groups: list[tuple[date, list[ServiceLine], list[CodeInfo]]] = [(first_day, all_lines, infos)]
    else:
        by_day: dict[date, tuple[list[ServiceLine], list[CodeInfo]]] = {}
        for line, info in zip(all_lines, infos, strict=True):
            day_lines, day_infos = by_day.setdefault(_line_day(line, run.dos), ([], []))
            day_lines.append(line)
            day_infos.append(info)
        groups = [(day, group, group_infos) for day, (group, group_infos) in by_day.items()]
    for day, group, group_infos in groups:
        if len(group) > 1:
            needs_25 = _ncci(run, day, group)
            _modifier_25(run, group, group_infos, needs_25)
        if mue:
            _mue(run, day, group, mue)


def _ncci(run: ClaimRun, day: date, group: list[ServiceLine]) -> dict[str, str]:
    """PTP edits between the lines of one day; returns E/M lines that an edit wants modifier 25 on."""
    table = run.book.ptp_by_setting[run.setting]
    needs_25: dict[str, str] = {}
    if table is None:
        return needs_25
    ncci_modifiers = run.book.codes.ncci_modifiers
    number = day_number(day)
    column1_edits = [(line, table.edits_of(line.code)) for line in group]
    for column2 in group:
        code2 = column2.code
        for column1, edits in column1_edits:
            if not edits:
                continue
            found = edits.get(code2)
            if found is None or column1 is column2 or column1.code == code2:
                continue
            indicator = table.in_force(found, number)
            if indicator is None or indicator == 9:
                continue
            if indicator == 1:
                if ncci_modifiers.intersection(column2.modifiers) or _DISTINCT_MODIFIERS.intersection(
                    column1.modifiers
                ):
                    continue
                if run.book.code_info(code2).is_em and not run.book.code_info(column1.code).is_em:
                    needs_25.setdefault(column2.line_id, column1.code)  # the visit also needs modifier 25
            run.emit(
                f"NCCI-PTP-{indicator}",
                line=column2.line_id,
                field=f"lines[{column2.line_id}].code",
                code=code2,
                other=column1.code,
            )
            break  # one edit per column 2 line is enough to act on
    return needs_25


def _modifier_25(run: ClaimRun, group: list[ServiceLine], infos: list[CodeInfo], needs_25: dict[str, str]) -> None:
    em_distinct = run.book.em_distinct
    procedure: str | None = None
    visits: list[ServiceLine] = []
    for line, info in zip(group, infos, strict=True):
        if info.is_em:
            if not em_distinct.intersection(line.modifiers):
                visits.append(line)
        elif procedure is None and info.needs_25_with_em:
            procedure = line.code
    for line in visits:
        other = needs_25.get(line.line_id) or procedure
        if other is not None:
            run.emit(
                "MOD-25-REQUIRED",
                line=line.line_id,
                field=f"lines[{line.line_id}].modifiers",
                code=line.code,
                other=other,
            )


def _mue(run: ClaimRun, day: date, group: list[ServiceLine], mue: dict[str, MueEntry]) -> None:
    per_day: dict[str, tuple[Decimal, ServiceLine, MueEntry]] = {}
    for line in group:
        entry = mue.get(line.code)
        if entry is None:
            continue
        if entry.mai == 1:
            if line.units > entry.max_units:
                run.emit(
                    "MUE-LINE",
                    line=line.line_id,
                    field=f"lines[{line.line_id}].units",
                    code=line.code,
                    units=_units(line.units),
                    max=entry.max_units,
                )
            continue
        total = per_day.get(line.code)
        per_day[line.code] = (line.units, line, entry) if total is None else (total[0] + line.units, total[1], entry)
    for code, (units, first, entry) in per_day.items():
        if units > entry.max_units:
            run.emit(
                "MUE-DAY-POLICY" if entry.mai == 2 else "MUE-DAY-CLINICAL",
                line=first.line_id,
                field=f"lines[{first.line_id}].units",
                code=code,
                units=_units(units),
                max=entry.max_units,
                date=day.isoformat(),
            )


def history(run: ClaimRun) -> None:
    """Duplicate claims and lines against services already billed for the patient on other encounters."""
    source = run.context.history
    if source is None:
        return
    encounter = run.encounter
    found = source.services(run.patient_id, run.first_day, run.last_day)
    if not found:
        return
    days = [_line_day(line, run.dos) for line in encounter.lines]
    past = [s for s in found if s.claim_id != run.claim_id and s.encounter_id != encounter.encounter_id]
    if not past:
        return
    mine = {(day, line.code) for day, line in zip(days, encounter.lines, strict=True)}
    by_claim: dict[str, set[tuple[date, str]]] = defaultdict(set)
    payer_of: dict[str, str] = {}
    for service in past:
        by_claim[service.claim_id].add((service.day, service.code))
        payer_of[service.claim_id] = service.payer_id
    for claim_id, services in sorted(by_claim.items()):
        if services == mine and payer_of[claim_id] == run.payer_id:
            run.emit("DUP-CLAIM", field="lines", other=claim_id)
            return
    for day, line in zip(days, encounter.lines, strict=True):
        if _REPEAT_MODIFIERS.intersection(line.modifiers):
            continue
        other = next((cid for cid, services in sorted(by_claim.items()) if (day, line.code) in services), None)
        if other is not None:
            run.emit("DUP-LINE", line=line.line_id, field=f"lines[{line.line_id}].code", code=line.code, other=other)


def _same_claim_duplicates(run: ClaimRun) -> None:
    codes = [line.code for line in run.encounter.lines]
    if len(set(codes)) == len(codes):
        return  # no code twice: no identical lines
    seen: dict[tuple[object, ...], str] = {}
    for line in run.encounter.lines:
        if _REPEAT_MODIFIERS.intersection(line.modifiers):
            continue
        key = (line.code, tuple(line.modifiers), line.date_of_service, line.units, line.charge)
        first = seen.get(key)
        if first is None:
            seen[key] = line.line_id
        else:
            run.emit(
                "DUP-LINE-SAME-CLAIM", line=line.line_id, field=f"lines[{line.line_id}]", code=line.code, other=first
            )


def deadline(run: ClaimRun) -> None:
    """Timely filing from rules/payers.yaml (a payer `filing_limit` rule, when present, takes over)."""
    earliest = run.filing_cutoff  # the oldest date of service still in time (None: rule-based or no limit)
    if earliest is not None and run.dos < earliest and run.frequency_code == "1":
        days = run.book.filing_days[run.payer_id]
        last_day = run.dos + timedelta(days=days)
        run.emit("TIMELY-FILING", field="date_of_service", limit=days, deadline=last_day.isoformat())


def eligibility(run: ClaimRun) -> None:
    coverage = run.coverage
    if coverage is None:
        return
    dos = run.dos
    if (coverage.start_date and dos < coverage.start_date) or (coverage.end_date and dos > coverage.end_date):
        run.emit(
            "ELIG-DATES",
            field="coverage",
            start=coverage.start_date.isoformat() if coverage.start_date else "open",
            end=coverage.end_date.isoformat() if coverage.end_date else "open",
        )
        return
    facts = run.context.eligibility
    if facts is None:
        return
    fact = facts.latest(run.patient_id, coverage.payer_id)
    if fact is None:
        return
    if fact.status == "rejected" and fact.retry:
        run.emit("ELIG-PENDING", field="coverage", checked=fact.checked_on.isoformat())
    elif fact.status in _BAD_ELIGIBILITY:
        run.emit("ELIG-INACTIVE", field="coverage", checked=fact.checked_on.isoformat(), status=fact.status)
    elif (fact.plan_begin and dos < fact.plan_begin) or (fact.plan_end and dos > fact.plan_end):
        run.emit(
            "ELIG-DATES",
            field="coverage",
            start=fact.plan_begin.isoformat() if fact.plan_begin else "open",
            end=fact.plan_end.isoformat() if fact.plan_end else "open",
        )
