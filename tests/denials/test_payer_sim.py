"""The synthetic payer: each denial mechanism with its CARC/RARC/group, exact balancing, determinism."""

from __future__ import annotations

import csv
import gzip
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from rcm.domain import Coverage, Encounter, Patient, Provider, ServiceLine
from rcm.payer_sim import PayerSide, SubmittedClaim, SynthConfig, SynthHistory, generate_history, load_payer_rules
from rcm.payer_sim.practice import CODES, NCCI_PAIRS, PROVIDERS

DOS = date(2025, 3, 3)
RULES = load_payer_rules()


def _claim(
    claim_id: str,
    lines: list[tuple[str, list[str], list[int]]],
    *,
    payer: str = "BCBS1",
    dx: tuple[str, ...] = ("M5450",),
    auth: str | None = None,
    dos: date = DOS,
    lag: int = 2,
    member: str = "M1",
) -> SubmittedClaim:
    enc = Encounter(
        encounter_id=claim_id,
        date_of_service=dos,
        place_of_service="11",
        patient=Patient(id="P1", birth_date=date(1960, 5, 1), sex="F"),
        coverage=[Coverage(payer_id=payer, member_id=member)],
        rendering_provider=Provider(npi=PROVIDERS[0].npi, first_name="A", last_name="B"),
        prior_authorization=auth,
        diagnoses=list(dx),
        lines=[
            ServiceLine(line_id=str(i), code=code, modifiers=mods, charge=CODES[code].charge,
                        diagnosis_pointers=ptr)
            for i, (code, mods, ptr) in enumerate(lines, start=1)
        ],
    )
    return SubmittedClaim(claim_id, enc, payer, dos + timedelta(days=lag), "active", dos, [])


def _payer(start: date = date(2020, 1, 1), end: date | None = None, seed: int = 1) -> PayerSide:
    enrollment = {(p, "M1"): (start, end) for p in RULES}
    return PayerSide(RULES, enrollment, seed=seed)


def _causes(adj: object) -> list[tuple[str | None, str, str, str | None]]:
    return [(c.line_id, c.group, c.carc, c.rarc) for c in adj.causes]  # type: ignore[attr-defined]


def test_clean_claim_is_paid_and_balances() -> None:
    adj = _payer().adjudicate(_claim("C1", [("99213", [], [1])], payer="MCD01", dx=("I10",)))
    assert not adj.denied and adj.status_code == "1"
    line = adj.lines[0]
    assert line.paid > 0 and line.balanced
    assert [(a.group, a.reason) for a in line.adjustments] == [("CO", "45")]
    # A commercial plan takes the copay, then the deductible, out of the allowed amount.
    commercial = _payer().adjudicate(_claim("C2", [("99213", [], [1])], payer="BCBS1", dx=("I10",)))
    reasons = [(a.group, a.reason) for a in commercial.lines[0].adjustments]
    assert reasons[:3] == [("CO", "45"), ("PR", "3"), ("PR", "1")] and commercial.balanced
    assert commercial.patient_responsibility == sum(a.amount for a in commercial.lines[0].adjustments[1:])


def test_missing_prior_auth_is_co_197_and_an_authorized_claim_is_paid() -> None:
    payer = _payer()
    denied = payer.adjudicate(_claim("C1", [("72148", [], [1])], dx=("M5450",)))
    assert _causes(denied) == [("1", "CO", "197", "M62")]
    ok = payer.adjudicate(_claim("C2", [("72148", [], [1])], dx=("M5450",), auth="PA123", dos=DOS + timedelta(1)))
    assert not ok.denied


def test_ncci_bundling_denies_column_two_unless_modifier() -> None:
    payer = _payer()
    adj = payer.adjudicate(_claim("C1", [("80053", [], [1]), ("80048", [], [1])], dx=("I10",)))
    assert _causes(adj) == [("2", "CO", "97", "M15")]
    # 93000/93010 has modifier indicator 1: 59 on the column-2 code lets both pay
    ok = payer.adjudicate(_claim("C2", [("93000", [], [1]), ("93010", ["59"], [1])], dx=("I10",),
                                 dos=DOS + timedelta(days=3)))
    assert not ok.denied


def test_modifier_25_without_a_procedure_is_co_4() -> None:
    denials = [
        _payer(seed=s).adjudicate(_claim("C1", [("99213", ["25"], [1])], dx=("I10",)))
        for s in range(10)
    ]
    assert any(_causes(a) == [("1", "CO", "4", None)] for a in denials)
    assert sum(a.denied for a in denials) >= 7  # fires 90 % of the time


def test_medical_necessity_uses_the_payers_codes() -> None:
    adj = _payer().adjudicate(_claim("C1", [("93000", [], [1])], payer="MCR01", dx=("E119",)))
    assert _causes(adj) == [("1", "CO", "50", "N115")]
    ok = _payer().adjudicate(_claim("C2", [("93000", [], [1])], payer="MCR01", dx=("R079",)))
    assert not ok.denied


def test_timely_filing_denies_the_whole_claim() -> None:
    limit = RULES["UHC01"].timely_filing_days
    adj = _payer().adjudicate(_claim("C1", [("99213", [], [1]), ("36415", [], [1])], payer="UHC01", dx=("I10",),
                                     lag=limit + 5))
    assert adj.status_code == "4"
    assert [(c.line_id, c.group, c.carc) for c in adj.causes] == [(None, "CO", "29")]
    assert all(ln.denied and ln.adjustments[0].reason == "29" for ln in adj.lines)


