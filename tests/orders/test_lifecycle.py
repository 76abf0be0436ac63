"""The order lifecycle: every allowed and refused move, paid / refund / cancel / payment failed,
kitchen progress, and the signals sent on commit."""

import pytest
from django.db import transaction
from django.utils import translation

from apps.carts.selectors import cart_by_id
from apps.core.errors import DomainError
from apps.inventory.models import StockMovement, StoreProduct
from apps.orders import events, lifecycle, services
from apps.orders.lifecycle import KITCHEN_TRANSITIONS, STATUS_TRANSITIONS
from apps.orders.models import KitchenStatus, Order, OrderStatus
from tests.carts.factories import listed_product

pytestmark = pytest.mark.django_db

STATUSES = list(OrderStatus.values)
ALLOWED = [(a, b) for a in STATUSES for b in sorted(STATUS_TRANSITIONS[a])]
REFUSED = [(a, b) for a in STATUSES for b in STATUSES if b not in STATUS_TRANSITIONS[a]]
K_ALLOWED = [(a, b) for a in KitchenStatus.values for b in sorted(KITCHEN_TRANSITIONS[a])]
K_REFUSED = [(a, b) for a in KitchenStatus.values for b in KitchenStatus.values if b not in KITCHEN_TRANSITIONS[a]]


@pytest.fixture
def order(pos_device, americano, cart_with):
    placed, _ = services.order_place(cart_with(pos_device, (americano, 2)), device=pos_device)
    return placed


def force_status(order: Order, status: str) -> Order:
    Order.objects.filter(pk=order.pk).update(status=status)
    order.refresh_from_db()
    return order


def test_design_table():
    assert set(ALLOWED) >= {
        ("OPEN", "PENDING_PAYMENT"),
        ("PENDING_PAYMENT", "PAID"),
        ("PENDING_PAYMENT", "CANCELED"),
        ("PENDING_PAYMENT", "EXPIRED"),
        ("PAID", "PARTIALLY_REFUNDED"),
        ("PAID", "REFUNDED"),
        ("PARTIALLY_REFUNDED", "REFUNDED"),
    }
    assert (
        not STATUS_TRANSITIONS["REFUNDED"] and not STATUS_TRANSITIONS["CANCELED"] and not STATUS_TRANSITIONS["EXPIRED"]
    )


@pytest.mark.parametrize(("from_status", "to_status"), ALLOWED)
def test_allowed_moves(order, from_status, to_status):
    force_status(order, from_status)
    with transaction.atomic():
        lifecycle.move(order, to_status, note="test")
    order.refresh_from_db()
    assert order.status == to_status
    assert order.events.last().from_status == from_status


@pytest.mark.parametrize(("from_status", "to_status"), REFUSED)
def test_refused_moves(order, from_status, to_status):
    force_status(order, from_status)
    with pytest.raises(DomainError) as err, transaction.atomic():
        lifecycle.move(order, to_status)
    assert err.value.status == 409
    assert "(으)로" not in err.value.message
    order.refresh_from_db()
    assert order.status == from_status


@pytest.mark.parametrize(
    ("from_status", "to_status", "expected"),
    [
        ("CANCELED", "PAID", "주문 상태를 취소에서 결제 완료로 바꿀 수 없습니다."),  # a vowel takes 로
        ("REFUNDED", "PARTIALLY_REFUNDED", "주문 상태를 환불 완료에서 부분 환불로 바꿀 수 없습니다."),  # so does ㄹ
    ],
)
def test_refused_move_message_takes_the_particle_of_the_target_label(order, from_status, to_status, expected):
    # given an order in from_status
    force_status(order, from_status)
    # when it is moved to a status the table does not allow
    with translation.override("ko"), pytest.raises(DomainError) as err, transaction.atomic():
        lifecycle.move(order, to_status)
    # then the Korean message attaches the particle the target label takes
    assert err.value.message == expected


