"""Confirm (the Celery task's body), reconciliation by fetching, and the void of a late capture."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from .. import selectors
from ..models import Payment, Refund
from ..providers import Answer, Outcome, get_provider
from ..state import IN_FLIGHT, lock_payment, lock_refund, payment_move, refund_move
from ._common import (
    CONFIRM_WINDOW,
    RECONCILE_AFTER,
    S,
    _after_failure,
    _call_provider,
    _complete_order_if_covered,
    _installment_months,
    _lock_order,
    _parse_dt,
    logger,
)

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
            # PortOne's paymentId is ours: a payment object of another id is not this payment's.
            wrong_id = payment.kind == "PORTONE" and body.get("orderId") != payment.public_id
            if body.get("totalAmount") != payment.amount or wrong_id:
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
                installment_months=_installment_months(card.get("installmentPlanMonths"), payment_id=payment.pk),
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
        refund = lock_refund(refund.pk)
        if refund.status != Refund.Status.REQUESTED:
            return payment.status  # reconciliation took it over
        if answer.ok:
            refund_move(
                refund,
                Refund.Status.DONE,
                provider_transaction_key=str(answer.body.get("lastTransactionKey") or "")[:200],
            )
            payment_move(payment, S.CANCELED, canceled_amount=payment.amount)
        else:
            # UNKNOWN is settled by the refund reconciliation beat (fetch the cancels, resend with the same key).
            refund_move(refund, Refund.Status.UNKNOWN if answer.outcome is Outcome.UNKNOWN else Refund.Status.FAILED)
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
