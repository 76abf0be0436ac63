"""The pay-first placement (tabs.tab_prepaid_order_place) as the phone sees it: the kiosk's placement
frame, but its own kind of order (priced for the TABLE channel, dine-in, no device, member, coupon or
manual discount, no kitchen ticket before it is paid) and its own refusals and numbering."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.carts import selectors as cart_selectors
from apps.carts import services as cart_services
from apps.carts.cart import CartState
from apps.core.errors import DomainError
from apps.discounts.models import Discount
from apps.inventory.services import stock_set
from apps.orders import events, services, tabs
from apps.orders.models import Order, OrderStatus, ServiceType
from tests.carts.factories import listed_product
from tests.factories import DeviceFactory, StoreFactory
from tests.tables.factories import make_table

pytestmark = pytest.mark.django_db

# The queries of a warm pay-first placement of a one-line cart of a tracked listing, as before the
# placement became one frame with the kiosk's: not to grow.
PAY_FIRST_PLACEMENT_QUERIES = 13  # SAVEPOINT and RELEASE included (the test runs in a transaction)


@pytest.fixture(autouse=True)
def _monday_evening():
    with time_machine.travel(datetime(2026, 11, 30, 19, 0, tzinfo=ZoneInfo("Asia/Seoul")), tick=False):
        yield


@pytest.fixture
def kiosk(store):
    return DeviceFactory(store=store, kind="KIOSK")


def _cart(device, *items) -> str:
    """A cart of `device` (a kiosk's: channel KIOSK, takeout) holding (listing, qty, note) lines."""
    cart = cart_services.cart_create(store=device.store, device=device, service_type="TAKEOUT")
    for menu, qty, note in items:
        cart_services.cart_line_add(cart.id, device=device, product_id=menu.product.pk, qty=qty, note=note)
    return cart.id


def _discount(store, amount: int, channel: str) -> Discount:
    return Discount.objects.create(
        store=store, name=f"{channel} {amount}원", scope="ORDER", kind="AMOUNT", value=amount, channel=channel
    )


@pytest.fixture
def heard():
    """The placement signals sent (the kitchen's in-transaction one and ops' on-commit one)."""
    sent = []

    def receiver(sender, order, **kwargs):
        sent.append(order.pk)

    events.order_placed_in_transaction.connect(receiver, sender=Order, dispatch_uid="test.placed.tx")
    events.order_placed.connect(receiver, sender=Order, dispatch_uid="test.placed")
    yield sent
    events.order_placed_in_transaction.disconnect(sender=Order, dispatch_uid="test.placed.tx")
    events.order_placed.disconnect(sender=Order, dispatch_uid="test.placed")


def test_a_pay_first_order_is_a_dine_in_table_order_with_no_device(
    store, kiosk, heard, django_capture_on_commit_callbacks
):
    # given a cart with a noted line, a discount for the table channel and one for the kiosk only
    stew = listed_product(store, "김치찌개", 9000, track_stock=True, stock=10)
    _discount(store, 100, "TABLE")
    _discount(store, 500, "KIOSK")
    cart_id = _cart(kiosk, (stew, 2, "덜 맵게"))
    table = make_table(store, "3")
    # when the phone places it pay-first
    with django_capture_on_commit_callbacks(execute=True):
        order, created = tabs.tab_prepaid_order_place(table, cart_id)
    # then it is priced and stamped as a table's dine-in order, on no table and no device
    order.refresh_from_db()
    assert created is True
    assert (order.channel, order.service_type, order.status) == ("TABLE", ServiceType.DINE_IN, "PENDING_PAYMENT")
    assert (order.table_id, order.device_id, order.staff_id, order.coupon_id) == (None, None, None, None)
    assert (order.gross_amount, order.discount_amount, order.total_amount) == (18000, 100, 17900)
    assert order.order_number == 1
    assert [(line.quantity, line.note) for line in order.lines.all()] == [(2, "덜 맵게")]
    assert list(order.events.values_list("note", flat=True)) == ["prepaid round placed"]
    stew.listing.refresh_from_db()
    assert stew.listing.stock_quantity == 8
    assert cart_selectors.cart_by_id(cart_id).state == CartState.CHECKOUT
    # and the kitchen (and ops) hear of it only once it is paid
    assert heard == []


def test_the_kiosk_order_of_the_same_cart_is_announced_and_priced_for_its_channel(
    store, kiosk, heard, django_capture_on_commit_callbacks
):
    # the other kind of order, for contrast: the kiosk's channel, its service type and its signals
    americano = listed_product(store, "아메리카노", 4500)
    _discount(store, 500, "KIOSK")
    cart_id = _cart(kiosk, (americano, 1, ""))
    with django_capture_on_commit_callbacks(execute=True):
        order, _created = services.order_place(cart_id, device=kiosk)
    assert (order.channel, order.service_type, order.device_id, order.discount_amount) == (
        "KIOSK",
        ServiceType.TAKEOUT,
        kiosk.pk,
        500,
    )
    assert heard == [order.pk, order.pk]


def _refusal(table, cart_id) -> tuple[int, str, str]:
    with pytest.raises(DomainError) as err:
        tabs.tab_prepaid_order_place(table, cart_id)
    return err.value.status, err.value.code, err.value.message


def test_refusals_keep_their_codes_and_messages(store, kiosk):
    stew = listed_product(store, "김치찌개", 9000, track_stock=True, stock=10)
    table = make_table(store, "3")
    # another store's cart is no cart of this table
    other = DeviceFactory(store=StoreFactory(), kind="KIOSK")
    foreign = cart_services.cart_create(store=other.store, device=other)
    assert _refusal(table, foreign.id) == (404, "CART_NOT_FOUND", "장바구니를 찾을 수 없습니다.")
    assert _refusal(table, "no-such-cart") == (404, "CART_NOT_FOUND", "장바구니를 찾을 수 없습니다.")
    # an empty basket is refused by the round's parser
    empty = cart_services.cart_create(store=store, device=kiosk)
    assert _refusal(table, empty.id) == (422, "INVALID_ITEMS", "주문할 상품을 하나 이상 고르세요.")
    # stock read fresh: a listing counted down to 0 behind the menu cache is sold out
    cart_id = _cart(kiosk, (stew, 1, ""))
    stock_set(stew.listing, 0)
    assert _refusal(table, cart_id)[:2] == (409, "SOLD_OUT")
    assert not Order.objects.exists()


def test_a_basket_in_checkout_with_no_order_waiting_is_refused(store, kiosk):
    # given a basket whose order ended while the basket stayed in checkout
    soju = listed_product(store, "소주", 5000)
    table = make_table(store, "3")
    cart_id = _cart(kiosk, (soju, 1, ""))
    order, _created = tabs.tab_prepaid_order_place(table, cart_id)
    services.order_cancel(order, reason="test", restore_cart=False)
    # when the phone places it again, then it is refused (the phone's page gives the basket back)
    assert _refusal(table, cart_id) == (409, "CART_NOT_ACTIVE", "이미 결제 중인 장바구니입니다.")


def test_the_same_basket_is_the_same_order_and_a_changed_one_a_new_number(store, kiosk):
    # given a pay-first order placed, and placed again at once
    soju = listed_product(store, "소주", 5000)
    table = make_table(store, "3")
    cart_id = _cart(kiosk, (soju, 1, ""))
    first, created = tabs.tab_prepaid_order_place(table, cart_id)
    again, created_again = tabs.tab_prepaid_order_place(table, cart_id)
    assert (again.pk, created, created_again) == (first.pk, True, False)
    # when its payment failed, the basket came back and changed, and it is placed again
    cart_services.cart_checkout_cancel(cart_id, expected_version=first.cart_version)
    cart_services.cart_line_add(cart_id, device=kiosk, product_id=soju.product.pk, qty=1)
    second, created = tabs.tab_prepaid_order_place(table, cart_id)
    # then the first is canceled and the new one takes the next number: a pay-first order never
    # takes a number back (its cart's canceled orders include paid ones landed on the tab)
    first.refresh_from_db()
    assert (first.status, created) == (OrderStatus.CANCELED, True)
    assert (second.order_number, second.total_amount) == (2, 10000)


def test_a_pay_first_placement_stays_within_its_queries(store, kiosk):
    stew = listed_product(store, "김치찌개", 9000, track_stock=True, stock=10)
    table = make_table(store, "3")
    tabs.tab_prepaid_order_place(table, _cart(kiosk, (stew, 1, "")))  # warm caches
    cart_id = _cart(kiosk, (stew, 1, ""))
    with CaptureQueriesContext(connection) as queries:
        order, _created = tabs.tab_prepaid_order_place(table, cart_id)
    assert order.order_number == 2
    assert len(queries) <= PAY_FIRST_PLACEMENT_QUERIES, [q["sql"] for q in queries.captured_queries]
