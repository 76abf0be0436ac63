"""Two builds of the same store and days at once: the row lock queues them, so the result is the
same as one build (no duplicated rows, no missing rows)."""

import threading
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from apps.settlement.models import DailySummary, PaymentMethodDaily, ProductSalesDaily
from apps.settlement.services import rollups_build

from . import factories as fx
from .oracle import actual, expected

SEOUL = ZoneInfo("Asia/Seoul")


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_builds_at_once_give_the_same_rollups_as_one(store):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers by locking the whole database")
    cash = fx.method(store)
    products = [fx.product(store, f"메뉴{i}") for i in range(5)]
    for day in (3, 4, 5):
        for i, prod in enumerate(products):
            fx.sale(store, datetime(2025, 3, day, 12, i, tzinfo=SEOUL), [(prod, i + 1, 1000, 0)], [(cash, None)])
    want = expected(store)
    barrier = threading.Barrier(4)
    errors = []

    def build():
        try:
            barrier.wait()
            for _ in range(3):
                rollups_build(store, date(2025, 3, 2), date(2025, 3, 6))
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=build) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert actual(store) == want
    assert DailySummary.objects.filter(store=store).count() == 5
    assert ProductSalesDaily.objects.filter(store=store).count() == 15
    assert PaymentMethodDaily.objects.filter(store=store).count() == 3
