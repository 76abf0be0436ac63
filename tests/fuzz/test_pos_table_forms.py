"""Fuzz the POS table screens' form posts and GETs with parameters (apps/pos/views_tables.py, the
/pos/tables/ URLs) like every other POS form: 200 hostile requests each, never a 5xx, and a refused
request writes no order, line or payment. Table 3 holds an open tab with a round, table 4 is free (to
move to), table 5 holds another open tab (to merge from)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apps.orders import tabs
from apps.orders.models import OrderStatus
from tests.carts.factories import listed_product
from tests.fuzz.form_posts import FUZZ, assert_nothing_half_written, check, form_requests, path_values, query_requests
from tests.pos.conftest import pos_client, shift  # noqa: F401 (fixtures)
from tests.tables.factories import make_table

pytestmark = pytest.mark.django_db


@dataclass
class Floor:
    client: object
    store: object
    stew: object
    soju: object
    tables: dict
    memo: tuple | None = None

    def tab(self, name: str, *, with_round: bool = True):
        table = self.tables[name]
        tab = tabs.tab_for_table(table)
        if tab is None:
            tab = tabs.tab_open(table, guests=2)
        elif tab.status == OrderStatus.PENDING_PAYMENT:
            tab = tabs.tab_unfreeze(tab)  # a pay request froze it: reopen it for the next requests
        if with_round and not tab.lines.exists():
            tabs.tab_round_add(tab, [{"productId": self.stew.product.pk, "qty": 2}])
        return tab

    def ready(self) -> None:
        moved = tabs.tab_for_table(self.tables["4"])
        if moved is not None and moved.status == OrderStatus.OPEN and tabs.tab_for_table(self.tables["3"]) is None:
            # a move landed on table 4: take it back so table 4 is free again
            tabs.tab_move(moved, self.tables["3"])
        self.tab("3")
        self.tab("5")

    def line_id(self) -> str:
        return str(self.tab("3").lines.order_by("pk").first().pk)


@pytest.fixture
def floor(pos_client, store, manager, shift):  # noqa: F811
    stew = listed_product(store, "김치찌개", 9000, track_stock=True, stock=100_000)
    soju = listed_product(store, "소주", 5000)
    tables = {name: make_table(store, name) for name in ("3", "4", "5")}
    return Floor(client=pos_client, store=store, stew=stew, soju=soju, tables=tables)


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: str  # "{}" placeholders take the path parameters, in order
    valid: Callable[[Floor], dict]
    path_params: Callable[[Floor], tuple[str, ...]]


def _three(f: Floor) -> tuple[str, ...]:
    return (str(f.tables["3"].pk),)


ENDPOINTS = [
    Endpoint("tab_open", "POST", "/pos/tables/{}/open/", lambda f: {"guests": "4"}, lambda f: (str(f.tables["4"].pk),)),
    Endpoint(
        "round_add",
        "POST",
        "/pos/tables/{}/rounds/",
        lambda f: {f"qty_{f.stew.product.pk}": "1", f"qty_{f.soju.product.pk}": "2", "memo": "덜 맵게"},
        _three,
    ),
    Endpoint(
        "line_void",
        "POST",
        "/pos/tables/{}/lines/{}/void/",
        lambda f: {"qty": "1", "reason": "잘못 주문", "pin": "9999"},
        lambda f: (str(f.tables["3"].pk), f.line_id()),
    ),
    Endpoint("tab_move", "POST", "/pos/tables/{}/move/", lambda f: {"to_table": str(f.tables["4"].pk)}, _three),
    Endpoint("tab_merge", "POST", "/pos/tables/{}/merge/", lambda f: {"from_table": str(f.tables["5"].pk)}, _three),
    Endpoint("tab_close", "POST", "/pos/tables/{}/close/", lambda f: {}, _three),
    Endpoint("tab_pay", "POST", "/pos/tables/{}/pay/", lambda f: {}, _three),
    Endpoint("floor_poll", "GET", "/pos/tables/poll/", lambda f: {"v": "1"}, lambda f: ()),
    Endpoint("tab_page", "GET", "/pos/tables/{}/", lambda f: {}, _three),
    Endpoint("tab_split", "GET", "/pos/tables/{}/split/", lambda f: {"n": "3", "line": f.line_id()}, _three),
    Endpoint("tab_bill", "GET", "/pos/tables/{}/bill/", lambda f: {}, _three),
]


def _run(floor: Floor, endpoint: Endpoint, data: st.DataObject) -> None:
    if floor.memo is None:
        floor.ready()
        floor.memo = (endpoint.path_params(floor), endpoint.valid(floor))
    params, valid = floor.memo
    path = endpoint.path.format(*[data.draw(path_values(value), label="path") for value in params])
    strategy = query_requests(valid) if endpoint.method == "GET" else form_requests(valid)
    request = data.draw(strategy, label="request")
    response = check(floor.client, endpoint.method, path, request, endpoint=f"pos:{endpoint.name}")
    if endpoint.method != "GET" and response.status_code < 400:
        floor.memo = None


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_pos_table_endpoint_never_answers_5xx_and_refused_requests_write_nothing(floor, endpoint):
    @FUZZ
    @given(data=st.data())
    def fuzz(data):
        _run(floor, endpoint, data)

    fuzz()
    assert_nothing_half_written()
