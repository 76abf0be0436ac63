"""Our PostgreSQL backend (apps/core/db/postgresql): Django's, with small bulk inserts as VALUES rows."""

from datetime import UTC, datetime, time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.core.db.postgresql.compiler import UNNEST_FROM_ROWS
from apps.discounts.models import Discount
from tests.factories import StoreFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("the backend is PostgreSQL's")


def _discounts(store, count: int) -> list[Discount]:
    # Every kind of column the hot path's inserts carry: text (Korean too), integers, NULLs, a
    # nullable FK, JSON, timestamps and times.
    return [
        Discount(
            store=store,
            name=f"할인 {number}",
            kind="AMOUNT",
            value=500 + number,
            max_discount=None if number % 2 else 1_000,
            valid_from=datetime(2026, 12, 1, 9, number % 60, tzinfo=UTC),
            weekdays=[1, 2] if number % 2 else [],
            time_start=time(11, 30),
        )
        for number in range(count)
    ]


def _inserted(count: int) -> tuple[str, list[Discount]]:
    store = StoreFactory()
    with CaptureQueriesContext(connection) as queries:
        Discount.objects.bulk_create(_discounts(store, count))
    inserts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 1
    return inserts[0], list(Discount.objects.filter(store=store).order_by("value"))


def _assert_round_trip(rows: list[Discount], count: int) -> None:
    assert [(d.name, d.value, d.max_discount, d.weekdays) for d in rows] == [
        (f"할인 {n}", 500 + n, None if n % 2 else 1_000, [1, 2] if n % 2 else []) for n in range(count)
    ]
    assert all(d.time_start == time(11, 30) and d.valid_from.minute == n % 60 for n, d in enumerate(rows))


def test_the_settings_name_our_backend_on_postgres():
    assert connection.settings_dict["ENGINE"] == "apps.core.db.postgresql"
    assert connection.ops.compiler_module == "apps.core.db.postgresql.compiler"


@pytest.mark.parametrize("count", [2, UNNEST_FROM_ROWS - 1])
def test_a_small_bulk_insert_is_one_values_row_per_object(count):
    # given a few objects; when they are inserted in bulk
    sql, rows = _inserted(count)
    # then one INSERT with a VALUES row each (no per-column arrays to dump), and every value lands
    assert "UNNEST" not in sql
    assert sql.count("), (") == count - 1
    _assert_round_trip(rows, count)


def test_a_large_bulk_insert_keeps_djangos_unnest():
    # given as many objects as the threshold: Django's UNNEST, which spares PostgreSQL a long VALUES
    sql, rows = _inserted(UNNEST_FROM_ROWS)
    assert "UNNEST" in sql
    _assert_round_trip(rows, UNNEST_FROM_ROWS)
