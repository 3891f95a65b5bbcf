"""Acknowledgment codes in a biller's words: TA1 note codes, 999 IK3/IK4/IK5/AK9 codes, 277CA STC categories,
claim status codes and entity codes."""

from __future__ import annotations

from rcm.x12.dictionary import segment_def
from rcm.x12.pyx12_oracle import ELEMENT_ERRORS, GROUP_ERRORS, INTERCHANGE_ERRORS, SEGMENT_ERRORS, TRANSACTION_ERRORS

__all__ = [
    "ACCEPTED_CATEGORIES",
    "REJECTED_CATEGORIES",
    "category_text",
    "element_error_text",
    "entity_text",
    "group_error_text",
    "interchange_note_text",
    "segment_error_text",
    "status_code_text",
    "transaction_error_text",
]

# 277CA claim status category codes (code source 507) that matter on a claim acknowledgment.
CATEGORIES: dict[str, str] = {
    "A0": "forwarded to another entity",
    "A1": "received by the clearinghouse or payer",
    "A2": "accepted into adjudication",
    "A3": "returned as unprocessable",
    "A4": "not found",
    "A5": "split by the payer",
    "A6": "rejected for missing information",
    "A7": "rejected for invalid information",
    "A8": "rejected for relational field in error",
    "DR01": "data reporting: acknowledged",
    "DR02": "data reporting: accepted",
    "DR03": "data reporting: rejected",
    "E0": "no response possible: error in what was submitted",
    "E1": "no response possible: payer system unavailable",
    "E2": "information holder is not responding",
    "P0": "pending: adjudication",
    "P1": "pending: in process",
    "P2": "pending: in review",
    "P3": "pending: waiting for requested information",
    "P4": "pending: waiting for patient information",
    "F0": "finalized",
    "F1": "finalized: paid",
    "F2": "finalized: denied",
    "F3": "finalized: revised",
}
# Anything not rejected counts as accepted (received, pending, finalized: it is in the payer's hands).
ACCEPTED_CATEGORIES = frozenset(
    {"A0", "A1", "A2", "A5", "DR01", "DR02", "P0", "P1", "P2", "P3", "P4", "F0", "F1", "F2", "F3"}
)
REJECTED_CATEGORIES = frozenset({"A3", "A4", "A6", "A7", "A8", "DR03", "E0"})

# Claim status codes (code source 508) most often seen on 277CA rejections.
STATUS_CODES: dict[str, str] = {
    "0": "cannot provide further status electronically",
    "1": "see the remittance advice for details",
    "2": "more detailed information in a letter",
    "3": "adjudicated, awaiting the payment cycle",
    "15": "requested information was not provided",
    "16": "claim/encounter has invalid or missing information",
    "19": "receipt acknowledged",
    "20": "accepted for processing",
    "21": "missing or invalid information",
    "22": "before entering the adjudication system",
    "23": "returned to the provider",
    "24": "entity not approved as an electronic submitter",
    "25": "entity not approved",
    "26": "entity not found",
    "27": "policy canceled",
    "29": "subscriber and policy number/contract number mismatched",
    "30": "subscriber and subscriber id mismatched",
    "31": "subscriber and policyholder name mismatched",
    "32": "subscriber and policy number/contract number not found",
    "33": "subscriber and subscriber id not found",
    "34": "subscriber and policyholder name not found",
    "35": "claim/encounter not found",
    "41": "special handling required at the payer site",
    "52": "provider not eligible for this payer",
    "54": "duplicate of a previously processed claim/line",
    "81": "contract/member number missing or invalid",
    "85": "entity's date of birth",
    "88": "entity not eligible for benefits for the submitted dates of service",
    "97": "patient eligibility not found with this payer",
    "100": "date of service",
    "125": "entity's name",
    "128": "entity's tax id",
    "145": "entity's specialty/taxonomy code",
    "153": "entity's id number",
    "164": "entity's contract/member number",
    "187": "date(s) of service",
    "189": "facility type code",
    "190": "place of service",
    "212": "procedure code",
    "247": "line information",
    "249": "place of service code",
    "254": "principal diagnosis code",
    "255": "diagnosis code",
    "400": "claim is out of balance",
    "454": "procedure code for services rendered",
    "455": "revenue code for services rendered",
    "464": "payer assigned claim control number",
    "477": "missing/invalid date of service",
    "479": "total charges",
    "484": "units of service",
    "496": "submitter not approved for electronic claim submissions on behalf of this entity",
    "507": "HCPCS",
    "510": "future date",
    "513": "service line number",
    "516": "other carrier payer id",
    "545": "procedure code modifier",
    "548": "billing provider's NPI",
    "562": "entity's National Provider Identifier (NPI)",
    "583": "line item control number",
    "596": "entity's postal/zip code",
    "655": "total charge amount does not equal the sum of the line charges",
    "673": "patient control number",
    "697": "invalid diagnosis code pointer",
    "732": "claim frequency code",
    "738": "subscriber's relationship to the patient",
}

ENTITIES: dict[str, str] = {
    "03": "dependent", "1P": "provider", "40": "receiver", "41": "submitter", "71": "attending provider",
    "72": "operating physician", "77": "service location", "82": "rendering provider", "85": "billing provider",
    "87": "pay-to provider", "DN": "referring provider", "DK": "ordering provider", "IL": "subscriber",
    "PR": "payer", "QC": "patient", "TU": "third-party repricer",
}


def category_text(code: str) -> str:
    return CATEGORIES.get(code, f"status category {code}")


def status_code_text(code: str) -> str:
    return STATUS_CODES.get(code, f"claim status code {code}")


def entity_text(code: str) -> str:
    return ENTITIES.get(code, f"entity {code}")


def interchange_note_text(code: str) -> str:
    return INTERCHANGE_ERRORS.get(code, "no error") if code != "000" else "no error"


def group_error_text(code: str) -> str:
    return GROUP_ERRORS.get(code, f"group error {code}")


def transaction_error_text(code: str) -> str:
    return TRANSACTION_ERRORS.get(code, f"transaction error {code}")


def segment_error_text(code: str) -> str:
    return SEGMENT_ERRORS.get(code, f"segment error {code}")


def element_error_text(code: str) -> str:
    return ELEMENT_ERRORS.get(code, f"element error {code}")


def segment_name(segment_id: str) -> str:
    definition = segment_def(segment_id)
    return f"{segment_id} ({definition.name})" if definition else segment_id


def element_name(segment_id: str, position: int, component: int | None = None) -> str:
    ref = f"{segment_id}{position:02d}" + (f"-{component}" if component else "")
    definition = segment_def(segment_id)
    if definition is None:
        return ref
    element = next((e for e in definition.elements if e.position == position), None)
    if element is None:
        return ref
    if component and element.components:
        part = next((c for c in element.components if c.position == component), None)
        if part is not None:
            return f"{ref} ({part.name})"
    return f"{ref} ({element.name})"
