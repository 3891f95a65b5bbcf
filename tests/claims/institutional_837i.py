"""Institutional test claims, and one 837I interchange of built claims written the way submission writes it (for
pyx12 and read-back tests)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any, cast

from rcm.claims.clearinghouses import Clearinghouse
from rcm.claims.transaction import OutgoingClaim, build_claim_block, transaction_segments
from rcm.codes import npi_with_check_digit
from rcm.domain import Address, Claim, ClaimType, Coverage, Encounter, Patient, Provider, ServiceLine
from rcm.x12.writer import ElementValue, GroupOut, TransactionOut, write_interchange


def interchange_837i(
    clearinghouse: Clearinghouse, claims: list[Claim], *, reference: str, control_number: int
) -> bytes:
    created = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
    blocks = [build_claim_block(OutgoingClaim(c, filing_indicator="MA")) for c in claims]
    body = cast("list[list[ElementValue]]", transaction_segments(blocks, clearinghouse=clearinghouse,
                                                                  reference=reference, created=created))  # fmt: skip
    return write_interchange(
        sender_qualifier="ZZ", sender_id=clearinghouse.sender_id, receiver_qualifier="ZZ",
        receiver_id=clearinghouse.receiver_id, control_number=control_number, date=created.date(),
        time=time(9, 30), usage="T",
        groups=[GroupOut("HC", clearinghouse.sender_id, clearinghouse.receiver_id, control_number, "005010X223A2",
                         created.date(), time(9, 30), [TransactionOut("837", "0001", body)])],
    )  # fmt: skip


ADDRESS = Address(line1="1 Harbor Way", city="Salem", state="MA", zip="01970-1234")


def institutional_claim(claim_id: str, *, diagnoses: list[str], extra_lines: int = 0, **encounter: Any) -> Claim:
    """A Medicare Part A hospital claim (room and board line, and ``extra_lines`` lab lines) with ``encounter``'s
    fields set."""
    coverage = Coverage(payer_id="MCR01", payer_name="Medicare Part A", plan_type="MA", member_id="1EG4TE5MK72")
    lines = [ServiceLine(line_id=f"{claim_id}-1", code="99223", charge=Decimal("2400.00"), revenue_code="0120")]
    lines += [ServiceLine(line_id=f"{claim_id}-{n}", code="80053", charge=Decimal("85.00"), revenue_code="0300")
              for n in range(2, 2 + extra_lines)]  # fmt: skip
    enc = Encounter(
        encounter_id=claim_id, date_of_service=date(2026, 3, 1), claim_type=ClaimType.institutional,
        place_of_service="21",
        patient=Patient(id=f"P-{claim_id}", first_name="Ann", last_name="Example", birth_date=date(1950, 2, 3),
                        sex="F", address=ADDRESS),
        coverage=[coverage],
        billing_provider=Provider(npi=npi_with_check_digit("112345670"), name="Harbor Hospital", tax_id="041234567",
                                  address=ADDRESS),
        attending_provider=Provider(npi=npi_with_check_digit("123456780"), first_name="Ada", last_name="Attending"),
        diagnoses=diagnoses,
        lines=lines,
        **encounter,
    )  # fmt: skip
    return Claim(claim_id=claim_id, encounter=enc, payer=coverage.payer, coverage=coverage)
