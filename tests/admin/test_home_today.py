"""The admin home is today: each of the owner's stores with today's sales so far (live, before the
day is closed), orders, average ticket, top products, open tabs and shifts, payments and refunds
needing attention and low stock, each with a link, and the total; its queries do not grow with the
number of stores."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.inventory.models import StoreProduct
from apps.payments.models import Payment, PaymentMethod, PaymentStatus
from tests.factories import DeviceFactory, OwnerFactory, StoreFactory, StoreMemberFactory
from tests.settlement import factories as fx

pytestmark = pytest.mark.django_db

SEOUL = ZoneInfo("Asia/Seoul")
NOW = datetime(2026, 11, 30, 13, 0, tzinfo=SEOUL)  # a Monday, after the 04:00 cutoff


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def owner(client):
    owner = OwnerFactory(email="home.owner@example.com")
    client.force_login(owner)
    return owner


def _store_with_today(owner, name: str, unit_price: int):
    """A store with two sales today (not built: the day is not closed), an open shift, a card
    payment whose result is unknown and a tracked product at its low-stock mark."""
    store = StoreFactory(owner=owner, name=name)
    cash = fx.method(store, PaymentMethod.Kind.CASH, 0, "현금")
    latte = fx.product(store, f"{name} 라떼", unit_price)
    scone = fx.product(store, f"{name} 스콘", 3000)
    fx.sale(store, NOW, [(latte, 2, unit_price, 0)], [(cash, None)])
    order = fx.sale(store, NOW, [(scone, 1, 3000, 0)], [(cash, None)])
    Payment.objects.create(
        order=order, method=cash, business_date=order.business_date, kind=cash.kind, amount=1000,
        status=PaymentStatus.UNKNOWN,
    )  # fmt: skip
    fx.shift(store, StoreMemberFactory(store=store), NOW)
    StoreProduct.objects.create(store=store, product=scone, track_stock=True, stock_quantity=1, low_stock_threshold=2)
    return store


def test_the_home_shows_each_store_today_live_with_links_and_the_total(client, owner):
    # given two stores with today's sales, not closed yet
    gangnam = _store_with_today(owner, "강남점", 4500)
    hongdae = _store_with_today(owner, "홍대점", 5000)

    # when the owner opens the admin home
    response = client.get(reverse("admin:index"))
    html = response.content.decode()

    # then each store shows today so far: 2·4,500 + 3,000 = 12,000원 and 2·5,000 + 3,000 = 13,000원
    assert response.status_code == 200
    home = response.context["home"]
    by_name = {row.store.name: row for row in home.stores}
    assert by_name["강남점"].net_amount == 12_000 and by_name["강남점"].order_count == 2
    assert by_name["홍대점"].net_amount == 13_000
    assert "12,000원" in html and "13,000원" in html
    # and the average ticket (12,000 / 2) and the total across the stores (25,000원, 4 orders)
    assert by_name["강남점"].average_ticket == 6_000 and "6,000원" in html
    assert home.net_amount == 25_000 and home.order_count == 4 and "25,000원" in html
    # and the top products are there before the day is closed, best first
    assert [p.name for p in by_name["강남점"].top_products] == ["강남점 라떼", "강남점 스콘"]
    assert "강남점 라떼" in html
    # and the open shift, the payment to look at and the low stock
    assert by_name["강남점"].open_shifts == 1
    assert by_name["강남점"].payments_attention == 1
    assert [item.name for item in by_name["강남점"].low_stock] == ["강남점 스콘"]
    # and each figure links on: the store's report, its orders, payments, listings
    assert reverse("admin:settlement_dashboard", args=[gangnam.pk]) in html
    assert reverse("admin:settlement_dashboard", args=[hongdae.pk]) in html
    assert reverse("admin:settlement_products", args=[gangnam.pk]) in html
    assert reverse("admin:payments_payment_changelist") + "?status__exact=UNKNOWN" in html
    listing = StoreProduct.objects.get(store=gangnam)
    assert reverse("admin:inventory_storeproduct_change", args=[listing.pk]) in html


def test_another_owners_stores_are_not_on_the_home(client, owner):
    _store_with_today(owner, "내 매장", 4500)
    _store_with_today(OwnerFactory(), "남의 매장", 9900)
    response = client.get(reverse("admin:index"))
    assert [row.store.name for row in response.context["home"].stores] == ["내 매장"]
    assert "남의 매장" not in response.content.decode()


def test_the_home_costs_the_same_queries_for_one_store_and_for_three(client, owner):
    _store_with_today(owner, "1호점", 4500)
    client.get(reverse("admin:index"))  # warm the session and permission caches
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("admin:index")).status_code == 200
    _store_with_today(owner, "2호점", 4500)
    _store_with_today(owner, "3호점", 4500)
    with CaptureQueriesContext(connection) as three:
        response = client.get(reverse("admin:index"))
    assert len(response.context["home"].stores) == 3
    assert len(three) == len(one), [q["sql"][:120] for q in three.captured_queries]
    assert len(three) <= 20, len(three)


def test_an_owner_without_a_store_is_offered_to_add_one(client, owner):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert reverse("admin:stores_store_add") in response.content.decode()


def test_a_new_store_shows_what_is_left_before_a_customer_can_order(client, owner):
    # given a store with nothing yet
    store = StoreFactory(owner=owner, name="새 매장")
    html = client.get(reverse("admin:index")).content.decode()
    # then the home lists the three steps, each a link to its form
    assert 'data-testid="setup-steps"' in html
    for name in ("catalog_product_add", "payments_paymentmethod_add", "stores_device_add"):
        assert reverse(f"admin:{name}") in html
    # and once a product is listed, a way to pay exists and a device is added, the steps are gone
    StoreProduct.objects.create(store=store, product=fx.product(store))
    fx.method(store)
    DeviceFactory(store=store, kind="KIOSK")
    assert 'data-testid="setup-steps"' not in client.get(reverse("admin:index")).content.decode()
