"""Races on real PostgreSQL and real Redis with threads."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.carts import services as cart_services
from apps.carts.selectors import cart_by_id
from apps.core.errors import DomainError
from apps.inventory.models import StockMovement, StoreProduct
from apps.orders import services
from apps.orders.models import Order
from apps.orders.tasks import expire_pending_orders
from tests.carts.factories import listed_product
from tests.concurrency import run_together
from tests.factories import DeviceFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_two_start_payments_on_one_cart_make_one_order(pos_device, americano, cart_with):
    cart_id = cart_with(pos_device, (americano, 1))
    results = run_together([lambda: services.order_place(cart_id, device=pos_device) for _ in range(2)])
    assert not [r for r in results if isinstance(r, Exception)], results
    orders = {order.pk for order, _created in results}
    assert len(orders) == 1 and Order.objects.count() == 1
    assert sorted(created for _order, created in results) == [False, True]
    assert cart_by_id(cart_id).state == "CHECKOUT"


def test_thirty_carts_race_for_the_last_ten_units(store):
    # given 10 muffins left and 30 kiosks, each with a cart holding one muffin
    muffin = listed_product(store, "머핀", 3000, track_stock=True, stock=10)
    devices = [DeviceFactory(store=store, kind="KIOSK") for _ in range(30)]
    carts = []
    for device in devices:
        cart = cart_services.cart_create(store=store, device=device)
        cart_services.cart_line_add(cart.id, device=device, product_id=muffin.product.pk, qty=1)
        carts.append((cart.id, device))
    # when they all start payment at once
    results = run_together([lambda c=c, d=d: services.order_place(c, device=d) for c, d in carts])
    # then exactly 10 orders exist, the rest heard 409 (OUT_OF_STOCK, or SOLD_OUT once the listing
    # shows 0 left), and stock is 0 — never below
    placed = [r for r in results if isinstance(r, tuple)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(placed) == 10, [r for r in results if not isinstance(r, tuple | DomainError)]
    assert len(refused) == 20 and {e.status for e in refused} == {409}
    assert {e.code for e in refused} <= {"OUT_OF_STOCK", "SOLD_OUT"}
    assert StoreProduct.objects.get(pk=muffin.listing.pk).stock_quantity == 0
    assert Order.objects.count() == 10
    assert sorted(Order.objects.values_list("order_number", flat=True)) == list(range(1, 11))


def test_twenty_concurrent_placements_number_one_to_twenty(store, americano):
    devices = [DeviceFactory(store=store, kind="POS") for _ in range(20)]
    carts = []
    for device in devices:
        cart = cart_services.cart_create(store=store, device=device)
        cart_services.cart_line_add(cart.id, device=device, product_id=americano.product.pk)
        carts.append((cart.id, device))
    results = run_together([lambda c=c, d=d: services.order_place(c, device=d) for c, d in carts])
    assert all(isinstance(r, tuple) for r in results), results
    numbers = sorted(order.order_number for order, _ in results)
    assert numbers == list(range(1, 21))
    assert len({order.business_date for order, _ in results}) == 1


def test_expiry_run_twice_at_once_releases_stock_once(store, pos_device, cart_with):
    muffin = listed_product(store, "머핀", 3000, track_stock=True, stock=5)
    cart_id = cart_with(pos_device, (muffin, 2))
    order, _ = services.order_place(cart_id, device=pos_device)
    Order.objects.filter(pk=order.pk).update(placed_at=timezone.now() - timedelta(minutes=16))
    results = run_together([expire_pending_orders, expire_pending_orders])
    assert sorted(results) == [0, 1]
    order.refresh_from_db()
    assert order.status == "EXPIRED"
    assert StoreProduct.objects.get(pk=muffin.listing.pk).stock_quantity == 5
    assert StockMovement.objects.filter(reason="CANCEL", reference=order.public_id).count() == 1
    # the customer gets the cart back
    assert cart_by_id(cart_id).state == "ACTIVE"
