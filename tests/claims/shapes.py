"""A combinatorial generator of claim shapes: every optional loop and element the builders can write, mixed."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from rcm.claims.coordination import AdjudicatedAdjustment, AdjudicatedLine, PrimaryAdjudication
from rcm.claims.transaction import OutgoingClaim
from rcm.codes import npi_with_check_digit
from rcm.domain import (
    Address,
    Claim,
    ClaimFrequency,
    ClaimType,
    Coverage,
    CoveragePriority,
    Encounter,
    Patient,
    Provider,
    Relationship,
    ServiceLine,
    Subscriber,
)

DIAGNOSES = ["J020", "R509", "E119", "I10", "M5450", "Z0000", "K219", "F419", "N390", "R051", "J069", "E785",
             "S52501A", "Z23"]
PROFESSIONAL_CODES = ["99213", "99214", "87880", "36415", "85025", "J1100", "93000", "0001U", "G0439"]
INSTITUTIONAL = [("0450", "99283"), ("0300", "80053"), ("0320", "71046"), ("0250", "J1100"), ("0636", "J3490")]
MODIFIERS = ["25", "59", "LT", "RT", "GT", "XU", "QW", "76"]
# UB-04 FL14/FL15 pairs (admission type, point of origin; 4 = newborn with its own origins) and FL17 statuses.
ADMISSIONS = [("1", "1"), ("2", "2"), ("3", "4"), ("4", "5"), ("5", "1"), ("9", "9"), ("3", "D"), ("1", "G"),
              ("4", "6"), ("3", "E")]
STATUSES = ["01", "02", "03", "06", "07", "20", "43", "62", "65", "82", "94", "21"]
PAYERS = [("MCR01", "Medicare Part B", "MB"), ("BCBS1", "Blue Cross Blue Shield", "BL"),
          ("UHC01", "UnitedHealthcare", "CI"), ("AET01", "Aetna", None)]
NAMES = ["O'Neil", "Smith-Jones", "Nuñez", "Lee", "D*Angelo", "Van Der Berg", "Ng~", "Åberg"]


def npi(rng: random.Random) -> str:
    return npi_with_check_digit(str(rng.randint(100000000, 199999999)))


def address(rng: random.Random, *, zip_plus_4: bool = False) -> Address:
    return Address(
        line1=f"{rng.randint(1, 9999)} Main St",
        line2="Suite 5" if rng.random() < 0.3 else None,
        city=rng.choice(["Boston", "Springfield", "Salt Lake City"]),
        state=rng.choice(["MA", "UT", "ny"]),
        zip=rng.choice(["02110-1234", "841011234"] if zip_plus_4 else ["02110", "02110-1234", "841011234"]),
    )


@dataclass
class Shape:
    """Which options a generated claim uses (index bits make sure each option appears)."""

    institutional: bool
    dependent: bool
    referring: bool
    rendering: str  # none / same / other
    prior_auth: bool
    frequency: ClaimFrequency
    priority: CoveragePriority
    line_level_cob: bool
    lines: int
    diagnoses: int
    modifiers: int
    ndc: bool
    date_range: bool
    person_billing: bool
    inpatient: bool


def shape_for(i: int, rng: random.Random) -> Shape:
    def bit(k: int) -> bool:
        return bool((i >> k) & 1)

    return Shape(
        institutional=bit(0),
        dependent=bit(1),
        referring=bit(2),
        rendering=["none", "same", "other"][i % 3],
        prior_auth=bit(3),
        frequency=[ClaimFrequency.original, ClaimFrequency.replacement, ClaimFrequency.void][(i // 3) % 3],
        priority=[CoveragePriority.primary, CoveragePriority.secondary, CoveragePriority.tertiary][(i // 5) % 3],
        line_level_cob=bit(4),
        lines=[1, 2, 3, 7, 12][i % 5] if i % 97 else 50,
        diagnoses=(i % 12) + 1,
        modifiers=i % 5,
        ndc=bit(5),
        date_range=bit(6),
        person_billing=bit(7),
        inpatient=bit(2) and bit(5),
    )


def _adjudication(rng: random.Random, lines: list[ServiceLine], payer: tuple[str, str, str | None],
                  line_level: bool, billed: list[Decimal], dos: date) -> tuple[PrimaryAdjudication, list[Decimal]]:
    """An earlier payer's decision that balances against ``billed`` (what is still open per line)."""
    adjudicated: list[AdjudicatedLine] = []
    paid_total = Decimal("0.00")
    remaining: list[Decimal] = []
    claim_adjustments: list[AdjudicatedAdjustment] = []
    for line, open_amount in zip(lines, billed, strict=True):
        paid = (open_amount * Decimal("0.6")).quantize(Decimal("0.01"))
        patient = (open_amount * Decimal("0.1")).quantize(Decimal("0.01"))
        contractual = line.charge - paid - patient
        adjs: list[AdjudicatedAdjustment] = []
        if contractual:
            adjs.append(AdjudicatedAdjustment("CO", "45", contractual))
        if patient:
            adjs.append(AdjudicatedAdjustment("PR", rng.choice(["1", "2", "3"]), patient, Decimal("1")))
        if line_level:
            adjudicated.append(AdjudicatedLine(line.line_id, paid, tuple(adjs), paid_date=dos + timedelta(days=20)))
        else:
            claim_adjustments.extend(adjs)
        paid_total += paid
        remaining.append(open_amount - paid)
    if not line_level:
        merged: dict[tuple[str, str], Decimal] = {}
        for a in claim_adjustments:
            merged[(a.group, a.reason)] = merged.get((a.group, a.reason), Decimal("0")) + a.amount
        claim_adjustments = [AdjudicatedAdjustment(g, r, amt) for (g, r), amt in merged.items()]
    return (
        PrimaryAdjudication(
            payer_id=payer[0], payer_name=payer[1], paid_date=dos + timedelta(days=21), paid=paid_total,
            patient_responsibility=sum((a.amount for a in claim_adjustments if a.group == "PR"), Decimal("0.00")),
            payer_claim_number=f"PCN{rng.randint(1000, 9999)}", claim_adjustments=tuple(claim_adjustments),
            lines=tuple(adjudicated),
        ),
        remaining,
    )


