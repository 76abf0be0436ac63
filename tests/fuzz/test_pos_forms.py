"""Fuzz every POS form post (and every POS GET that reads query or path parameters) with hostile
input on a paired POS with a PIN-logged-in cashier and an open drawer: never a 5xx, and a refused
request writes no order, payment, refund, shift or cash movement.

Each endpoint gets 200 generated requests. After a request that did something (any answer below
400), `prepare` puts back what the endpoint needs (a line in the cart, an unpaid order, a paid
order, a held sale, a staff call, an open or closed drawer), so valid-looking requests that succeed
do not starve the later ones; after a refused one the same objects serve again, which keeps the
run short.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from hypothesis import given
from hypothesis import strategies as st

from apps.carts import services as cart_services
from apps.core.errors import NotFound
from apps.orders import services as order_services
from apps.orders.models import Order, OrderStatus
from apps.payments import services as payment_services
from apps.payments import shifts as shift_services
from apps.pos import state
from apps.stores import staff_calls
from tests.fuzz.form_posts import FUZZ, assert_nothing_half_written, check, form_requests, path_values, query_requests
from tests.pos.conftest import menu, methods, pos_client, shift  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


@dataclass
class Pos:
    """The POS under fuzz and the objects its endpoints act on, rebuilt on demand."""

    client: object
    device: object
    store: object
    cashier: object
    manager: object
    kiosk: object
    menu: dict
    methods: dict
    _pending: Order | None = None
    _paid: Order | None = None
    # (path parameter, valid example) of the endpoint under fuzz; None after a request that did something
    memo: tuple | None = None

    @property
    def cart_key(self) -> str:
        return f"pos_cart:{self.device.pk}"

    def cart(self):
        cart_id = self.client.session.get(self.cart_key)
        if cart_id:
            try:
                cart = cart_services.cart_get(cart_id, device=self.device)
            except NotFound:
                cart = None
            if cart is not None and cart.is_active:
                return cart
        cart = cart_services.cart_create(store=self.store, device=self.device, channel="POS")
        session = self.client.session
        session[self.cart_key] = cart.id
        session.save()
        return cart

    def cart_with_line(self):
        cart = self.cart()
        if not cart.lines or len(cart.lines) > 30:
            cart = cart_services.cart_clear(cart.id, device=self.device)
            cart = cart_services.cart_line_add(cart.id, device=self.device, product_id=self.menu["cookie"].pk)
        return cart

    def line_id(self) -> str:
        return self.cart_with_line().lines[0]["lineId"]

    def _placed(self) -> Order:
        cart = cart_services.cart_create(store=self.store, device=self.device, channel="POS")
        cart_services.cart_line_add(cart.id, device=self.device, product_id=self.menu["cookie"].pk, qty=2)
        order, _ = order_services.order_place(cart.id, device=self.device, member=self.cashier)
        return order

    def pending(self) -> Order:
        if self._pending is not None:
            self._pending.refresh_from_db()
        if self._pending is None or self._pending.status != OrderStatus.PENDING_PAYMENT:
            self._pending = self._placed()
        return self._pending

    def paid(self) -> Order:
        if self._paid is not None:
            self._paid.refresh_from_db()
        if self._paid is None or self._paid.status not in (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED):
            order = self._placed()
            payment_services.payment_create(
                order,
                self.methods["cash"],
                amount=order.total_amount,
                tendered=order.total_amount,
                member=self.cashier,
                device=self.device,
            )
            order.refresh_from_db()
            self._paid = order
        return self._paid

    def held_cart_id(self) -> str:
        held = state.held_list(self.device)
        if held:
            return held[0].cart_id
        cart = cart_services.cart_create(store=self.store, device=self.device, channel="POS")
        cart_services.cart_line_add(cart.id, device=self.device, product_id=self.menu["cookie"].pk)
        state.held_add(self.device, state.HeldSale(cart.id, "보류", 2200, 1, 0.0, "이캐셔"))
        return cart.id

    def with_manual_discount(self) -> None:
        cart = self.cart_with_line()
        if not cart.meta.get("manual_discounts"):
            entry = {"kind": "PERCENT", "value": 5, "reason": "단골", "line_key": None}
            cart_services.cart_update_meta(cart.id, device=self.device, manual_discounts=[entry])

    def open_shift(self):
        current = shift_services.shift_current(self.store, self.device)
        return current or shift_services.shift_open(
            store=self.store, device=self.device, member=self.cashier, opening_float=100_000
        )

    def no_shift(self) -> None:
        current = shift_services.shift_current(self.store, self.device)
        if current is not None:
            shift_services.shift_close(current, counted_cash=100_000, member=self.cashier)

    def staff_call_id(self) -> str:
        pending = staff_calls.staff_calls_pending(self.store)
        if pending:
            return pending[0]["id"]
        return staff_calls.staff_call_create(self.store, self.kiosk)["id"]

    def unthrottle(self) -> None:
        # A PIN field is throttled per device: without this every request after the fifth is a 429.
        cache.delete_many([f"ratelimit:pin:device:{self.device.pk}", f"ratelimit:pin:manager:{self.device.pk}"])


@pytest.fixture
def pos(pos_client, pos_device, store, cashier, manager, kiosk_device, menu, methods, shift):  # noqa: F811
    return Pos(
        client=pos_client,
        device=pos_device,
        store=store,
        cashier=cashier,
        manager=manager,
        kiosk=kiosk_device,
        menu=menu,
        methods=methods,
    )


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: str  # may hold one "{}" for the path parameter
    valid: Callable[[Pos], dict]
    path_param: Callable[[Pos], str] | None = None
    prepare: Callable[[Pos], object] = lambda pos: None
    every_time: Callable[[Pos], object] = lambda pos: None


def _refund_example(pos: Pos) -> dict:
    order = pos.paid()
    line = order.lines.first()
    return {"reason": "고객 변심", "mode": "lines", f"qty_{line.pk}": "1", "manager_pin": "9999", "restock": "1"}


def _pay_example(pos: Pos) -> dict:
    return {
        "form_key": state.form_key_issue(pos.device),
        "method_id": str(pos.methods["cash"].pk),
        "amount": str(pos.pending().total_amount),
        "tendered": "50,000",
        "quick_tendered": "",
        "approval_number": "30001234",
        "card_company": "신한",
    }


def _cash_payment_without_receipt(pos: Pos) -> str:
    """A paid cash sale whose cash receipt is still to be asked (a new one once it has a receipt)."""
    payment = pos.paid().payments.get()
    if payment.cash_receipts.filter(status__in=["REQUESTED", "ISSUED", "UNKNOWN"]).exists():
        pos._paid = None
        payment = pos.paid().payments.get()
    return payment.public_id


POSTS = [
    Endpoint("login", "POST", "/pos/login/", lambda p: {"pin": "1234"}, every_time=Pos.unthrottle),
    Endpoint("logout", "POST", "/pos/logout/", lambda p: {}),
    Endpoint("switch", "POST", "/pos/switch/", lambda p: {"pin": "9999"}, every_time=Pos.unthrottle),
    Endpoint(
        "cart_add",
        "POST",
        "/pos/cart/add/",
        lambda p: {
            "product_id": str(p.menu["coffee"].pk),
            "qty": "2",
            "option": [str(p.menu["regular"].pk), str(p.menu["shot1"].pk)],
            "note": "덜 뜨겁게",
        },
        prepare=Pos.cart_with_line,
    ),
    Endpoint("cart_barcode", "POST", "/pos/cart/barcode/", lambda p: {"code": "8801234567890"}),
    Endpoint(
        "cart_line_qty",
        "POST",
        "/pos/cart/lines/{}/qty/",
        lambda p: {"delta": "1", "qty": "2"},
        path_param=Pos.line_id,
    ),
    Endpoint("cart_line_note", "POST", "/pos/cart/lines/{}/note/", lambda p: {"note": "얼음 적게"}, Pos.line_id),
    Endpoint("cart_line_remove", "POST", "/pos/cart/lines/{}/remove/", lambda p: {}, Pos.line_id),
    Endpoint("cart_clear", "POST", "/pos/cart/clear/", lambda p: {}, prepare=Pos.cart_with_line),
    Endpoint("cart_coupon", "POST", "/pos/cart/coupon/", lambda p: {"code": "WELCOME10"}),
    Endpoint(
        "cart_discount",
        "POST",
        "/pos/cart/discount/add/",
        lambda p: {"kind": "PERCENT", "value": "30", "reason": "단골", "line_id": p.line_id(), "manager_pin": "9999"},
        every_time=Pos.unthrottle,
    ),
    Endpoint(
        "cart_discount_remove",
        "POST",
        "/pos/cart/discount/remove/",
        lambda p: {"index": "0"},
        prepare=Pos.with_manual_discount,
    ),
    Endpoint("cart_hold", "POST", "/pos/cart/hold/", lambda p: {"label": "창가 손님"}, prepare=Pos.cart_with_line),
    Endpoint("held_recall", "POST", "/pos/held/{}/recall/", lambda p: {}, path_param=Pos.held_cart_id),
    Endpoint(
        "checkout",
        "POST",
        "/pos/checkout/",
        lambda p: {"cart_version": str(p.cart_with_line().version)},
        prepare=Pos.cart_with_line,
    ),
    Endpoint("pay_submit", "POST", "/pos/pay/{}/submit/", _pay_example, path_param=lambda p: p.pending().public_id),
    Endpoint("order_cancel", "POST", "/pos/pay/{}/cancel/", lambda p: {}, path_param=lambda p: p.pending().public_id),
    Endpoint("new_sale", "POST", "/pos/new-sale/", lambda p: {}),
    Endpoint(
        "order_refund",
        "POST",
        "/pos/orders/{}/refund/",
        _refund_example,
        path_param=lambda p: p.paid().public_id,
        every_time=Pos.unthrottle,
    ),
    Endpoint(
        "shift_open",
        "POST",
        "/pos/shift/open/",
        lambda p: {"opening_float": "100,000", "d10000": "3", "d1000": "20"},
        prepare=Pos.no_shift,
    ),
    Endpoint(
        "cash_move",
        "POST",
        "/pos/shift/cash/",
        lambda p: {"kind": "IN", "amount": "5000", "reason": "잔돈 보충"},
        prepare=Pos.open_shift,
    ),
    Endpoint(
        "shift_close",
        "POST",
        "/pos/shift/close/",
        lambda p: {"counted_cash": "100000", "d50000": "2"},
        prepare=Pos.open_shift,
    ),
    Endpoint("staff_call_ack", "POST", "/pos/staff-calls/{}/ack/", lambda p: {}, path_param=Pos.staff_call_id),
    Endpoint(
        "cash_receipt",
        "POST",
        "/pos/payments/{}/cash-receipt/",
        lambda p: {"choice": "INCOME_DEDUCTION", "identity": "010-1234-5678"},
        path_param=_cash_payment_without_receipt,
    ),
]

GETS = [
    Endpoint("home", "GET", "/pos/", lambda p: {"category": "all", "q": "쿠키"}),
    Endpoint("menu_grid", "GET", "/pos/menu/", lambda p: {"category": str(p.menu["drinks"].pk), "q": ""}),
    Endpoint("menu_poll", "GET", "/pos/menu/poll/", lambda p: {"v": "1", "category": "recommended", "q": "아메"}),
    Endpoint(
        "product_options",
        "GET",
        "/pos/products/{}/options/",
        lambda p: {},
        path_param=lambda p: str(p.menu["coffee"].pk),
    ),
    Endpoint("discount_form", "GET", "/pos/cart/discount/", lambda p: {"line": p.line_id()}),
    Endpoint("pay_page", "GET", "/pos/pay/{}/", lambda p: {}, path_param=lambda p: p.pending().public_id),
    Endpoint("receipt", "GET", "/pos/orders/{}/receipt/", lambda p: {"print": "1"}, lambda p: p.paid().public_id),
    Endpoint("order_list", "GET", "/pos/orders/", lambda p: {"number": "#1", "amount": "4,400"}),
    Endpoint("order_detail", "GET", "/pos/orders/{}/", lambda p: {}, path_param=lambda p: p.paid().public_id),
    Endpoint(
        "shift_report", "GET", "/pos/shifts/{}/report/", lambda p: {}, path_param=lambda p: str(p.open_shift().pk)
    ),
]


def _run(pos: Pos, endpoint: Endpoint, data: st.DataObject) -> None:
    endpoint.every_time(pos)
    if pos.memo is None:
        endpoint.prepare(pos)
        pos.memo = (endpoint.path_param(pos) if endpoint.path_param else None, endpoint.valid(pos))
    param, valid = pos.memo
    path = endpoint.path
    if param is not None:
        path = path.format(data.draw(path_values(param), label="path"))
    strategy = query_requests(valid) if endpoint.method == "GET" else form_requests(valid)
    request = data.draw(strategy, label="request")
    response = check(pos.client, endpoint.method, path, request, endpoint=f"pos:{endpoint.name}")
    if endpoint.method != "GET" and response.status_code < 400:
        pos.memo = None


@pytest.mark.parametrize("endpoint", POSTS + GETS, ids=lambda e: e.name)
def test_pos_endpoint_never_answers_5xx_and_refused_requests_write_nothing(pos, endpoint):
    @FUZZ
    @given(data=st.data())
    def fuzz(data):
        _run(pos, endpoint, data)

    fuzz()
    assert_nothing_half_written()
