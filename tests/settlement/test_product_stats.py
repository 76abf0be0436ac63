"""Product statistics read from the rollups: whole months come from the monthly rows, the days around
them from the daily rows, and every way of reading gives the sums of the sales."""

from collections import defaultdict
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from apps.settlement.selectors import product_sales
from apps.settlement.services import rollups_build_stores
from tests.factories import StoreFactory

from . import factories as fx

SEOUL = ZoneInfo("Asia/Seoul")
DAYS = [date(2025, 2, 27), date(2025, 3, 1), date(2025, 3, 15), date(2025, 3, 31), date(2025, 4, 2)]


@pytest.fixture
def two_stores(db):
    """Two stores selling two products on days around and inside March 2025, a discount here and
    there, and the second store's last March latte refunded on April 2."""
    stores = [StoreFactory(), StoreFactory()]
    sold = defaultdict(lambda: [0, 0, 0, 0])  # (store, day, name) -> quantity, gross, discount, net
    for s, store in enumerate(stores):
        cash = fx.method(store)
        products = [fx.product(store, "아메리카노", 4500), fx.product(store, "라떼", 5000)]
        for d, day in enumerate(DAYS):
            for p, prod in enumerate(products):
                quantity, discount = 1 + (s + d + p) % 3, 500 * ((d + p) % 2)
                order = fx.sale(
                    store,
                    datetime(day.year, day.month, day.day, 12, p, tzinfo=SEOUL),
                    [(prod, quantity, prod.base_price, discount)],
                    [(cash, None)],
                )
                if (s, day, prod.name) == (1, date(2025, 3, 31), "라떼"):
                    refunded = order
                row = sold[store.pk, day, prod.name]
                for i, value in enumerate((quantity, quantity * prod.base_price, discount)):
                    row[i] += value
                row[3] += quantity * prod.base_price - discount
    fx.refund(refunded.payments.get(), datetime(2025, 4, 2, 15, tzinfo=SEOUL), lines=[(refunded.lines.get(), 1)])
    rollups_build_stores(stores, date(2025, 2, 1), date(2025, 4, 30))
    return stores, sold


def _expected(sold, stores, start, end, per_store):
    want = defaultdict(lambda: [0, 0, 0, 0])
    for (store_id, day, name), values in sold.items():
        if store_id in stores and start <= day <= end:
            key = (store_id, name) if per_store else name
            want[key] = [a + b for a, b in zip(want[key], values, strict=True)]
    return {key: tuple(values) for key, values in want.items()}


def _got(rows, per_store):
    """Rows summed by (store, name) or by name (the two stores' products are different products
    that share names)."""
    got = defaultdict(lambda: [0, 0, 0, 0])
    for r in rows:
        key = (r.store_id, r.name) if per_store else r.name
        values = (r.quantity, r.gross_amount, r.discount_amount, r.net_amount)
        got[key] = [a + b for a, b in zip(got[key], values, strict=True)]
    return {key: tuple(values) for key, values in got.items()}


@pytest.mark.parametrize("per_store", [True, False])
@pytest.mark.parametrize(
    "start, end",
    [
        (date(2025, 3, 1), date(2025, 3, 31)),  # exactly one month: the monthly rows as stored
        (date(2025, 2, 1), date(2025, 4, 30)),  # three whole months
        (date(2025, 2, 27), date(2025, 4, 2)),  # days, a whole month, days
        (date(2025, 3, 1), date(2025, 3, 15)),  # days only
    ],
)
def test_product_sales_equal_the_sales_however_the_range_is_cut(two_stores, start, end, per_store):
    # Given two stores' built rollups
    stores, sold = two_stores
    ids = [s.pk for s in stores]

    # When a range is read for both stores, and for the first one alone
    both = product_sales(stores, start, end, per_store=per_store)
    first = product_sales(stores[0], start, end, per_store=per_store)

    # Then each gives the sums of the sales, best sellers first
    assert _got(both, per_store) == _expected(sold, ids, start, end, per_store)
    assert _got(first, per_store) == _expected(sold, ids[:1], start, end, per_store)
    for rows in (both, first):
        assert [r.net_amount for r in rows] == sorted((r.net_amount for r in rows), reverse=True)
        assert all((r.store_id is not None) == per_store for r in rows)


def test_a_refund_counts_in_the_month_it_happened(two_stores):
    # Given a latte sold on March 31 and refunded on April 2
    stores, _sold = two_stores

    # When March and April are read
    march = product_sales(stores[1], date(2025, 3, 1), date(2025, 3, 31))
    april = product_sales(stores[1], date(2025, 4, 1), date(2025, 4, 30))

    # Then the refund is in April only, on the latte
    assert sum(r.refunded_quantity for r in march) == 0
    assert [(r.name, r.refunded_quantity) for r in april if r.refunded_quantity] == [("라떼", 1)]
    assert sum(r.refunded_amount for r in april) > 0
