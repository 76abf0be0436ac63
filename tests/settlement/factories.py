"""Facts for settlement tests, written straight with the ORM (settlement reads facts, never events).

`sale(...)` writes a consistent paid order: lines, order totals, and its payments (a split payment
when several methods are given). `refund(...)` writes a completed Refund with its lines and moves the
order's refunded counters the way the payments app does.
"""

from __future__ import annotations

import itertools
from datetime import date, datetime

from apps.catalog.models import Product
from apps.orders.models import Order, OrderLine, OrderStatus
from apps.payments.models import CashMovement, Payment, PaymentMethod, PaymentStatus, Refund, Shift
from apps.stores.business_day import business_date_for
from apps.stores.models import Store, StoreMember

_numbers = itertools.count(1)


def product(store: Store, name: str = "아메리카노", price: int = 4500) -> Product:
    return Product.objects.create(owner=store.owner, name=name, base_price=price)


def method(store: Store, kind: str = PaymentMethod.Kind.CASH, fee_rate_bp: int = 0, name: str = "") -> PaymentMethod:
    return PaymentMethod.objects.create(
        store=store, kind=kind, name=name or kind, channels=["POS", "KIOSK"], fee_rate_bp=fee_rate_bp
    )


def sale(
    store: Store,
    at: datetime,
    lines: list[tuple[Product | None, int, int, int]],
    payments: list[tuple[PaymentMethod, int | None]] | None = None,
    *,
    status: str = OrderStatus.PAID,
    business_date: date | None = None,
) -> Order:
    """lines: (product, quantity, unit_price, line discount); payments: (method, amount or None for
    the rest). The order's business date follows the store's cutoff unless given."""
    gross = sum(q * p for _prod, q, p, _d in lines)
    discount = sum(d for *_x, d in lines)
    total = gross - discount
    order = Order.objects.create(
        store=store,
        channel="POS",
        status=status,
        business_date=business_date or business_date_for(store, at),
        order_number=next(_numbers),
        gross_amount=gross,
        discount_amount=discount,
        total_amount=total,
        taxable_amount=total,
        placed_at=at,
        paid_at=at if status in (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED) else None,
    )
    for prod, quantity, unit_price, line_discount in lines:
        OrderLine.objects.create(
            order=order,
            store=store,
            business_date=order.business_date,
            product=prod,
            name=prod.name if prod else "삭제된 상품",
            tax_type="TAXABLE",
            unit_price=unit_price,
            quantity=quantity,
            gross_amount=quantity * unit_price,
            discount_amount=line_discount,
            net_amount=quantity * unit_price - line_discount,
        )
    remaining = total
    for pay_method, amount in payments or []:
        amount = remaining if amount is None else amount
        if amount <= 0:
            continue
        remaining -= amount
        Payment.objects.create(
            order=order,
            method=pay_method,
            business_date=order.business_date,
            kind=pay_method.kind,
            amount=amount,
            status=PaymentStatus.DONE,
            approved_at=at,
        )
    return order


def refund(
    payment: Payment,
    at: datetime,
    amount: int | None = None,
    lines: list[tuple[OrderLine, int]] | None = None,
    *,
    status: str = Refund.Status.DONE,
) -> Refund:
    """Refund `lines` ((line, quantity), at the line's net price per unit, rounded down) or a plain
    amount, through one payment."""
    line_items = []
    for line, quantity in lines or []:
        line_amount = line.net_amount * quantity // line.quantity
        line_items.append({"line_id": line.pk, "quantity": quantity, "amount": line_amount})
        if status == Refund.Status.DONE:
            OrderLine.objects.filter(pk=line.pk).update(refunded_quantity=line.refunded_quantity + quantity)
    if amount is None:
        amount = sum(item["amount"] for item in line_items)
    row = Refund.objects.create(
        payment=payment,
        amount=amount,
        reason="테스트 환불",
        lines=line_items,
        status=status,
        completed_at=at if status == Refund.Status.DONE else None,
    )
    if status == Refund.Status.DONE:
        payment.canceled_amount += amount
        payment.status = (
            PaymentStatus.CANCELED if payment.canceled_amount >= payment.amount else PaymentStatus.PARTIAL_CANCELED
        )
        payment.save(update_fields=["canceled_amount", "status"])
        order = payment.order
        order.refunded_amount += amount
        order.status = (
            OrderStatus.REFUNDED if order.refunded_amount >= order.total_amount else OrderStatus.PARTIALLY_REFUNDED
        )
        order.save(update_fields=["refunded_amount", "status"])
    return row


def shift(
    store: Store,
    member: StoreMember,
    opened_at: datetime,
    *,
    device=None,
    opening_float: int = 100_000,
    expected_cash: int | None = None,
    counted_cash: int | None = None,
    closed_at: datetime | None = None,
    moves: list[tuple[str, int]] = (),
) -> Shift:
    row = Shift.objects.create(
        store=store,
        device=device,
        status=Shift.Status.CLOSED if closed_at else Shift.Status.OPEN,
        business_date=business_date_for(store, opened_at),
        opened_by=member,
        opened_at=opened_at,
        closed_at=closed_at,
        opening_float=opening_float,
        expected_cash=expected_cash,
        counted_cash=counted_cash,
    )
    for kind, amount in moves:
        CashMovement.objects.create(shift=row, kind=kind, amount=amount, reason="테스트", staff=member)
    return row
