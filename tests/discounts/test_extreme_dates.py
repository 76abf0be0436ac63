"""Issue 14 finding 3: one discount row with an extreme date must not take a store down.

Before: POST /api/discounts/owner/create accepted "startsAt": "0001-01-01T00:00:00" (read in the
store's +09:00 it is a BC instant, which PostgreSQL stores) and from then on every cart of the
store was a 500: psycopg cannot load that timestamp (DataError "timestamp too small"). Now the API
refuses such dates with a 422, and rows already stored are read with clamped bounds.
"""

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import DataError, connection, transaction
from django.utils import timezone

from apps.discounts import selectors
from apps.discounts.models import Coupon, Discount
from tests.carts.factories import listed_product
from tests.factories import DeviceFactory

URL = "/api/discounts/owner/create"
NOW = "2026-11-30T12:00:00+09:00"  # a Monday, inside the store's business day


def _post(client, body):
    return client.post(URL, data=json.dumps(body), content_type="application/json")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("startsAt", "0001-01-01T00:00:00"),
        ("startsAt", "0001-01-01T00:00:00+14:00"),
        ("endsAt", "9999-12-31T23:59:59-14:00"),
        ("endsAt", "9999-12-31T23:59:59"),
        ("startsAt", "1999-12-31T23:59:59+09:00"),
        ("endsAt", "2101-01-01T00:00:00"),
        ("startsAt", "2026-02-30T00:00:00"),
        ("startsAt", "2026-11-30T25:00:00"),
        ("startsAt", "2026-11-30T10:00:00+99:00"),
        ("startsAt", "２０２６-１１-３０T10:00:00"),
    ],
)
def test_extreme_or_impossible_dates_are_refused_with_422(owner_client, store, field, value):
    # given an owner and their store
    # when a discount names a date outside 2000-01-01 … 2100-12-31 or one that does not exist
    response = _post(owner_client, {"storeId": store.pk, "name": "할인", "kind": "PERCENT", "value": 10, field: value})
    # then it is a 422 naming the field, and nothing is stored
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "INVALID_INPUT" and field in error["message"]
    assert not Discount.objects.exists()


@pytest.mark.django_db
def test_the_range_limits_themselves_are_accepted(owner_client, store):
    body = {"storeId": store.pk, "name": "장기 할인", "kind": "PERCENT", "value": 10}
    response = _post(owner_client, {**body, "startsAt": "2000-01-01T00:00:00", "endsAt": "2100-12-31T23:59:59"})
    assert response.status_code == 201, response.content


