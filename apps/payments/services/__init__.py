"""Payment writes, by concern: taking payments and the browser return (`checkout`), the confirm that
runs in Celery and reconciliation (`confirm`), webhooks (`webhooks`) and refunds (`refunds`).
Callers import this package as they imported the old module: `from apps.payments import services`.

The rule that shapes every part: no gateway call inside a DB transaction. Every outbound call is
"write the intent and commit → call the provider outside any transaction → lock the row and move its
state". The payment's idempotency key is saved with the intent and reused on every retry, so a lost
answer can be retried (or reconciled by fetching) without charging twice.
"""

from ._common import (
    CHECKOUT_MAX_AGE,
    CHECKOUT_SALT,
    CONFIRM_WINDOW,
    RECONCILE_AFTER,
    REFUND_PRIORITY,
    order_for_store,
    order_name,
)
from .cash_receipts import (
    MANDATORY_FROM,
    NO_RECEIPT,
    SELF_ISSUE_NUMBER,
    cash_receipt_cancel,
    cash_receipt_for_payment,
    cash_receipt_payment_for_store,
    cash_receipt_reconcile,
    cash_receipt_request,
    cash_receipts_follow_refund,
    cash_receipts_reconcile_due,
    mask_identity,
    parse_identity,
)
from .checkout import (
    checkout_token_load,
    payment_checkout_url,
    payment_create,
    payment_create_for_store,
    payment_return_fail,
    payment_return_portone,
    payment_return_success,
)
from .confirm import payment_confirm, payment_reconcile, payment_void_late_capture, payments_reconcile_due
from .refunds import (
    line_refund_amount,
    payment_cancel,
    payment_cancels_sync,
    payment_refund,
    refund_reconcile,
    refunds_reconcile_due,
)
from .webhooks import ProviderUnavailable, webhook_apply, webhook_dedup_key, webhook_receive, webhook_receive_portone

__all__ = [
    "MANDATORY_FROM",
    "NO_RECEIPT",
    "SELF_ISSUE_NUMBER",
    "cash_receipt_cancel",
    "cash_receipt_for_payment",
    "cash_receipt_payment_for_store",
    "cash_receipt_reconcile",
    "cash_receipt_request",
    "cash_receipts_follow_refund",
    "cash_receipts_reconcile_due",
    "mask_identity",
    "parse_identity",
    "CHECKOUT_MAX_AGE",
    "CHECKOUT_SALT",
    "CONFIRM_WINDOW",
    "RECONCILE_AFTER",
    "REFUND_PRIORITY",
    "ProviderUnavailable",
    "checkout_token_load",
    "line_refund_amount",
    "order_for_store",
    "order_name",
    "payment_cancel",
    "payment_cancels_sync",
    "payment_checkout_url",
    "payment_confirm",
    "payment_create",
    "payment_create_for_store",
    "payment_reconcile",
    "payment_refund",
    "payment_return_fail",
    "payment_return_portone",
    "payment_return_success",
    "payment_void_late_capture",
    "payments_reconcile_due",
    "refund_reconcile",
    "refunds_reconcile_due",
    "webhook_apply",
    "webhook_dedup_key",
    "webhook_receive",
    "webhook_receive_portone",
]