def make_claim(i: int, seed: int = 0) -> OutgoingClaim:
    rng = random.Random(seed * 100003 + i)
    s = shape_for(i, rng)
    dos = date(2024, 1, 1) + timedelta(days=i % 300)
    name = rng.choice(NAMES)
    patient = Patient(id=f"P{i}", first_name=rng.choice(["Ann", "José", "Li"]), last_name=name,
                      middle_name="Q" if i % 4 == 0 else None, birth_date=date(1950 + i % 60, 1 + i % 12, 1 + i % 28),
                      sex=rng.choice(["F", "M", "U"]), address=address(rng))
    payer_order = rng.sample(PAYERS, 3)
    coverages: list[Coverage] = []
    for k, priority in enumerate([CoveragePriority.primary, CoveragePriority.secondary, CoveragePriority.tertiary]):
        pid, pname, plan = payer_order[k]
        dependent = (s.dependent and k == 0) or (s.dependent and i % 2 == 0)
        coverages.append(Coverage(
            priority=priority, payer_id=pid, payer_name=pname, plan_type=plan, member_id=f"M{i}x{k}",
            group_number=f"G{i}" if i % 3 else None,
            relationship=rng.choice([Relationship.child, Relationship.spouse, Relationship.other])
            if dependent else Relationship.self_,
            subscriber=Subscriber(first_name="Pat", last_name=rng.choice(NAMES), birth_date=date(1960, 5, 5),
                                  sex="F", address=address(rng) if i % 2 else None) if dependent else None,
        ))
    billing = (Provider(npi=npi(rng), first_name="Solo", last_name="Practitioner", tax_id="123456789",
                        address=address(rng, zip_plus_4=True)) if s.person_billing and not s.institutional
               else Provider(npi=npi(rng), name=f"Clinic {i % 7} & Sons", tax_id="98-7654321",
                             address=address(rng, zip_plus_4=True),
                             taxonomy="207Q00000X" if i % 2 else None))
    rendering = None
    if s.rendering == "same":
        rendering = billing
    elif s.rendering == "other":
        rendering = Provider(npi=npi(rng), first_name="Rita", last_name=rng.choice(NAMES),
                             taxonomy="207R00000X" if i % 4 == 0 else None)
    lines: list[ServiceLine] = []
    for n in range(s.lines):
        if s.institutional:
            revenue, code = INSTITUTIONAL[(i + n) % len(INSTITUTIONAL)]
        else:
            revenue, code = None, PROFESSIONAL_CODES[(i + n) % len(PROFESSIONAL_CODES)]
        start = dos + timedelta(days=n % 3 if s.date_range else 0)
        lines.append(ServiceLine(
            line_id=f"{i}-{n + 1}", code=code, modifiers=MODIFIERS[(n % 4):(n % 4) + s.modifiers][:4],
            units=rng.choice([Decimal("1"), Decimal("2"), Decimal("1.5"), Decimal("10")]),
            charge=Decimal(rng.randint(1, 500000)) / 100,
            diagnosis_pointers=sorted(rng.sample(range(1, s.diagnoses + 1), min(4, s.diagnoses, 1 + n % 4))),
            date_of_service=start, date_of_service_end=start + timedelta(days=2) if s.date_range and n % 2 else None,
            revenue_code=revenue, place_of_service=rng.choice([None, "11", "22"]) if not s.institutional else None,
            ndc="12345-6789-01" if s.ndc and n == 0 else None,
        ))
    encounter = Encounter(
        encounter_id=f"ENC{i:05d}", date_of_service=dos, place_of_service=None if i % 11 == 0 else "11",
        claim_type=ClaimType.institutional if s.institutional else ClaimType.professional,
        patient=patient, coverage=coverages, billing_provider=billing, rendering_provider=rendering,
        pay_to_address=address(rng, zip_plus_4=True) if i % 4 == 1 else None,
        referring_provider=Provider(npi=npi(rng), first_name="Ref", last_name="Errer") if s.referring else None,
        prior_authorization=(f"auth-{i}" if i % 3 else f"AUTH{i}") if s.prior_auth else None,
        diagnoses=rng.sample(DIAGNOSES, s.diagnoses), lines=lines,
        type_of_bill=("0111" if s.inpatient else rng.choice(["131", "0131", None])) if s.institutional else None,
        admission_date=dos if s.inpatient else None,
        discharge_date=dos + timedelta(days=3) if s.inpatient and i % 2 else None,
        attending_provider=Provider(npi=npi(rng), first_name="Att", last_name="Ending", taxonomy="207R00000X")
        if s.institutional and i % 3 else None,
    )
    if s.institutional and encounter.attending_provider is None and encounter.rendering_provider is None:
        encounter.rendering_provider = Provider(npi=npi(rng), first_name="Ren", last_name="Dering")
    if encounter.place_of_service is None and not any(ln.place_of_service for ln in lines):
        lines[0].place_of_service = "02"
    if s.institutional and encounter.place_of_service is None:
        encounter.place_of_service = "22"
    if s.institutional:
        # Real codes on most claims; some outpatient claims without FL14/FL15, and every seventh claim without a
        # status, so the builder's fallbacks (what a scrubbed claim never needs) are written and checked as well.
        if s.inpatient or i % 3:
            encounter.admission_type, encounter.point_of_origin = ADMISSIONS[(i // 2) % len(ADMISSIONS)]
        if s.inpatient and i % 11 == 0:
            encounter.discharge_date = None  # an interim bill: still a patient
        if i % 7:
            encounter.patient_status = ("30" if s.inpatient and encounter.discharge_date is None
                                        else STATUSES[(i // 3) % len(STATUSES)])
    index = {"primary": 0, "secondary": 1, "tertiary": 2}[s.priority.value]
    coverage = coverages[index]
    adjudications: list[PrimaryAdjudication] = []
    open_amounts = [ln.charge for ln in lines]
    for k in range(index):
        adj, open_amounts = _adjudication(rng, lines, payer_order[k], s.line_level_cob, open_amounts, dos)
        adjudications.append(adj)
    claim = Claim(
        claim_id=f"ENC{i:05d}" + {0: "", 1: "-S", 2: "-T"}[index], encounter=encounter, payer=coverage.payer,
        coverage=coverage, other_coverage=[c for c in coverages if c is not coverage],
        frequency_code=s.frequency, payer_claim_number=f"PAYER{i}" if s.frequency is not ClaimFrequency.original
        else None,
    )
    return OutgoingClaim(claim, filing_indicator=coverage.plan_type or "CI", adjudications=tuple(adjudications),
                         other_filing_indicators=tuple(payer_order[k][2] or "CI" for k in range(index)))

