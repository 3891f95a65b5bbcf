"""Eligibility (X12 270 out, 271 in): which encounters to verify, the inquiries, the answers read into dated
coverage snapshots, holds on claims whose coverage is inactive or rejected, and patient-responsibility estimates."""

from __future__ import annotations

from rcm.eligibility.estimates import PatientResponsibilityEstimate, patient_responsibility_estimate
from rcm.eligibility.inquiries import InquiryFile, InquiryReport, request_eligibility
from rcm.eligibility.interpretation import MemberAnswer, interpret_member
from rcm.eligibility.responses import EligibilityFileReport, ingest_271_file

__all__ = [
    "EligibilityFileReport",
    "InquiryFile",
    "InquiryReport",
    "MemberAnswer",
    "PatientResponsibilityEstimate",
    "ingest_271_file",
    "interpret_member",
    "patient_responsibility_estimate",
    "request_eligibility",
]
