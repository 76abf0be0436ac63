"""A card payment driven on a card terminal through the store bridge (apps/bridge), with nothing typed.

Unlike the manual card-terminal entry (`payment_create` with an approval number), the payment is
written first, IN_PROGRESS, so it holds its amount against the order while the customer inserts the
card; the bridge's answer then moves it under the row lock:

    IN_PROGRESS → DONE          approved: approval number and card company recorded
    IN_PROGRESS → FAILED        declined, or never reached the terminal
    IN_PROGRESS → UNKNOWN       the answer was lost (timeout, bridge killed mid-approval)
    UNKNOWN → FAILED            the net-cancel (망취소) confirmed nothing stays charged
    UNKNOWN → DONE              the approval's answer arrived after all (never charged twice: the
                                terminal is asked once per payment; apps/bridge enforces it)

Every move is forward only and idempotent: a repeated answer returns the payment as it is.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.errors import Invalid
from apps.orders.models import Order, OrderStatus

from ..models import Payment, PaymentMethod
from ..state import IN_FLIGHT, lock_payment, payment_move
from ._common import (
    S,
    _after_failure,
    _amount_to_take,
    _check_method_usable,
    _complete_order_if_covered,
    _installment_months,
    _int_field,
    _lock_order,
    _log,
    logger,
)

TERMINAL_KIND = PaymentMethod.Kind.CARD_TERMINAL


def terminal_payment_start(
    order: Order, method: PaymentMethod, *, amount: int | None = None, member=None, device=None, channel=None
) -> Payment:
    """An IN_PROGRESS card-terminal payment for (part of) the order, to be sent to a terminal."""
    _check_method_usable(order, method, channel=channel, kind=TERMINAL_KIND)
    amount = _int_field(amount, "amount", minimum=1)
    with transaction.atomic():
        order = _lock_order(order.pk)
        amount, _paid = _amount_to_take(order, amount)
        payment = Payment.objects.create(
            order=order,
            method=method,
            business_date=order.business_date,
            kind=TERMINAL_KIND,
            amount=amount,
            staff=member,
            device=device,
        )
        payment_move(payment, S.IN_PROGRESS)
        _log(payment.pk, "terminal", "REQUEST", {"kind": TERMINAL_KIND, "amount": amount, "via": "bridge"})
    return payment


def _locked(payment_id: int) -> tuple[Order, Payment]:
    order_id = Payment.objects.values_list("order_id", flat=True).get(pk=payment_id)
    order = _lock_order(order_id)
    payment = lock_payment(payment_id)
    if payment.kind != TERMINAL_KIND:
        raise Invalid("NOT_A_TERMINAL_PAYMENT", _("카드 단말기 결제가 아닙니다."))
    return order, payment


def terminal_payment_approved(
    payment_id: int, *, approval_number: str, card_company: str, card_number_masked: str = "", answer: dict
) -> tuple[Payment, bool]:
    """The terminal approved. Returns (payment, keep): `keep` is False when the order can no longer
    take the money (cancelled or expired meanwhile) or the payment was already given up — the caller
    must then net-cancel the charge on the terminal."""
    with transaction.atomic():
        order, payment = _locked(payment_id)
        _log(payment.pk, "terminal", "RESPONSE", {"outcome": "APPROVED", "body": answer})
        if payment.status == S.DONE and payment.approval_number == approval_number:
            return payment, True  # a repeated answer
        if payment.status not in IN_FLIGHT:
            logger.warning("terminal approval for payment %s in %s: to be net-cancelled", payment.pk, payment.status)
            return payment, False
        if order.status in (OrderStatus.CANCELED, OrderStatus.EXPIRED):
            # The order went away while the card was in the terminal: the charge must be undone,
            # so the payment waits (UNKNOWN) for the net-cancel rather than counting as taken.
            if payment.status == S.IN_PROGRESS:
                payment_move(payment, S.UNKNOWN, failure_code="ORDER_GONE")
            return payment, False
        payment_move(
            payment,
            S.DONE,
            approved_at=timezone.now(),
            approval_number=approval_number[:30],
            card_company=card_company[:50],
            card_number_masked=card_number_masked[:30],
            # the bridge's answer carries the plan the customer chose on the terminal (0..36 checked
            # by apps/bridge/api.py already; checked again as any provider answer is)
            installment_months=_installment_months(answer.get("installments"), payment_id=payment.pk),
            failure_code="",
            failure_message="",
        )
        keep = _complete_order_if_covered(order)
    return payment, keep


def terminal_payment_failed(payment_id: int, *, code: str, message: str, answer: dict) -> Payment:
    """Nothing is charged: declined, never reached the terminal, or net-cancelled."""
    failed = False
    with transaction.atomic():
        _order, payment = _locked(payment_id)
        _log(payment.pk, "terminal", "RESPONSE", {"outcome": code, "body": answer})
        if payment.status in IN_FLIGHT:
            payment_move(payment, S.FAILED, failure_code=code[:100], failure_message=message[:500])
            failed = True
    if failed:
        _after_failure(payment.order_id)
    return payment


def terminal_payment_unknown(payment_id: int, *, code: str, answer: dict) -> Payment:
    """The answer was lost: the charge may or may not stand until a net-cancel settles it."""
    with transaction.atomic():
        _order, payment = _locked(payment_id)
        _log(payment.pk, "terminal", "ERROR", {"outcome": code, "body": answer})
        if payment.status == S.IN_PROGRESS:
            payment_move(payment, S.UNKNOWN, failure_code=code[:100])
    return payment
