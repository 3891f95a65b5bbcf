"""The practice side of the synthetic history: patients, visits, coding habits, eligibility checks, submission.

It produces Encounters the way our EMR exports them and decides, like a busy office, when each claim goes out
and with which known problems (overridden scrubber warnings, stale eligibility checks). Deterministic by seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from rcm.domain import Address, Coverage, Encounter, Patient, Provider, ServiceLine
from rcm.payer_sim.adjudication import Enrollment, PayerSide
from rcm.payer_sim.history import SubmittedClaim, SynthHistory
from rcm.payer_sim.practice import (
    BILLING_NPI,
    BILLING_TAX_ID,
    CODES,
    EM_CODES,
    NCCI_MODIFIERS,
    NCCI_PAIRS,
    PROVIDERS,
    PayerRules,
    PracticeProvider,
    load_payer_rules,
)

__all__ = ["SynthConfig", "generate_history", "scrubber_warnings"]

_FIRST = ("JAMES", "MARY", "ROBERT", "PATRICIA", "JOHN", "JENNIFER", "MICHAEL", "LINDA", "DAVID", "ELIZABETH",
          "WILLIAM", "BARBARA", "RICHARD", "SUSAN", "JOSEPH", "JESSICA", "THOMAS", "SARAH", "CARLOS", "MARIA")
_LAST = ("SMITH", "JOHNSON", "WILLIAMS", "BROWN", "JONES", "GARCIA", "MILLER", "DAVIS", "RODRIGUEZ", "MARTINEZ",
         "HERNANDEZ", "LOPEZ", "GONZALEZ", "WILSON", "ANDERSON", "THOMAS", "TAYLOR", "MOORE", "JACKSON", "LEE")
_STREETS = ("MAIN ST", "OAK AVE", "PINE RD", "MAPLE DR", "CEDAR LN", "ELM ST", "HIGH ST", "PARK AVE")
_CITIES = (("SPRINGFIELD", "MA", "01101"), ("WORCESTER", "MA", "01602"), ("LOWELL", "MA", "01850"),
           ("CAMBRIDGE", "MA", "02139"), ("QUINCY", "MA", "02169"))

# Conditions a patient may carry, with the procedures they lead to.
_CHRONIC = ("I10", "E119", "E785", "M5450", "M1711", "I2510", "I4891", "J45909", "E6601", "F419")
_ACUTE = ("J029", "J069", "R059", "N390", "L309", "R519", "M25561", "R1084", "B079", "L821")
_UNRELATED_FOR = {  # a diagnosis that does not support the procedure (what a rushed coder points to)
    "therapy": ("I10", "E119", "J069"),
    "cardiology": ("E119", "M5450", "J069", "Z0000"),
    "lab": ("I10", "J069", "M5450"),
    "imaging": ("I10", "E119", "Z0000"),
    "procedure": ("I10", "E119"),
}


_RawLine = tuple[str, list[str], int, list[str]]  # code, modifiers, units, diagnoses


@dataclass(frozen=True, slots=True)
class SynthConfig:
    months: int
    seed: int
    start: date = date(2025, 1, 1)
    encounters_per_month: int = 900


@dataclass(slots=True)
class _Patient:
    patient: Patient
    age: int
    conditions: list[str]
    payers: list[tuple[str, str, date, date | None]]  # (payer id, member id, start, end) in order
    therapy_start: date | None = None
    therapy_visits: int = 0
    last_preventive: date | None = None
    a1c_dates: list[date] = field(default_factory=list)


def _pick(rng: random.Random, weighted: dict[str, float]) -> str:
    return rng.choices(list(weighted), weights=list(weighted.values()))[0]


def _month_start(start: date, offset: int) -> date:
    y, m = divmod(start.month - 1 + offset, 12)
    return date(start.year + y, m + 1, 1)


class _Practice:
    def __init__(self, config: SynthConfig, payers: dict[str, PayerRules]) -> None:
        self.config = config
        self.payers = payers
        self.rng = random.Random(config.seed)
        self.end = _month_start(config.start, config.months)
        self.patients: list[_Patient] = []
        self.enrollment: Enrollment = {}
        self.encounter_seq = 0
        self.sent: dict[tuple[str, date], list[str]] = {}  # what the office already sent (for re-sends)
        n = max(150, config.encounters_per_month * config.months // 5)
        for i in range(n):
            self.patients.append(self._make_patient(i))

    # -- people -------------------------------------------------------------------------------------------
    def _payer_for_age(self, age: int) -> str:
        if age >= 65:
            weights = {"MCR01": 55, "HUM01": 30, "BCBS1": 8, "AET01": 7}
        elif age < 18:
            weights = {"MCD01": 45, "BCBS1": 20, "UHC01": 20, "AET01": 15}
        else:
            weights = {"MCD01": 15, "BCBS1": 30, "UHC01": 25, "AET01": 22, "HUM01": 8}
        return _pick(self.rng, {k: v for k, v in weights.items() if k in self.payers} or {next(iter(self.payers)): 1})

    def _make_patient(self, i: int) -> _Patient:
        rng = self.rng
        age = int(rng.choices([rng.randint(1, 17), rng.randint(18, 64), rng.randint(65, 92)], [0.15, 0.5, 0.35])[0])
        birth = self.config.start - timedelta(days=age * 365 + rng.randint(0, 364))
        city, state, zip_code = rng.choice(_CITIES)
        patient = Patient(
            id=f"P{i + 1:06d}",
            first_name=rng.choice(_FIRST),
            last_name=rng.choice(_LAST),
            birth_date=birth,
            sex=rng.choice(["F", "M"]),
            address=Address(line1=f"{rng.randint(1, 999)} {rng.choice(_STREETS)}", city=city, state=state,
                            zip=zip_code),
        )
        n_chronic = min(len(_CHRONIC), rng.choices([0, 1, 2, 3], [0.3, 0.35, 0.25, 0.1])[0] + (age >= 65))
        conditions = rng.sample(_CHRONIC, n_chronic)
        payer = self._payer_for_age(age)
        member = f"M{rng.randint(10**8, 10**9 - 1)}"
        start = self.config.start - timedelta(days=rng.randint(30, 2000))
        end: date | None = None
        payers = []
        if rng.random() < self.payers[payer].eligibility_churn:
            end = self.config.start + timedelta(days=rng.randint(20, max(21, (self.end - self.config.start).days)))
        payers.append((payer, member, start, end))
        self.enrollment[(payer, member)] = (start, end)
        if end is not None:
            nxt = rng.choice([p for p in self.payers if p != payer and (p != "MCR01" or age >= 65)])
            nmember = f"M{rng.randint(10**8, 10**9 - 1)}"
            nstart = end + timedelta(days=1 + rng.choice([0, 0, 0, 15, 31]))
            payers.append((nxt, nmember, nstart, None))
            self.enrollment[(nxt, nmember)] = (nstart, None)
        p = _Patient(patient=patient, age=age, conditions=conditions, payers=payers)
        if rng.random() < 0.09:
            p.therapy_start = self.config.start + timedelta(days=rng.randint(0, (self.end - self.config.start).days))
            p.therapy_visits = rng.randint(6, 36)
        if rng.random() < 0.7:
            p.last_preventive = self.config.start - timedelta(days=rng.randint(30, 500))
        return p

    # -- visits -------------------------------------------------------------------------------------------
    def _dx_for(self, p: _Patient, kind: str, wanted: tuple[str, ...]) -> str:
        """A supporting diagnosis most of the time; now and then an unrelated one (a coding slip)."""
        rng = self.rng
        slip = {"therapy": 0.02, "cardiology": 0.045, "lab": 0.03, "imaging": 0.04, "procedure": 0.03}.get(kind, 0)
        if rng.random() < slip:
            return rng.choice(_UNRELATED_FOR[kind])
        have = [c for c in p.conditions if c.startswith(wanted)]
        return have[0] if have else next(c for c in _DX_CHOICES if c.startswith(wanted))

    def _office_visit(self, p: _Patient, dos: date, provider: PracticeProvider) -> tuple[list[_RawLine], bool]:
        """Lines as (code, modifiers, units, diagnoses) and whether a prior auth was sought."""
        rng = self.rng
        payer = self._coverage_on(p, dos)[0]
        lines: list[_RawLine] = []
        visit = rng.random()
        due = p.last_preventive is None or (dos - p.last_preventive).days > 300
        if visit < 0.16 and (due or rng.random() < 0.08):
            code = "G0439" if payer == "MCR01" else (
                "99397" if p.age >= 65 else "99396" if p.age >= 40 else "99395" if p.age >= 18 else "99385")
            lines.append((code, [], 1, ["Z0000"]))
            p.last_preventive = dos
            if rng.random() < 0.5:
                lines.append(("36415", [], 1, ["Z0000"]))
                lines.append(("80061", [], 1, [rng.choices(["Z13220", "E785", "Z0000"], [0.47, 0.45, 0.08])[0]]))
                lines.append(("85025", [], 1, ["Z0000"]))
            return lines, False
        em = _pick(rng, {"99212": 15, "99213": 50, "99214": 30, "99215": 5}) if visit > 0.26 else _pick(
            rng, {"99202": 20, "99203": 55, "99204": 25})
        problems = p.conditions[:2] or [rng.choice(_ACUTE)]
        if rng.random() < 0.4:
            problems = [rng.choice(_ACUTE), *problems][:3]
        em_line: _RawLine = (em, [], 1, problems)
        lines.append(em_line)
        extra = rng.random()
        procedure_dx: str | None = None
        if extra < 0.09:
            procedure_dx = rng.choice(["M5450", "J45909", "L309"])
            lines.append(("96372", [], 1, [procedure_dx]))
            lines.append(rng.choice([("J1030", [], rng.randint(1, 2), [procedure_dx]),
                                     ("J3301", [], rng.randint(4, 8), [procedure_dx])]))
        elif extra < 0.14:
            procedure_dx = self._dx_for(p, "procedure", ("M17", "M25"))
            lines.append(("20610", [rng.choice(["RT", "LT"])], 1, [procedure_dx]))
            lines.append(("J3301", [], rng.randint(4, 8), [procedure_dx]))
        elif extra < 0.17:
            procedure_dx = self._dx_for(p, "procedure", ("D48", "L82"))
            lines.append(("11102", [], 1, [procedure_dx]))
            if rng.random() < 0.4:
                lines.append(("17110", [], 1, ["B079"]))
                if rng.random() < 0.5:
                    lines[-2] = ("11102", ["59"], 1, [procedure_dx])
        if procedure_dx is not None:
            if rng.random() < 0.9:
                em_line = (em, ["25"], 1, problems if rng.random() < 0.6 else [procedure_dx])
            lines[0] = em_line
        elif rng.random() < 0.015:
            lines[0] = (em, ["25"], 1, problems)  # modifier 25 with nothing separate to justify it
        if rng.random() < 0.22:
            lines.append(("36415", [], 1, [problems[0]]))
            lab = rng.choice(["80053", "80048", "80061", "83036", "85025", "81002"])
            if "E119" in p.conditions and rng.random() < 0.6:
                lab = "83036"
            if lab == "83036":
                lines.append((lab, [], 1, [self._dx_for(p, "lab", ("E11", "R73"))]))
                p.a1c_dates.append(dos)
            elif lab == "80061":
                lines.append((lab, [], 1, [self._dx_for(p, "lab", ("E78", "I"))]))
            else:
                lines.append((lab, [], 1, [problems[0]]))
            if lab == "80053" and rng.random() < 0.06:
                lines.append(("80048", [], 1, [problems[0]]))
        if rng.random() < 0.07:
            lines.append(("93000", [], 1, [self._dx_for(p, "cardiology", ("I", "R07"))]))
        if rng.random() < 0.04:
            lines.append(("71046", [], 1, [self._dx_for(p, "imaging", ("R05", "J"))]))
        auth = False
        img = rng.random()
        if img < 0.03:
            lines.append(("72148", [], 1, [self._dx_for(p, "imaging", ("M54", "M51"))]))
            auth = True
        elif img < 0.05:
            lines.append(("73721", [], 1, [self._dx_for(p, "imaging", ("M17", "M23"))]))
            auth = True
        return lines, auth

    def _cardiology_visit(self, p: _Patient, dos: date) -> tuple[list[_RawLine], bool]:
        rng = self.rng
        em = _pick(rng, {"99203": 20, "99213": 45, "99214": 35})
        problems = [c for c in p.conditions if c.startswith(("I", "R"))] or [rng.choice(["R079", "R002", "I10"])]
        lines: list[_RawLine] = [(em, [], 1, problems[:2])]
        test = _pick(rng, {"93000": 40, "93306": 25, "93015": 15, "93880": 10, "none": 10})
        auth = False
        if test == "93015":
            lines.append(("93015", [], 1, [self._dx_for(p, "cardiology", ("I25", "R07"))]))
            if rng.random() < 0.5:
                lines.append(("93000", ["59"] if rng.random() < 0.5 else [], 1, [problems[0]]))
            auth = True
        elif test == "93306":
            lines.append(("93306", [], 1, [self._dx_for(p, "cardiology", ("I", "R00"))]))
            auth = True
        elif test == "93880":
            lines.append(("93880", [], 1, [self._dx_for(p, "cardiology", ("I65", "R55"))]))
            auth = True
        elif test == "93000":
            lines.append(("93000", [], 1, [self._dx_for(p, "cardiology", ("I", "R07"))]))
            if rng.random() < 0.04:
                lines.append(("93010", [], 1, [problems[0]]))
        return lines, auth

    def _therapy_visit(self, p: _Patient, first: bool) -> list[_RawLine]:
        rng = self.rng
        dx = self._dx_for(p, "therapy", ("M54", "M17", "M25", "S83", "Z96", "R26"))
        lines: list[_RawLine] = []
        if first:
            lines.append((rng.choice(["97161", "97162"]), [], 1, [dx]))
        for code in rng.sample(["97110", "97112", "97140", "97530", "97116"], rng.randint(1, 3)):
            lines.append((code, [], rng.randint(1, 3), [dx]))
        return lines

    # -- coverage and sending ----------------------------------------------------------------------------
    def _coverage_on(self, p: _Patient, day: date) -> tuple[str, str, date, date | None]:
        """The coverage the office has on file for a day: the latest one that had started."""
        current = p.payers[0]
        for cov in p.payers[1:]:
            if cov[2] <= day:
                current = cov
        return current

    def encounter(self, p: _Patient, dos: date, specialty: str, *, first_therapy: bool = False) -> SubmittedClaim:
        rng = self.rng
        provider = rng.choice([pr for pr in PROVIDERS if pr.specialty == specialty])
        auth_needed_here = False
        if specialty == "therapy":
            raw = self._therapy_visit(p, first_therapy)
        elif specialty == "cardiology":
            raw, auth_needed_here = self._cardiology_visit(p, dos)
        else:
            raw, auth_needed_here = self._office_visit(p, dos, provider)

        # What the office knows: the coverage on file, corrected only when an eligibility check says inactive.
        payer, member, cstart, cend = p.payers[0] if dos < (p.payers[1][2] if len(p.payers) > 1 else self.end) \
            else p.payers[-1]
        if len(p.payers) > 1 and rng.random() < 0.55:
            payer, member, cstart, cend = p.payers[0]  # the EMR still lists the old plan
        status, checked = "none", None
        if rng.random() < 0.85:
            back = rng.randint(0, 21) if rng.random() < 0.85 else rng.randint(22, 150)
            checked = dos - timedelta(days=back)
            ok = cstart <= checked and (cend is None or checked <= cend)
            status = "active" if ok else "inactive"
            if not ok and len(p.payers) > 1 and rng.random() < 0.6:
                payer, member, cstart, cend = p.payers[-1]
                checked = dos
                status = "active" if cstart <= dos else "inactive"
        rules = self.payers[payer]
        prior_auth: str | None = None
        requires = any(code in rules.prior_auth_codes for code, *_ in raw)
        sought_anyway = auth_needed_here or specialty == "therapy"
        if (requires and rng.random() < 0.85) or (sought_anyway and rng.random() < 0.30):
            prior_auth = f"PA{rng.randint(10**6, 10**7 - 1)}"

        diagnoses: list[str] = []
        for *_, dxs in raw:
            for d in dxs:
                if d not in diagnoses and len(diagnoses) < 12:
                    diagnoses.append(d)
        lines = []
        for n, (code, mods, units, dxs) in enumerate(raw, start=1):
            info = CODES[code]
            lines.append(
                ServiceLine(
                    line_id=f"{n}",
                    code=code,
                    modifiers=mods,
                    units=Decimal(units),
                    charge=info.charge * units,
                    diagnosis_pointers=[diagnoses.index(d) + 1 for d in dxs if d in diagnoses][:4],
                    date_of_service=dos,
                )
            )
        self.encounter_seq += 1
        pos = "10" if specialty in ("family", "internal") and rng.random() < 0.05 else "11"
        enc = Encounter(
            encounter_id=f"E{dos:%Y%m}{self.encounter_seq:06d}",
            date_of_service=dos,
            place_of_service=pos,
            patient=p.patient,
            coverage=[Coverage(payer_id=payer, payer_name=rules.name, plan_type=rules.filing_indicator,
                               member_id=member, start_date=cstart)],
            billing_provider=Provider(npi=BILLING_NPI, name="RIVERSIDE MEDICAL GROUP", taxonomy="193200000X",
                                      tax_id=BILLING_TAX_ID,
                                      address=Address(line1="100 RIVER ST", city="SPRINGFIELD", state="MA",
                                                      zip="01101")),
            rendering_provider=Provider(npi=provider.npi, first_name=provider.first_name,
                                        last_name=provider.last_name, taxonomy=provider.taxonomy),
            prior_authorization=prior_auth,
            diagnoses=diagnoses,
            lines=lines,
        )
        lag = rng.choices([rng.randint(1, 3), rng.randint(4, 14), rng.randint(15, 60), rng.randint(61, 200)],
                          [0.70, 0.22, 0.05, 0.03])[0]
        submitted = dos + timedelta(days=lag)
        claim = SubmittedClaim(
            claim_id=enc.encounter_id,
            encounter=enc,
            payer_id=payer,
            submitted_on=submitted,
            eligibility_status=status,
            eligibility_checked_on=checked,
            warnings=[],
        )
        claim.warnings = scrubber_warnings(claim, rules)
        return claim

    def resend(self, original: SubmittedClaim) -> SubmittedClaim:
        """The office sends a claim again under a new encounter id (an EMR double export): an exact duplicate."""
        self.encounter_seq += 1
        enc = original.encounter.model_copy(
            update={"encounter_id": f"E{original.encounter.date_of_service:%Y%m}{self.encounter_seq:06d}"}
        )
        claim = SubmittedClaim(
            claim_id=enc.encounter_id,
            encounter=enc,
            payer_id=original.payer_id,
            submitted_on=original.submitted_on + timedelta(days=self.rng.randint(10, 40)),
            eligibility_status=original.eligibility_status,
            eligibility_checked_on=original.eligibility_checked_on,
            warnings=list(original.warnings),
        )
        return claim


_DX_CHOICES = ("M5450", "M1711", "M25561", "S83511D", "Z96651", "R2689", "I10", "I2510", "R079", "R0602",
               "I6523", "R55", "R002", "E119", "R7309", "E785", "D485", "L821", "R059", "J189")


def scrubber_warnings(claim: SubmittedClaim, rules: PayerRules) -> list[str]:
    """The edits of our scrubber (rules/scrub/builtin.yaml ids) that fire on this claim and a biller overrode.

    Only edits the real scrubber has are simulated, so the rules-only baseline is the office's real view.
    Duplicates need the office's other claims: generate_history adds DUP-CLAIM / DUP-LINE.
    """
    enc = claim.encounter
    out: list[str] = []
    codes = {ln.code: ln for ln in enc.lines}
    for pair in NCCI_PAIRS:
        if pair.column1 in codes and pair.column2 in codes:
            line = codes[pair.column2]
            if not (pair.modifier_allowed and any(m in NCCI_MODIFIERS for m in line.modifiers)):
                rule = "MOD-25-REQUIRED" if pair.column2 in EM_CODES else (
                    "NCCI-PTP-1" if pair.modifier_allowed else "NCCI-PTP-0")
                if rule not in out:
                    out.append(rule)
    if (claim.submitted_on - enc.date_of_service).days > rules.timely_filing_days:
        out.append("TIMELY-FILING")
    if claim.eligibility_status == "inactive":
        out.append("ELIG-INACTIVE")
    return out


def _duplicate_warnings(claims: list[SubmittedClaim]) -> None:
    """DUP-CLAIM when an earlier claim has the same patient, payer, date and services; DUP-LINE for a shared line."""
    seen: dict[tuple[str, str, date], list[set[tuple[str, tuple[str, ...]]]]] = {}
    for claim in claims:
        enc = claim.encounter
        key = (enc.patient.id, claim.payer_id, enc.date_of_service)
        services = {(ln.code, tuple(ln.modifiers)) for ln in enc.lines}
        earlier = seen.setdefault(key, [])
        if any(services == e for e in earlier):
            claim.warnings.append("DUP-CLAIM")
        elif any(services & e for e in earlier):
            claim.warnings.append("DUP-LINE")
        earlier.append(services)


def generate_history(config: SynthConfig, *, payers: dict[str, PayerRules] | None = None) -> SynthHistory:
    """Generate a practice's months of claims and let the payers adjudicate them, deterministically by seed."""
    rules = payers or load_payer_rules()
    practice = _Practice(config, rules)
    rng = practice.rng
    claims: list[SubmittedClaim] = []
    office_specialties = {"family": 0.55, "internal": 0.32, "cardiology": 0.13}
    day = config.start
    per_day = config.encounters_per_month * 12 / 365 * 7 / 5
    therapy_counts: dict[str, int] = {}
    while day < practice.end:
        if day.weekday() < 5:
            n = max(0, round(rng.gauss(per_day * 0.8, per_day * 0.08)))
            for _ in range(n):
                p = rng.choice(practice.patients)
                claims.append(practice.encounter(p, day, _pick(rng, office_specialties)))
            for p in practice.patients:
                if p.therapy_start is None or day < p.therapy_start:
                    continue
                done = therapy_counts.get(p.patient.id, 0)
                if done < p.therapy_visits and day.weekday() in (0, 3):
                    therapy_counts[p.patient.id] = done + 1
                    claims.append(practice.encounter(p, day, "therapy", first_therapy=done == 0))
        day += timedelta(days=1)
    resends = [practice.resend(c) for c in claims if rng.random() < 0.008]
    claims.extend(resends)
    # The history ends at the end of the last month: claims the office had not sent by then do not exist yet.
    claims = [c for c in claims if c.submitted_on < practice.end]
    claims.sort(key=lambda c: (c.submitted_on, c.claim_id))
    _duplicate_warnings(claims)

    payer_side = PayerSide(rules, practice.enrollment, seed=config.seed)
    order = sorted(claims, key=lambda c: (payer_side.received_on(c), c.claim_id))
    adjudications = {c.claim_id: payer_side.adjudicate(c) for c in order}
    return SynthHistory(seed=config.seed, start=config.start, months=config.months, claims=claims,
                        adjudications=adjudications)
