"""Orders and payment methods for payment tests, written with the ORM (orders have no factory)."""

from __future__ import annotations

import itertools

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from apps.orders.models import Order, OrderLine
from apps.payments.models import CashReceipt, CashReceiptSettings, PaymentMethod
from apps.stores.business_day import business_date_for
from tests.admin.factories import PaymentFactory
from tests.factories import StoreFactory

_numbers = itertools.count(1)


def make_order(store, lines=(("아메리카노", 4500, 2),), *, status="PENDING_PAYMENT", device=None, discount=0) -> Order:
    """An order with lines (name, unit_price, qty[, net]). `discount` is spread as an order-level
    discount onto the first line's net amount (a line snapshot as orders writes it)."""
    built = []
    for index, spec in enumerate(lines):
        name, unit_price, qty = spec[:3]
        gross = unit_price * qty
        net = spec[3] if len(spec) > 3 else gross - (discount if index == 0 else 0)
        built.append((name, unit_price, qty, gross, net))
    total = sum(b[4] for b in built)
    now = timezone.now()
    order = Order.objects.create(
        store=store,
        device=device,
        channel="POS",
        status=status,
        # The store's business date (its cutoff), as orders.services assigns it: before 04:00 the
        # calendar date is already tomorrow.
        business_date=business_date_for(store, now),
        order_number=next(_numbers),
        gross_amount=sum(b[3] for b in built),
        discount_amount=sum(b[3] - b[4] for b in built),
        total_amount=total,
        taxable_amount=total,
        supply_amount=total - round(total / 11),
        vat_amount=round(total / 11),
        placed_at=now,
    )
    for name, unit_price, qty, gross, net in built:
        OrderLine.objects.create(
            order=order,
            store=order.store,
            business_date=order.business_date,
            name=name,
            tax_type="TAXABLE",
            unit_price=unit_price,
            quantity=qty,
            gross_amount=gross,
            discount_amount=gross - net,
            net_amount=net,
        )
    return order


def make_method(store, kind: str, *, channels=("POS",), name: str | None = None, active=True) -> PaymentMethod:
    return PaymentMethod.objects.create(
        store=store, kind=kind, name=name or kind, channels=list(channels), is_active=active, fee_rate_bp=250
    )


class CashReceiptSettingsFactory(DjangoModelFactory):
    class Meta:
        model = CashReceiptSettings

    store = factory.SubFactory(StoreFactory)
    mandatory_issue = True


class CashReceiptFactory(DjangoModelFactory):
    class Meta:
        model = CashReceipt

    payment = factory.SubFactory(PaymentFactory)
    purpose = CashReceipt.Purpose.INCOME_DEDUCTION
    identity_masked = "010-****-5678"
    amount = factory.SelfAttribute("payment.amount")
    status = CashReceipt.Status.ISSUED
