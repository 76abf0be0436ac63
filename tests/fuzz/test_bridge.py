"""Fuzz the store bridge: its JSON API (poll, config, acknowledge, terminal answer — the agent's
`Authorization: Device` token) and the POS's bridge forms (open drawer with a manager PIN, print
again, send to the card terminal, the terminal status and the banner). Never a 5xx; every API 4xx
is the JSON error; a refused POS form writes nothing (no payment, no job)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from apps.bridge import services
from apps.bridge.models import PrintJob, TerminalJob
from apps.payments.models import PaymentMethod
from tests.bridge.factories import BridgeDeviceFactory, PrinterFactory, TerminalFactory, mark_online
from tests.factories import DeviceFactory
from tests.fuzz.conftest import FUZZ_PROFILE
from tests.fuzz.form_posts import FUZZ, assert_nothing_half_written, check, form_requests, path_values, query_requests
from tests.fuzz.test_json_api import Endpoint, FuzzRequest, _problem, fuzz_requests
from tests.payments.factories import make_method, make_order
from tests.pos.conftest import login

pytestmark = pytest.mark.django_db


@dataclass
class Shop:
    store: object
    bridge: object
    printer: object
    terminal: object
    method: object
    pos: Client
    api: Client

    def print_job(self) -> PrintJob:
        return PrintJob.objects.create(store=self.store, printer=self.printer, kind=PrintJob.Kind.DRAWER)

    def terminal_job(self) -> TerminalJob:
        order = make_order(self.store)
        return services.terminal_charge_start(order, self.method, self.terminal)


@pytest.fixture
def shop(store, cashier, manager, settings):
    settings.BRIDGE_LONG_POLL_SECONDS = 0  # a hostile "wait" must not make the suite sleep
    bridge = BridgeDeviceFactory(store=store)
    mark_online(bridge)
    pos_device = DeviceFactory(store=store, kind="POS")
    return Shop(
        store=store,
        bridge=bridge,
        printer=PrinterFactory(store=store, bridge=bridge),
        terminal=TerminalFactory(store=store, bridge=bridge),
        method=make_method(store, PaymentMethod.Kind.CARD_TERMINAL),
        pos=login(Client(), pos_device, "1234"),
        api=Client(),
    )


API = [
    Endpoint(
        "bridge_poll",
        "POST",
        "/api/bridge/poll",
        "bridge",
        body=lambda s: {"wait": 0, "printers": [{"id": s.printer.pk, "status": "OK"}], "interrupted": []},
    ),
    Endpoint("bridge_config", "GET", "/api/bridge/config", "bridge"),
    Endpoint(
        "bridge_print_ack",
        "POST",
        "/api/bridge/print-jobs/{id}/ack",
        "bridge",
        lambda s: {"id": s.print_job().pk},
        body=lambda s: {"ok": True, "error": ""},
    ),
    Endpoint(
        "bridge_terminal_result",
        "POST",
        "/api/bridge/terminal-jobs/{id}/result",
        "bridge",
        lambda s: {"id": s.terminal_job().pk},
        body=lambda s: {
            "outcome": "APPROVED",
            "amount": 9000,
            "approvalNumber": "73000001",
            "cardCompany": "시뮬레이션카드",
            "installments": 0,
            "cardNumber": "9999-99**-****-0000",
        },
    ),
]


@pytest.mark.parametrize("endpoint", API, ids=lambda e: e.name)
def test_bridge_api_never_answers_5xx(shop, endpoint, request):
    params = endpoint.params(shop)
    valid_body = endpoint.body(shop) if endpoint.body else None
    auth = {"HTTP_AUTHORIZATION": f"Device {shop.bridge.raw_token}"}
    logging.disable(logging.WARNING)
    request.addfinalizer(lambda: logging.disable(logging.NOTSET))

    @hsettings(hsettings.get_profile(FUZZ_PROFILE))
    @given(hostile=fuzz_requests(endpoint, params, valid_body, None))
    def fuzz(hostile: FuzzRequest):
        extra = {**auth, **hostile.headers}
        if hostile.body is None:
            response = shop.api.generic(hostile.method, hostile.url, **extra)
        else:
            response = shop.api.generic(
                hostile.method, hostile.url, hostile.body.body, hostile.body.content_type, **extra
            )
        problem = _problem(response, hostile)
        assert problem is None, f"{endpoint.name}: {problem}\n  input: {hostile!r}"

    fuzz()


@dataclass(frozen=True)
class Form:
    name: str
    method: str
    path: str
    valid: object
    path_params: object


FORMS = [
    Form("drawer", "POST", "/pos/bridge/drawer/", lambda s: {"manager_pin": "9999"}, lambda s: ()),
    Form(
        "print",
        "POST",
        "/pos/bridge/orders/{}/print/",
        lambda s: {"kind": "bill"},
        lambda s: (make_order(s.store).public_id,),
    ),
    Form(
        "terminal_charge",
        "POST",
        "/pos/bridge/orders/{}/terminal/",
        lambda s: {"method": str(s.method.pk), "terminal": str(s.terminal.pk), "amount": "5000"},
        lambda s: (make_order(s.store).public_id,),
    ),
    Form("terminal_job", "GET", "/pos/bridge/terminal-jobs/{}/", lambda s: {}, lambda s: (str(s.terminal_job().pk),)),
    Form("status", "GET", "/pos/bridge/status/", lambda s: {}, lambda s: ()),
    Form("drawer_panel", "GET", "/pos/bridge/drawer/panel/", lambda s: {}, lambda s: ()),
    Form(
        "order_tools",
        "GET",
        "/pos/bridge/orders/{}/tools/",
        lambda s: {"place": "pay", "method": str(s.method.pk), "amount": "5000"},
        lambda s: (make_order(s.store).public_id,),
    ),
]


def _jobs() -> tuple:
    return PrintJob.objects.count(), TerminalJob.objects.count()


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.name)
def test_pos_bridge_forms_never_answer_5xx_and_refused_ones_write_nothing(shop, form):
    params, valid = form.path_params(shop), form.valid(shop)

    @FUZZ
    @given(data=st.data())
    def fuzz(data):
        path = form.path.format(*[data.draw(path_values(value), label="path") for value in params])
        strategy = query_requests(valid) if form.method == "GET" else form_requests(valid)
        hostile = data.draw(strategy, label="request")
        before = _jobs()
        response = check(shop.pos, form.method, path, hostile, endpoint=f"bridge:{form.name}")
        if 400 <= response.status_code < 500:
            assert _jobs() == before, f"refused {path} ({response.status_code}) queued a job for {hostile!r}"

    fuzz()
    assert_nothing_half_written()
