"""A cart sent back to be changed keeps its order number (issue 19, item 12: "주문 수정" used up
numbers), and the per-day uniqueness of numbers holds for every order that is not canceled."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError, transaction

from apps.carts import services as cart_services
from apps.orders import services
from apps.orders.models import Order, OrderNumberCounter

pytestmark = pytest.mark.django_db

MONDAY_NOON = datetime(2026, 11, 30, 12, 0, tzinfo=ZoneInfo("Asia/Seoul"))


@pytest.fixture(autouse=True)
def _monday():
    with time_machine.travel(MONDAY_NOON, tick=False):
        yield


def test_an_order_sent_back_to_be_changed_keeps_its_number(
    pos_device, americano, cart_with, django_capture_on_commit_callbacks
):
    # given #1 placed and sent back to the cart ("주문 수정")
    cart_id = cart_with(pos_device, (americano, 1))
    first, _ = services.order_place(cart_id, device=pos_device)
    with django_capture_on_commit_callbacks(execute=True):
        services.order_cancel(first, reason="POS에서 취소")
    # when the cart is changed and placed again
    cart = cart_services.cart_get(cart_id, device=pos_device)
    cart_services.cart_line_update(cart.id, cart.lines[0]["lineId"], device=pos_device, qty=2)
    changed, created = services.order_place(cart_id, device=pos_device)
    # then the changed order is #1 again, and the next sale is #2
    assert created and changed.pk != first.pk
    assert (changed.order_number, changed.total_amount) == (1, 9000)
    first.refresh_from_db()
    assert (first.status, first.order_number) == ("CANCELED", 1)
    assert OrderNumberCounter.objects.get(store=pos_device.store).last_number == 1
    other, _ = services.order_place(cart_with(pos_device, (americano, 1)), device=pos_device)
    assert other.order_number == 2


def test_an_order_replaced_after_a_failed_payment_keeps_its_number(
    pos_device, americano, cart_with, django_capture_on_commit_callbacks
):
    cart_id = cart_with(pos_device, (americano, 1))
    first, _ = services.order_place(cart_id, device=pos_device)
    with django_capture_on_commit_callbacks(execute=True):
        services.order_payment_failed(first)  # the cart comes back, the order still waits
    cart = cart_services.cart_get(cart_id, device=pos_device)
    cart_services.cart_line_update(cart.id, cart.lines[0]["lineId"], device=pos_device, qty=3)
    replaced, _ = services.order_place(cart_id, device=pos_device)
    first.refresh_from_db()
    assert first.status == "CANCELED" and replaced.order_number == first.order_number == 1


def test_a_number_a_live_order_holds_is_never_taken_back(
    pos_device, americano, cart_with, django_capture_on_commit_callbacks
):
    cart_id = cart_with(pos_device, (americano, 1))
    first, _ = services.order_place(cart_id, device=pos_device)
    with django_capture_on_commit_callbacks(execute=True):
        services.order_cancel(first)
    # someone (a repair by hand) gave #1 to another live order meanwhile
    other, _ = services.order_place(cart_with(pos_device, (americano, 1)), device=pos_device)
    Order.objects.filter(pk=other.pk).update(order_number=1)
    again, _ = services.order_place(cart_id, device=pos_device)
    assert again.order_number == 3


def test_the_database_keeps_live_numbers_unique_and_lets_a_canceled_one_share(pos_device, americano, cart_with):
    a, _ = services.order_place(cart_with(pos_device, (americano, 1)), device=pos_device)
    b, _ = services.order_place(cart_with(pos_device, (americano, 1)), device=pos_device)
    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.filter(pk=b.pk).update(order_number=a.order_number)
    services.order_cancel(b)
    Order.objects.filter(pk=b.pk).update(order_number=a.order_number)  # a canceled order may share
    assert Order.objects.filter(order_number=a.order_number).count() == 2
