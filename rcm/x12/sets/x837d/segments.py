"""837D segment records: the HI code entries, SV1 procedures and CAS adjustments (shared with the other 837s
and the 835)."""

from rcm.x12.sets.claim837 import CodeEntry, DrugIdentification, code_entries_of
from rcm.x12.sets.x835.segments import Adjustment, Procedure, adjustments_of

__all__ = ["Adjustment", "CodeEntry", "DrugIdentification", "Procedure", "adjustments_of", "code_entries_of"]
