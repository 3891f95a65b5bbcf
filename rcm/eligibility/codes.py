"""The 271's code lists in a biller's words: EB01 benefit codes, AAA reject reasons and follow-up actions (with
what to do next and whether to try again later), coverage levels, service types and time periods (X279A1)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ACTIVE_CODES",
    "BENEFIT_CODES",
    "COVERAGE_LEVELS",
    "FOLLOW_UP_ACTIONS",
    "INACTIVE_CODES",
    "REJECT_REASONS",
    "RETRY_LATER_REASONS",
    "SERVICE_TYPES",
    "TIME_PERIODS",
    "RejectAdvice",
    "benefit_words",
    "reject_advice",
    "service_type_words",
]

# EB01 1-5: coverage is active (in some form); 6-8: inactive.
ACTIVE_CODES = frozenset({"1", "2", "3", "4", "5"})
INACTIVE_CODES = frozenset({"6", "7", "8"})

BENEFIT_CODES: dict[str, str] = {
    "1": "active coverage",
    "2": "active - full risk capitation",
    "3": "active - services capitated",
    "4": "active - services capitated to primary care physician",
    "5": "active - pending investigation",
    "6": "inactive",
    "7": "inactive - pending eligibility update",
    "8": "inactive - pending investigation",
    "A": "co-insurance",
    "B": "co-payment",
    "C": "deductible",
    "CB": "coverage basis",
    "D": "benefit description",
    "E": "exclusions",
    "F": "limitations",
    "G": "out of pocket (stop loss)",
    "H": "unlimited",
    "I": "non-covered",
    "J": "cost containment",
    "K": "reserve",
    "L": "primary care provider",
    "M": "pre-existing condition",
    "MC": "managed care coordinator",
    "N": "services restricted to following provider",
    "O": "not deemed a medical necessity",
    "P": "benefit disclaimer",
    "Q": "second surgical opinion required",
    "R": "other or additional payer",
    "S": "prior year(s) history",
    "T": "card(s) reported lost/stolen",
    "U": "contact following entity for eligibility or benefit information",
    "V": "cannot process",
    "W": "other source of data",
    "X": "health care facility",
    "Y": "spend down",
}

COVERAGE_LEVELS: dict[str, str] = {
    "CHD": "children only",
    "DEP": "dependents only",
    "ECH": "employee and children",
    "EMP": "employee only",
    "ESP": "employee and spouse",
    "FAM": "family",
    "IND": "individual",
    "SPC": "spouse and children",
    "SPO": "spouse only",
}

TIME_PERIODS: dict[str, str] = {
    "6": "hour",
    "7": "day",
    "13": "24 hours",
    "21": "years",
    "22": "service year",
    "23": "calendar year",
    "24": "year to date",
    "25": "contract",
    "26": "episode",
    "27": "visit",
    "28": "outlier",
    "29": "remaining",
    "30": "exceeded",
    "31": "not exceeded",
    "32": "lifetime",
    "33": "lifetime remaining",
    "34": "month",
    "35": "week",
    "36": "admission",
}

SERVICE_TYPES: dict[str, str] = {
    "1": "medical care",
    "2": "surgical",
    "3": "consultation",
    "4": "diagnostic x-ray",
    "5": "diagnostic lab",
    "6": "radiation therapy",
    "7": "anesthesia",
    "8": "surgical assistance",
    "12": "durable medical equipment purchase",
    "18": "durable medical equipment rental",
    "23": "diagnostic dental",
    "30": "health benefit plan coverage",
    "33": "chiropractic",
    "35": "dental care",
    "40": "oral surgery",
    "42": "home health care",
    "45": "hospice",
    "47": "hospital",
    "48": "hospital - inpatient",
    "50": "hospital - outpatient",
    "51": "hospital - emergency accident",
    "52": "hospital - emergency medical",
    "53": "hospital - ambulatory surgical",
    "62": "MRI/CAT scan",
    "65": "newborn care",
    "68": "well baby care",
    "73": "diagnostic medical",
    "76": "dialysis",
    "80": "immunizations",
    "81": "routine physical",
    "86": "emergency services",
    "88": "pharmacy",
    "93": "podiatry",
    "98": "professional (physician) visit - office",
    "A4": "psychiatric",
    "A6": "psychotherapy",
    "AD": "occupational therapy",
    "AE": "physical medicine",
    "AF": "speech therapy",
    "AL": "vision (optometry)",
    "BZ": "physician visit - office: well",
    "CQ": "physician visit - office: sick",
    "MH": "mental health",
    "PT": "physical therapy",
    "UC": "urgent care",
}

REJECT_REASONS: dict[str, str] = {
    "04": "authorized quantity exceeded",
    "15": "required application data missing",
    "33": "input errors",
    "35": "out of network",
    "41": "authorization/access restrictions",
    "42": "unable to respond at current time",
    "43": "invalid/missing provider identification",
    "44": "invalid/missing provider name",
    "45": "invalid/missing provider specialty",
    "46": "invalid/missing provider phone number",
    "47": "invalid/missing provider state",
    "48": "invalid/missing referring provider identification number",
    "49": "provider is not primary care physician",
    "50": "provider ineligible for inquiries",
    "51": "provider not on file",
    "52": "service dates not within provider plan enrollment",
    "53": "inquired benefit inconsistent with provider type",
    "54": "inappropriate product/service id qualifier",
    "55": "inappropriate product/service id",
    "56": "inappropriate date",
    "57": "invalid/missing date(s) of service",
    "58": "invalid/missing date of birth",
    "60": "date of birth follows date(s) of service",
    "61": "date of death precedes date(s) of service",
    "62": "date of service not within allowable inquiry period",
    "63": "date of service in future",
    "64": "invalid/missing patient id",
    "65": "invalid/missing patient name",
    "66": "invalid/missing patient gender code",
    "67": "patient not found",
    "68": "duplicate patient id number",
    "69": "inconsistent with patient's age",
    "70": "inconsistent with patient's gender",
    "71": "patient birth date does not match that for the patient on the database",
    "72": "invalid/missing subscriber/insured id",
    "73": "invalid/missing subscriber/insured name",
    "74": "invalid/missing subscriber/insured gender code",
    "75": "subscriber/insured not found",
    "76": "duplicate subscriber/insured id number",
    "77": "subscriber found, patient not found",
    "78": "subscriber/insured not in group/plan identified",
    "79": "invalid participant identification",
    "80": "no response received - transaction terminated",
    "97": "invalid or missing provider address",
    "T4": "payer name or identifier missing",
    "AA": "authorization number not found",
    "AE": "requires primary care physician authorization",
    "AF": "invalid/missing diagnosis code(s)",
    "AG": "invalid/missing procedure code(s)",
    "AO": "additional patient condition information required",
    "CI": "certification information does not match patient",
    "E8": "requires medical review",
    "IA": "invalid authorization number format",
    "MA": "missing authorization",
}

FOLLOW_UP_ACTIONS: dict[str, str] = {
    "C": "please correct and resubmit",
    "N": "resubmission not allowed",
    "P": "please resubmit original transaction",
    "R": "resubmission allowed",
    "S": "do not resubmit; inquiry initiated to a third party",
    "W": "please wait 30 days and resubmit",
    "X": "please wait 10 days and resubmit",
    "Y": "do not resubmit; we will hand deliver the response",
}

# The payer could not answer now: the same inquiry is worth sending again later.
RETRY_LATER_REASONS = frozenset({"42", "80"})
_RETRY_FOLLOW_UPS = frozenset({"P", "W", "X"})

# What the front desk should do, by reject reason (the rest fall back to the family's advice).
_WHAT_TO_DO: dict[str, str] = {
    "42": "the payer could not answer now: the inquiry is sent again on the next run",
    "80": "no answer reached the payer: the inquiry is sent again on the next run",
    "58": "check the patient's birth date against the insurance card and send the inquiry again",
    "71": "the birth date does not match the payer's: check it with the patient and correct registration",
    "72": "check the member id on the insurance card, correct registration and verify again",
    "73": "check the subscriber's name as printed on the card, correct registration and verify again",
    "75": "the payer does not know this subscriber: confirm the insurance with the patient or bill the patient",
    "67": "the payer does not know this patient: confirm the insurance with the patient or bill the patient",
    "77": "subscriber found but not the patient: check the dependent's name and birth date",
    "78": "subscriber not in the group or plan: ask the patient for the current insurance card",
    "64": "check the patient id on the insurance card, correct registration and verify again",
    "65": "check the patient's name as printed on the card, correct registration and verify again",
}
_PROVIDER_REASONS = frozenset({"41", "43", "44", "45", "46", "47", "48", "49", "50", "51", "52", "53", "97"})


@dataclass(frozen=True, slots=True)
class RejectAdvice:
    """An AAA in words: the reason, the payer's follow-up, whether to retry later, and what to do."""

    reason: str
    reason_words: str
    follow_up: str
    follow_up_words: str
    retry: bool
    what_to_do: str


def reject_advice(reason: str, follow_up: str = "") -> RejectAdvice:
    """Words and advice for an AAA reject reason (AAA03) and follow-up action code (AAA04)."""
    words = REJECT_REASONS.get(reason, f"reject reason {reason or 'not given'}")
    follow_words = FOLLOW_UP_ACTIONS.get(follow_up, "")
    retry = reason in RETRY_LATER_REASONS or follow_up in _RETRY_FOLLOW_UPS
    if reason in _WHAT_TO_DO:
        todo = _WHAT_TO_DO[reason]
    elif reason in _PROVIDER_REASONS:
        todo = "fix the provider's enrollment or identifiers with the payer, then verify again"
    elif retry:
        todo = "the payer asked for the inquiry to be sent again later: it is resent on the next run"
    else:
        todo = "correct the registration details the payer names and verify eligibility again"
    return RejectAdvice(reason, words, follow_up, follow_words, retry, todo)


def benefit_words(code: str) -> str:
    """EB01 in words ("co-payment" for B)."""
    return BENEFIT_CODES.get(code, f"benefit code {code or 'not given'}")


def service_type_words(code: str) -> str:
    return SERVICE_TYPES.get(code, f"service type {code}")
