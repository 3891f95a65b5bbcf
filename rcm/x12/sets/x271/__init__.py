"""271 eligibility response (005010X279A1): ``EligibilityResponse``, one ``Member`` per subscriber or dependent."""

from rcm.x12.sets.x271.loops import Member
from rcm.x12.sets.x271.parsing import parse_271
from rcm.x12.sets.x271.segments import Benefit, Rejection, Trace
from rcm.x12.sets.x271.transaction_set import SPEC, EligibilityResponse

__all__ = ["SPEC", "Benefit", "EligibilityResponse", "Member", "Rejection", "Trace", "parse_271"]
