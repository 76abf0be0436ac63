"""Refunds: planned and reserved in one transaction, sent to the providers outside it, recorded
in one more; cancels made outside the POS are recorded from the provider's list of cancels."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.errors import Conflict, DomainError, Invalid
from apps.orders import services as order_services
from apps.orders.models import Order, OrderStatus

from .. import selectors
from ..models import Payment, Refund
from ..providers import Answer, Outcome, get_provider
from ..state import GATEWAY_KINDS, REFUND_PENDING, lock_payment, lock_refund, payment_move, refund_move
from ._common import (
    RECONCILE_AFTER,
    REFUND_PRIORITY,
    S,
    _call_provider,
    _int_field,
    _lock_order,
    logger,
)
from .cash_receipts import cash_receipts_follow_refund


def _cancel_key(body: dict) -> str:
    """The provider's transaction key of the cancel an answer reports (Toss: lastTransactionKey)."""
    body = body if isinstance(body, dict) else {}
    cancels = body.get("cancels") or []
    key = body.get("lastTransactionKey") or (cancels[-1].get("transactionKey") if cancels else "")
    return str(key or body.get("transactionKey") or "")[:200]


def _payment_add_canceled(payment: Payment, amount: int) -> None:
    canceled = payment.canceled_amount + amount
    payment_move(payment, S.CANCELED if canceled == payment.amount else S.PARTIAL_CANCELED, canceled_amount=canceled)


def _record_settled_refund(order: Order, refund: Refund) -> None:
    """Inside the caller's transaction: a refund that reconciliation settled as DONE is recorded on
    the order. Its lines (and restock) only once every refund of its request is DONE, since the
    request's line snapshot is shared by the refunds it was spread over."""
    if order.status not in (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED):
        return  # a late capture's void: the order was never paid
    request_id = (refund.lines or [{}])[0].get("request")
    siblings = [
        r
        for r in Refund.objects.filter(payment__order=order)
        if request_id and (r.lines or [{}])[0].get("request") == request_id
    ]
    whole = bool(siblings) and all(r.status == R.DONE for r in siblings)
    order_services.order_record_refund(
        order,
        amount=refund.amount,
        line_quantities={i["line_id"]: i["quantity"] for i in refund.lines} if whole else None,
        restock=refund.restock if whole else False,
    )


R = Refund.Status
# Provider-backed payments, whose cancels can be fetched and safely resent with the same key.
PROVIDER_KINDS = GATEWAY_KINDS
# A REQUESTED refund is normally answered within one provider timeout (10 s); one this old stalled.
REFUND_STALLED_AFTER = timedelta(minutes=2)


def payment_cancels_sync(payment_id: int, body: dict) -> list[Refund]:
    """Reconcile our refunds of one payment with the provider's list of its cancels (a fetched
    payment object). Each provider cancel is recorded once, keyed by its transactionKey:
    - an UNKNOWN refund of the same amount is settled DONE by it;
    - one that may be the answer of a refund still REQUESTED (its call in flight right now) is left
      for that call to record, so nothing is counted twice;
    - any other was made outside the POS (e.g. the Toss dashboard) and becomes a DONE Refund,
      recorded on the order — also while a refund of ours is UNKNOWN.
    Returns the refunds settled or created."""
    cancels = body.get("cancels") if isinstance(body, dict) else None
    if not cancels:
        return []
    touched: list[Refund] = []
    with transaction.atomic():
        order_id = Payment.objects.values_list("order_id", flat=True).get(pk=payment_id)
        order = _lock_order(order_id)
        payment = lock_payment(payment_id)
        known = set(
            payment.refunds.exclude(provider_transaction_key="").values_list("provider_transaction_key", flat=True)
        )
        unrecorded = []
        for cancel in cancels:
            key = str(cancel.get("transactionKey") or "")[:200] if isinstance(cancel, dict) else ""
            amount = cancel.get("cancelAmount") if key else None
            if key and key not in known and isinstance(amount, int) and not isinstance(amount, bool) and amount > 0:
                unrecorded.append((key, amount, cancel))
                known.add(key)
        pending = list(payment.refunds.select_for_update().filter(status__in=list(REFUND_PENDING)).order_by("id"))
        for refund in pending:
            match = next((c for c in unrecorded if c[1] == refund.amount), None)
            if match is None:
                continue
            unrecorded.remove(match)
            if refund.status == R.UNKNOWN:
                refund_move(refund, R.DONE, provider_transaction_key=match[0])
                _payment_add_canceled(payment, refund.amount)
                _record_settled_refund(order, refund)
                touched.append(refund)
        external = 0
        for key, amount, cancel in unrecorded:
            if amount > payment.balance_amount:
                logger.error("payment %s: provider cancel %s exceeds the balance", payment.public_id, key)
                break
            touched.append(
                Refund.objects.create(
                    payment=payment,
                    amount=amount,
                    reason=str(cancel.get("cancelReason") or _("결제사에서 취소"))[:200],
                    status=R.DONE,
                    provider_transaction_key=key,
                    completed_at=timezone.now(),
                )
            )
            _payment_add_canceled(payment, amount)
            external += amount
        if external and order.status in (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED):
            order_services.order_record_refund(order, amount=external, line_quantities=None, restock=False)
    return touched


