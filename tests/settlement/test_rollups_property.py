"""Property tests: for random days of sales, split payments and refunds, every rollup equals a
direct computation over the facts, and rebuilding gives the same numbers."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.payments.models import PaymentMethod
from apps.settlement.models import ProductSalesMonthly
from apps.settlement.services import rollups_build
from tests.factories import StoreFactory

from . import factories as fx
from .oracle import actual, expected

BASE = date(2025, 3, 3)  # a Monday

line_st = st.tuples(
    st.sampled_from([0, 1, 2, None]),  # product index; None = the product was deleted since
    st.integers(1, 3),  # quantity
    st.sampled_from([1000, 3300, 4500, 12_345]),  # unit price
    st.integers(0, 500),  # line discount
)
order_st = st.fixed_dictionaries(
    {
        "day": st.integers(0, 3),
        "minute": st.integers(0, 24 * 60 - 1),
        "lines": st.lists(line_st, min_size=1, max_size=3),
        "split": st.sampled_from([None, 0.3, 0.5]),  # share paid by the second method
        "methods": st.sampled_from([(0,), (1,), (0, 1), (1, 2), (2, 0)]),
    }
)
refund_st = st.fixed_dictionaries(
    {
        "order": st.integers(0, 30),
        "after_minutes": st.integers(1, 4 * 24 * 60),
        "by_line": st.booleans(),
        "amount": st.integers(1, 20_000),
    }
)


def _local(store, day_offset: int, minute: int) -> datetime:
    tz = ZoneInfo(store.timezone)
    return datetime.combine(BASE + timedelta(days=day_offset), time(0), tzinfo=tz) + timedelta(minutes=minute)


def _write_facts(store, orders, refunds):
    products = [fx.product(store, name) for name in ("아메리카노", "라떼", "케이크")]
    methods = [
        fx.method(store, PaymentMethod.Kind.CASH, 0, "현금"),
        fx.method(store, PaymentMethod.Kind.CARD_TERMINAL, 180, "카드"),
        fx.method(store, PaymentMethod.Kind.SIMULATED, 333, "간편결제"),
    ]
    made = []
    for spec in orders:
        lines = [
            (products[p] if p is not None else None, q, price, min(disc, q * price // 2))
            for p, q, price, disc in spec["lines"]
        ]
        total = sum(q * price - d for _p, q, price, d in lines)
        chosen = [methods[i] for i in spec["methods"]]
        if len(chosen) == 2 and spec["split"]:
            first = total - int(total * spec["split"])
            pays = [(chosen[0], first), (chosen[1], None)]
        else:
            pays = [(chosen[0], None)]
        made.append(fx.sale(store, _local(store, spec["day"], spec["minute"]), lines, pays))
    for spec in refunds:
        if not made:
            break
        order = made[spec["order"] % len(made)]
        order.refresh_from_db()
        at = order.paid_at + timedelta(minutes=spec["after_minutes"])
        payments = [p for p in order.payments.all() if p.balance_amount > 0]
        if not payments:
            continue
        payment = payments[0]
        if spec["by_line"]:
            line = next((ln for ln in order.lines.all() if ln.refunded_quantity < ln.quantity), None)
            if line is None or line.net_amount // line.quantity > payment.balance_amount:
                continue
            fx.refund(payment, at, lines=[(line, 1)])
        else:
            fx.refund(payment, at, amount=min(spec["amount"], payment.balance_amount))


@pytest.mark.django_db
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    cutoff=st.sampled_from([0, 4, 6]),
    tz=st.sampled_from(["Asia/Seoul", "America/New_York"]),
    orders=st.lists(order_st, max_size=12),
    refunds=st.lists(refund_st, max_size=6),
)
def test_every_rollup_equals_a_direct_query_over_the_facts(cutoff, tz, orders, refunds):
    # given a fresh store with random sales, split payments and refunds over several days
    store = StoreFactory(cutoff_hour=cutoff, timezone=tz)
    _write_facts(store, orders, refunds)
    want = expected(store)

    # when its days are built
    rollups_build(store, BASE - timedelta(days=1), BASE + timedelta(days=8))

    # then every rollup equals the facts
    got = actual(store)
    assert got == want

    # and rebuilding (the whole range, then one day) gives the very same numbers
    rollups_build(store, BASE - timedelta(days=1), BASE + timedelta(days=8))
    rollups_build(store, BASE + timedelta(days=1))
    assert actual(store) == want

    # and the monthly product rows are exactly the month sums of the daily ones
    assert _monthly_rows(store) == _month_sums(want["products"])


def _month_sums(daily: dict) -> dict:
    out: dict = {}
    for (day, product_id, name), values in daily.items():
        key = (day.replace(day=1), product_id, name)
        out[key] = tuple(a + b for a, b in zip(out.get(key, (0,) * len(values)), values, strict=True))
    return out


def _monthly_rows(store) -> dict:
    rows = ProductSalesMonthly.objects.filter(store=store)
    fields = ("quantity", "gross_amount", "discount_amount", "net_amount", "refunded_quantity", "refunded_amount")
    return {(r.month, r.product_id, r.name): tuple(getattr(r, f) for f in fields) for r in rows}
