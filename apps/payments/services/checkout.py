"""Taking a payment: cash and the card terminal at once, Toss / simulated through the browser and
its return (which queues the confirm)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.errors import Conflict, Invalid, NotFound
from apps.orders.models import Order

from .. import selectors
from ..models import Payment, PaymentMethod
from ..providers import get_provider
from ..providers.card_terminal import validate_terminal_approval
from ..providers.cash import cash_change
from ..providers.portone import portone_configured
from ..state import GATEWAY_KINDS, lock_payment, payment_move, payment_settled_at_once
from ._common import (
    CHECKOUT_MAX_AGE,
    CHECKOUT_SALT,
    S,
    _after_failure,
    _amount_to_take,
    _check_method_usable,
    _complete_order_if_covered,
    _int_field,
    _lock_order,
    _locked_orders,
    _log,
    _log_local_answer,
    logger,
)

# --- taking a payment ----------------------------------------------------------------------------------


def payment_create(
    order: Order,
    method: PaymentMethod,
    *,
    amount: int | None = None,
    tendered: int | None = None,
    approval_number: str = "",
    card_company: str = "",
    member=None,
    device=None,
    channel: str | None = None,
    line_ids=(),
) -> Payment:
    """Take (part of) an order's payment. CASH and CARD_TERMINAL complete at once (and the order
    becomes PAID when covered); TOSS / SIMULATED return a READY payment finished in the browser.
    `line_ids`: the order's lines this payment pays for (a tab split by chosen lines)."""
    if method.store_id != order.store_id:
        raise NotFound("PAYMENT_METHOD_NOT_FOUND", _("결제 수단을 찾을 수 없습니다."))
    order_pk = order.pk
    return _take(
        lambda: _lock_order(order_pk),
        method,
        amount=amount,
        tendered=tendered,
        approval_number=approval_number,
        card_company=card_company,
        member=member,
        device=device,
        channel=channel,
        line_ids=line_ids,
    )


def payment_create_for_store(store, order_public_id: str, method: Callable[[], PaymentMethod], **kwargs) -> Payment:
    """`payment_create` for the terminals' API, which names the order by its public id: the order is
    read once, under its lock (a read before the lock would be one round trip for nothing), and
    only then `method()` finds the method (from the store's cached methods) — so an unknown order is
    404 ORDER_NOT_FOUND whatever the method, as when the order was read first."""

    def lock() -> Order:
        try:
            order = _locked_orders().get(store=store, public_id=str(order_public_id))
        except Order.DoesNotExist:
            raise NotFound("ORDER_NOT_FOUND", _("주문을 찾을 수 없습니다.")) from None
        order.store = store  # the caller's instance: no query when a hook asks for it
        return order

    return _take(lock, method, **kwargs)


def _take(
    lock_order,
    method: PaymentMethod | Callable[[], PaymentMethod],
    *,
    amount: int | None = None,
    tendered: int | None = None,
    approval_number: str = "",
    card_company: str = "",
    member=None,
    device=None,
    channel: str | None = None,
    line_ids=(),
) -> Payment:
    with transaction.atomic():
        order = lock_order()
        if callable(method):
            method = method()
        _check_method_usable(order, method, channel=channel)
        if method.kind == PaymentMethod.Kind.TOSS and not settings.TOSS_SECRET_KEY:
            raise Conflict("PROVIDER_NOT_CONFIGURED", _("토스페이먼츠 키가 설정되지 않았습니다."))
        if method.kind == PaymentMethod.Kind.PORTONE and not portone_configured():
            raise Conflict("PROVIDER_NOT_CONFIGURED", _("포트원 키가 설정되지 않았습니다."))
        amount = _int_field(amount, "amount", minimum=1)
        tendered = _int_field(tendered, "tendered")
        if method.kind == PaymentMethod.Kind.CARD_TERMINAL:
            approval_number, card_company = validate_terminal_approval(approval_number, card_company)
        amount, paid = _amount_to_take(order, amount)
        covered = _covered_lines(order, line_ids)
        payment = Payment(
            order=order,
            line_ids=covered,
            method=method,
            business_date=order.business_date,
            kind=method.kind,
            amount=amount,
            staff=member,
            device=device,
            is_simulated=method.kind == PaymentMethod.Kind.SIMULATED,
        )
        if method.kind == PaymentMethod.Kind.CASH:
            payment.tendered = amount if tendered is None else tendered
            payment.change = cash_change(amount, payment.tendered)
        elif method.kind == PaymentMethod.Kind.CARD_TERMINAL:
            payment.approval_number, payment.card_company = approval_number, card_company
        else:
            # A new browser checkout supersedes an earlier one that never came back.
            for stale in Payment.objects.select_for_update().filter(
                order=order, status=S.READY, kind__in=list(GATEWAY_KINDS)
            ):
                payment_move(stale, S.ABORTED, failure_code="SUPERSEDED", failure_message="새 결제로 대체됨")
        provider = get_provider(method.kind)
        if provider.redirect_flow:
            payment.save()
            payment.order_due = max(0, order.total_amount - paid)
            return payment
        # Cash and the external terminal are settled at the counter, in this request: no remote
        # call to make, so the payment is written once, already DONE (its moves checked by the
        # state table), and the provider's request and answer logged in one insert.
        answer = provider.confirm(payment)
        payment_settled_at_once(payment, approved_at=timezone.now())
        payment.save()
        _log_local_answer(payment, answer)
        payment.order_due = max(0, order.total_amount - paid - amount)
        if paid == 0:
            # No completed payment before this one (each brings at least 1원): the order's receipt
            # lists this one alone, and the hooks need not read it back.
            selectors.remember_completed_payments(order, [payment])
        # `order` was read under its lock at the top of this transaction and is unchanged since.
        _complete_order_if_covered(order, due=payment.order_due, locked=True)
        logger.info("payment %s %s done", payment.public_id, answer.operation)
    return payment


