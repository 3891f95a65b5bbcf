"""Remittance posting: every 835 read, balanced, matched and posted exactly once.

    post_received_files(paths)             each file in its own transaction, a 999 dropped for each
    post_file(session, path)               one file inside the caller's transaction
    post_remittances(session, payments)    the posting itself (payments as rcm.remits.remittance describes)
    read_remittances(content, name=...)    an 835 file as payments, through the X12 core
    balancing_findings(payment)            where a payment does not add up (line, claim, payment)
    unmatched_payments(session)            the unmatched queue: claim payments we could not tie to a claim
"""

from __future__ import annotations

from rcm.remits.balancing import balancing_findings, is_balanced
from rcm.remits.files import post_file, post_received_files
from rcm.remits.posting import post_remittances
from rcm.remits.reading import read_remittances
from rcm.remits.remittance import CasAmount, PaidClaim, PaidService, PlbAmount, ReceivedRemittance
from rcm.remits.report import FileResult, TransactionResult
from rcm.remits.unmatched import unmatched_payments

__all__ = [
    "CasAmount",
    "FileResult",
    "PaidClaim",
    "PaidService",
    "PlbAmount",
    "ReceivedRemittance",
    "TransactionResult",
    "balancing_findings",
    "is_balanced",
    "post_file",
    "post_received_files",
    "post_remittances",
    "read_remittances",
    "unmatched_payments",
]
