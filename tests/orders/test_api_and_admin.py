"""POST /api/orders/start-payment/{cartId} and the owner's read-only order admin."""

import json

import pytest

from apps.orders.models import Order
from tests.carts.factories import listed_product
from tests.factories import DeviceFactory, OwnerFactory, StoreFactory

pytestmark = pytest.mark.django_db


def call(client, device, method, url, body=None, raw=None):
    data = raw if raw is not None else (json.dumps(body) if body is not None else "")
    return getattr(client, method)(
        url, data=data, content_type="application/json", HTTP_AUTHORIZATION=f"Device {device.raw_token}"
    )


def new_cart(client, device, *items):
    cart_id = call(client, device, "post", "/api/carts").json()["cartId"]
    for menu, qty in items:
        response = call(
            client, device, "post", f"/api/carts/{cart_id}/items", {"productId": menu.product.pk, "qty": qty}
        )
        assert response.status_code == 201, response.content
    return cart_id


def test_start_payment_201_then_200(client, kiosk_device, americano):
    cart_id = new_cart(client, kiosk_device, (americano, 2))
    first = call(client, kiosk_device, "post", f"/api/orders/start-payment/{cart_id}")
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["status"] == "PENDING_PAYMENT" and body["orderNumber"] == 1
    assert (body["amount"], body["supply"], body["vat"]) == (9000, 8182, 818)
    assert Order.objects.get().public_id == body["orderId"]
    again = call(client, kiosk_device, "post", f"/api/orders/start-payment/{cart_id}")
    assert again.status_code == 200 and again.json()["orderId"] == body["orderId"]
    assert Order.objects.count() == 1
    cart = call(client, kiosk_device, "get", f"/api/carts/{cart_id}").json()
    assert cart["state"] == "CHECKOUT"


def test_start_payment_errors(client, store, pos_device, americano):
    def start(device, cart_id):
        return call(client, device, "post", f"/api/orders/start-payment/{cart_id}")

    assert start(pos_device, "nope").status_code == 404
    empty = new_cart(client, pos_device)
    response = start(pos_device, empty)
    assert response.status_code == 422 and response.json()["error"]["code"] == "CART_EMPTY"
    cart_id = new_cart(client, pos_device, (americano, 1))
    stranger = DeviceFactory(store=StoreFactory(), kind="POS")
    assert start(stranger, cart_id).status_code == 404
    assert client.post(f"/api/orders/start-payment/{cart_id}").status_code == 401
    assert call(client, pos_device, "get", f"/api/orders/start-payment/{cart_id}").status_code == 405
    # sold out since it went into the cart
    muffin = listed_product(store, "머핀", 3000, track_stock=True, stock=1)
    cart_id = new_cart(client, pos_device, (muffin, 1))
    muffin.listing.stock_quantity = 0
    muffin.listing.save()
    response = start(pos_device, cart_id)
    assert response.status_code == 409
    assert response.json()["error"]["code"] in ("OUT_OF_STOCK", "SOLD_OUT")
    # a canceled cart
    cart_id = new_cart(client, pos_device, (americano, 1))
    from apps.carts.services import cart_abandon

    cart_abandon(cart_id, device=pos_device)
    response = start(pos_device, cart_id)
    assert response.status_code == 409 and response.json()["error"]["code"] == "CART_NOT_ACTIVE"
    assert Order.objects.count() == 0


def test_admin_is_read_only_and_scoped(client, owner, pos_device, americano):
    cart_id = new_cart(client, pos_device, (americano, 1))
    call(client, pos_device, "post", f"/api/orders/start-payment/{cart_id}")
    order = Order.objects.get()
    # someone else's store and order
    stranger = OwnerFactory()
    their_store = StoreFactory(owner=stranger, name="남의 가게")
    their_device = DeviceFactory(store=their_store, kind="POS")
    their_menu = listed_product(their_store, "남의 커피", 1000)
    their_cart = new_cart(client, their_device, (their_menu, 1))
    call(client, their_device, "post", f"/api/orders/start-payment/{their_cart}")
    theirs = Order.objects.exclude(pk=order.pk).get()

    client.force_login(owner)
    listing = client.get("/admin/orders/order/")
    assert listing.status_code == 200
    assert order.store.name in listing.content.decode()
    assert "남의 가게" not in listing.content.decode()
    assert (
        client.get(f"/admin/orders/order/?status__exact=PENDING_PAYMENT&store__id__exact={order.store_id}").status_code
        == 200
    )
    detail = client.get(f"/admin/orders/order/{order.pk}/change/")
    assert detail.status_code == 200
    page = detail.content.decode()
    assert "아메리카노" in page  # the lines inline
    assert 'name="_save"' not in page  # no save button: view only
    assert client.get(f"/admin/orders/order/{theirs.pk}/change/").status_code == 404
    assert client.get("/admin/orders/order/add/").status_code == 403
    response = client.post(f"/admin/orders/order/{order.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert Order.objects.filter(pk=order.pk).exists()
