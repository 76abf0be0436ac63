"""What every part of the payment services shares: the provider log, the one door to a provider
(never inside a transaction), field parsing and the order-side bookkeeping."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.errors import Conflict, Invalid, NotFound
from apps.core.parsers import parse_amount
from apps.orders import selectors as order_selectors
from apps.orders import services as order_services
from apps.orders.models import Order, OrderStatus

from .. import selectors
from ..models import Payment, PaymentEvent, PaymentStatus
from ..providers import Answer
from ..state import COMPLETED, GATEWAY_KINDS

logger = logging.getLogger(__name__)
S = PaymentStatus

RECONCILE_AFTER = timedelta(seconds=30)
CONFIRM_WINDOW = timedelta(minutes=10)  # Toss keeps an authenticated payment confirmable this long
CHECKOUT_SALT = "payments.checkout"
CHECKOUT_MAX_AGE = 24 * 3600
# Refunds go to provider-backed card payments first (the money returns to the card by itself), then
# the card terminal, then cash; within a kind, the latest payment first.
REFUND_PRIORITY = {"TOSS": 0, "SIMULATED": 0, "PORTONE": 0, "CARD_TERMINAL": 1, "CASH": 2}


def order_for_store(store, public_id: str) -> Order:
    return order_selectors.order_for_store(store, str(public_id))


# --- the provider log -------------------------------------------------------------------------------


def _log(payment_id: int, operation: str, direction: str, payload: dict, http_status: int | None = None) -> None:
    PaymentEvent.objects.create(
        payment_id=payment_id, operation=operation, direction=direction, payload=payload, http_status=http_status
    )


def _log_answer(payment_id: int, answer: Answer) -> None:
    direction = "RESPONSE" if answer.http_status and answer.http_status < 400 else "ERROR"
    if answer.ok and answer.http_status is None:
        direction = "RESPONSE"  # local providers (cash, terminal) answer without HTTP
    _log(
        payment_id,
        answer.operation,
        direction,
        {"outcome": answer.outcome.value, "code": answer.code, "request": answer.request, "body": answer.body},
        answer.http_status,
    )


def _log_local_answer(payment: Payment, answer: Answer) -> None:
    """A local provider's (cash, terminal) request and answer, logged in one insert: the same two
    rows `_call_provider` writes one by one around a remote call."""
    PaymentEvent.objects.bulk_create(
        [
            PaymentEvent(
                payment_id=payment.pk, operation="confirm", direction="REQUEST", payload={"kind": payment.kind}
            ),
            PaymentEvent(
                payment_id=payment.pk,
                operation=answer.operation,
                direction="RESPONSE",
                payload={
                    "outcome": answer.outcome.value,
                    "code": answer.code,
                    "request": answer.request,
                    "body": answer.body,
                },
                http_status=answer.http_status,
            ),
        ]
    )


def _call_provider(payment: Payment, operation: str, call, **intent) -> Answer:
    """Log the request, call the provider (never inside a transaction), log the answer."""
    if transaction.get_connection().in_atomic_block and payment.kind in GATEWAY_KINDS:
        raise RuntimeError("gateway call inside a transaction")
    _log(payment.pk, operation, "REQUEST", {"kind": payment.kind, **intent})
    answer = call()
    _log_answer(payment.pk, answer)
    return answer


# --- helpers ------------------------------------------------------------------------------------------

MAX_INSTALLMENT_MONTHS = 36  # the longest plan a Korean card company offers; the bridge API's bound too


def _installment_months(value, *, payment_id: int) -> int | None:
    """A card's installment months from an approval answer (terminal, Toss, PortOne): 0 = lump sum.
    Anything else than an int within 0..36 is not kept (None) but logged: the receipt must never
    print a plan the card company did not report."""
    # bool is an int to Python: True would read as a 1-month plan
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_INSTALLMENT_MONTHS:
        return value
    if value is not None:
        logger.warning("payment %s: installment months %r are not 0..36, not kept", payment_id, value)
    return None


def _int_field(value, name: str, *, minimum: int = 0, required: bool = False) -> int | None:
    if value is None or value == "":
        if required:
            raise Invalid("INVALID_FIELD", _("%(name)s 값이 필요합니다.") % {"name": name}, details={"field": name})
        return None
    # parse_amount, not str.isdigit(): "²".isdigit() is True and int("²") raises
    try:
        number = parse_amount(value, name)
    except Invalid:
        number = None
    if number is None or number < minimum:
        raise Invalid("INVALID_FIELD", _("%(name)s 값이 올바르지 않습니다.") % {"name": name}, details={"field": name})
    return number


def _check_method_usable(order: Order, method, *, channel: str | None = None, kind: str | None = None) -> None:
    """The method belongs to the order's store, is of `kind` when one is asked for, is switched on,
    and is offered on `channel` (when the caller names one)."""
    if method.store_id != order.store_id:
        raise NotFound("PAYMENT_METHOD_NOT_FOUND", _("결제 수단을 찾을 수 없습니다."))
    if kind is not None and method.kind != kind:
        raise Invalid("NOT_A_TERMINAL_METHOD", _("카드 단말기 결제 수단이 아닙니다."))
    if not method.is_active:
        raise Conflict("PAYMENT_METHOD_INACTIVE", _("사용하지 않는 결제 수단입니다."))
    if channel is not None and channel not in (method.channels or []):
        raise Invalid("PAYMENT_METHOD_NOT_OFFERED", _("이 채널에서는 사용할 수 없는 결제 수단입니다."))


def _amount_to_take(order: Order, amount: int | None) -> tuple[int, int]:
    """(what a new payment on this locked order takes, what completed payments already brought in):
    `amount`, or all that is open when None. Refuses an order that is not payable, one with nothing
    open (paid, or held by payments in flight), and an amount over what is open."""
    if order.status != OrderStatus.PENDING_PAYMENT:
        raise Conflict("ORDER_NOT_PAYABLE", _("결제할 수 없는 주문 상태입니다."), details={"status": order.status})
    # One query for both sums (what is paid, what is in flight), under the order's lock.
    paid, in_flight = selectors.amounts_paid_and_in_flight(order)
    open_amount = max(0, max(0, order.total_amount - paid) - in_flight)
    if open_amount <= 0:
        raise Conflict("NOTHING_DUE", _("이미 결제가 끝났거나 진행 중인 주문입니다."))
    if amount is None:
        return open_amount, paid
    if amount > open_amount:
        raise Invalid(
            "AMOUNT_EXCEEDS_DUE",
            _("결제 금액이 남은 금액(%(due)s원)보다 큽니다.") % {"due": f"{open_amount:,}"},
            details={"remaining": open_amount},
        )
    return amount, paid


def _locked_orders():
    # A lock on the order row serialises everything that decides how much of it is paid or
    # refunded (two cashiers taking the last 5,000원 at once). The order's own writes stay in orders.
    # The row lock orders' lifecycle takes (FOR NO KEY UPDATE of the order alone), so an order
    # locked here can be handed to `order_mark_paid(..., locked=True)` without a second lock.
    return Order.objects.select_for_update(of=("self",), no_key=True)


def _lock_order(order_id: int) -> Order:
    # With its store, as orders' lifecycle.lock reads it: the paid hooks (receipt, kitchen) use it.
    return _locked_orders().select_related("store").get(pk=order_id)


def _has_completed_payment(order: Order) -> bool:
    return Payment.objects.filter(order=order, status__in=list(COMPLETED)).exists()


def _complete_order_if_covered(order: Order, *, due: int | None = None, locked: bool = False) -> bool:
    """Inside the caller's transaction: the order becomes PAID when completed payments cover it.
    False when the order can no longer be paid (expired / canceled meanwhile): the caller must give
    the captured money back. `due`: what the order still owes, when the caller (holding the order's
    lock) has just worked it out; otherwise it is read. `locked`: `order` is the row the caller
    read under its lock in this transaction (see `order_mark_paid`)."""
    if order.status in (OrderStatus.CANCELED, OrderStatus.EXPIRED):
        return False
    if due is None and order.status == OrderStatus.PENDING_PAYMENT:
        due = selectors.amount_due(order)
    if order.status == OrderStatus.PENDING_PAYMENT and due == 0:
        order_services.order_mark_paid(order, locked=locked)
    return True


def _after_failure(order_id: int) -> None:
    """A payment definitely failed. If nothing else was paid, the cart goes back to ACTIVE with its
    lines; in a split payment the order keeps waiting for the rest, so the cart stays in checkout."""
    order = Order.objects.get(pk=order_id)
    if order.status == OrderStatus.PENDING_PAYMENT and not _has_completed_payment(order):
        order_services.order_payment_failed(order)


def _parse_dt(value) -> datetime | None:
    if not value or not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def order_name(order: Order) -> str:
    return _("%(store)s 주문 %(number)s번") % {"store": order.store.name, "number": order.order_number}
