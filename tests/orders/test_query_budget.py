"""Query budget of start-payment (order_place) on the hot path (issue 18), warm caches."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.carts import cart as cart_store
from apps.discounts.models import Discount
from apps.inventory.models import StockMovement
from apps.orders.models import Order
from tests.carts.factories import coffee_with_options, listed_product

pytestmark = pytest.mark.django_db


def _post(client, device, url, body=None):
    return client.post(
        url,
        data=json.dumps(body or {}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Device {device.raw_token}",
    )


def _cart_with(client, device, items) -> str:
    cart_id = _post(client, device, "/api/carts").json()["cartId"]
    for product_id, body in items:
        response = _post(client, device, f"/api/carts/{cart_id}/items", {"productId": product_id, **body})
        assert response.status_code == 201, response.content
    return cart_id


@pytest.fixture
def menu(store):
    plain = [listed_product(store, f"메뉴 {n}", 1000 + n * 100) for n in range(7)]
    latte = coffee_with_options(store)
    cakes = [listed_product(store, f"케이크 {n}", 6000, track_stock=True, stock=20) for n in range(2)]
    Discount.objects.create(store=store, name="상시 100원", scope="ORDER", kind="AMOUNT", value=100)
    items = [(item.product.pk, {}) for item in plain]
    items.append((latte.product.pk, {"optionIds": [latte.options["L"].pk]}))
    items += [(cake.product.pk, {"qty": 2}) for cake in cakes]
    return items, cakes


def test_start_payment_within_twelve_queries(client, kiosk_device, menu, django_assert_max_num_queries):
    items, cakes = menu
    # given a worker that has placed an order already (warm caches) and a 10-line cart
    warm = _cart_with(client, kiosk_device, items[:1])
    assert _post(client, kiosk_device, f"/api/orders/start-payment/{warm}").status_code == 201
    cart_id = _cart_with(client, kiosk_device, items)
    # when
    with django_assert_max_num_queries(12):
        response = _post(client, kiosk_device, f"/api/orders/start-payment/{cart_id}")
    # then the order is whole: ten lines, priced, the tracked stock taken once per listing
    assert response.status_code == 201, response.content
    order = Order.objects.get(cart_id=cart_id)
    assert order.lines.count() == 10
    assert order.discount_amount == 100
    assert order.order_number == 2
    for cake in cakes:
        cake.listing.refresh_from_db()
        assert cake.listing.stock_quantity == 18
    assert StockMovement.objects.filter(reference=order.public_id).count() == 2


def test_start_payment_again_returns_the_same_order(client, kiosk_device, menu):
    items, _cakes = menu
    cart_id = _cart_with(client, kiosk_device, items[:2])
    first = _post(client, kiosk_device, f"/api/orders/start-payment/{cart_id}")
    with CaptureQueriesContext(connection):
        again = _post(client, kiosk_device, f"/api/orders/start-payment/{cart_id}")
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["orderId"] == first.json()["orderId"]


def test_out_of_stock_at_placement_rolls_everything_back(client, kiosk_device, menu):
    items, cakes = menu
    cart_id = _cart_with(client, kiosk_device, items[-1:])
    # when the last units go elsewhere after the cart was filled (no menu version change)
    from apps.inventory.services import stock_set

    stock_set(cakes[1].listing, 1)
    response = _post(client, kiosk_device, f"/api/orders/start-payment/{cart_id}")
    # then 409, no order, no number taken, the stock untouched
    assert response.status_code == 409 and response.json()["error"]["code"] == "OUT_OF_STOCK"
    assert not Order.objects.filter(cart_id=cart_id).exists()
    cakes[1].listing.refresh_from_db()
    assert cakes[1].listing.stock_quantity == 1


def test_start_payment_reads_the_cart_once(client, kiosk_device, menu, monkeypatch):
    # given a cart (issue 18: the placement read it before taking the cart's lock, then again
    # under it; the read under the lock is the one that counts)
    items, _cakes = menu
    cart_id = _cart_with(client, kiosk_device, items[:2])
    reads = []
    load = cart_store.load
    monkeypatch.setattr(cart_store, "load", lambda cart_id: reads.append(cart_id) or load(cart_id))
    # when
    response = _post(client, kiosk_device, f"/api/orders/start-payment/{cart_id}")
    # then one read of the cart, and the order is placed
    assert response.status_code == 201, response.content
    assert reads == [cart_id]
