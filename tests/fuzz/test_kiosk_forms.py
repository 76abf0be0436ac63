"""Fuzz every kiosk form post (and every kiosk GET that reads query or path parameters) with hostile
input on a paired kiosk whose customer has started an order: never a 5xx, and a refused request
writes no order or payment.

Each endpoint gets 200 generated requests; after a request that did something (any answer below
400) `prepare` gives the kiosk an active cart with a line again (a request that paid, reset or
emptied it would otherwise leave the rest with nothing to act on).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apps.carts import selectors as cart_selectors
from apps.carts import services as cart_services
from apps.orders import services as order_services
from apps.orders.models import Order
from apps.stores import staff_calls
from tests.fuzz.form_posts import FUZZ, assert_nothing_half_written, check, form_requests, path_values, query_requests
from tests.kiosk.conftest import americano, category, kiosk, kiosk_methods, latte, started  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

CART_KEY = "kiosk_cart_id"


@dataclass
class Kiosk:
    client: object
    device: object
    store: object
    americano: object
    latte: object
    methods: dict
    order: Order
    # (path parameters, valid example) of the endpoint under fuzz; None after a request that did something
    memo: tuple | None = None

    def cart(self):
        cart_id = self.client.session.get(CART_KEY)
        cart = cart_selectors.cart_by_id(cart_id) if cart_id else None
        if cart is None or cart.device_id != self.device.pk or not cart.is_active:
            cart = cart_services.cart_create(store=self.store, device=self.device, channel="KIOSK")
            cart_services.cart_update_meta(cart.id, device=self.device, service_type="TAKEOUT")
            session = self.client.session
            session[CART_KEY] = cart.id
            session.save()
        return cart

    def cart_with_line(self):
        cart = self.cart()
        if not cart.lines or len(cart.lines) > 30:
            cart = cart_services.cart_clear(cart.id, device=self.device)
            cart = cart_services.cart_line_add(cart.id, device=self.device, product_id=self.americano.product.pk)
        return cart

    def line_id(self) -> str:
        return self.cart_with_line().lines[0]["lineId"]

    def latte_example(self) -> dict:
        options = self.latte.options
        return {"qty": "2", "option": [str(options["L"].pk), str(options["샷"].pk)]}


@pytest.fixture
def world(started, kiosk_device, store, americano, latte, kiosk_methods):  # noqa: F811
    cart = cart_services.cart_create(store=store, device=kiosk_device, channel="KIOSK")
    cart_services.cart_line_add(cart.id, device=kiosk_device, product_id=americano.product.pk)
    order, _ = order_services.order_place(cart.id, device=kiosk_device)
    staff_calls.staff_call_create(store, kiosk_device)
    return Kiosk(
        client=started,
        device=kiosk_device,
        store=store,
        americano=americano,
        latte=latte,
        methods=kiosk_methods,
        order=order,
    )


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: str  # "{}" placeholders take the path parameters, in order
    valid: Callable[[Kiosk], dict]
    path_params: Callable[[Kiosk], tuple[str, ...]] = lambda k: ()
    prepare: Callable[[Kiosk], object] = Kiosk.cart_with_line


def _order_id(k: Kiosk) -> tuple[str, ...]:
    return (k.order.public_id,)


POSTS = [
    Endpoint("start", "POST", "/kiosk/start/", lambda k: {"service_type": "TAKEOUT"}),
    Endpoint("reset", "POST", "/kiosk/reset/", lambda k: {}),
    Endpoint(
        "product_add",
        "POST",
        "/kiosk/products/{}/",
        Kiosk.latte_example,
        path_params=lambda k: (str(k.latte.product.pk),),
    ),
    Endpoint(
        "cart_line",
        "POST",
        "/kiosk/cart/lines/{}/",
        lambda k: {"action": "set", "qty": "3"},
        path_params=lambda k: (k.line_id(),),
    ),
    Endpoint("pay", "POST", "/kiosk/pay/", lambda k: {"method": str(k.methods["counter"].pk)}),
    Endpoint("mode", "POST", "/kiosk/mode/", lambda k: {"mode": "large", "next": "/kiosk/menu/"}),
    Endpoint("staff_call", "POST", "/kiosk/staff-call/", lambda k: {"next": "/kiosk/menu/"}),
    Endpoint("cart_remove_unavailable", "POST", "/kiosk/cart/remove-unavailable/", lambda k: {}),
    Endpoint("order_failed_post", "POST", "/kiosk/orders/{}/failed/", lambda k: {}, path_params=_order_id),
]

GETS = [
    Endpoint("menu", "GET", "/kiosk/menu/", lambda k: {"category": "recommended"}),
    Endpoint("menu_version", "GET", "/kiosk/menu/version", lambda k: {"v": "1"}),
    Endpoint("staff_call_status", "GET", "/kiosk/staff-call/status", lambda k: {}),
    Endpoint("product", "GET", "/kiosk/products/{}/", lambda k: {}, path_params=lambda k: (str(k.latte.product.pk),)),
    Endpoint("order_processing", "GET", "/kiosk/orders/{}/processing/", lambda k: {}, path_params=_order_id),
    Endpoint("order_status", "GET", "/kiosk/orders/{}/status", lambda k: {}, path_params=_order_id),
    Endpoint("order_failed", "GET", "/kiosk/orders/{}/failed/", lambda k: {}, path_params=_order_id),
    Endpoint("order_done", "GET", "/kiosk/orders/{}/", lambda k: {}, path_params=_order_id),
    Endpoint(
        "receipt",
        "GET",
        "/kiosk/receipt/{}/{}/",
        lambda k: {},
        path_params=lambda k: (str(k.store.pk), k.order.public_id),
    ),
]


def _run(world: Kiosk, endpoint: Endpoint, data: st.DataObject) -> None:
    if world.memo is None:
        endpoint.prepare(world)
        world.memo = (endpoint.path_params(world), endpoint.valid(world))
    params, valid = world.memo
    path = endpoint.path.format(*[data.draw(path_values(value), label="path") for value in params])
    strategy = query_requests(valid) if endpoint.method == "GET" else form_requests(valid)
    request = data.draw(strategy, label="request")
    response = check(world.client, endpoint.method, path, request, endpoint=f"kiosk:{endpoint.name}")
    if response.status_code < 400:
        world.memo = None


@pytest.mark.parametrize("endpoint", POSTS + GETS, ids=lambda e: e.name)
def test_kiosk_endpoint_never_answers_5xx_and_refused_requests_write_nothing(world, endpoint):
    @FUZZ
    @given(data=st.data())
    def fuzz(data):
        _run(world, endpoint, data)

    fuzz()
    assert_nothing_half_written()