# Kept for callers of the old name.
_sync_external_cancels = payment_cancels_sync


def refund_reconcile(refund_id: int) -> str:
    """Settle a refund whose cancel answer was lost (UNKNOWN, or REQUESTED and stalled): fetch the
    payment and look for the cancel among its cancels; if it is not there, the cancel never
    happened, so send it again with the refund's own idempotency key — the provider applies it once
    at most, and answers a definite no (e.g. the balance is gone) which fails the refund."""
    with transaction.atomic():
        refund = lock_refund(refund_id)
        if refund.status == R.REQUESTED:
            refund_move(refund, R.UNKNOWN)
    if refund.status != R.UNKNOWN:
        return refund.status
    payment = Payment.objects.select_related("order").get(pk=refund.payment_id)
    if payment.kind not in PROVIDER_KINDS:
        return refund.status  # cash or a terminal: a person checks the drawer or the terminal slip
    provider = get_provider(payment.kind)
    fetched = _call_provider(payment, "fetch", lambda: provider.fetch(payment), reason="refund reconcile")
    if fetched.outcome is Outcome.UNKNOWN:
        return refund.status  # unreachable: the next beat tries again
    if fetched.ok:
        payment_cancels_sync(payment.pk, fetched.body)
        refund.refresh_from_db()
        if refund.status != R.UNKNOWN:
            return refund.status
    answer = _call_provider(
        payment,
        "cancel",
        lambda: provider.cancel(
            payment, amount=refund.amount, reason=refund.reason, idempotency_key=str(refund.idempotency_key)
        ),
        cancelAmount=refund.amount,
        refundId=refund.pk,
        idempotencyKey=str(refund.idempotency_key),
        reason="refund reconcile",
    )
    if answer.outcome is Outcome.UNKNOWN:
        return refund.status
    with transaction.atomic():
        order = _lock_order(payment.order_id)
        payment = lock_payment(payment.pk)
        refund = lock_refund(refund_id)
        if refund.status != R.UNKNOWN:
            return refund.status  # a webhook settled it meanwhile
        key = _cancel_key(answer.body) if answer.ok else ""
        if answer.ok and key and not payment.refunds.filter(provider_transaction_key=key).exists():
            refund_move(refund, R.DONE, provider_transaction_key=key)
            _payment_add_canceled(payment, refund.amount)
            _record_settled_refund(order, refund)
        elif not answer.ok:
            refund_move(refund, R.FAILED)
    if answer.ok:
        payment_cancels_sync(payment.pk, answer.body)
        refund.refresh_from_db()
    return refund.status


def refunds_reconcile_due(*, now: datetime | None = None) -> int:
    """The beat job: settle every UNKNOWN refund older than 30 seconds, and every REQUESTED one
    whose call stalled (the process died between the reservation and the answer)."""
    now = now or timezone.now()
    count = 0
    for refund_id in selectors.refunds_to_reconcile(
        unknown_before=now - RECONCILE_AFTER, requested_before=now - REFUND_STALLED_AFTER
    ):
        try:
            refund_reconcile(refund_id)
            count += 1
        except Exception:  # one broken refund must not stop the others
            logger.exception("reconciling refund %s failed", refund_id)
    return count


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
    return Refund.objects.filter(payment__order=order, status__in=list(REFUND_PENDING))


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

    done_total, problem = 0, None
    with transaction.atomic():
        order = _lock_order(order.pk)
        for planned in sorted(request.refunds, key=lambda r: r.payment_id):
            answer = answers.get(planned.pk)
            refund = lock_refund(planned.pk)
            if refund.status != R.REQUESTED:
                continue  # reconciliation took over a refund that stalled (see refunds_reconcile_due)
            if answer is not None and answer.ok:
                payment = lock_payment(refund.payment_id)
                refund_move(refund, R.DONE, provider_transaction_key=_cancel_key(answer.body))
                _payment_add_canceled(payment, refund.amount)
                done_total += refund.amount
            elif answer is not None and answer.outcome is Outcome.UNKNOWN:
                # It may have gone through: keep the amount reserved until reconciliation knows.
                refund_move(refund, R.UNKNOWN)
                problem = problem or answer
            else:
                refund_move(refund, R.FAILED)
                problem = problem or answer
        if done_total:
            complete = problem is None
            order_services.order_record_refund(
                order,
                amount=done_total,
                line_quantities=request.line_quantities if complete else None,
                restock=restock if complete else False,
                member=member,
            )
    for refund in request.refunds:
        answer = answers.get(refund.pk)
        if answer is not None and answer.ok and answer.body.get("cancels"):
            # The answer lists every cancel of the payment: one made in the dashboard meanwhile is
            # recorded now rather than at the next webhook.
            payment_cancels_sync(refund.payment_id, answer.body)
    for payment_id in {r.payment_id for r in request.refunds if r.payment.kind == "CASH" and answers.get(r.pk)}:
        # A cash receipt follows what is left of the payment (cancelled, reissued for the rest).
        cash_receipts_follow_refund(payment_id)
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
