"""order_place: the snapshot, one order per cart version, replacing a changed cart's order."""

import pytest

from apps.carts import services as cart_services
from apps.carts.selectors import cart_by_id
from apps.core.errors import DomainError
from apps.discounts.services import coupon_create, discount_create
from apps.inventory.models import StockMovement, StoreProduct
from apps.orders import services
from apps.orders.models import Order, OrderStatus
from tests.carts.factories import listed_product

pytestmark = pytest.mark.django_db


def stock_of(menu) -> int:
    return StoreProduct.objects.get(pk=menu.listing.pk).stock_quantity


def test_place_writes_a_full_snapshot(store, pos_device, latte, cart_with, cashier):
    # given a 10% order discount, a taxable latte with options and a tax-free tea
    discount_create(store, name="오픈 기념 10%", kind="PERCENT", value=10)
    tea = listed_product(store, "허브티", 3300, tax_type="TAX_FREE")
    o = latte.options
    cart_id = cart_with(pos_device, (tea, 1))
    cart_services.cart_line_add(
        cart_id,
        device=pos_device,
        product_id=latte.product.pk,
        qty=2,
        option_ids=[o["L"].pk, o["샷"].pk],
        note="뜨겁게",
    )
    # when the order is placed
    order, created = services.order_place(cart_id, device=pos_device, member=cashier)
    # then it is a pending order numbered 1 of today's business day, priced from the database
    assert created is True
    assert (order.status, order.order_number, order.staff, order.channel) == ("PENDING_PAYMENT", 1, cashier, "POS")
    assert order.gross_amount == 3300 + 2 * 6000
    assert order.discount_amount == 1530
    assert order.total_amount == 15300 - 1530
    assert order.taxable_amount + order.tax_free_amount == order.total_amount
    assert order.supply_amount + order.vat_amount == order.taxable_amount
    assert 6 <= len(order.public_id) <= 64
    lines = list(order.lines.order_by("name"))
    latte_line = next(line for line in lines if line.name == "카페라떼")
    assert latte_line.unit_price == 6000 and latte_line.quantity == 2 and latte_line.note == "뜨겁게"
    assert latte_line.options == [
        {"id": o["L"].pk, "name": "L", "price": 500},
        {"id": o["샷"].pk, "name": "샷", "price": 500},
    ]
    # each line carries its share of the order-level discount, and the shares add up
    assert latte_line.discounts[0]["name"] == "오픈 기념 10%" and latte_line.discounts[0]["source"] == "AUTO"
    assert sum(line.discount_amount for line in lines) == order.discount_amount
    assert sum(line.net_amount for line in lines) == order.total_amount
    assert {line.tax_type for line in lines} == {"TAXABLE", "TAX_FREE"}
    assert order.order_discounts[0]["amount"] == 1530
    assert list(order.events.values_list("to_status", flat=True)) == ["PENDING_PAYMENT"]
    # and the cart moved to CHECKOUT at the version the order remembers
    cart = cart_by_id(cart_id)
    assert (cart.state, cart.version) == ("CHECKOUT", order.cart_version)


def test_catalog_changes_do_not_touch_the_order(pos_device, americano, cart_with):
    order, _ = services.order_place(cart_with(pos_device, (americano, 1)), device=pos_device)
    americano.product.name = "새 이름"
    americano.product.base_price = 9999
    americano.product.save()
    line = order.lines.get()
    assert (line.name, line.unit_price) == ("아메리카노", 4500)


def test_same_cart_again_is_the_same_order(pos_device, americano, cart_with):
    cart_id = cart_with(pos_device, (americano, 1))
    first, created = services.order_place(cart_id, device=pos_device)
    again, created_again = services.order_place(cart_id, device=pos_device)
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert Order.objects.count() == 1


def test_changed_cart_replaces_its_pending_order(store, pos_device, cart_with, django_capture_on_commit_callbacks):
    # given a placed order whose payment failed (cart back to ACTIVE) and a tracked product
    muffin = listed_product(store, "머핀", 3000, track_stock=True, stock=5)
    cart_id = cart_with(pos_device, (muffin, 2))
    first, _ = services.order_place(cart_id, device=pos_device)
    assert stock_of(muffin) == 3
    with django_capture_on_commit_callbacks(execute=True):
        services.order_payment_failed(first)
    assert cart_by_id(cart_id).state == "ACTIVE"
    first.refresh_from_db()
    assert first.status == "PENDING_PAYMENT"
    # when the customer changes the cart and starts payment again
    cart_services.cart_line_add(cart_id, device=pos_device, product_id=muffin.product.pk, qty=1)
    second, created = services.order_place(cart_id, device=pos_device)
    # then the old order is canceled with its stock back, and a new one holds the new quantity
    first.refresh_from_db()
    assert created and second.pk != first.pk
    assert first.status == "CANCELED"
    assert second.lines.get().quantity == 3
    assert stock_of(muffin) == 2
    # the changed order takes the replaced one's number back: changing an order uses up none
    assert second.order_number == first.order_number == 1


