"""270 loop models: a member (subscriber HL 22 or dependent HL 23) with what is asked or answered."""

from rcm.x12.sets.eligibility279 import Member

__all__ = ["Member"]
