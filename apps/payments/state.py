"""The payment state machine, enforced here and nowhere else.

    READY → IN_PROGRESS → DONE | FAILED | ABORTED | EXPIRED
    READY → ABORTED | EXPIRED                 (window closed / superseded / never came back)
    IN_PROGRESS → UNKNOWN → DONE | FAILED     (the answer was lost; reconciliation decides)
    DONE → PARTIAL_CANCELED → CANCELED, DONE → CANCELED

Every move goes through `payment_move`, which must run inside the transaction that holds the row
lock (`lock_payment`), and additionally updates with a `status=<from>` condition so a stale object
can never move a row that somebody else already moved.

Refunds have their own, smaller machine, enforced by `refund_move` below in the same way:

    REQUESTED → DONE | FAILED | UNKNOWN       (the provider's answer to the cancel)
    UNKNOWN → DONE | FAILED                   (the answer was lost; reconciliation decides)
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core import metrics
from apps.core.errors import Conflict
from apps.core.korean import with_particle

from .models import CashReceipt, Payment, PaymentStatus, Refund

S = PaymentStatus

ALLOWED_MOVES: dict[str, frozenset[str]] = {
    S.READY: frozenset({S.IN_PROGRESS, S.ABORTED, S.EXPIRED}),
    S.IN_PROGRESS: frozenset({S.DONE, S.FAILED, S.ABORTED, S.EXPIRED, S.UNKNOWN}),
    S.UNKNOWN: frozenset({S.DONE, S.FAILED}),
    S.DONE: frozenset({S.PARTIAL_CANCELED, S.CANCELED}),
    S.PARTIAL_CANCELED: frozenset({S.PARTIAL_CANCELED, S.CANCELED}),
    S.FAILED: frozenset(),
    S.ABORTED: frozenset(),
    S.EXPIRED: frozenset(),
    S.CANCELED: frozenset(),
}

# Payments whose money is (or was) with the store: they count towards what the order has paid.
COMPLETED = frozenset({S.DONE, S.PARTIAL_CANCELED, S.CANCELED})
# Payments whose outcome is still open at the provider: they hold their amount against the order.
IN_FLIGHT = frozenset({S.IN_PROGRESS, S.UNKNOWN})
FINAL_FAILURES = frozenset({S.FAILED, S.ABORTED, S.EXPIRED})
# Card gateways whose payments are confirmed, fetched, cancelled and reconciled over the wire.
GATEWAY_KINDS = ("TOSS", "SIMULATED", "PORTONE")


def can_move(from_status: str, to_status: str) -> bool:
    return to_status in ALLOWED_MOVES.get(from_status, frozenset())


def lock_payment(payment_id: int) -> Payment:
    """The payment row, locked until the surrounding transaction ends."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_payment needs a transaction")
    return Payment.objects.select_for_update(of=("self",)).select_related("order", "method").get(pk=payment_id)


def _label(model, status: str) -> str:
    """The label of `model`'s status `status` in the active language; an unknown status's code as is."""
    return str(dict(model._meta.get_field("status").choices).get(status, status))


def _move(row, model, moves: dict, to_status: str, codes: tuple[str, str], messages: tuple[str, str], **fields):
    """The one conditional state move behind payments, refunds and cash receipts: refuse a move the
    table does not allow (409 codes[0]), then update only while the row still has the status the
    caller saw, so a stale object never moves a row somebody else already moved (409 codes[1]).
    messages[0] names both statuses by their label (the model's choices), %(to)s followed by its
    으로/로; the codes stay in `details`."""
    from_status = row.status
    if to_status not in moves.get(from_status, frozenset()):
        raise Conflict(
            codes[0],
            messages[0]
            % {"from": _label(model, from_status), "to": with_particle(_label(model, to_status), "으로/로")},
            details={"from": from_status, "to": to_status},
        )
    fields.setdefault("updated_at", timezone.now())
    updated = model.objects.filter(pk=row.pk, status=from_status).update(status=to_status, **fields)
    if updated != 1:
        raise Conflict(codes[1], messages[1])
    row.status = to_status
    for name, value in fields.items():
        setattr(row, name, value)
    return row


