"""The beat close, refunds on their own day, the cutoff boundary, the business-day close."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from apps.payments.models import CashMovement, PaymentMethod
from apps.settlement import selectors
from apps.settlement.models import (
    DailySummary,
    HourlySales,
    PaymentMethodDaily,
    ProductSalesDaily,
    RollupState,
    Settlement,
)
from apps.settlement.services import business_days_close, rollups_build
from apps.settlement.tasks import close_business_days
from apps.stores.business_day import business_date_for

from . import factories as fx

SEOUL = ZoneInfo("Asia/Seoul")


def at(*args):
    return datetime(*args, tzinfo=SEOUL)


@pytest.mark.django_db
def test_a_refund_lands_on_its_own_day_and_never_rewrites_the_sale_day(store):
    # given a sale on Mar 3, built, then a line refund two days later
    card = fx.method(store, PaymentMethod.Kind.CARD_TERMINAL, 100, "카드")
    coffee = fx.product(store)
    order = fx.sale(store, at(2025, 3, 3, 12), [(coffee, 2, 5000, 0)], [(card, None)])
    rollups_build(store, date(2025, 3, 3))
    before = DailySummary.objects.get(store=store, business_date=date(2025, 3, 3))
    fx.refund(order.payments.get(), at(2025, 3, 5, 9), lines=[(order.lines.get(), 1)])

    # when every day is rebuilt
    rollups_build(store, date(2025, 3, 1), date(2025, 3, 6))

    # then Mar 3 is unchanged and Mar 5 carries the refund (summary, method, product)
    sale_day = DailySummary.objects.get(store=store, business_date=date(2025, 3, 3))
    assert (sale_day.net_amount, sale_day.refund_amount) == (before.net_amount, 0) == (10_000, 0)
    refund_day = DailySummary.objects.get(store=store, business_date=date(2025, 3, 5))
    assert (refund_day.order_count, refund_day.refund_count, refund_day.refund_amount) == (0, 1, 5000)
    method_day = PaymentMethodDaily.objects.get(store=store, business_date=date(2025, 3, 5))
    assert (method_day.amount, method_day.refund_amount, method_day.fee_amount) == (0, 5000, -50)
    product_day = ProductSalesDaily.objects.get(store=store, business_date=date(2025, 3, 5))
    assert (product_day.quantity, product_day.refunded_quantity, product_day.refunded_amount) == (0, 1, 5000)


@pytest.mark.django_db
def test_the_cutoff_boundary_is_respected(store):
    # given a 04:00 cutoff: a sale at 03:59 belongs to the previous business date, 04:00 to the new one
    assert store.cutoff_hour == 4
    cash = fx.method(store)
    coffee = fx.product(store)
    fx.sale(store, at(2025, 3, 4, 3, 59), [(coffee, 1, 1000, 0)], [(cash, None)])
    fx.sale(store, at(2025, 3, 4, 4, 0), [(coffee, 1, 2000, 0)], [(cash, None)])
    order = fx.sale(store, at(2025, 3, 3, 20), [(coffee, 1, 3000, 0)], [(cash, None)])
    fx.refund(order.payments.get(), at(2025, 3, 4, 3, 59, 59), amount=300)
    fx.refund(order.payments.get(), at(2025, 3, 4, 4, 0), amount=400)

    rollups_build(store, date(2025, 3, 3), date(2025, 3, 4))

    day3 = DailySummary.objects.get(store=store, business_date=date(2025, 3, 3))
    day4 = DailySummary.objects.get(store=store, business_date=date(2025, 3, 4))
    assert (day3.order_count, day3.net_amount, day3.refund_amount) == (2, 4000, 300)
    assert (day4.order_count, day4.net_amount, day4.refund_amount) == (1, 2000, 400)

    assert dict(
        HourlySales.objects.filter(store=store, business_date=date(2025, 3, 3)).values_list("hour", "amount")
    ) == {
        20: 3000,
        3: 1000,
    }


@pytest.mark.django_db
def test_beat_close_builds_the_day_that_just_ended_once_and_confirms_ended_periods(store):
    # given a store settling on the 1st, sales on Mar 1 (the settlement day) and Mar 2
    store.settlement_day = 1
    store.save()
    cash = fx.method(store)
    coffee = fx.product(store)
    fx.sale(store, at(2025, 3, 1, 12), [(coffee, 1, 4000, 0)], [(cash, None)])
    fx.sale(store, at(2025, 3, 2, 12), [(coffee, 1, 6000, 0)], [(cash, None)])

    # when the close runs on Mar 2 after the cutoff (business date Mar 2 started)
    result = business_days_close(store, now=at(2025, 3, 2, 4, 5))

    # then Mar 1 was built and its period (Feb 2 – Mar 1) confirmed
    assert (result.start, result.end) == (date(2025, 3, 1), date(2025, 3, 1))
    assert DailySummary.objects.get(store=store, business_date=date(2025, 3, 1)).net_amount == 4000
    assert not DailySummary.objects.filter(store=store, business_date=date(2025, 3, 2)).exists()
    settlement = Settlement.objects.get(store=store, period_end=date(2025, 3, 1))
    assert settlement.status == Settlement.Status.CONFIRMED and settlement.gross_amount == 4000

    # and running again before the next cutoff does nothing
    assert business_days_close(store, now=at(2025, 3, 2, 23, 0)) is None
    assert RollupState.objects.get(store=store).last_closed_date == date(2025, 3, 1)

    # when the next day's close runs it builds Mar 2 and opens a DRAFT for the running period
    business_days_close(store, now=at(2025, 3, 3, 4, 15))
    draft = Settlement.objects.get(store=store, period_end=date(2025, 4, 1))
    assert draft.status == Settlement.Status.DRAFT and draft.gross_amount == 6000


@pytest.mark.django_db
@pytest.mark.parametrize("clock", ["monday", "first-of-month", "before-cutoff", "at-cutoff"], indirect=True)
def test_celery_task_closes_every_store(clock, store, other_owner_store):
    cash = fx.method(store)
    yesterday = business_date_for(store) - timedelta(days=1)
    today = business_date_for(store)
    fx.sale(store, datetime.combine(yesterday, datetime.min.time(), tzinfo=SEOUL) + timedelta(hours=12),
            [(fx.product(store), 1, 1500, 0)], [(cash, None)])  # fmt: skip

    assert close_business_days.delay().get() == 2

    assert DailySummary.objects.get(store=store, business_date=yesterday).net_amount == 1500
    assert DailySummary.objects.filter(store=other_owner_store, business_date=yesterday).exists()
    # today itself is left to the live dashboard
    assert not DailySummary.objects.filter(store=store, business_date=today).exists()


@pytest.mark.django_db
def test_business_day_close_totals_and_cash_expected_vs_counted(store, cashier, pos_device):
    # given a day with cash and card sales, a discount, a cash refund, and two shifts
    cash = fx.method(store, PaymentMethod.Kind.CASH)
    card = fx.method(store, PaymentMethod.Kind.CARD_TERMINAL, 200, "카드")
    coffee = fx.product(store)
    closed = fx.shift(store, cashier, at(2025, 3, 3, 8), opening_float=50_000, expected_cash=60_000,
                      counted_cash=59_000, closed_at=at(2025, 3, 3, 9))  # fmt: skip
    open_shift = fx.shift(store, cashier, at(2025, 3, 3, 10), device=pos_device, opening_float=100_000,
                          moves=[(CashMovement.Kind.IN, 5000), (CashMovement.Kind.OUT, 2000)])  # fmt: skip
    order = fx.sale(store, at(2025, 3, 3, 11), [(coffee, 2, 5000, 1000)], [(cash, 4000), (card, None)])
    order.payments.update(device=pos_device)
    fx.sale(store, at(2025, 3, 3, 12), [(coffee, 1, 5000, 0)], [(card, None)])
    fx.refund(order.payments.get(kind="CASH"), at(2025, 3, 3, 13), amount=1000)
    open_shift.refresh_from_db()

    report = selectors.business_day_close(store, date(2025, 3, 3))

    assert report.figures.order_count == 2
    assert (report.figures.gross_amount, report.figures.discount_amount, report.figures.net_amount) == (
        15_000,
        1000,
        14_000,
    )
    assert report.figures.average_ticket == 7000
    assert (report.figures.refund_count, report.figures.refund_amount) == (1, 1000)
    by_kind = {m.kind: m for m in report.methods}
    assert (by_kind["CASH"].amount, by_kind["CASH"].refund_amount) == (4000, 1000)
    assert by_kind["CARD_TERMINAL"].amount == 10_000
    shifts = {s.shift.pk: s for s in report.shifts}
    assert (shifts[closed.pk].expected_cash, shifts[closed.pk].difference) == (60_000, -1000)
    # open shift: 100,000 float + 4,000 cash sale − 1,000 cash refund + 5,000 in − 2,000 out
    assert shifts[open_shift.pk].expected_cash == 106_000 and shifts[open_shift.pk].counted_cash is None
    assert report.counted_cash is None and report.expected_cash == 166_000
