"""The statuses and kinds the POS templates compare with, as imported constants (a template never
spells "CASH" or "DONE" itself): every view that renders a payment passes `pos_constants()`."""

from __future__ import annotations

from apps.catalog.models import TaxType
from apps.orders.models import OrderStatus
from apps.payments.models import CashReceipt, PaymentMethod, PaymentStatus, Shift

# Payments whose money the order still holds (a fully canceled one no longer pays for it).
HOLDING = frozenset({PaymentStatus.DONE, PaymentStatus.PARTIAL_CANCELED})
REFUNDED = frozenset({OrderStatus.REFUNDED, OrderStatus.PARTIALLY_REFUNDED})


def pos_constants() -> dict:
    return {
        "KIND": PaymentMethod.Kind,
        "HOLDING": HOLDING,
        "REFUNDED": REFUNDED,
        "RECEIPT_STATUS": CashReceipt.Status,
        "TAX": TaxType,
        "SHIFT_STATUS": Shift.Status,
    }