def _store_raw_period(discount: Discount, valid_from: str | None, valid_to: str | None) -> None:
    """Write the period with SQL, exactly as the unchecked API used to (PostgreSQL takes it)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Discount._meta.db_table} SET valid_from = %s::timestamptz, valid_to = %s::timestamptz "
            "WHERE id = %s",
            [valid_from, valid_to, discount.pk],
        )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("valid_from", "valid_to"),
    [
        ("0001-01-01 00:00:00+09", None),  # year 0 (1 BC) in UTC: "timestamp too small"
        (None, "9999-12-31 23:59:59-14"),  # year 10000 in UTC: "timestamp too large"
        ("0001-01-01 00:00:00+09", "9999-12-31 23:59:59-14"),
    ],
)
def test_a_store_whose_discount_table_holds_any_date_still_sells(client, store, valid_from, valid_to):
    # given a store with a 10 % order discount whose stored period Python cannot represent
    americano = listed_product(store, "아메리카노", 4500)
    device = DeviceFactory(store=store, kind="POS")
    discount = Discount.objects.create(store=store, name="오픈 할인", scope="ORDER", kind="PERCENT", value=10)
    _store_raw_period(discount, valid_from, valid_to)
    auth = {"HTTP_AUTHORIZATION": f"Device {device.raw_token}"}

    def call(method, url, body=None):
        data = json.dumps(body) if body is not None else ""
        return getattr(client, method)(url, data=data, content_type="application/json", **auth)

    with time_machine.travel(NOW, tick=False):
        # when a terminal sells: new cart, add an item, read the cart, start the payment
        created = call("post", "/api/carts")
        assert created.status_code == 201, created.content
        cart_id = created.json()["cartId"]
        added = call("post", f"/api/carts/{cart_id}/items", {"productId": americano.product.pk, "qty": 1})
        assert added.status_code == 201, added.content
        cart = call("get", f"/api/carts/{cart_id}")
        assert cart.status_code == 200, cart.content
        started = call("post", f"/api/orders/start-payment/{cart_id}")
        assert started.status_code == 201, started.content

    # then every step works, and the open-ended discount is in force (its bounds mean "open")
    assert cart.json()["totals"]["total"] == 4050
    assert started.json()["amount"] == 4050


@pytest.mark.django_db
def test_selectors_read_clamped_bounds(store):
    # given a discount stored with a BC start and a year-10000 end
    discount = Discount.objects.create(store=store, name="오픈 할인", scope="ORDER", kind="PERCENT", value=10)
    _store_raw_period(discount, "0001-01-01 00:00:00+09", "9999-12-31 23:59:59-14")
    # (the cause of the outage: loading the row as stored raises)
    with pytest.raises(DataError), transaction.atomic():
        Discount.objects.get(pk=discount.pk)
    # when the selectors read it
    loaded = selectors.with_safe_period(selectors.discounts_for_store(store)).get()
    rule = selectors.rule_from_discount(loaded)
    # then the bounds are the clamped ones, both readable
    assert rule.valid_from.year == 1900 and rule.valid_to.year == 2200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        ([1, 2], frozenset({1, 2})),
        (["1", "7"], frozenset({1, 7})),
        ([1, "x", None, [3], {"d": 4}, 8, True, 2.0], frozenset({1})),
        (["x", 0], frozenset({0})),  # nothing readable: in force on no day
        ({"mon": True}, frozenset({0})),
        ([], frozenset()),
    ],
)
def test_stored_weekdays_never_raise(store, stored, expected):
    # given a discount whose weekdays column holds anything JSON can
    discount = Discount.objects.create(store=store, name="요일 할인", scope="ORDER", kind="PERCENT", value=10)
    Discount.objects.filter(pk=discount.pk).update(weekdays=stored)
    # when the selectors read it, then only real ISO weekdays are kept
    assert selectors.rule_from_discount(Discount.objects.get(pk=discount.pk)).weekdays == expected


@pytest.mark.django_db
def test_a_stored_coupon_with_an_extreme_period_is_read_clamped(store):
    # given a coupon stored with a BC start (its discount with a year-10000 end)
    discount = Discount.objects.create(
        store=store, name="쿠폰 할인", scope="ORDER", kind="AMOUNT", value=500, coupon_only=True
    )
    coupon = Coupon.objects.create(store=store, code="WELCOME", discount=discount)
    _store_raw_period(discount, None, "9999-12-31 23:59:59-14")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Coupon._meta.db_table} SET valid_from = '0001-01-01 00:00:00+09'::timestamptz WHERE id = %s",
            [coupon.pk],
        )
    # when the coupon is looked up and priced
    with time_machine.travel(NOW, tick=False):
        context = selectors.pricing_context(store, channel="POS", at=timezone.now(), coupon_code="welcome")
    # then it is in force
    assert context.coupon is not None and context.coupon.value == 500


@pytest.mark.django_db
@pytest.mark.parametrize(
    "bounds",
    [
        {"valid_from": datetime(1, 1, 1, tzinfo=UTC)},
        {"valid_to": datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)},
        {"valid_from": datetime(1999, 12, 31, 23, 59, tzinfo=ZoneInfo("Asia/Seoul"))},
    ],
)
def test_model_validation_refuses_periods_outside_2000_to_2100(store, bounds):
    # given a discount and a coupon with a period bound out of range (what the admin form would save)
    discount = Discount(store=store, name="할인", scope="ORDER", kind="PERCENT", value=10, **bounds)
    coupon = Coupon(
        store=store,
        code="C1",
        discount=Discount.objects.create(store=store, name="d", kind="AMOUNT", value=1),
        **bounds,
    )
    # when they are validated, then the field is named
    for instance in (discount, coupon):
        with pytest.raises(ValidationError) as err:
            instance.full_clean()
        assert set(err.value.message_dict) == set(bounds)


@pytest.mark.django_db
def test_model_validation_accepts_a_period_inside_the_range(store):
    discount = Discount(
        store=store,
        name="할인",
        scope="ORDER",
        kind="PERCENT",
        value=10,
        valid_from=datetime(2026, 12, 1, tzinfo=ZoneInfo("Asia/Seoul")),
        valid_to=datetime(2100, 12, 31, 23, 59, tzinfo=ZoneInfo("Asia/Seoul")),
    )
    discount.full_clean()