def payment_move(payment: Payment, to_status: str, **fields) -> Payment:
    """Move a locked payment to `to_status` (and set `fields`) or raise 409 ILLEGAL_PAYMENT_TRANSITION."""
    _move(
        payment,
        Payment,
        ALLOWED_MOVES,
        to_status,
        ("ILLEGAL_PAYMENT_TRANSITION", "PAYMENT_CHANGED"),
        (
            _("결제 상태를 %(from)s에서 %(to)s 바꿀 수 없습니다."),
            _("결제 상태가 방금 바뀌었습니다. 다시 시도하세요."),
        ),
        **fields,
    )
    if to_status != S.IN_PROGRESS:  # an outcome (or a refund's cancel), counted once it commits
        metrics.record(metrics.PAYMENT_OUTCOME, provider=payment.kind, outcome=to_status)
    return payment


def payment_settled_at_once(payment: Payment, **fields) -> Payment:
    """A counter payment (cash, the external card terminal) is settled in the request that creates
    it, so it is written once, already DONE. Its moves (READY → IN_PROGRESS → DONE) are still
    checked against the table and its outcome counted; no conditional update is needed because no
    row exists yet for anybody else to move."""
    if payment.pk is not None or payment.status != S.READY:
        raise RuntimeError("only a payment not yet saved is settled at once")
    if not (can_move(S.READY, S.IN_PROGRESS) and can_move(S.IN_PROGRESS, S.DONE)):
        raise RuntimeError("the state table no longer lets a counter payment settle")
    payment.status = S.DONE
    for name, value in fields.items():
        setattr(payment, name, value)
    metrics.record(metrics.PAYMENT_OUTCOME, provider=payment.kind, outcome=S.DONE)
    return payment


# --- refunds --------------------------------------------------------------------------------------

R = Refund.Status

REFUND_MOVES: dict[str, frozenset[str]] = {
    R.REQUESTED: frozenset({R.DONE, R.FAILED, R.UNKNOWN}),
    R.UNKNOWN: frozenset({R.DONE, R.FAILED}),
    R.DONE: frozenset(),
    R.FAILED: frozenset(),
}
# Refunds whose outcome is still open: they hold their amount against the payment and the order.
REFUND_PENDING = frozenset({R.REQUESTED, R.UNKNOWN})


def can_move_refund(from_status: str, to_status: str) -> bool:
    return to_status in REFUND_MOVES.get(from_status, frozenset())


def lock_refund(refund_id: int) -> Refund:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_refund needs a transaction")
    return Refund.objects.select_for_update(of=("self",)).get(pk=refund_id)


def refund_move(refund: Refund, to_status: str, **fields) -> Refund:
    """Move a refund to `to_status` (and set `fields`) or raise 409 ILLEGAL_REFUND_TRANSITION. The
    update is conditional on the status the caller saw, so of two reconcilers (a beat tick and a
    webhook) only one settles a refund; the other gets REFUND_CHANGED."""
    if to_status == R.DONE:
        fields.setdefault("updated_at", timezone.now())
        fields.setdefault("completed_at", fields["updated_at"])
    return _move(
        refund,
        Refund,
        REFUND_MOVES,
        to_status,
        ("ILLEGAL_REFUND_TRANSITION", "REFUND_CHANGED"),
        (
            _("환불 상태를 %(from)s에서 %(to)s 바꿀 수 없습니다."),
            _("환불 상태가 방금 바뀌었습니다. 다시 시도하세요."),
        ),
        **fields,
    )


# --- cash receipts ---------------------------------------------------------------------------------

C = CashReceipt.Status

CASH_RECEIPT_MOVES: dict[str, frozenset[str]] = {
    C.REQUESTED: frozenset({C.ISSUED, C.FAILED, C.UNKNOWN}),
    C.UNKNOWN: frozenset({C.ISSUED, C.FAILED}),
    C.ISSUED: frozenset({C.CANCELED}),
    C.FAILED: frozenset(),
    C.CANCELED: frozenset(),
}


def cash_receipt_move(receipt: CashReceipt, to_status: str, **fields) -> CashReceipt:
    """Move a cash receipt to `to_status` or raise 409 ILLEGAL_CASH_RECEIPT_TRANSITION; conditional
    on the status the caller saw, like payments and refunds."""
    return _move(
        receipt,
        CashReceipt,
        CASH_RECEIPT_MOVES,
        to_status,
        ("ILLEGAL_CASH_RECEIPT_TRANSITION", "CASH_RECEIPT_CHANGED"),
        (
            _("현금영수증 상태를 %(from)s에서 %(to)s 바꿀 수 없습니다."),
            _("현금영수증 상태가 방금 바뀌었습니다. 다시 시도하세요."),
        ),
        **fields,
    )
