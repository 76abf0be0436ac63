"""Placement locks under real races (threads on PostgreSQL, issue 18): a placement serializes on its
cart and takes the store's order-number counter last, so placements of one store overlap, yet
numbers stay unique and consecutive, stock is never oversold, and the paths that also take the
counter (a tab opening, a pay-first placement) run beside them without a deadlock."""

import pytest

from apps.carts import services as cart_services
from apps.core.errors import DomainError
from apps.inventory.models import StoreProduct
from apps.orders import services, tabs
from apps.orders.models import Order
from tests.carts.factories import listed_product
from tests.concurrency import outcomes, run_together
from tests.factories import DeviceFactory
from tests.tables.factories import make_table

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def _carts(store, product, count: int, kind: str = "KIOSK") -> list[tuple[str, object]]:
    carts = []
    for _ in range(count):
        device = DeviceFactory(store=store, kind=kind)
        cart = cart_services.cart_create(store=store, device=device)
        cart_services.cart_line_add(cart.id, device=device, product_id=product.product.pk, qty=1)
        carts.append((cart.id, device))
    return carts


def test_placements_tabs_and_pay_first_orders_of_one_store_at_once_number_one_to_n(store):
    # given one tracked product shared by 8 kiosk carts and 4 pay-first (table) carts, and 4 empty tables
    muffin = listed_product(store, "머핀", 3000, track_stock=True, stock=100)
    kiosk_carts = _carts(store, muffin, 8)
    phone_carts = [(cart_id, make_table(store, f"P{i}")) for i, (cart_id, _d) in enumerate(_carts(store, muffin, 4))]
    empty_tables = [make_table(store, f"T{i}") for i in range(4)]
    calls = [lambda c=c, d=d: services.order_place(c, device=d) for c, d in kiosk_carts]
    calls += [lambda c=c, t=t: tabs.tab_prepaid_order_place(t, c) for c, t in phone_carts]
    calls += [lambda t=t: tabs.tab_open(t, guests=2) for t in empty_tables]
    # when they all run at once (run_together fails on a deadlock)
    results = run_together(calls)
    # then every one succeeded, the 16 orders are numbered 1..16 and 12 muffins are reserved
    assert outcomes(results) == ["ok"] * 16, results
    assert sorted(Order.objects.values_list("order_number", flat=True)) == list(range(1, 17))
    assert StoreProduct.objects.get(pk=muffin.listing.pk).stock_quantity == 100 - 12


def test_racing_placements_never_oversell_and_number_only_the_placed(store):
    # given 5 muffins left and 12 kiosk carts wanting one each
    muffin = listed_product(store, "머핀", 3000, track_stock=True, stock=5)
    carts = _carts(store, muffin, 12)
    # when they all start payment at once
    results = run_together([lambda c=c, d=d: services.order_place(c, device=d) for c, d in carts])
    # then 5 are placed, numbered 1..5 with no gap (a refused placement takes no number), 7 heard 409
    placed = [r for r in results if isinstance(r, tuple)]
    assert len(placed) == 5, results
    assert all(isinstance(r, DomainError) and r.status == 409 for r in results if not isinstance(r, tuple))
    assert sorted(order.order_number for order, _created in placed) == [1, 2, 3, 4, 5]
    assert StoreProduct.objects.get(pk=muffin.listing.pk).stock_quantity == 0


def test_the_same_cart_placed_four_times_at_once_makes_one_order(store, kiosk_device, americano):
    cart = cart_services.cart_create(store=store, device=kiosk_device)
    cart_services.cart_line_add(cart.id, device=kiosk_device, product_id=americano.product.pk, qty=2)
    results = run_together([lambda: services.order_place(cart.id, device=kiosk_device)] * 4)
    assert outcomes(results) == ["ok"] * 4, results
    assert len({order.pk for order, _created in results}) == 1
    assert sorted(created for _order, created in results) == [False, False, False, True]
    assert Order.objects.get().order_number == 1
