"""Fuzz every endpoint of a guest's phone (/q/<code>/ and /t/<token>/…) with hostile input: path
tokens, ids and line ids, query strings and form posts (hostile values, missing/extra/repeated
fields, NUL and lone surrogates as raw UTF-8 bytes, invalid UTF-8, wrong content types). No answer
is a 5xx, and a refused request writes no order, line or payment. 200 derandomized requests each.

After a request that did something (below 400) `prepare` gives the phone a cart with a line again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from apps.payments import shifts as shift_services
from apps.tables.selectors import table_sticker_token, table_token
from tests.carts.factories import coffee_with_options, listed_product
from tests.factories import DeviceFactory
from tests.fuzz.form_posts import FUZZ, assert_nothing_half_written, check, form_requests, path_values, query_requests
from tests.tables.factories import make_table

pytestmark = pytest.mark.django_db


@dataclass
class Phone:
    client: Client
    table: object
    stew: object
    latte: object
    memo: tuple | None = None

    @property
    def token(self) -> str:
        self.table.refresh_from_db()
        return table_token(self.table)

    def cart_with_line(self) -> None:
        self.client.post(f"/t/{self.token}/add/", {"product_id": str(self.stew.product.pk)})

    def line_id(self) -> str:
        self.cart_with_line()
        cart_id = self.client.session.get(f"qr_cart:{self.table.pk}")
        from apps.carts import selectors as cart_selectors

        return cart_selectors.cart_by_id(cart_id).lines[0]["lineId"]

    def latte_example(self) -> dict:
        size = next(iter(self.latte.groups.values())).options.order_by("sort_order").first()
        return {"product_id": str(self.latte.product.pk), "qty": "2", "option_ids": [str(size.pk)]}


@pytest.fixture
def phone(store, cashier, settings):
    # one round per phone per interval would refuse almost every generated send: off here
    settings.TABLEORDER_PHONE_ROUND_INTERVAL_SECONDS = 0
    pos = DeviceFactory(store=store, kind="POS")
    shift_services.shift_open(store=store, device=pos, member=cashier, opening_float=0)
    table = make_table(store, "3")
    stew = listed_product(store, "김치찌개", 9000)
    latte = coffee_with_options(store)
    return Phone(client=Client(), table=table, stew=stew, latte=latte)


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: str  # "{}" placeholders take the path parameters, in order
    valid: Callable[[Phone], dict]
    path_params: Callable[[Phone], tuple[str, ...]] = lambda p: (p.token,)
    prepare: Callable[[Phone], object] = Phone.cart_with_line


def _token_and_product(p: Phone) -> tuple[str, ...]:
    return (p.token, str(p.latte.product.pk))


POSTS = [
    Endpoint("add", "POST", "/t/{}/add/", Phone.latte_example),
    Endpoint("remove", "POST", "/t/{}/lines/{}/remove/", lambda p: {}, path_params=lambda p: (p.token, p.line_id())),
    Endpoint("send", "POST", "/t/{}/send/", lambda p: {"guests": "4"}),
    Endpoint("call", "POST", "/t/{}/call/", lambda p: {"kind": "bill", "back": "tab"}),
]

GETS = [
    Endpoint("printed_code", "GET", "/q/{}/", lambda p: {}, path_params=lambda p: (table_sticker_token(p.table),)),
    Endpoint("menu", "GET", "/t/{}/", lambda p: {"category": "recommended"}),
    Endpoint("menu_version", "GET", "/t/{}/menu-version", lambda p: {"v": "1"}),
    Endpoint("product", "GET", "/t/{}/products/{}/", lambda p: {}, path_params=_token_and_product),
    Endpoint("tab", "GET", "/t/{}/tab/", lambda p: {}),
]


def _run(phone: Phone, endpoint: Endpoint, data: st.DataObject) -> None:
    if phone.memo is None:
        endpoint.prepare(phone)
        phone.memo = (endpoint.path_params(phone), endpoint.valid(phone))
    params, valid = phone.memo
    path = endpoint.path.format(*[data.draw(path_values(value), label="path") for value in params])
    strategy = query_requests(valid) if endpoint.method == "GET" else form_requests(valid)
    request = data.draw(strategy, label="request")
    response = check(phone.client, endpoint.method, path, request, endpoint=f"tableorder-phone:{endpoint.name}")
    if response.status_code < 400:
        phone.memo = None


@pytest.mark.parametrize("endpoint", POSTS + GETS, ids=lambda e: e.name)
def test_phone_endpoint_never_answers_5xx_and_refused_requests_write_nothing(phone, endpoint):
    @FUZZ
    @given(data=st.data())
    def fuzz(data):
        _run(phone, endpoint, data)

    fuzz()
    assert_nothing_half_written()


# --- the POS side of phone rounds waiting for staff ------------------------------------------------


@dataclass
class Floor:
    client: Client
    phone: Phone
    memo: tuple | None = None
    tables: int = 0

    def pending_id(self) -> str:
        from apps.tables import pending as pending_rounds

        waiting = pending_rounds.pending_rounds_for_store(self.phone.table.store_id)
        if waiting:
            return waiting[0]["id"]
        # a confirmed round opened its table's tab (later rounds go straight in): a fresh table
        self.tables += 1
        self.phone.table = make_table(self.phone.table.store, f"P{self.tables}")
        self.phone.cart_with_line()
        self.phone.client.post(f"/t/{self.phone.token}/send/", {"guests": "2"})
        return pending_rounds.pending_rounds_for_store(self.phone.table.store_id)[0]["id"]


@pytest.fixture
def floor(phone, store, pos_device, cashier):
    from apps.tables.models import TableOrderSettings
    from tests.pos.conftest import login

    TableOrderSettings.objects.create(store=store, confirm_first_round=True)
    return Floor(client=login(Client(), pos_device, "1234"), phone=phone)


@pytest.mark.parametrize("action", ["confirm", "reject"])
def test_pending_round_decisions_never_answer_5xx_and_refused_ones_write_nothing(floor, action):
    @FUZZ
    @given(data=st.data())
    def fuzz(data):
        if floor.memo is None:
            floor.memo = (floor.pending_id(),)
        path = f"/pos/tables/pending/{data.draw(path_values(floor.memo[0]), label='path')}/{action}/"
        request = data.draw(form_requests({}), label="request")
        response = check(floor.client, "POST", path, request, endpoint=f"pos:table_pending_{action}")
        if response.status_code < 400:
            floor.memo = None

    fuzz()
    assert_nothing_half_written()


# --- the owner's A4 sheet of table QR codes ---------------------------------------------------------


def test_the_qr_sheet_never_answers_5xx(store, owner):
    make_table(store, "1")
    client = Client()
    client.force_login(owner)

    @FUZZ
    @given(data=st.data())
    def fuzz(data):
        request = data.draw(query_requests({"store": str(store.pk)}), label="request")
        response = check(
            client, "GET", "/admin/tables/table/qr-sheet/", request, endpoint="admin:tables_table_qr_sheet"
        )
        assert response.status_code in (200, 400, 404), response.status_code

    fuzz()

    # the bulk action with hostile selections
    @FUZZ
    @given(data=st.data())
    def fuzz_action(data):
        valid = {"action": "print_qr_codes", "_selected_action": [str(store.tables.first().pk)], "index": "0"}
        request = data.draw(form_requests(valid), label="request")
        check(client, "POST", "/admin/tables/table/", request, endpoint="admin:tables_table_print_qr_codes")

    fuzz_action()


# --- pay first: the phone pays before its round is sent ---------------------------------------------


@pytest.fixture
def paying_phone(phone, store):
    from apps.tables.models import TableOrderSettings
    from tests.payments.factories import make_method

    TableOrderSettings.objects.create(store=store, pay_first=True)
    phone.method = make_method(store, "SIMULATED", channels=("TABLE",))
    return phone


def _placed_order_id(p: Phone) -> tuple[str, ...]:
    """A pay-first order of this table whose card window is open (a fresh one once it has ended)."""
    from apps.tableorder.models import PrepaidRound

    waiting = PrepaidRound.objects.filter(table=p.table, order__status="PENDING_PAYMENT").first()
    if waiting is None:
        p.cart_with_line()
        p.client.post(f"/t/{p.token}/pay/", {"method": str(p.method.pk)})
        waiting = PrepaidRound.objects.filter(table=p.table, order__status="PENDING_PAYMENT").first()
    return (p.token, waiting.order.public_id)


PAY_FIRST = [
    Endpoint("pay", "POST", "/t/{}/pay/", lambda p: {"method": str(p.method.pk), "guests": "2"}),
    Endpoint("paid", "GET", "/t/{}/paid/{}/", lambda p: {}, path_params=_placed_order_id),
    Endpoint("pay_failed", "GET", "/t/{}/pay-failed/{}/", lambda p: {}, path_params=_placed_order_id),
]


@pytest.mark.parametrize("endpoint", PAY_FIRST, ids=lambda e: e.name)
def test_pay_first_endpoint_never_answers_5xx_and_refused_requests_write_nothing(paying_phone, endpoint):
    @FUZZ
    @given(data=st.data())
    def fuzz(data):
        _run(paying_phone, endpoint, data)

    fuzz()
    assert_nothing_half_written()
