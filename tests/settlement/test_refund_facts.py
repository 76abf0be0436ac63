"""Refunds as settlement reads them: a refund request spread over the payments of a split order is
several Refund rows sharing one line list, and its lines count once."""

import pytest
from django.utils import timezone

from apps.orders.models import Order, OrderLine
from apps.payments import services as payments
from apps.payments.models import PaymentMethod, Refund
from apps.settlement.facts import refund_facts
from apps.settlement.models import PaymentMethodDaily, ProductSalesDaily
from apps.settlement.services import rollups_build
from apps.stores.business_day import business_date_for
from tests.payments.factories import make_order

from . import factories as fx

# "today" is the store's business date: also checked before the cutoff, when the calendar says tomorrow.
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.parametrize("clock", ["monday", "before-cutoff"], indirect=True),
]


def _split_paid_order(store):
    # 2 cakes at 6,000원 and a cookie at 3,000원 (15,000원), paid 8,000원 + 7,000원 in cash
    cash = fx.method(store, PaymentMethod.Kind.CASH, 0, "현금")
    order = make_order(store, lines=(("케이크", 6000, 2), ("쿠키", 3000, 1)))
    payments.payment_create(order, cash, amount=8000)
    payments.payment_create(Order.objects.get(pk=order.pk), cash, amount=7000)
    return Order.objects.get(pk=order.pk), cash


def test_a_line_refund_spread_over_two_payments_counts_its_lines_once(clock, store):
    # given a split-paid order whose two cakes (12,000원) are refunded: more than either payment
    order, cash = _split_paid_order(store)
    cake = order.lines.get(name="케이크")
    refunds = payments.payment_refund(order, line_quantities={cake.pk: 2}, reason="케이크 취소")
    assert len(refunds) == 2 and sum(r.amount for r in refunds) == 12_000
    day = business_date_for(store, timezone.now())

    # when the day is built
    rollups_build(store, day)

    # then the cakes count as refunded once, for what was paid back, and the money twice (two payments)
    row = ProductSalesDaily.objects.get(store=store, business_date=day, name="케이크")
    assert (row.quantity, row.refunded_quantity, row.refunded_amount) == (2, 2, 12_000)
    assert OrderLine.objects.get(pk=cake.pk).refunded_quantity == 2  # what the order itself recorded
    method = PaymentMethodDaily.objects.get(store=store, business_date=day, method_id=cash.pk)
    assert (method.payment_count, method.amount, method.refund_count, method.refund_amount) == (2, 15_000, 2, 12_000)


def test_the_lines_of_a_request_with_an_unfinished_row_do_not_count(clock, store):
    # given the same spread refund, one of whose rows the provider never confirmed
    order, _cash = _split_paid_order(store)
    cake = order.lines.get(name="케이크")
    first, second = payments.payment_refund(order, line_quantities={cake.pk: 2}, reason="케이크 취소")
    Refund.objects.filter(pk=second.pk).update(status=Refund.Status.UNKNOWN)
    day = business_date_for(store, timezone.now())

    # when settlement reads the day's refunds
    facts = refund_facts(store, day, day)

    # then the completed row's money counts, the lines (which the order would not record) do not
    assert [(fact.amount, fact.lines) for fact in facts] == [(first.amount, [])]
