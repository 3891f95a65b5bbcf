"""835 health care claim payment/advice (005010X221A1): ``Remittance`` and its parts."""

from rcm.x12.sets.common import Amount, DateValue, Party, Quantity, Reference
from rcm.x12.sets.x835.loops import ClaimPayment, ProviderAdjustment, ServicePayment
from rcm.x12.sets.x835.parsing import early_835, parse_835, remittance_from_tree
from rcm.x12.sets.x835.segments import Adjustment, Payment, PlbAdjustment, Procedure, Remark, Trace
from rcm.x12.sets.x835.transaction_set import SPEC, Remittance

__all__ = [
    "SPEC",
    "Adjustment",
    "Amount",
    "ClaimPayment",
    "DateValue",
    "Party",
    "Payment",
    "PlbAdjustment",
    "Procedure",
    "ProviderAdjustment",
    "Quantity",
    "Reference",
    "Remark",
    "Remittance",
    "ServicePayment",
    "Trace",
    "early_835",
    "parse_835",
    "remittance_from_tree",
]
