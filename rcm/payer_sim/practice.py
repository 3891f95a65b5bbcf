"""The synthetic practice and its payers: providers, the fee schedule, the code mix and each payer's written rules.

Everything a payer enforces is written here as data (prior-authorization code lists, diagnosis coverage
policies, frequency limits, NCCI pairs, filing limits) so that docs/denials.md can cite it and the tests can
check each mechanism against it. Payer ids and filing limits come from rules/payers.yaml.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import yaml

from rcm.codes import npi_with_check_digit
from rcm.errors import ConfigError

__all__ = [
    "BILLING_NPI",
    "BILLING_TAX_ID",
    "CODES",
    "EM_CODES",
    "NCCI_MODIFIERS",
    "NCCI_PAIRS",
    "PREVENTIVE_CODES",
    "PROVIDERS",
    "THERAPY_CODES",
    "CodeInfo",
    "CoveragePolicy",
    "FrequencyLimit",
    "NcciPair",
    "PayerRules",
    "PracticeProvider",
    "load_payer_rules",
]


@dataclass(frozen=True, slots=True)
class CodeInfo:
    """A procedure the practice bills: its Medicare-like base rate and the practice's charge."""

    code: str
    base_rate: Decimal  # what Medicare would allow for one unit
    charge: Decimal  # the practice's chargemaster price for one unit
    kind: str  # em, preventive, procedure, lab, imaging, therapy, drug, cardiology


def _code(code: str, rate: str, kind: str) -> CodeInfo:
    base = Decimal(rate)
    # Practices price at roughly 1.9x the Medicare rate, rounded to whole dollars.
    charge = (base * Decimal("1.9")).quantize(Decimal("1"))
    return CodeInfo(code, base, Decimal(charge).quantize(Decimal("0.01")), kind)


CODES: dict[str, CodeInfo] = {
    c.code: c
    for c in [
        _code("99202", "72.50", "em"),
        _code("99203", "112.40", "em"),
        _code("99204", "167.80", "em"),
        _code("99212", "57.60", "em"),
        _code("99213", "92.10", "em"),
        _code("99214", "130.40", "em"),
        _code("99215", "184.20", "em"),
        _code("99385", "118.00", "preventive"),
        _code("99386", "136.00", "preventive"),
        _code("99395", "108.00", "preventive"),
        _code("99396", "117.00", "preventive"),
        _code("99397", "126.00", "preventive"),
        _code("G0439", "133.50", "preventive"),
        _code("96372", "14.90", "procedure"),
        _code("20610", "68.70", "procedure"),
        _code("11102", "98.40", "procedure"),
        _code("17110", "112.60", "procedure"),
        _code("J1030", "4.20", "drug"),
        _code("J3301", "2.10", "drug"),
        _code("36415", "3.00", "lab"),
        _code("80053", "10.60", "lab"),
        _code("80048", "8.50", "lab"),
        _code("80061", "13.40", "lab"),
        _code("85025", "7.80", "lab"),
        _code("83036", "9.70", "lab"),
        _code("81002", "3.50", "lab"),
        _code("71046", "32.10", "imaging"),
        _code("72148", "228.90", "imaging"),
        _code("73721", "221.40", "imaging"),
        _code("93000", "16.70", "cardiology"),
        _code("93010", "8.10", "cardiology"),
        _code("93306", "205.60", "cardiology"),
        _code("93015", "78.90", "cardiology"),
        _code("93880", "196.30", "cardiology"),
        _code("97161", "101.20", "therapy"),
        _code("97162", "101.20", "therapy"),
        _code("97110", "29.80", "therapy"),
        _code("97112", "34.10", "therapy"),
        _code("97140", "27.90", "therapy"),
        _code("97530", "36.20", "therapy"),
        _code("97116", "29.10", "therapy"),
    ]
}

EM_CODES = frozenset(c for c, i in CODES.items() if i.kind == "em")
PREVENTIVE_CODES = frozenset(c for c, i in CODES.items() if i.kind == "preventive")
THERAPY_CODES = frozenset({"97110", "97112", "97140", "97530", "97116"})

NCCI_MODIFIERS = frozenset({"59", "XE", "XS", "XP", "XU", "25", "LT", "RT", "91"})


@dataclass(frozen=True, slots=True)
class NcciPair:
    """An NCCI procedure-to-procedure edit: column 2 is denied when billed with column 1 (same patient, day)."""

    column1: str
    column2: str
    modifier_allowed: bool  # modifier indicator 1 (an NCCI-associated modifier on the pair allows both)


# Real, current PTP pairs (checked against the CMS file in tests/denials), plus the E/M codes bundled into
# minor procedures unless the E/M carries modifier 25.
NCCI_PAIRS: tuple[NcciPair, ...] = (
    NcciPair("80053", "80048", False),
    NcciPair("93000", "93010", True),
    NcciPair("93015", "93000", True),
    NcciPair("20610", "96372", True),
    NcciPair("17110", "11102", True),
    *(NcciPair("96372", em, True) for em in ("99212", "99213", "99214", "99215")),
    *(NcciPair("11102", em, True) for em in ("99212", "99213", "99214", "99215")),
)


