"""Placement locks under real races (threads on PostgreSQL, issue 18): a placement serializes on its
cart and takes the store's order-number counter last, so placements of one store overlap, yet
numbers stay unique and consecutive, stock is never oversold, and the paths that also take the
counter (a tab opening, a pay-first placement) run beside them without a deadlock."""

import threading

import pytest
from django.db import OperationalError, connection, transaction
from django.test.utils import CaptureQueriesContext

from apps.carts import services as cart_services
from apps.core.errors import DomainError
from apps.inventory.models import StoreProduct
from apps.inventory.services import stock_reserve
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


def _sale_held_open(store, listing, started, release):
    """A thread's sale of `listing` that reserves, then keeps its transaction open until `release`."""

    def sale():
        with transaction.atomic():
            stock_reserve(store, [(listing.pk, 1)], reference="held")
            started.set()
            release.wait(timeout=30)

    return sale


@pytest.mark.parametrize(("tracked", "waits"), [(False, False), (True, True)])
def test_a_sale_waits_on_another_only_for_a_tracked_listing(store, tracked, waits):
    # given a sale of one listing whose transaction is still open
    listing = listed_product(store, "아메리카노", 4500, track_stock=tracked, stock=10).listing
    started, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_sale_held_open(store, listing, started, release))
    holder.start()
    try:
        assert started.wait(timeout=30)
        # when a second sale of the same listing runs with a short lock timeout
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '500ms'")
            try:
                stock_reserve(store, [(listing.pk, 1)], reference="second")
                waited = False
            except OperationalError:
                waited = True
                transaction.set_rollback(True)
    finally:
        release.set()
        holder.join(timeout=30)
    # then only a tracked listing's row is locked by a sale: an untracked one never makes it wait
    assert waited is waits


def test_the_order_number_is_taken_by_the_placement_last_statement(store, kiosk_device, americano):
    # given a cart (warm: a first order placed)
    for _ in range(2):
        cart = cart_services.cart_create(store=store, device=kiosk_device)
        cart_services.cart_line_add(cart.id, device=kiosk_device, product_id=americano.product.pk, qty=1)
        with CaptureQueriesContext(connection) as queries:
            order, _created = services.order_place(cart.id, device=kiosk_device)
    # then the counter is the last statement before the COMMIT, and the order carries its number
    sql = [q["sql"] for q in queries.captured_queries]
    commit = sql.index("COMMIT")
    assert "orders_ordernumbercounter" in sql[commit - 1], sql
    assert sum("orders_ordernumbercounter" in q for q in sql) == 1, sql
    assert order.order_number == 2 == Order.objects.get(pk=order.pk).order_number