def _covered_lines(order: Order, line_ids) -> list[int]:
    """The ids, each a line of this order, or 422 (never another order's line)."""
    ids = sorted(set(line_ids or ()))
    if not ids:
        return []
    if not all(isinstance(i, int) and not isinstance(i, bool) for i in ids) or len(ids) > 500:
        raise Invalid("INVALID_LINES", _("결제할 항목이 올바르지 않습니다."))
    if order.lines.filter(pk__in=ids).count() != len(ids):
        raise Invalid("INVALID_LINES", _("결제할 항목이 올바르지 않습니다."))
    return ids


def _checkout_token(payment: Payment, success_next: str, fail_next: str) -> str:
    for value in (success_next, fail_next):
        if not isinstance(value, str) or not value.startswith("/") or value.startswith("//") or "\\" in value:
            raise Invalid("INVALID_NEXT_URL", _("돌아갈 주소는 이 사이트의 경로여야 합니다."))
    return signing.dumps({"p": payment.public_id, "s": success_next, "f": fail_next}, salt=CHECKOUT_SALT)


def checkout_token_load(token: str) -> dict:
    try:
        data = signing.loads(token or "", salt=CHECKOUT_SALT, max_age=CHECKOUT_MAX_AGE)
    except signing.BadSignature:
        raise Invalid("INVALID_CHECKOUT_TOKEN", _("결제 요청이 올바르지 않거나 만료되었습니다.")) from None
    return data


def payment_checkout_url(payment: Payment, *, success_next: str, fail_next: str) -> str:
    """Where to send the browser for a TOSS / SIMULATED payment; it comes back to `success_next`
    (with `?payment=<id>&status=...`) or `fail_next` (with `?payment=<id>&code=&message=`)."""
    if payment.kind not in GATEWAY_KINDS:
        raise Invalid("NO_CHECKOUT", _("브라우저 결제가 필요 없는 결제 수단입니다."))
    token = _checkout_token(payment, success_next, fail_next)
    name = {"SIMULATED": "payments:simulated_checkout", "PORTONE": "payments:portone_checkout"}.get(
        payment.kind, "payments:toss_checkout"
    )
    return f"{reverse(name, args=[payment.public_id])}?t={token}"


def _payment_for_return(order_id: str, store=None) -> Payment:
    """The payment a browser return names: our payment id is the Toss `orderId`; an order's public
    id is accepted too and means its latest card payment."""
    qs = Payment.objects.select_related("order", "order__store", "method")
    if store is not None:
        qs = qs.filter(order__store=store)
    payment = qs.filter(public_id=str(order_id)).first()
    if payment is None:
        payment = (
            qs.filter(order__public_id=str(order_id), kind__in=["TOSS", "SIMULATED"])
            .order_by("-created_at", "-id")
            .first()
        )
    if payment is None:
        raise NotFound("PAYMENT_NOT_FOUND", _("결제를 찾을 수 없습니다."))
    return payment