def test_refused_move_message_in_english_has_no_particle(order):
    # given a canceled order
    force_status(order, "CANCELED")
    # when it is moved to PAID while English is active
    with translation.override("en"):
        with pytest.raises(DomainError) as err, transaction.atomic():
            lifecycle.move(order, "PAID")
    # then the English message names both labels bare, the cancelled status as "Canceled" (not the
    # Cancel button's word, which shares its Korean 취소)
    assert err.value.message == "Can't change the order status from Canceled to Paid."


@pytest.mark.django_db(transaction=True)
def test_move_outside_a_transaction_is_a_bug(order):
    with pytest.raises(RuntimeError):
        lifecycle.move(order, "PAID")


@pytest.mark.parametrize(("from_status", "to_status"), K_ALLOWED)
def test_kitchen_allowed(order, from_status, to_status):
    force_status(order, "PAID")
    Order.objects.filter(pk=order.pk).update(kitchen_status=from_status)
    services.order_kitchen_advance(order, to_status)
    assert Order.objects.get(pk=order.pk).kitchen_status == to_status


@pytest.mark.parametrize(("from_status", "to_status"), [*K_REFUSED, ("NEW", "BOGUS")])
def test_kitchen_refused(order, from_status, to_status):
    force_status(order, "PAID")
    Order.objects.filter(pk=order.pk).update(kitchen_status=from_status)
    with pytest.raises(DomainError) as err:
        services.order_kitchen_advance(order, to_status)
    assert err.value.status == 409
    assert "(으)로" not in err.value.message


@pytest.mark.parametrize(
    ("from_status", "to_status", "expected"),
    [
        ("DONE", "PREPARING", "주방 상태를 전달 완료에서 준비 중으로 바꿀 수 없습니다."),  # ㅇ takes 으로
        ("NEW", "DONE", "주방 상태를 접수에서 전달 완료로 바꿀 수 없습니다."),  # a vowel takes 로
    ],
)
def test_kitchen_refused_message_takes_the_particle_of_the_target_label(order, from_status, to_status, expected):
    # given a paid order whose kitchen progress is from_status
    force_status(order, "PAID")
    Order.objects.filter(pk=order.pk).update(kitchen_status=from_status)
    # when the kitchen moves it to a status the table does not allow
    with translation.override("ko"), pytest.raises(DomainError) as err:
        services.order_kitchen_advance(order, to_status)
    # then the Korean message attaches the particle the target label takes
    assert (err.value.code, err.value.message) == ("KITCHEN_ILLEGAL_TRANSITION", expected)


def test_kitchen_ignores_unpaid_orders(order):
    with pytest.raises(DomainError):
        services.order_kitchen_advance(order, "PREPARING")


def test_mark_paid_clears_the_cart_on_commit(order, django_capture_on_commit_callbacks):
    received = []
    events.order_paid.connect(lambda sender, order, **kw: received.append(order.pk), weak=False, dispatch_uid="t")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.order_mark_paid(order)
    finally:
        events.order_paid.disconnect(dispatch_uid="t")
    assert order.status == "PAID" and order.paid_at is not None
    assert received == [order.pk]
    cart = cart_by_id(order.cart_id)
    assert (cart.state, cart.lines) == ("PAID", [])
    # a second report of the same payment is a no-op
    services.order_mark_paid(order)
    assert order.events.filter(to_status="PAID").count() == 1


@pytest.mark.parametrize("status", ["EXPIRED", "CANCELED", "REFUNDED", "OPEN"])
def test_mark_paid_refuses_ended_orders(order, status):
    force_status(order, status)
    with translation.override("ko"), pytest.raises(DomainError) as err:
        services.order_mark_paid(order)
    assert (err.value.status, err.value.code) == (409, "ORDER_NOT_PAYABLE")
    with translation.override("ko"):
        assert err.value.message == f"주문 상태를 {OrderStatus(status).label}에서 결제 완료로 바꿀 수 없습니다."