def test_a_lost_cart_move_loses_nothing(monkeypatch, store, pos_device, cart_with):
    """The process dies after the commit, before the Redis move: the next call finds the order."""
    muffin = listed_product(store, "머핀", 3000, track_stock=True, stock=5)
    cart_id = cart_with(pos_device, (muffin, 1))
    real_checkout = cart_services.cart_checkout

    def crash(*args, **kwargs):
        raise RuntimeError("worker killed")

    monkeypatch.setattr(cart_services, "cart_checkout", crash)
    with pytest.raises(RuntimeError):
        services.order_place(cart_id, device=pos_device)
    assert cart_by_id(cart_id).state == "ACTIVE"
    assert Order.objects.get().status == "PENDING_PAYMENT"
    monkeypatch.setattr(cart_services, "cart_checkout", real_checkout)
    order, created = services.order_place(cart_id, device=pos_device)
    assert created is False and Order.objects.count() == 1
    assert cart_by_id(cart_id).state == "CHECKOUT"
    assert stock_of(muffin) == 4


def test_cart_changed_during_placement_cancels_the_new_order(monkeypatch, store, pos_device, americano, cart_with):
    muffin = listed_product(store, "머핀", 3000, track_stock=True, stock=5)
    cart_id = cart_with(pos_device, (muffin, 1))
    real_checkout = cart_services.cart_checkout

    def add_first(cart_id_, *, expected_version, **kwargs):
        # another tab adds a line between our commit and our cart move (made from the cart as the
        # placement read it under its lock)
        cart_services.cart_line_add(cart_id_, device=pos_device, product_id=americano.product.pk)
        return real_checkout(cart_id_, expected_version=expected_version, **kwargs)

    monkeypatch.setattr(cart_services, "cart_checkout", add_first)
    with pytest.raises(DomainError) as err:
        services.order_place(cart_id, device=pos_device)
    assert (err.value.status, err.value.code) == (409, "CART_CHANGED")
    assert Order.objects.get().status == "CANCELED"
    assert stock_of(muffin) == 5
    assert cart_by_id(cart_id).state == "ACTIVE"


def test_refusals(store, pos_device, other_pos_device, americano, cart_with):
    empty = cart_services.cart_create(store=store, device=pos_device)
    with pytest.raises(DomainError) as err:
        services.order_place(empty.id, device=pos_device)
    assert (err.value.status, err.value.code) == (422, "CART_EMPTY")
    cart_id = cart_with(pos_device, (americano, 1))
    with pytest.raises(DomainError) as err:
        services.order_place(cart_id, device=other_pos_device)
    assert err.value.status == 404
    americano.listing.is_sold_out = True
    americano.listing.save()
    with pytest.raises(DomainError) as err:
        services.order_place(cart_id, device=pos_device)
    assert (err.value.status, err.value.code) == (409, "SOLD_OUT")
    assert Order.objects.count() == 0


def test_out_of_stock_writes_nothing(store, pos_device, cart_with):
    muffin = listed_product(store, "머핀", 3000, track_stock=True, stock=3)
    cart_id = cart_with(pos_device, (muffin, 3))
    muffin.listing.stock_quantity = 2
    muffin.listing.save()
    with pytest.raises(DomainError) as err:
        services.order_place(cart_id, device=pos_device)
    assert (err.value.status, err.value.code) == (409, "OUT_OF_STOCK")
    assert err.value.details["products"][0]["available"] == 2
    assert Order.objects.count() == 0 and not StockMovement.objects.exists()
    assert cart_by_id(cart_id).state == "ACTIVE"
    # and the failed attempt did not burn an order number
    cart_services.cart_line_update(cart_id, cart_by_id(cart_id).lines[0]["lineId"], device=pos_device, qty=2)
    order, _ = services.order_place(cart_id, device=pos_device)
    assert order.order_number == 1


def test_coupon_is_kept_and_redeemed_on_payment(store, pos_device, americano, cart_with):
    discount = discount_create(store, name="천원 쿠폰", kind="AMOUNT", value=1000, coupon_only=True)
    coupon = coupon_create(store, code="WELCOME", discount=discount, usage_limit=5)
    cart_id = cart_with(pos_device, (americano, 1))
    cart_services.cart_update_meta(cart_id, device=pos_device, coupon_code="WELCOME")
    order, _ = services.order_place(cart_id, device=pos_device)
    assert order.coupon_id == coupon.pk and order.total_amount == 3500
    services.order_mark_paid(order)
    coupon.refresh_from_db()
    assert coupon.used_count == 1
    assert order.status == OrderStatus.PAID
