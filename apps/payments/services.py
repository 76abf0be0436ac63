"""Payment writes: taking payments (cash, card terminal, Toss, simulated), the browser return, the
confirm that runs in Celery, reconciliation, webhooks and refunds.

The rule that shapes this module: no gateway call inside a DB transaction. Every outbound call is
"write the intent and commit → call the provider outside any transaction → lock the row and move its
state". The payment's idempotency key is saved with the intent and reused on every retry, so a lost
answer can be retried (or reconciled by fetching) without charging twice.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core import metrics
from apps.core.errors import Conflict, DomainError, Invalid, NotFound
from apps.core.parsers import parse_amount
from apps.orders.models import Order, OrderStatus

from . import selectors
from .models import Payment, PaymentEvent, PaymentMethod, PaymentStatus, Refund, WebhookEvent
from .providers import Answer, Outcome, get_provider
from .providers.card_terminal import validate_terminal_approval
from .providers.cash import cash_change
from .state import COMPLETED, IN_FLIGHT, lock_payment, payment_move

logger = logging.getLogger(__name__)
S = PaymentStatus

RECONCILE_AFTER = timedelta(seconds=30)
CONFIRM_WINDOW = timedelta(minutes=10)  # Toss keeps an authenticated payment confirmable this long
CHECKOUT_SALT = "payments.checkout"
CHECKOUT_MAX_AGE = 24 * 3600
# Refunds go to provider-backed card payments first (the money returns to the card by itself), then
# the card terminal, then cash; within a kind, the latest payment first.
REFUND_PRIORITY = {"TOSS": 0, "SIMULATED": 0, "CARD_TERMINAL": 1, "CASH": 2}


# --- other apps, through their contracts (imported late: orders sits below us, but its services
# --- module is written in parallel and must not break importing this one) ------------------------


def _order_services():
    from apps.orders import services as order_services

    return order_services


def order_for_store(store, public_id: str) -> Order:
    from apps.orders import selectors as order_selectors

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


def _call_provider(payment: Payment, operation: str, call, **intent) -> Answer:
    """Log the request, call the provider (never inside a transaction), log the answer."""
    if transaction.get_connection().in_atomic_block and payment.kind in ("TOSS", "SIMULATED"):
        raise RuntimeError("gateway call inside a transaction")
    _log(payment.pk, operation, "REQUEST", {"kind": payment.kind, **intent})
    answer = call()
    _log_answer(payment.pk, answer)
    return answer


# --- helpers ------------------------------------------------------------------------------------------


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


def _lock_order(order_id: int) -> Order:
    # A read lock on the order row serialises everything that decides how much of it is paid or
    # refunded (two cashiers taking the last 5,000원 at once). The order's own writes stay in orders.
    return Order.objects.select_for_update().get(pk=order_id)


def _has_completed_payment(order: Order) -> bool:
    return Payment.objects.filter(order=order, status__in=list(COMPLETED)).exists()


def _complete_order_if_covered(order: Order) -> bool:
    """Inside the caller's transaction: the order becomes PAID when completed payments cover it.
    False when the order can no longer be paid (expired / canceled meanwhile): the caller must give
    the captured money back."""
    if order.status in (OrderStatus.CANCELED, OrderStatus.EXPIRED):
        return False
    if order.status == OrderStatus.PENDING_PAYMENT and selectors.amount_due(order) == 0:
        _order_services().order_mark_paid(order)
    return True


def _after_failure(order_id: int) -> None:
    """A payment definitely failed. If nothing else was paid, the cart goes back to ACTIVE with its
    lines; in a split payment the order keeps waiting for the rest, so the cart stays in checkout."""
    order = Order.objects.get(pk=order_id)
    if order.status == OrderStatus.PENDING_PAYMENT and not _has_completed_payment(order):
        _order_services().order_payment_failed(order)


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
    if not method.is_active:
        raise Conflict("PAYMENT_METHOD_INACTIVE", _("사용하지 않는 결제 수단입니다."))
    if channel is not None and channel not in (method.channels or []):
        raise Invalid("PAYMENT_METHOD_NOT_OFFERED", _("이 채널에서는 사용할 수 없는 결제 수단입니다."))
    if method.kind == PaymentMethod.Kind.TOSS and not settings.TOSS_SECRET_KEY:
        raise Conflict("PROVIDER_NOT_CONFIGURED", _("토스페이먼츠 키가 설정되지 않았습니다."))
    amount = _int_field(amount, "amount", minimum=1)
    tendered = _int_field(tendered, "tendered")
    if method.kind == PaymentMethod.Kind.CARD_TERMINAL:
        approval_number, card_company = validate_terminal_approval(approval_number, card_company)

    with transaction.atomic():
        order = _lock_order(order.pk)
        if order.status != OrderStatus.PENDING_PAYMENT:
            raise Conflict("ORDER_NOT_PAYABLE", _("결제할 수 없는 주문 상태입니다."), details={"status": order.status})
        open_amount = selectors.amount_open(order)
        if open_amount <= 0:
            raise Conflict("NOTHING_DUE", _("이미 결제가 끝났거나 진행 중인 주문입니다."))
        amount = open_amount if amount is None else amount
        if amount > open_amount:
            raise Invalid(
                "AMOUNT_EXCEEDS_DUE",
                _("결제 금액이 남은 금액(%(due)s원)보다 큽니다.") % {"due": f"{open_amount:,}"},
                details={"remaining": open_amount},
            )
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
                order=order, status=S.READY, kind__in=["TOSS", "SIMULATED"]
            ):
                payment_move(stale, S.ABORTED, failure_code="SUPERSEDED", failure_message="새 결제로 대체됨")
        payment.save()
        if not get_provider(method.kind).redirect_flow:
            # Cash and the external terminal are settled at the counter: no remote call to make.
            answer = _call_provider(payment, "confirm", lambda: get_provider(method.kind).confirm(payment))
            payment_move(payment, S.IN_PROGRESS)
            payment_move(payment, S.DONE, approved_at=timezone.now())
            _complete_order_if_covered(order)
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
    if payment.kind not in ("TOSS", "SIMULATED"):
        raise Invalid("NO_CHECKOUT", _("브라우저 결제가 필요 없는 결제 수단입니다."))
    token = _checkout_token(payment, success_next, fail_next)
    name = "payments:simulated_checkout" if payment.kind == "SIMULATED" else "payments:toss_checkout"
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
    from .tasks import confirm_payment

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


# --- confirm, reconcile ---------------------------------------------------------------------------


def _apply_payment_object(payment_id: int, answer: Answer) -> str:
    """Move an in-flight payment according to a provider answer (confirm or fetch). Forward only: a
    payment that somebody else already decided is left alone."""
    failed = late_capture = False
    with transaction.atomic():
        order_id = Payment.objects.values_list("order_id", flat=True).get(pk=payment_id)
        order = _lock_order(order_id)
        payment = lock_payment(payment_id)
        if payment.status not in IN_FLIGHT:
            return payment.status
        body = answer.body if isinstance(answer.body, dict) else {}
        remote_status = body.get("status") if answer.ok else None
        if answer.ok and remote_status in ("DONE", "PARTIAL_CANCELED", "CANCELED"):
            if body.get("totalAmount") != payment.amount:
                # Never accept a charge of another amount than the one we asked for.
                if payment.status == S.IN_PROGRESS:
                    payment_move(payment, S.UNKNOWN, failure_code="AMOUNT_MISMATCH_AT_PROVIDER")
                return payment.status
            card = body.get("card") or {}
            payment_move(
                payment,
                S.DONE,
                approved_at=_parse_dt(body.get("approvedAt")) or timezone.now(),
                card_company=str(card.get("company") or card.get("issuerCode") or "")[:50],
                card_number_masked=str(card.get("number") or "")[:30],
                approval_number=str(card.get("approveNo") or "")[:30],
                failure_code="",
                failure_message="",
            )
            if not _complete_order_if_covered(order):
                late_capture = True
        elif answer.outcome in (Outcome.DECLINED, Outcome.NOT_FOUND) or (
            answer.ok and remote_status in ("ABORTED", "EXPIRED")
        ):
            code = answer.code or (remote_status or "FAILED")
            payment_move(payment, S.FAILED, failure_code=code[:100], failure_message=(answer.message or code)[:500])
            failed = True
        elif payment.status == S.IN_PROGRESS:
            payment_move(payment, S.UNKNOWN, failure_code=(answer.code or "UNKNOWN")[:100])
        status = payment.status
    if failed:
        _after_failure(order_id)
    if late_capture:
        return payment_void_late_capture(payment_id)
    return status


def payment_void_late_capture(payment_id: int) -> str:
    """A capture arrived for an order that had expired or was canceled meanwhile: give it all back
    through the provider. The order is not touched (it was never paid)."""
    with transaction.atomic():
        payment = lock_payment(payment_id)
        if payment.status != S.DONE or payment.refunds.exists():
            return payment.status
        refund = Refund.objects.create(payment=payment, amount=payment.amount, reason="주문 만료 후 승인되어 자동 취소")
    provider = get_provider(payment.kind)
    answer = _call_provider(
        payment,
        "cancel",
        lambda: provider.cancel(
            payment, amount=refund.amount, reason=refund.reason, idempotency_key=str(refund.idempotency_key)
        ),
        cancelAmount=refund.amount,
        refundId=refund.pk,
    )
    with transaction.atomic():
        payment = lock_payment(payment_id)
        if answer.ok:
            Refund.objects.filter(pk=refund.pk).update(
                status=Refund.Status.DONE,
                provider_transaction_key=str(answer.body.get("lastTransactionKey") or "")[:200],
                completed_at=timezone.now(),
            )
            payment_move(payment, S.CANCELED, canceled_amount=payment.amount)
        else:
            status = Refund.Status.UNKNOWN if answer.outcome is Outcome.UNKNOWN else Refund.Status.FAILED
            Refund.objects.filter(pk=refund.pk).update(status=status)
            logger.error("late capture %s could not be voided: %s", payment.public_id, answer.code)
    return payment.status


def _confirm_call(payment: Payment) -> str:
    provider = get_provider(payment.kind)
    answer = _call_provider(
        payment,
        "confirm",
        lambda: provider.confirm(payment),
        paymentKey=payment.provider_ref,
        amount=payment.amount,
        idempotencyKey=str(payment.idempotency_key),
    )
    return _apply_payment_object(payment.pk, answer)


def payment_confirm(payment_id: int) -> str:
    """Confirm an IN_PROGRESS card payment with the provider (the Celery task's body). Returns the
    resulting status; an UNKNOWN payment is reconciled instead of confirmed blindly."""
    payment = Payment.objects.select_related("order").get(pk=payment_id)
    if payment.status == S.UNKNOWN:
        return payment_reconcile(payment_id)
    if payment.status != S.IN_PROGRESS:
        return payment.status
    return _confirm_call(payment)


def payment_reconcile(payment_id: int, *, now: datetime | None = None) -> str:
    """Find out what happened to an IN_PROGRESS / UNKNOWN payment by fetching it: DONE → completed;
    still authenticated within the confirm window → confirm again with the same key; missing,
    expired or aborted → FAILED."""
    now = now or timezone.now()
    payment = Payment.objects.select_related("order").get(pk=payment_id)
    if payment.status not in IN_FLIGHT:
        return payment.status
    provider = get_provider(payment.kind)
    answer = _call_provider(payment, "fetch", lambda: provider.fetch(payment), reason="reconcile")
    if answer.outcome is Outcome.UNKNOWN:
        return payment.status  # the provider is unreachable: try again on the next beat
    if answer.outcome is Outcome.NOT_FOUND:
        return _apply_payment_object(payment_id, answer)
    if answer.outcome is Outcome.DECLINED:
        return payment.status  # e.g. a key problem: leave it for a human rather than fail it
    remote_status = answer.body.get("status")
    if remote_status in ("READY", "IN_PROGRESS"):
        started = _parse_dt(answer.body.get("requestedAt")) or payment.created_at
        if now - started <= CONFIRM_WINDOW:
            return _confirm_call(payment)
        expired = Answer(Outcome.DECLINED, "fetch", answer.request, answer.body, answer.http_status, "EXPIRED")
        return _apply_payment_object(payment_id, expired)
    return _apply_payment_object(payment_id, answer)


def payments_reconcile_due(*, now: datetime | None = None) -> int:
    """The beat job: reconcile every card payment in flight for longer than 30 seconds."""
    now = now or timezone.now()
    count = 0
    for payment_id in selectors.payments_to_reconcile(older_than=now - RECONCILE_AFTER):
        try:
            payment_reconcile(payment_id, now=now)
            count += 1
        except Exception:  # one broken payment must not stop the others
            logger.exception("reconciling payment %s failed", payment_id)
    return count


# --- webhooks -------------------------------------------------------------------------------------


def webhook_dedup_key(payload: dict, headers: dict | None = None) -> str:
    headers = headers or {}
    transmission = headers.get("tosspayments-webhook-transmission-id")
    if transmission:
        return f"tx:{transmission}"[:200]
    event_type = str(payload.get("eventType", ""))
    data = payload.get("data") if isinstance(payload.get("data"), dict) else {}
    if event_type == "PAYMENT_STATUS_CHANGED":
        parts = [data.get("paymentKey"), data.get("status"), data.get("lastTransactionKey"), data.get("balanceAmount")]
        return "psc:" + ":".join(str(p or "") for p in parts)[:190]
    if event_type == "DEPOSIT_CALLBACK" or "transactionKey" in payload:
        parts = [payload.get("orderId"), payload.get("transactionKey"), payload.get("status")]
        return "dep:" + ":".join(str(p or "") for p in parts)[:190]
    return "sha:" + hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def webhook_receive(payload: dict, *, headers: dict | None = None, provider: str = "toss") -> tuple[WebhookEvent, bool]:
    """Store a webhook once (by its dedup key) and queue it; a replay is recognised and ignored."""
    event_type = payload.get("eventType")
    if not event_type and "transactionKey" in payload and "orderId" in payload:
        event_type = "DEPOSIT_CALLBACK"  # DEPOSIT_CALLBACK bodies carry no eventType
    if not isinstance(event_type, str) or not event_type:
        raise Invalid("INVALID_WEBHOOK", _("eventType이 없습니다."))
    event, created = WebhookEvent.objects.get_or_create(
        provider=provider,
        dedup_key=webhook_dedup_key(payload, headers),
        defaults={"event_type": event_type[:50], "payload": payload},
    )
    metrics.record(metrics.WEBHOOK_RECEIVED, provider=provider, duplicate="0" if created else "1")
    if created:
        event_id = event.pk
        transaction.on_commit(lambda: _enqueue_webhook(event_id))
    return event, created


def _enqueue_webhook(event_id: int) -> None:
    from .tasks import apply_webhook

    apply_webhook.delay(event_id)


class ProviderUnavailable(DomainError):
    status = 503


def webhook_apply(event_id: int) -> str:
    """Apply a stored webhook by re-fetching the payment from the provider (the body is never
    trusted) and moving its state forward only."""
    with transaction.atomic():
        event = WebhookEvent.objects.select_for_update().get(pk=event_id)
        if event.status in (WebhookEvent.Status.APPLIED, WebhookEvent.Status.IGNORED):
            return event.status
        event.attempts += 1
        event.save(update_fields=["attempts"])
    payload = event.payload
    data = payload.get("data") if isinstance(payload.get("data"), dict) else payload
    payment_key, order_id = str(data.get("paymentKey") or ""), str(data.get("orderId") or "")
    payment = None
    if payment_key:
        payment = Payment.objects.filter(provider_ref=payment_key, kind__in=["TOSS", "SIMULATED"]).first()
    if payment is None and order_id:
        payment = Payment.objects.filter(public_id=order_id, kind__in=["TOSS", "SIMULATED"]).first()
    if payment is None:
        return _webhook_finish(event, WebhookEvent.Status.IGNORED, "no such payment")
    _log(payment.pk, "webhook", "RESPONSE", {"eventType": event.event_type, "payload": payload})
    if payment.status in IN_FLIGHT:
        payment_reconcile(payment.pk)
    elif payment.status in (S.DONE, S.PARTIAL_CANCELED):
        provider = get_provider(payment.kind)
        answer = _call_provider(payment, "fetch", lambda: provider.fetch(payment), reason="webhook")
        if answer.outcome is Outcome.UNKNOWN:
            _webhook_finish(event, WebhookEvent.Status.RECEIVED, answer.code or "provider unavailable")
            raise ProviderUnavailable("PROVIDER_UNAVAILABLE", _("결제사에 연결할 수 없습니다."))
        if answer.ok:
            _sync_external_cancels(payment.pk, answer.body)
    return _webhook_finish(event, WebhookEvent.Status.APPLIED, "")


def _webhook_finish(event: WebhookEvent, status: str, error: str) -> str:
    WebhookEvent.objects.filter(pk=event.pk).update(status=status, last_error=error, processed_at=timezone.now())
    return status


def _sync_external_cancels(payment_id: int, body: dict) -> None:
    """Cancels made outside the POS (e.g. in the Toss merchant dashboard) become Refund rows and are
    recorded on the order, once each (keyed by the provider's transactionKey)."""
    cancels = body.get("cancels") or []
    with transaction.atomic():
        order_id = Payment.objects.values_list("order_id", flat=True).get(pk=payment_id)
        order = _lock_order(order_id)
        payment = lock_payment(payment_id)
        known = set(
            payment.refunds.exclude(provider_transaction_key="").values_list("provider_transaction_key", flat=True)
        )
        pending = payment.refunds.filter(status__in=[Refund.Status.REQUESTED, Refund.Status.UNKNOWN]).exists()
        if pending:
            return  # our own refund is in flight; its completion records it
        total = 0
        for cancel in cancels:
            key = str(cancel.get("transactionKey") or "")
            amount = cancel.get("cancelAmount")
            if not key or key in known or not isinstance(amount, int) or amount <= 0:
                continue
            if amount > payment.balance_amount - total:
                break
            Refund.objects.create(
                payment=payment,
                amount=amount,
                reason=str(cancel.get("cancelReason") or _("결제사에서 취소"))[:200],
                status=Refund.Status.DONE,
                provider_transaction_key=key[:200],
                completed_at=timezone.now(),
            )
            total += amount
        if total:
            canceled = payment.canceled_amount + total
            payment_move(
                payment, S.CANCELED if canceled == payment.amount else S.PARTIAL_CANCELED, canceled_amount=canceled
            )
            if order.status in (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED):
                _order_services().order_record_refund(order, amount=total, line_quantities=None, restock=False)


# --- refunds -------------------------------------------------------------------------------------


def line_refund_amount(line, *, already: int, quantity: int) -> int:
    """What `quantity` more units of an order line give back: the line's net amount (after its own
    and its share of order-level discounts) per unit, rounded down, the last unit taking the rest,
    so refunding every unit always gives back exactly the line's net amount."""
    per_unit = line.net_amount // line.quantity
    amount = per_unit * quantity
    if already + quantity == line.quantity:
        amount += line.net_amount - per_unit * line.quantity
    return amount


@dataclass
class _RefundRequest:
    refunds: list[Refund]
    line_quantities: dict[int, int] | None
    amount: int


def _pending_refunds(order: Order):
    return Refund.objects.filter(payment__order=order, status__in=[Refund.Status.REQUESTED, Refund.Status.UNKNOWN])


def _pending_line_quantities(order: Order) -> dict[int, int]:
    seen_requests: set[str] = set()
    pending: dict[int, int] = {}
    for lines in _pending_refunds(order).values_list("lines", flat=True):
        for item in lines or []:
            if item.get("request") in seen_requests:
                continue
            pending[int(item["line_id"])] = pending.get(int(item["line_id"]), 0) + int(item["quantity"])
        seen_requests.update(item.get("request") for item in lines or [])
    return pending


def _parse_line_quantities(raw) -> dict[int, int]:
    if not isinstance(raw, dict) or not raw:
        raise Invalid("INVALID_LINES", _("환불할 상품과 수량을 선택하세요."))
    parsed: dict[int, int] = {}
    for key, qty in raw.items():
        try:
            line_id = int(key)
        except (TypeError, ValueError):
            raise Invalid("INVALID_LINES", _("환불할 상품이 올바르지 않습니다.")) from None
        if isinstance(qty, bool) or not isinstance(qty, int) or qty < 0:
            raise Invalid("INVALID_LINES", _("환불 수량이 올바르지 않습니다."))
        if qty:
            parsed[line_id] = qty
    if not parsed:
        raise Invalid("INVALID_LINES", _("환불할 상품과 수량을 선택하세요."))
    return parsed


def _plan_refund(
    order: Order,
    *,
    amount,
    line_quantities,
    reason: str,
    restock: bool,
    member,
    user,
    only_payment: Payment | None = None,
) -> _RefundRequest:
    """In one transaction: check what may still be refunded (counting refunds still in flight),
    spread the amount over the payments and reserve it with REQUESTED Refund rows."""
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("REFUND_REASON_REQUIRED", _("환불 사유를 입력하세요."))
    amount = _int_field(amount, "amount", minimum=1)
    lines_requested = _parse_line_quantities(line_quantities) if line_quantities is not None else None
    with transaction.atomic():
        order = _lock_order(order.pk)
        if order.status == OrderStatus.REFUNDED:
            raise Conflict("ALREADY_REFUNDED", _("이미 전액 환불된 주문입니다."))
        if order.status not in (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED):
            raise Conflict("ORDER_NOT_REFUNDABLE", _("결제가 끝난 주문만 환불할 수 있습니다."))
        payments = list(
            Payment.objects.select_for_update()
            .filter(order=order, status__in=[S.DONE, S.PARTIAL_CANCELED])
            .order_by("id")
        )
        if only_payment is not None:
            payments = [p for p in payments if p.pk == only_payment.pk]
            if not payments:
                raise Conflict("PAYMENT_NOT_REFUNDABLE", _("이미 전액 취소되었거나 취소할 수 없는 결제입니다."))
        pending_by_payment = dict(
            _pending_refunds(order).values_list("payment_id").annotate(s=Sum("amount")).values_list("payment_id", "s")
        )
        available = {p.pk: p.balance_amount - pending_by_payment.get(p.pk, 0) for p in payments}
        pending_total = sum(pending_by_payment.values())
        refundable = min(order.total_amount - order.refunded_amount - pending_total, sum(available.values()))

        request_id = uuid.uuid4().hex
        line_snapshot: list[dict] = []
        if only_payment is None and (lines_requested is not None or amount is None):
            pending_lines = _pending_line_quantities(order)
            lines = {line.pk: line for line in order.lines.all()}
            if lines_requested is None:
                # A full refund of what is left gives back every unit not refunded yet.
                lines_requested = {
                    pk: line.quantity - line.refunded_quantity - pending_lines.get(pk, 0)
                    for pk, line in lines.items()
                    if line.quantity - line.refunded_quantity - pending_lines.get(pk, 0) > 0
                }
                by_lines_amount = None
            else:
                by_lines_amount = 0
            for line_id, qty in lines_requested.items():
                line = lines.get(line_id)
                if line is None:
                    raise Invalid("INVALID_LINES", _("이 주문의 상품이 아닙니다."), details={"lineId": line_id})
                already = line.refunded_quantity + pending_lines.get(line_id, 0)
                if qty > line.quantity - already:
                    raise Invalid(
                        "REFUND_QUANTITY_EXCEEDED",
                        _("%(name)s: 환불할 수 있는 수량은 %(left)s개입니다.")
                        % {"name": line.name, "left": line.quantity - already},
                        details={"lineId": line_id, "available": line.quantity - already},
                    )
                line_amount = line_refund_amount(line, already=already, quantity=qty)
                line_snapshot.append(
                    {
                        "line_id": line_id,
                        "product_id": line.product_id,
                        "name": line.name,
                        "quantity": qty,
                        "amount": line_amount,
                        "request": request_id,
                    }
                )
                if by_lines_amount is not None:
                    by_lines_amount += line_amount
            if by_lines_amount is not None:
                if amount is not None and amount != by_lines_amount:
                    raise Invalid("AMOUNT_LINES_MISMATCH", _("환불 금액이 선택한 상품 금액과 다릅니다."))
                amount = by_lines_amount
        if amount is None:
            amount = refundable
        if refundable <= 0:
            raise Conflict("ALREADY_REFUNDED", _("환불할 수 있는 금액이 남아 있지 않습니다."))
        if amount <= 0:
            raise Invalid("INVALID_FIELD", _("환불 금액이 올바르지 않습니다."), details={"field": "amount"})
        if amount > refundable:
            raise Conflict(
                "REFUND_EXCEEDS_BALANCE",
                _("환불 가능 금액(%(left)s원)을 초과했습니다.") % {"left": f"{refundable:,}"},
                details={"refundable": refundable},
            )

        ordered = sorted(payments, key=lambda p: (REFUND_PRIORITY.get(p.kind, 9), -p.created_at.timestamp(), -p.pk))
        remaining, refunds = amount, []
        for payment in ordered:
            take = min(available[payment.pk], remaining)
            if take <= 0:
                continue
            refunds.append(
                Refund.objects.create(
                    payment=payment,
                    amount=take,
                    reason=reason[:200],
                    lines=line_snapshot,
                    restock=restock,
                    staff=member,
                    requested_by=user if getattr(user, "is_authenticated", False) else None,
                )
            )
            remaining -= take
            if remaining == 0:
                break
    return _RefundRequest(refunds, {i["line_id"]: i["quantity"] for i in line_snapshot} or None, amount)


def _execute_refund(order: Order, request: _RefundRequest, *, restock: bool, member) -> list[Refund]:
    """Call the providers (outside any transaction), then record every result in one transaction."""
    answers: dict[int, Answer] = {}
    for refund in request.refunds:
        payment = refund.payment
        provider = get_provider(payment.kind)
        answer = _call_provider(
            payment,
            "cancel",
            lambda p=payment, r=refund, pr=provider: pr.cancel(
                p, amount=r.amount, reason=r.reason, idempotency_key=str(r.idempotency_key)
            ),
            cancelAmount=refund.amount,
            refundId=refund.pk,
            idempotencyKey=str(refund.idempotency_key),
        )
        answers[refund.pk] = answer
        if not answer.ok:
            break  # the rest never reached a provider: release them below

    now = timezone.now()
    done_total, problem = 0, None
    with transaction.atomic():
        order = _lock_order(order.pk)
        for refund in sorted(request.refunds, key=lambda r: r.payment_id):
            answer = answers.get(refund.pk)
            if answer is not None and answer.ok:
                payment = lock_payment(refund.payment_id)
                body = answer.body or {}
                cancels = body.get("cancels") or []
                key = body.get("lastTransactionKey") or (cancels[-1].get("transactionKey") if cancels else "")
                key = key or body.get("transactionKey") or ""
                Refund.objects.filter(pk=refund.pk).update(
                    status=Refund.Status.DONE, provider_transaction_key=str(key)[:200], completed_at=now, updated_at=now
                )
                canceled = payment.canceled_amount + refund.amount
                payment_move(
                    payment, S.CANCELED if canceled == payment.amount else S.PARTIAL_CANCELED, canceled_amount=canceled
                )
                done_total += refund.amount
            elif answer is not None and answer.outcome is Outcome.UNKNOWN:
                # It may have gone through: keep the amount reserved until someone checks.
                Refund.objects.filter(pk=refund.pk).update(status=Refund.Status.UNKNOWN, updated_at=now)
                problem = problem or answer
            else:
                Refund.objects.filter(pk=refund.pk).update(status=Refund.Status.FAILED, updated_at=now)
                problem = problem or answer
        if done_total:
            complete = problem is None
            _order_services().order_record_refund(
                order,
                amount=done_total,
                line_quantities=request.line_quantities if complete else None,
                restock=restock if complete else False,
                member=member,
            )
    by_id = Refund.objects.select_related("payment").in_bulk([r.pk for r in request.refunds])
    refunds = [by_id[r.pk] for r in request.refunds]  # in the order they were spread
    if problem is not None:
        raise DomainError(
            "REFUND_PROVIDER_ERROR",
            _("결제사 환불이 처리되지 않았습니다: %(message)s") % {"message": problem.message or problem.code},
            status=502 if problem.outcome is Outcome.UNKNOWN else 409,
            details={"refunded": done_total, "providerCode": problem.code},
        )
    return refunds


def payment_refund(
    order: Order,
    *,
    amount: int | None = None,
    line_quantities: dict[int, int] | None = None,
    reason: str,
    restock: bool = False,
    member=None,
    user=None,
) -> list[Refund]:
    """Refund (part of) a paid order, by amount or by lines (None/None = everything left). Spread
    over its completed payments: Toss/simulated card first, then the card terminal, then cash; the
    latest payment first within a kind. Two refunds can never exceed what was paid: the payments are
    locked and refunds still in flight hold their amount."""
    request = _plan_refund(
        order, amount=amount, line_quantities=line_quantities, reason=reason, restock=restock, member=member, user=user
    )
    return _execute_refund(order, request, restock=restock, member=member)


def payment_cancel(payment: Payment, *, amount: int | None = None, reason: str, member=None, user=None) -> Refund:
    """Cancel (part of) one payment — the Toss cancel endpoint and the admin's refund action."""
    request = _plan_refund(
        payment.order,
        amount=amount,
        line_quantities=None,
        reason=reason,
        restock=False,
        member=member,
        user=user,
        only_payment=payment,
    )
    return _execute_refund(payment.order, request, restock=False, member=member)[0]
