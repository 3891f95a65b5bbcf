"""The pure 837 builders: element text, amounts, CAS grouping, configuration, and the claims they refuse."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from rcm.claims.clearinghouses import load_clearinghouses, load_payer_routes
from rcm.claims.coordination import AdjudicatedAdjustment, PrimaryAdjudication, cas_segments
from rcm.claims.elements import amount, date_period, quantity, text
from rcm.claims.errors import ClaimBuildError
from rcm.claims.parties import filing_indicator, trim
from rcm.claims.submission import write_atomically
from rcm.claims.transaction import OutgoingClaim, build_claim_block
from rcm.errors import ConfigError, StateError

from .shapes import make_claim


def test_element_text_is_safe_and_short() -> None:
    assert text("Nuñez*O'Neil~ :^ x", 60) == "NUNEZ O'NEIL X"
    assert text("a" * 70, 60) == "A" * 60
    assert text(None, 5) == ""


@pytest.mark.parametrize(("value", "expected"), [("100.00", "100"), ("100.50", "100.5"), ("0.05", "0.05"),
                                                 ("0", "0"), ("-12.30", "-12.3")])
def test_amounts_drop_trailing_zeros(value: str, expected: str) -> None:
    assert amount(Decimal(value)) == expected


def test_quantities_and_periods() -> None:
    from datetime import date

    assert quantity(Decimal("1.500")) == "1.5" and quantity(Decimal("10")) == "10"
    assert date_period(date(2024, 1, 2), None) == ("D8", "20240102")
    assert date_period(date(2024, 1, 2), date(2024, 1, 4)) == ("RD8", "20240102-20240104")


def test_trim_removes_trailing_empties_only() -> None:
    assert trim(["SBR", "P", "", "G", "", ""]) == ["SBR", "P", "", "G"]
    assert trim(["SV1", ["HC", "99213", "", ""], "10"]) == ["SV1", ["HC", "99213"], "10"]
    assert trim(["SVD", ["HC", ""]]) == ["SVD", "HC"]


def test_filing_indicator_prefers_valid_codes() -> None:
    assert filing_indicator("bogus", "mb") == "MB"
    assert filing_indicator(None, None) == "CI"


def test_cas_groups_and_splits_after_six_reasons() -> None:
    many = [AdjudicatedAdjustment("CO", str(n), Decimal("1.00")) for n in range(1, 9)]
    segs = cas_segments([*many, AdjudicatedAdjustment("PR", "2", Decimal("5"), Decimal("1"))], claim_id="C1")
    assert [s[1] for s in segs] == ["CO", "CO", "PR"]
    assert len(segs[0]) == 2 + 17 and len(segs[1]) == 2 + 5  # trailing empty quantity trimmed
    with pytest.raises(ClaimBuildError):
        cas_segments([AdjudicatedAdjustment("XX", "1", Decimal("1"))], claim_id="C1")


def _claim(i: int) -> OutgoingClaim:
    return make_claim(i)


def test_missing_billing_provider_is_refused_with_claim_id_and_field() -> None:
    outgoing = _claim(2)
    outgoing.claim.encounter.billing_provider = None
    with pytest.raises(ClaimBuildError) as err:
        build_claim_block(outgoing)
    assert err.value.claim_id == outgoing.claim.claim_id and err.value.field == "billing_provider"
    assert isinstance(err.value, StateError)


@pytest.mark.parametrize("change", ["pointer", "no_dx", "pos", "ndc", "revenue", "member", "subscriber"])
def test_claims_the_guide_cannot_express_are_refused(change: str) -> None:
    outgoing = _claim(1 if change == "revenue" else 2)
    claim = outgoing.claim
    enc = claim.encounter
    if change == "pointer":
        enc.lines[0].diagnosis_pointers = [len(enc.diagnoses) + 1]
    elif change == "no_dx":
        enc.diagnoses = []
    elif change == "pos":
        enc.place_of_service = "88"
    elif change == "ndc":
        enc.lines[0].ndc = "123"
    elif change == "revenue":
        enc.lines[0].revenue_code = None
    elif change == "member":
        claim.coverage.member_id = None
    elif change == "subscriber":
        claim.coverage.relationship = claim.coverage.relationship.child
        claim.coverage.subscriber = None
    with pytest.raises(ClaimBuildError) as err:
        build_claim_block(outgoing)
    assert claim.claim_id in str(err.value)
    assert "Nu" not in str(err.value) and (enc.patient.last_name or "?") not in str(err.value)  # no PHI


def test_secondary_claim_that_does_not_balance_is_refused() -> None:
    outgoing = next(o for o in (make_claim(i) for i in range(5, 60)) if len(o.adjudications) == 1)
    adj = outgoing.adjudications[0]
    off = PrimaryAdjudication(adj.payer_id, adj.payer_name, adj.paid_date, adj.paid + Decimal("1"),
                              adj.patient_responsibility, adj.payer_claim_number, adj.claim_adjustments, adj.lines)
    broken = OutgoingClaim(outgoing.claim, outgoing.filing_indicator, (off,), outgoing.other_filing_indicators)
    with pytest.raises(ClaimBuildError, match="does not balance"):
        build_claim_block(broken)
    with pytest.raises(ClaimBuildError, match="earlier adjudication"):
        build_claim_block(OutgoingClaim(outgoing.claim, outgoing.filing_indicator, ()))


def test_clearinghouse_profiles_and_routes(rules_dir: Path, tmp_path: Path) -> None:
    ch = load_clearinghouses(rules_dir)["default"]
    assert ch.max_claims_per_transaction == 5000 and ch.usage in ("P", "T")
    name = ch.file_name_for(kind="837P", icn=42, at=datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC))
    assert name == "837P_20240506_000000042.x12"
    assert load_payer_routes(rules_dir)["MCR01"].filing_indicator == "MB"
    bad = tmp_path / "clearinghouses.yaml"
    bad.write_text("clearinghouses:\n  x:\n    sender_id: A\n")
    with pytest.raises(ConfigError, match="missing"):
        load_clearinghouses(tmp_path)
    (tmp_path / "clearinghouses.yaml").write_text(
        "clearinghouses:\n  x: {sender_qualifier: ZZ, sender_id: A, receiver_qualifier: ZZ, receiver_id: B, "
        "submitter_name: S, submitter_contact: C, submitter_phone: '1', receiver_name: R, "
        "file_name: '{patient}.x12'}\n")
    with pytest.raises(ConfigError, match="unknown fields"):
        load_clearinghouses(tmp_path)


def test_atomic_write_never_overwrites_and_leaves_no_temp(tmp_path: Path) -> None:
    path = write_atomically(tmp_path / "out", "a.x12", b"ISA")
    assert path.read_bytes() == b"ISA"
    with pytest.raises(StateError):
        write_atomically(tmp_path / "out", "a.x12", b"other")
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["a.x12"]


def test_identifiers_go_out_exactly_or_not_at_all() -> None:
    from rcm.claims.elements import identifier

    assert identifier("enc-001a", 38) == "enc-001a"
    assert identifier("a*b", 38) is None and identifier("é", 38) is None and identifier("x" * 39, 38) is None
    outgoing = _claim(2)
    outgoing.claim.encounter.lines[0].line_id = "L1~X"
    with pytest.raises(ClaimBuildError, match="delimiters"):
        build_claim_block(outgoing)
