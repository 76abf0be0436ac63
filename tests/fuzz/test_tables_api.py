"""Fuzz the tables JSON API (GET /api/tables, GET /api/tables/{id}/tab, POST /api/tables/{id}/rounds)
with hostile input on PostgreSQL: no answer may be a 5xx, and every 4xx is the API's JSON error
`{"error": {"code", "message"}}`. 200 derandomized examples per endpoint and device kind."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.orders import tabs
from tests.carts.factories import coffee_with_options, listed_product
from tests.factories import DeviceFactory
from tests.fuzz.strategies import (
    HTTP_METHODS,
    hostile_json_bodies,
    hostile_path_segments,
    hostile_query_values,
    hostile_strings,
)
from tests.tables.factories import make_table

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=200,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)


@pytest.fixture
def tables_world(store):
    tablet = DeviceFactory(store=store, kind="TABLE")
    pos = DeviceFactory(store=store, kind="POS")
    table = make_table(store, "3", tablet=tablet)
    busy = make_table(store, "4")
    stew = listed_product(store, "김치찌개", 9000)
    latte = coffee_with_options(store)
    tab = tabs.tab_open(busy, guests=2)
    tabs.tab_round_add(tab, [{"productId": stew.product.pk, "qty": 1}])
    size = next(iter(latte.groups.values())).options.order_by("sort_order").first()
    valid_round = {
        "items": [
            {"productId": stew.product.pk, "qty": 2, "note": "덜 맵게"},
            {"productId": latte.product.pk, "qty": 1, "optionIds": [size.pk]},
        ],
        "guests": 4,
        "memo": "창가",
    }
    return {"tablet": tablet, "pos": pos, "table": table, "busy": busy, "valid_round": valid_round}


def _problem(response, method: str) -> str | None:
    if response.status_code >= 500:
        return f"status {response.status_code}"
    if response.status_code < 400 or method == "HEAD":
        return None
    if "json" not in response.get("Content-Type", ""):
        return f"status {response.status_code} without a JSON body"
    try:
        error = json.loads(response.content)["error"]
    except (ValueError, KeyError, TypeError):
        return f"status {response.status_code} without an error object: {response.content[:200]!r}"
    if not (isinstance(error.get("code"), str) and error["code"] and isinstance(error.get("message"), str)):
        return f"malformed error {error!r}"
    return None if error["message"] else "empty message"


@st.composite
def requests(draw, method: str, path: str, table_id: int, valid_body: dict | None):
    chosen = draw(st.sampled_from([method] * 9 + HTTP_METHODS))
    segment = quote(str(table_id), safe="")
    if draw(st.integers(0, 3)) == 0:
        segment = draw(hostile_path_segments())
    url = path.replace("{id}", segment)
    if draw(st.integers(0, 9)) == 0:
        url += f"?x={draw(hostile_query_values())}"
    body = None
    if valid_body is not None and chosen not in ("GET", "HEAD"):
        body = draw(hostile_json_bodies(valid_body))
    elif draw(st.integers(0, 4)) == 0:
        body = draw(hostile_json_bodies({"x": 1}))
    auth = None
    if draw(st.integers(0, 14)) == 0:
        auth = "Device " + draw(hostile_strings(max_size=80)).encode("utf-8", "surrogatepass").decode("latin-1")
    return chosen, url, body, auth


ENDPOINTS = [
    ("GET", "/api/tables", None),
    ("GET", "/api/tables/{id}/tab", None),
    ("POST", "/api/tables/{id}/rounds", "round"),
]


@pytest.mark.parametrize("device_kind", ["tablet", "pos"])
@pytest.mark.parametrize("method, path, body_kind", ENDPOINTS, ids=["tables", "tab", "rounds"])
def test_hostile_input_never_gives_a_5xx(tables_world, device_kind, method, path, body_kind):
    # given a tablet paired to table 3 (no tab yet) and a POS; table 4 has an open tab
    device = tables_world[device_kind]
    table = tables_world["table"] if device_kind == "tablet" else tables_world["busy"]
    valid_body = tables_world["valid_round"] if body_kind else None
    client = Client(enforce_csrf_checks=False)

    @FUZZ
    @given(request=requests(method, path, table.pk, valid_body))
    def check(request):
        chosen, url, body, auth = request
        headers = {"HTTP_AUTHORIZATION": auth or f"Device {device.raw_token}"}
        # when the hostile request is sent
        try:
            if body is None:
                response = client.generic(chosen, url, **headers)
            else:
                response = client.generic(chosen, url, body.body, body.content_type, **headers)
        except Exception as exc:  # the test client re-raises what became a 500
            problem = f"raised {type(exc).__name__}: {str(exc)[:200]}"
        else:
            problem = _problem(response, chosen)
        # then it is answered below 500, and a 4xx carries the JSON error
        assert problem is None, f"{chosen} {url[:300]} body={body!r}: {problem}"

    check()
