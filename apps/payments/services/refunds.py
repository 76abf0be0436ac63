"""Refunds: planned and reserved in one transaction, sent to the providers outside it, recorded
in one more; cancels made outside the POS are recorded from the provider's list of cancels."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.errors import Conflict, DomainError, Invalid
from apps.orders import services as order_services
from apps.orders.models import Order, OrderStatus

from ..models import Payment, Refund
from ..providers import Answer, Outcome, get_provider
from ..state import lock_payment, payment_move
from ._common import (
    REFUND_PRIORITY,
    S,
    _call_provider,
    _int_field,
    _lock_order,
)


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
                order_services.order_record_refund(order, amount=total, line_quantities=None, restock=False)


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
            order_services.order_record_refund(
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
