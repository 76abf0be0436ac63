"""The operator's rebuild: `manage.py rebuild_rollups` and the concurrent build behind it. The stores
are built in groups on several connections at once; the result must be the same as one build."""

from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from apps.settlement.models import DailySummary, ProductSalesMonthly, Settlement
from apps.settlement.services import rollups_build_concurrently, settlement_refresh
from tests.factories import StoreFactory

from . import factories as fx
from .oracle import actual, expected

SEOUL = ZoneInfo("Asia/Seoul")


def _month_of_sales(store, seed: int) -> None:
    """Sales over a few days of March 2025, one of them split over two methods, and a line refunded
    on a later day than its sale."""
    cash, card = fx.method(store), fx.method(store, "CARD_TERMINAL", fee_rate_bp=180)
    products = [fx.product(store, f"메뉴{seed}-{i}", 1000 + 500 * i) for i in range(3)]
    order = None
    for day in (3, 4, 9):
        for i, prod in enumerate(products):
            at = datetime(2025, 3, day, 11 + i, seed, tzinfo=SEOUL)
            order = fx.sale(store, at, [(prod, i + 1, prod.base_price, 0)], [(cash, 500), (card, None)])
    payment = order.payments.get(method=card)
    fx.refund(payment, datetime(2025, 3, 12, 15, 0, tzinfo=SEOUL), lines=[(order.lines.get(), 1)])


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_concurrent_build_gives_every_store_the_same_rollups_as_the_facts():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time: the build runs in one thread there")
    # Given five stores with sales and a late refund each
    stores = [StoreFactory() for _ in range(5)]
    for seed, store in enumerate(stores):
        _month_of_sales(store, seed)

    # When March is built on two connections at once
    built = rollups_build_concurrently(stores, date(2025, 3, 1), date(2025, 3, 31), workers=2)

    # Then every store's rollups equal a direct computation over its facts, every day has its row,
    # and the monthly product rows were written too
    assert built == 5 * 31
    for store in stores:
        assert actual(store) == expected(store)
        assert DailySummary.objects.filter(store=store).count() == 31
        assert ProductSalesMonthly.objects.filter(store=store, month=date(2025, 3, 1)).count() == 3


@pytest.mark.django_db(transaction=True)
def test_rebuild_rollups_rebuilds_the_range_and_refreshes_draft_settlements_confirming_past_ones():
    # Given two stores with sales, one of them with a DRAFT settlement computed before any build
    first, second = StoreFactory(settlement_day=28), StoreFactory(settlement_day=28)
    _month_of_sales(first, 1)
    _month_of_sales(second, 2)
    draft = settlement_refresh(first, date(2025, 3, 28), now=datetime(2025, 3, 10, tzinfo=SEOUL))
    assert (draft.status, draft.gross_amount) == (Settlement.Status.DRAFT, 0)

    # When the operator rebuilds March for every store
    out = StringIO()
    call_command("rebuild_rollups", "--start", "2025-03-01", "--end", "2025-03-31", "--workers", "2", stdout=out)

    # Then both stores' rollups match their facts, and the draft now carries the period's payments
    # and is confirmed, as the period ended long ago
    assert "rebuilt 62 store-days (2 stores" in out.getvalue()
    for store in (first, second):
        assert actual(store) == expected(store)
    draft.refresh_from_db()
    assert draft.status == Settlement.Status.CONFIRMED
    assert draft.gross_amount == sum(row[1] for row in expected(first)["methods"].values())
    assert draft.refund_amount > 0


@pytest.mark.django_db
def test_rebuild_rollups_can_be_limited_to_some_stores():
    # Given two stores with sales
    first, second = StoreFactory(), StoreFactory()
    _month_of_sales(first, 1)
    _month_of_sales(second, 2)

    # When only the first one is rebuilt, for one day
    out = StringIO()
    call_command("rebuild_rollups", "--start", "2025-03-03", "--store", str(first.pk), stdout=out)

    # Then that day of that store is built and nothing of the other store is
    assert "rebuilt 1 store-days (1 stores" in out.getvalue()
    assert list(DailySummary.objects.filter(store=first).values_list("business_date", "order_count")) == [
        (date(2025, 3, 3), 3)
    ]
    assert not DailySummary.objects.filter(store=second).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "args, message",
    [
        (["--start", "2025-13-01"], "not a date"),
        (["--start", "2025-03-05", "--end", "2025-03-01"], "시작일이 종료일보다 늦습니다"),
        (["--start", "2024-01-01", "--end", "2025-12-31"], "400"),
        (["--start", "2025-03-01", "--store", "987654"], "no such store: 987654"),
    ],
)
def test_rebuild_rollups_refuses_bad_input_with_a_clear_message_and_builds_nothing(args, message):
    # Given a store with sales
    store = StoreFactory()
    _month_of_sales(store, 1)

    # When the command is given a bad date, range or store
    with pytest.raises(CommandError) as error:
        call_command("rebuild_rollups", *args, stdout=StringIO())

    # Then it says what is wrong and writes nothing
    assert message in str(error.value)
    assert not DailySummary.objects.exists()
