"""Fuzz the kitchen display, the board, the receipt's progress and the POS hand-over list (every
POST and every GET with parameters of issue 16): 200 hostile requests each, never a 5xx, and a
refused request writes nothing — no order, line or payment (the shared ledger) and no ticket moves."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from apps.kitchen import services as kitchen_services
from apps.kitchen.models import Station, Ticket, TicketLine
from apps.orders import services as order_services
from apps.payments import services as payment_services
from tests.carts.factories import listed_product
from tests.factories import DeviceFactory, device_client
from tests.fuzz.form_posts import FUZZ, assert_nothing_half_written, check, form_requests, path_values, query_requests
from tests.payments.factories import make_method
from tests.pos.conftest import login

pytestmark = pytest.mark.django_db


@dataclass
class Kitchen:
    store: object
    kds: Client
    tv: Client
    pos: Client
    pos_device: object
    menu: object
    cash: object
    memo: tuple | None = None

    def paid_order(self):
        from apps.carts import services as cart_services

        cart = cart_services.cart_create(store=self.store, device=self.pos_device)
        cart_services.cart_line_add(cart.id, device=self.pos_device, product_id=self.menu.product.pk, qty=2)
        order, _ = order_services.order_place(cart.id, device=self.pos_device)
        payment_services.payment_create(order, self.cash)
        return order

    def new_ticket(self) -> Ticket:
        ticket = Ticket.objects.filter(store=self.store, status="NEW").order_by("pk").first()
        return ticket or Ticket.objects.get(order=self.paid_order())

    def ready_order(self):
        order = self.paid_order()
        kitchen_services.ticket_bump(self.store, Ticket.objects.get(order=order).pk)
        return order


def ticket_state() -> list:
    return list(Ticket.objects.order_by("pk").values_list("pk", "status")) + list(
        TicketLine.objects.filter(ready_at__isnull=False).order_by("pk").values_list("pk", flat=True)
    )


@pytest.fixture
def kitchen(store, cashier):
    station = Station.objects.create(store=store, name="주방", is_default=True)
    kds_device = DeviceFactory(store=store, kind="KITCHEN")
    kitchen_services.station_assign_screen(kds_device, station.pk)
    pos_device = DeviceFactory(store=store, kind="POS")
    return Kitchen(
        store=store,
        kds=device_client(Client(), kds_device),
        tv=device_client(Client(), DeviceFactory(store=store, kind="BOARD")),
        pos=login(Client(), pos_device, "1234"),
        pos_device=pos_device,
        menu=listed_product(store, "아메리카노", 4500),
        cash=make_method(store, "CASH"),
    )


@dataclass(frozen=True)
class Endpoint:
    name: str
    client: str
    method: str
    path: str  # "{}" placeholders take the path parameters, in order
    valid: Callable[[Kitchen], dict]
    path_params: Callable[[Kitchen], tuple[str, ...]]


def _ticket(k: Kitchen) -> tuple[str, ...]:
    return (str(k.new_ticket().pk),)


def _line(k: Kitchen) -> dict:
    return {"line": str(k.new_ticket().lines.first().pk)}


ENDPOINTS = [
    Endpoint("feed", "kds", "GET", "/kitchen/feed/", lambda k: {"v": "1-0"}, lambda k: ()),
    Endpoint("display", "kds", "GET", "/kitchen/", lambda k: {"pick": "1"}, lambda k: ()),
    Endpoint(
        "station_pick",
        "kds",
        "POST",
        "/kitchen/station/",
        lambda k: {"station": str(Station.objects.get(store=k.store).pk)},
        lambda k: (),
    ),
    Endpoint("bump_line", "kds", "POST", "/kitchen/tickets/{}/bump/", _line, _ticket),
    Endpoint("bump", "kds", "POST", "/kitchen/tickets/{}/bump/", lambda k: {}, _ticket),
    Endpoint("undo", "kds", "POST", "/kitchen/tickets/{}/undo/", lambda k: {}, _ticket),
    Endpoint("recall", "kds", "GET", "/kitchen/tickets/{}/", lambda k: {}, _ticket),
    Endpoint(
        "progress",
        "tv",
        "GET",
        "/kitchen/progress/{}/{}/",
        lambda k: {"v": "1-0"},
        lambda k: (str(k.store.pk), k.paid_order().public_id),
    ),
    Endpoint("board_feed", "tv", "GET", "/board/feed/", lambda k: {"v": "1-0"}, lambda k: ()),
    Endpoint("pos_ready", "pos", "GET", "/pos/ready/", lambda k: {"v": "1-0"}, lambda k: ()),
    Endpoint(
        "pos_hand_over",
        "pos",
        "POST",
        "/pos/ready/{}/hand-over/",
        lambda k: {},
        lambda k: (k.ready_order().public_id,),
    ),
]


def _run(kitchen: Kitchen, endpoint: Endpoint, data: st.DataObject) -> None:
    if kitchen.memo is None:
        kitchen.memo = (endpoint.path_params(kitchen), endpoint.valid(kitchen))
    params, valid = kitchen.memo
    path = endpoint.path.format(*[data.draw(path_values(value), label="path") for value in params])
    strategy = query_requests(valid) if endpoint.method == "GET" else form_requests(valid)
    request = data.draw(strategy, label="request")
    before = ticket_state() if endpoint.method != "GET" else None
    client = getattr(kitchen, endpoint.client)
    response = check(client, endpoint.method, path, request, endpoint=f"kitchen:{endpoint.name}")
    if endpoint.method != "GET":
        if 400 <= response.status_code < 500:
            assert ticket_state() == before, f"refused {path} ({response.status_code}) moved a ticket for {request!r}"
        elif response.status_code < 400:
            kitchen.memo = None


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_kitchen_endpoint_never_answers_5xx_and_refused_requests_write_nothing(kitchen, endpoint):
    @FUZZ
    @given(data=st.data())
    def fuzz(data):
        _run(kitchen, endpoint, data)

    fuzz()
    assert_nothing_half_written()