def payment_return_success(*, payment_key: str, order_id: str, amount, store=None) -> Payment:
    """The browser is back from the payment window. Check the amount against what the order still
    owes (tampering is refused and logged, nothing is confirmed), move to IN_PROGRESS and queue the
    confirm. A repeated return (refresh, double submit) is answered with the same payment."""
    if not isinstance(payment_key, str) or not payment_key.strip() or len(payment_key) > 200:
        raise Invalid("INVALID_FIELD", _("paymentKey 값이 올바르지 않습니다."), details={"field": "paymentKey"})
    if not isinstance(order_id, str) or not order_id.strip():
        raise Invalid("INVALID_FIELD", _("orderId 값이 올바르지 않습니다."), details={"field": "orderId"})
    amount = _int_field(amount, "amount", required=True)
    payment_key = payment_key.strip()
    payment = _payment_for_return(order_id.strip(), store)
    if payment.kind not in ("TOSS", "SIMULATED"):
        raise Invalid("NOT_A_CARD_PAYMENT", _("카드 결제가 아닙니다."))

    tampered: dict | None = None
    with transaction.atomic():
        _lock_order(payment.order_id)
        payment = lock_payment(payment.pk)
        if payment.status != S.READY:
            if payment.provider_ref == payment_key and amount == payment.amount and payment.status != S.ABORTED:
                return payment
            raise Conflict("PAYMENT_NOT_READY", _("이미 처리된 결제입니다."), details={"status": payment.status})
        owed = selectors.amount_open(payment.order)
        if amount != payment.amount or payment.amount > owed:
            tampered = {"received": amount, "expected": payment.amount, "owed": owed, "paymentKey": payment_key}
            _log(payment.pk, "return", "ERROR", {"code": "AMOUNT_MISMATCH", **tampered})
            payment_move(
                payment, S.ABORTED, failure_code="AMOUNT_MISMATCH", failure_message="결제 금액이 주문 금액과 다릅니다."
            )
        else:
            _log(payment.pk, "return", "RESPONSE", {"paymentKey": payment_key, "orderId": order_id, "amount": amount})
            payment_move(payment, S.IN_PROGRESS, provider_ref=payment_key)
            payment_id = payment.pk
            transaction.on_commit(lambda: _enqueue_confirm(payment_id))
    if tampered is not None:
        logger.warning("payment %s amount tampering refused: %s", payment.public_id, tampered)
        raise Invalid(
            "AMOUNT_MISMATCH",
            _("결제 금액이 주문 금액과 다릅니다. 결제가 승인되지 않았습니다."),
            details={"expected": payment.amount},
        )
    return payment


def _enqueue_confirm(payment_id: int) -> None:
    from ..tasks import confirm_payment

    confirm_payment.delay(payment_id)


def payment_return_fail(*, order_id: str, code: str = "", message: str = "", store=None) -> Payment:
    """The customer closed or failed the payment window (Toss fail URL: code, message, orderId)."""
    payment = _payment_for_return(str(order_id or ""), store)
    code, message = str(code or "PAY_PROCESS_CANCELED")[:100], str(message or "")[:500]
    with transaction.atomic():
        payment = lock_payment(payment.pk)
        _log(payment.pk, "return", "ERROR", {"code": code, "message": message})
        if payment.status != S.READY:
            return payment
        payment_move(payment, S.ABORTED, failure_code=code, failure_message=message)
    _after_failure(payment.order_id)
    return payment


def payment_return_portone(*, payment_id: str, store=None) -> Payment:
    """PortOne's browser checkout came back with our `paymentId` (it charges by itself): move the
    READY payment to IN_PROGRESS and queue the confirm, which fetches the payment and accepts it
    only with our amount and our id. A repeated return is answered with the same payment."""
    if not isinstance(payment_id, str) or not payment_id.strip() or len(payment_id) > 200:
        raise Invalid("INVALID_FIELD", _("paymentId 값이 올바르지 않습니다."), details={"field": "paymentId"})
    payment = _payment_for_return(payment_id.strip(), store)
    if payment.kind != PaymentMethod.Kind.PORTONE:
        raise Invalid("NOT_A_CARD_PAYMENT", _("카드 결제가 아닙니다."))
    with transaction.atomic():
        _lock_order(payment.order_id)
        payment = lock_payment(payment.pk)
        if payment.status != S.READY:
            return payment
        _log(payment.pk, "return", "RESPONSE", {"paymentId": payment.public_id})
        payment_move(payment, S.IN_PROGRESS, provider_ref=payment.public_id)
        pk = payment.pk
        transaction.on_commit(lambda: _enqueue_confirm(pk))
    return payment
