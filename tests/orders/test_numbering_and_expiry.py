"""Business date and numbering around the cutoff; the expiry task; selectors."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from apps.carts import services as cart_services
from apps.carts.selectors import cart_by_id
from apps.core.redis import get_redis
from apps.inventory.models import StoreProduct
from apps.orders import selectors, services
from apps.orders.models import Order
from apps.orders.tasks import expire_pending_orders
from tests.carts.factories import listed_product
from tests.factories import StoreFactory

pytestmark = pytest.mark.django_db

SEOUL = ZoneInfo("Asia/Seoul")


def place(device, menu, qty=1):
    cart = cart_services.cart_create(store=device.store, device=device)
    cart_services.cart_line_add(cart.id, device=device, product_id=menu.product.pk, qty=qty)
    order, _ = services.order_place(cart.id, device=device)
    return order


def test_numbers_follow_the_business_day(store, pos_device, americano):
    assert store.cutoff_hour == 4 and store.timezone == "Asia/Seoul"
    with time_machine.travel(datetime(2026, 3, 9, 22, 0, tzinfo=SEOUL), tick=False):
        evening = place(pos_device, americano)
    # a sale at 01:30 belongs to the previous business day and continues its numbering
    with time_machine.travel(datetime(2026, 3, 10, 1, 30, tzinfo=SEOUL), tick=False):
        late = place(pos_device, americano)
    with time_machine.travel(datetime(2026, 3, 10, 3, 59, 59, tzinfo=SEOUL), tick=False):
        last = place(pos_device, americano)
    # after the cutoff a new business day starts at 1
    with time_machine.travel(datetime(2026, 3, 10, 4, 0, tzinfo=SEOUL), tick=False):
        morning = place(pos_device, americano)
    assert [(o.business_date, o.order_number) for o in (evening, late, last, morning)] == [
        (date(2026, 3, 9), 1),
        (date(2026, 3, 9), 2),
        (date(2026, 3, 9), 3),
        (date(2026, 3, 10), 1),
    ]


def test_each_store_counts_on_its_own(store, pos_device, americano):
    from tests.factories import DeviceFactory

    other_store = StoreFactory(owner=store.owner)
    other_device = DeviceFactory(store=other_store, kind="POS")
    other_menu = listed_product(other_store, "라떼", 5000)
    assert place(pos_device, americano).order_number == 1
    assert place(other_device, other_menu).order_number == 1
    assert place(pos_device, americano).order_number == 2


def test_the_stores_timezone_and_cutoff_count(pos_device, americano, store):
    store.timezone = "America/New_York"
    store.cutoff_hour = 6
    store.save()
    pos_device.store.refresh_from_db()
    # 05:00 in New York is before that store's 06:00 cutoff (and already 19:00 in Seoul)
    with time_machine.travel(datetime(2026, 3, 10, 5, 0, tzinfo=ZoneInfo("America/New_York")), tick=False):
        order = place(pos_device, americano)
    assert order.business_date == date(2026, 3, 9)


def stale(order, minutes=16):
    Order.objects.filter(pk=order.pk).update(placed_at=timezone.now() - timedelta(minutes=minutes))


def test_expiry_only_touches_stale_pending_orders(store, pos_device, americano, django_capture_on_commit_callbacks):
    muffin = listed_product(store, "머핀", 3000, track_stock=True, stock=3)
    fresh = place(pos_device, americano)
    old = place(pos_device, muffin, qty=3)
    paid = place(pos_device, americano)
    services.order_mark_paid(paid)
    stale(old)
    stale(paid)
    stale(fresh, minutes=14)
    with django_capture_on_commit_callbacks(execute=True):
        assert expire_pending_orders.delay().get() == 1
    statuses = dict(Order.objects.values_list("pk", "status"))
    assert statuses == {fresh.pk: "PENDING_PAYMENT", old.pk: "EXPIRED", paid.pk: "PAID"}
    assert StoreProduct.objects.get(pk=muffin.listing.pk).stock_quantity == 3
    assert cart_by_id(old.cart_id).state == "ACTIVE"
    # a second run finds nothing to do
    assert expire_pending_orders() == 0


def test_expiry_respects_the_setting(settings, pos_device, americano):
    settings.ORDER_PENDING_EXPIRY_MINUTES = 60
    order = place(pos_device, americano)
    stale(order, minutes=30)
    assert expire_pending_orders() == 0
    stale(order, minutes=61)
    assert expire_pending_orders() == 1


def test_expiry_guard_keeps_an_order_with_a_payment_in_flight(pos_device, americano):
    order = place(pos_device, americano)
    stale(order)
    guard = lambda candidate: candidate.pk == order.pk  # noqa: E731 - payments registers a real one
    services.register_expiry_guard(guard)
    try:
        assert expire_pending_orders() == 0
    finally:
        services._expiry_guards.remove(guard)
    assert expire_pending_orders() == 1


def test_expiry_with_the_cart_gone(pos_device, americano):
    order = place(pos_device, americano)
    get_redis().delete(f"cart:{order.cart_id}")
    stale(order)
    assert expire_pending_orders() == 1
    assert cart_by_id(order.cart_id) is None


def test_a_cart_stuck_in_checkout_can_order_again(pos_device, americano, cart_with):
    # the order ended but the cart never came back (e.g. its move was lost): start-payment recovers
    cart_id = cart_with(pos_device, (americano, 1))
    order, _ = services.order_place(cart_id, device=pos_device)
    Order.objects.filter(pk=order.pk).update(status="EXPIRED")
    again, created = services.order_place(cart_id, device=pos_device)
    assert created and again.pk != order.pk


def test_selectors(store, pos_device, americano, django_assert_max_num_queries):
    first = place(pos_device, americano)
    place(pos_device, americano, qty=2)
    assert selectors.order_for_store(store, first.public_id).pk == first.pk
    with pytest.raises(Exception) as err:
        selectors.order_for_store(StoreFactory(), first.public_id)
    assert err.value.status == 404
    with django_assert_max_num_queries(2):
        orders = list(selectors.orders_for_business_day(store, first.business_date))
        assert [sum(line.quantity for line in o.lines.all()) for o in orders] == [1, 2]