def test_eligibility_lapse_is_pr_27_for_every_line() -> None:
    adj = _payer(end=DOS - timedelta(days=1)).adjudicate(_claim("C1", [("99213", [], [1])], dx=("I10",)))
    assert adj.status_code == "4" and _causes(adj) == [(None, "PR", "27", "N30")]
    assert adj.patient_responsibility == adj.charge and adj.paid == 0


def test_duplicate_and_frequency_limits_remember_earlier_claims() -> None:
    payer = _payer()
    first = payer.adjudicate(_claim("C1", [("99396", [], [1])], dx=("Z0000",)))
    assert not first.denied
    again = payer.adjudicate(_claim("C2", [("99396", [], [1])], dx=("Z0000",)))
    assert again.status_code == "4" and _causes(again) == [(None, "OA", "18", "N111")]
    later = payer.adjudicate(_claim("C3", [("99396", [], [1])], dx=("Z0000",), dos=DOS + timedelta(days=200)))
    assert _causes(later) == [("1", "CO", "119", "N640")]
    next_year = payer.adjudicate(_claim("C4", [("99396", [], [1])], dx=("Z0000",), dos=DOS + timedelta(days=370)))
    assert not next_year.denied


@pytest.fixture(scope="module")
def tiny() -> SynthHistory:
    return generate_history(SynthConfig(months=3, seed=9, encounters_per_month=250))


def test_every_adjudication_balances_to_the_cent(tiny: SynthHistory) -> None:
    for adj in tiny.adjudications.values():
        assert adj.balanced, adj.claim_id
        assert adj.charge - sum((a.amount for ln in adj.lines for a in ln.adjustments), Decimal(0)) == adj.paid
        assert (adj.status_code == "4") == all(ln.denied for ln in adj.lines)
        for ln in adj.lines:
            assert ln.paid >= 0 and ln.allowed <= ln.charge


def test_history_is_deterministic_by_seed(tiny: SynthHistory) -> None:
    again = generate_history(SynthConfig(months=3, seed=9, encounters_per_month=250))
    assert [c.to_json() for c in again.claims] == [c.to_json() for c in tiny.claims]
    assert {k: v.to_json() for k, v in again.adjudications.items()} == {
        k: v.to_json() for k, v in tiny.adjudications.items()
    }
    other = generate_history(SynthConfig(months=3, seed=10, encounters_per_month=250))
    assert [c.claim_id for c in other.claims] != [c.claim_id for c in tiny.claims] or [
        a.to_json() for a in other.adjudications.values()
    ] != [a.to_json() for a in tiny.adjudications.values()]


def test_history_shows_every_mechanism_at_a_realistic_rate() -> None:
    history = generate_history(SynthConfig(months=6, seed=3, encounters_per_month=500))
    mechanisms = {c.mechanism for a in history.adjudications.values() for c in a.causes}
    assert {"eligibility_lapse", "missing_prior_auth", "ncci_bundling", "medical_necessity", "timely_filing",
            "frequency_limit", "duplicate", "noise_information"} <= mechanisms
    assert mechanisms & {"modifier_25_no_procedure", "modifier_25_not_separate"}
    rate = sum(a.denied for a in history.adjudications.values()) / len(history.claims)
    assert 0.05 < rate < 0.2
    assert {c.payer_id for c in history.claims} == set(RULES)


def _read_codes(path: Path) -> set[str]:
    with path.open(encoding="utf-8", newline="") as fh:
        return {row["code"] for row in csv.DictReader(fh) if row["status"] == "current"}


@pytest.mark.shared
def test_ncci_pairs_and_remit_codes_exist_in_the_cms_and_x12_lists(shared_dir: Path, tiny: SynthHistory) -> None:
    codesets = shared_dir / "codesets"
    wanted = {(p.column1, p.column2): p.modifier_allowed for p in NCCI_PAIRS}
    found: dict[tuple[str, str], bool] = {}
    with gzip.open(codesets / "ncci_ptp_outpatient_hospital.csv.gz", "rt", encoding="utf-8", newline="") as fh:
        for row in csv.reader(fh):
            key = (row[0], row[1])
            if key in wanted and row[4] == "*":  # still in force
                found[key] = row[5] == "1"
    assert found == wanted
    carcs = _read_codes(codesets / "carc.csv")
    rarcs = _read_codes(codesets / "rarc.csv")
    for adj in tiny.adjudications.values():
        for ln in adj.lines:
            assert {a.reason for a in ln.adjustments} <= carcs
            assert set(ln.remarks) <= rarcs


def test_a_clearinghouse_can_send_domain_claims() -> None:
    from rcm.domain import Claim

    sub = _claim("C9", [("72148", [], [1])], payer="UHC01", dx=("M5450",))
    cov = sub.encounter.coverage[0]
    claim = Claim(claim_id="C9", encounter=sub.encounter, payer=cov.payer, coverage=cov)
    payer = PayerSide(RULES, {}, seed=1)  # a member nobody enrolled is taken as covered
    adj = payer.adjudicate_claim(claim, submitted_on=DOS + timedelta(days=1))
    assert _causes(adj) == [("1", "CO", "197", "M62")]


def test_payer_sim_imports_only_the_foundation() -> None:
    """Kept apart from the stages so a clearinghouse simulator can use it: domain, codes, x12 and errors only."""
    import ast

    allowed = ("rcm.domain", "rcm.codes", "rcm.x12", "rcm.errors", "rcm.drops", "rcm.payer_sim")
    package = Path(__file__).resolve().parents[2] / "rcm" / "payer_sim"
    for path in package.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                if name.startswith("rcm"):
                    assert name.startswith(allowed), f"{path.name} imports {name}"