def test_cancel_releases_stock_and_returns_the_cart(store, pos_device, cart_with, django_capture_on_commit_callbacks):
    muffin = listed_product(store, "머핀", 3000, track_stock=True, stock=4)
    order, _ = services.order_place(cart_with(pos_device, (muffin, 3)), device=pos_device)
    assert StoreProduct.objects.get(pk=muffin.listing.pk).stock_quantity == 1
    canceled = []
    events.order_canceled.connect(
        lambda sender, order, **kw: canceled.append(order.status), weak=False, dispatch_uid="c"
    )
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.order_cancel(order, reason="손님 변심")
    finally:
        events.order_canceled.disconnect(dispatch_uid="c")
    assert order.status == "CANCELED" and order.canceled_at is not None
    assert StoreProduct.objects.get(pk=muffin.listing.pk).stock_quantity == 4
    assert canceled == ["CANCELED"]
    cart = cart_by_id(order.cart_id)
    assert cart.state == "ACTIVE" and cart.lines[0]["qty"] == 3
    with pytest.raises(DomainError) as err:
        services.order_cancel(order)
    assert err.value.status == 409
    assert StockMovement.objects.filter(reason="CANCEL").count() == 1


def test_cancel_refuses_a_paid_order(order):
    services.order_mark_paid(order)
    with pytest.raises(DomainError) as err:
        services.order_cancel(order)
    assert err.value.status == 409


def test_refunds(store, pos_device, cart_with):
    muffin = listed_product(store, "머핀", 3000, track_stock=True, stock=10)
    order, _ = services.order_place(cart_with(pos_device, (muffin, 4)), device=pos_device)
    line = order.lines.get()
    # refunds need a paid order
    with pytest.raises(DomainError):
        services.order_record_refund(order, amount=1000, line_quantities=None, restock=False)
    services.order_mark_paid(order)
    # partial, with one muffin back on the shelf
    services.order_record_refund(order, amount=3000, line_quantities={line.pk: 1}, restock=True)
    assert (order.status, order.refunded_amount) == ("PARTIALLY_REFUNDED", 3000)
    assert StoreProduct.objects.get(pk=muffin.listing.pk).stock_quantity == 7
    # more than what is left, a bad line, too many units: all 422 and nothing changes
    for kwargs in (
        {"amount": 9001, "line_quantities": None},
        {"amount": 100, "line_quantities": {999999: 1}},
        {"amount": 100, "line_quantities": {line.pk: 4}},
        {"amount": -1, "line_quantities": None},
    ):
        with pytest.raises(DomainError) as err:
            services.order_record_refund(order, restock=False, **kwargs)
        assert err.value.status == 422
    # the rest, without restock
    services.order_record_refund(order, amount=9000, line_quantities={line.pk: 3}, restock=False)
    order.refresh_from_db()
    line.refresh_from_db()
    assert (order.status, order.refunded_amount, line.refunded_quantity) == ("REFUNDED", 12000, 4)
    assert StoreProduct.objects.get(pk=muffin.listing.pk).stock_quantity == 7
    with pytest.raises(DomainError) as err:
        services.order_record_refund(order, amount=1, line_quantities=None, restock=False)
    assert err.value.status == 409


def test_full_refund_releases_the_coupon(store, pos_device, americano, cart_with):
    from apps.carts import services as cart_services
    from apps.discounts.models import Coupon
    from apps.discounts.services import coupon_create, discount_create

    discount = discount_create(store, name="쿠폰", kind="AMOUNT", value=500, coupon_only=True)
    coupon = coupon_create(store, code="HELLO", discount=discount, usage_limit=1)
    cart_id = cart_with(pos_device, (americano, 1))
    cart_services.cart_update_meta(cart_id, device=pos_device, coupon_code="HELLO")
    order, _ = services.order_place(cart_id, device=pos_device)
    services.order_mark_paid(order)
    assert Coupon.objects.get(pk=coupon.pk).used_count == 1
    services.order_record_refund(order, amount=order.total_amount, line_quantities=None, restock=False)
    assert Coupon.objects.get(pk=coupon.pk).used_count == 0


def test_payment_failed_gives_the_cart_back(order, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.order_payment_failed(order)
    order.refresh_from_db()
    cart = cart_by_id(order.cart_id)
    assert order.status == "PENDING_PAYMENT"
    assert cart.state == "ACTIVE" and cart.lines[0]["qty"] == 2
