"""270 eligibility inquiry (005010X279A1): ``EligibilityInquiry``, one ``Member`` per subscriber or dependent."""

from rcm.x12.sets.x270.loops import Member
from rcm.x12.sets.x270.parsing import parse_270
from rcm.x12.sets.x270.segments import Inquiry, Rejection, Trace
from rcm.x12.sets.x270.transaction_set import SPEC, EligibilityInquiry

__all__ = ["SPEC", "EligibilityInquiry", "Inquiry", "Member", "Rejection", "Trace", "parse_270"]