@dataclass(frozen=True, slots=True)
class PracticeProvider:
    npi: str
    first_name: str
    last_name: str
    specialty: str  # family, internal, therapy, cardiology
    taxonomy: str


def _npi(stem: str) -> str:
    return npi_with_check_digit(stem)


BILLING_NPI = _npi("199990001")
BILLING_TAX_ID = "471234567"

PROVIDERS: tuple[PracticeProvider, ...] = (
    PracticeProvider(_npi("123450001"), "ALICE", "MORROW", "family", "207Q00000X"),
    PracticeProvider(_npi("123450002"), "BRIAN", "OKAFOR", "family", "207Q00000X"),
    PracticeProvider(_npi("123450003"), "CARMEN", "LIU", "family", "207Q00000X"),
    PracticeProvider(_npi("123450004"), "DAVID", "STEIN", "internal", "207R00000X"),
    PracticeProvider(_npi("123450005"), "ELENA", "VOSS", "internal", "207R00000X"),
    PracticeProvider(_npi("123450006"), "FRANK", "ADEYEMI", "therapy", "225100000X"),
    PracticeProvider(_npi("123450007"), "GRACE", "PATEL", "therapy", "225100000X"),
    PracticeProvider(_npi("123450008"), "HENRY", "NAKAMURA", "cardiology", "207RC0000X"),
)


@dataclass(frozen=True, slots=True)
class CoveragePolicy:
    """Diagnoses that support a procedure (ICD-10-CM prefixes without the dot), and how the payer says no."""

    allowed_prefixes: tuple[str, ...]


# One policy per procedure; each payer enforces it with its own strictness and codes (PayerRules).
COVERAGE_POLICIES: dict[str, CoveragePolicy] = {
    **{
        c: CoveragePolicy(("M", "S", "G", "R26", "Z96", "Z47"))
        for c in ("97161", "97162", "97110", "97112", "97140", "97530", "97116")
    },
    "93000": CoveragePolicy(("I", "R00", "R07", "R55", "R42", "Z0181")),
    "93306": CoveragePolicy(("I", "R00", "R01", "R06", "R07", "R55")),
    "93015": CoveragePolicy(("I20", "I25", "R07", "R06")),
    "93880": CoveragePolicy(("I63", "I65", "I67", "G45", "R42", "R55")),
    "80061": CoveragePolicy(("E78", "I", "E11", "Z13220", "Z8249")),
    "83036": CoveragePolicy(("E10", "E11", "E13", "R73", "Z131")),
    "71046": CoveragePolicy(("J", "R05", "R06", "R07", "R50", "I50")),
    "72148": CoveragePolicy(("M47", "M48", "M51", "M54", "M43", "S32")),
    "73721": CoveragePolicy(("M17", "M22", "M23", "M25", "S83", "S89")),
    "20610": CoveragePolicy(("M",)),
    "11102": CoveragePolicy(("D48", "D22", "D23", "L", "C43", "C44")),
    "17110": CoveragePolicy(("B07", "L")),
}


@dataclass(frozen=True, slots=True)
class FrequencyLimit:
    """At most ``count`` visits (days) with a code from ``codes`` per patient in ``days`` days."""

    codes: frozenset[str]
    count: int
    days: int
    carc: str
    rarc: str


@dataclass(frozen=True, slots=True)
class PayerRules:
    """One payer's adjudication rules. Strictness values are probabilities that the edit fires."""

    payer_id: str
    name: str
    filing_indicator: str
    timely_filing_days: int
    fee_factor: Decimal  # allowed = base rate x factor
    prior_auth_codes: frozenset[str]
    prior_auth_strictness: float
    necessity_strictness: float
    necessity_carc: str
    necessity_rarc: str
    modifier25_scrutiny: float  # E/M with 25 sharing every diagnosis with the procedure: denied with this prob
    frequency_limits: tuple[FrequencyLimit, ...]
    coinsurance: Decimal  # patient share of the allowed amount (after copay lines)
    em_copay: Decimal
    annual_deductible: Decimal
    eligibility_churn: float  # share of members whose coverage ends during the history
    received_lag_days: tuple[int, int] = (1, 3)  # days from submission to the payer's receipt
    extras: dict[str, str] = field(default_factory=dict)


_PREVENTIVE_ONCE = FrequencyLimit(PREVENTIVE_CODES, 1, 365, "119", "N640")
_A1C = FrequencyLimit(frozenset({"83036"}), 2, 180, "151", "N362")
_LIPID = FrequencyLimit(frozenset({"80061"}), 1, 365, "119", "N640")


def _visits(count: int) -> FrequencyLimit:
    return FrequencyLimit(THERAPY_CODES, count, 365, "119", "N640")


_IMAGING_AUTH = frozenset({"72148", "73721"})
_THERAPY_AUTH = frozenset({"97110", "97112", "97140", "97530", "97116"})

# Behaviour that rules/payers.yaml does not say: everything a payer does beyond its id, name and filing limit.
_PAYER_BEHAVIOUR: dict[str, dict[str, object]] = {
    "MCR01": dict(
        fee_factor=Decimal("1.00"), prior_auth_codes=frozenset(), prior_auth_strictness=0.0,
        necessity_strictness=0.95, necessity_carc="50", necessity_rarc="N115", modifier25_scrutiny=0.1,
        frequency_limits=(_PREVENTIVE_ONCE, _A1C, _LIPID), coinsurance=Decimal("0.20"), em_copay=Decimal("0"),
        annual_deductible=Decimal("257.00"), eligibility_churn=0.01,
    ),
    "MCD01": dict(
        fee_factor=Decimal("0.72"), prior_auth_codes=_IMAGING_AUTH | {"93306"} | _THERAPY_AUTH,
        prior_auth_strictness=0.95, necessity_strictness=0.9, necessity_carc="11", necessity_rarc="M76",
        modifier25_scrutiny=0.2, frequency_limits=(_PREVENTIVE_ONCE, _visits(20)), coinsurance=Decimal("0"),
        em_copay=Decimal("0"), annual_deductible=Decimal("0"), eligibility_churn=0.12,
    ),
    "BCBS1": dict(
        fee_factor=Decimal("1.25"), prior_auth_codes=_IMAGING_AUTH | {"93306", "93015"},
        prior_auth_strictness=0.9, necessity_strictness=0.7, necessity_carc="50", necessity_rarc="N130",
        modifier25_scrutiny=0.15, frequency_limits=(_PREVENTIVE_ONCE, _visits(30)), coinsurance=Decimal("0.10"),
        em_copay=Decimal("25.00"), annual_deductible=Decimal("750.00"), eligibility_churn=0.04,
    ),
    "UHC01": dict(
        fee_factor=Decimal("1.30"), prior_auth_codes=_IMAGING_AUTH | {"93306", "93015"} | _THERAPY_AUTH,
        prior_auth_strictness=0.95, necessity_strictness=0.9, necessity_carc="11", necessity_rarc="M76",
        modifier25_scrutiny=0.85, frequency_limits=(_PREVENTIVE_ONCE, _visits(20)), coinsurance=Decimal("0.20"),
        em_copay=Decimal("30.00"), annual_deductible=Decimal("1500.00"), eligibility_churn=0.05,
    ),
    "AET01": dict(
        fee_factor=Decimal("1.35"), prior_auth_codes=_IMAGING_AUTH | {"93015", "93880"},
        prior_auth_strictness=0.9, necessity_strictness=0.6, necessity_carc="50", necessity_rarc="N130",
        modifier25_scrutiny=0.8, frequency_limits=(_PREVENTIVE_ONCE, _visits(25)), coinsurance=Decimal("0.15"),
        em_copay=Decimal("25.00"), annual_deductible=Decimal("1000.00"), eligibility_churn=0.05,
    ),
    "HUM01": dict(
        fee_factor=Decimal("1.05"), prior_auth_codes=_IMAGING_AUTH | {"93306"} | _THERAPY_AUTH,
        prior_auth_strictness=0.9, necessity_strictness=0.85, necessity_carc="50", necessity_rarc="N115",
        modifier25_scrutiny=0.3, frequency_limits=(_PREVENTIVE_ONCE, _A1C, _LIPID, _visits(24)),
        coinsurance=Decimal("0.20"), em_copay=Decimal("20.00"), annual_deductible=Decimal("500.00"),
        eligibility_churn=0.03,
    ),
}


def load_payer_rules(rules_dir: Path | None = None) -> dict[str, PayerRules]:
    """Read rules/payers.yaml and join each payer with its synthetic adjudication behaviour."""
    base = rules_dir or Path(__file__).resolve().parents[2] / "rules"
    path = base / "payers.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the payer list ({exc.strerror})") from None
    out: dict[str, PayerRules] = {}
    for row in data.get("payers", []):
        pid = str(row["payer_id"])
        behaviour = _PAYER_BEHAVIOUR.get(pid)
        if behaviour is None:
            continue  # a payer the simulation has no behaviour for is simply not simulated
        out[pid] = PayerRules(
            payer_id=pid,
            name=str(row["name"]),
            filing_indicator=str(row.get("filing_indicator", "CI")),
            timely_filing_days=int(row.get("timely_filing_days") or 365),
            **behaviour,  # type: ignore[arg-type]
        )
    if not out:
        raise ConfigError(f"{path}: none of the simulated payers ({', '.join(_PAYER_BEHAVIOUR)}) is listed")
    return out
