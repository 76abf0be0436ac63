"""Fuzz every JSON endpoint (README's "Seed JSON API" table, the device API and the Toss webhook)
with hostile input through Django's test client on PostgreSQL: no answer may be a 5xx, and every
4xx is the API's JSON error `{"error": {"code", "message"}}`.

Each endpoint gets the "fuzz" profile's examples (200, derandomized): wrong methods, hostile path
segments and query strings, body mutations of a valid example (one field at a time, missing and
extra keys, NaN/Infinity/1e999999, deep nesting, NUL, lone surrogates, huge strings), wrong content
types, and now and then a hostile Authorization or Idempotency-Key header. A failure prints the
request that caused it.

FUZZ_REPORT=path collects every failing request into that file instead of stopping at the first
(how the list of 500s before the fixes was made).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from tests.fuzz.conftest import FUZZ_PROFILE, World
from tests.fuzz.strategies import (
    HTTP_METHODS,
    HostileBody,
    hostile_json_bodies,
    hostile_path_segments,
    hostile_query_values,
    hostile_strings,
)

pytestmark = pytest.mark.django_db

REPORT = os.environ.get("FUZZ_REPORT")


@dataclass
class Endpoint:
    name: str
    method: str
    path: str  # "{name}" placeholders are path parameters
    who: str  # "owner", "device", "kiosk" or "anon"
    params: Callable[[World], dict] = lambda w: {}
    body: Callable[[World], dict] | None = None
    query: Callable[[World], dict] | None = None
    idempotent: bool = False


def _cart_with_line(w: World) -> dict:
    cart_id = w.new_cart()
    return {"cartId": cart_id, "lineId": w.add_line(cart_id)}


ENDPOINTS = [
    Endpoint(
        "inventories_create",
        "POST",
        "/api/inventories",
        "owner",
        body=lambda w: {"name": "새 매장", "businessNumber": "1234567890", "address": "서울", "phone": "0212345678"},
    ),
    Endpoint("inventory_products_list", "GET", "/api/inventories/{id}/products", "owner", lambda w: {"id": w.store.pk}),
    Endpoint(
        "inventory_products_create",
        "POST",
        "/api/inventories/{id}/products",
        "owner",
        lambda w: {"id": w.store.pk},
        body=lambda w: {
            "name": "라떼",
            "price": 5000,
            "taxType": "TAXABLE",
            "categoryIds": [],
            "optionGroupIds": [],
            "storePrice": 5500,
            "trackStock": True,
            "stock": 10,
        },
    ),
    Endpoint(
        "inventory_product_unlist",
        "DELETE",
        "/api/inventories/{id}/products/{productId}",
        "owner",
        lambda w: {"id": w.store.pk, "productId": w.latte.product.pk},
    ),
    Endpoint(
        "discount_create",
        "POST",
        "/api/discounts/owner/create",
        "owner",
        body=lambda w: {
            "storeId": w.store.pk,
            "productId": w.americano.product.pk,
            "name": "오픈 할인",
            "kind": "PERCENT",
            "value": 10,
            "startsAt": "2026-11-30T09:00:00",
            "endsAt": "2026-12-31T23:59:59+09:00",
        },
    ),
    Endpoint("cart_create", "POST", "/api/carts", "device", body=lambda w: {"serviceType": "DINE_IN"}),
    Endpoint("cart_detail", "GET", "/api/carts/{cartId}", "device", _cart_with_line),
    Endpoint(
        "cart_items_add",
        "POST",
        "/api/carts/{cartId}/items",
        "device",
        lambda w: {"cartId": w.new_cart()},
        body=lambda w: {
            "productId": w.latte.product.pk,
            "qty": 2,
            "optionIds": [w.latte.options[name].pk for name in list(w.latte.options)[:1]],
            "note": "얼음 적게",
            "version": 1,
        },
    ),
    Endpoint(
        "cart_item_update",
        "PATCH",
        "/api/carts/{cartId}/items/{lineId}",
        "device",
        _cart_with_line,
        body=lambda w: {"qty": 3, "note": "따뜻하게", "version": 2},
    ),
    Endpoint("cart_item_remove", "DELETE", "/api/carts/{cartId}/items/{lineId}", "device", _cart_with_line),
    Endpoint(
        "start_payment",
        "POST",
        "/api/orders/start-payment/{cartId}",
        "device",
        _cart_with_line,
        body=lambda w: {},
    ),
    Endpoint(
        "payment_methods_active",
        "GET",
        "/payments/methods/active",
        "device",
        query=lambda w: {"channel": "KIOSK"},
    ),
    Endpoint(
        "payments_create",
        "POST",
        "/payments",
        "device",
        body=lambda w: {
            "orderId": w.order_public_id,
            "paymentMethodId": w.cash.pk,
            "amount": 1000,
            "tendered": 5000,
            "approvalNumber": "12345678",
        },
        idempotent=True,
    ),
    Endpoint("payment_latest", "GET", "/payments/{orderId}", "device", lambda w: {"orderId": w.order_public_id}),
    Endpoint(
        "toss_confirm",
        "POST",
        "/payments/toss/confirm",
        "device",
        body=lambda w: {
            "paymentKey": w.payment_key,
            "orderId": w.toss_payment.public_id,
            "amount": w.toss_payment.amount,
        },
        idempotent=True,
    ),
    Endpoint(
        "toss_cancel",
        "POST",
        "/payments/toss/cancel/{paymentKey}",
        "device",
        lambda w: {"paymentKey": "tkey_fuzz"},
        body=lambda w: {"cancelReason": "고객 요청", "cancelAmount": 100},
        idempotent=True,
    ),
    Endpoint(
        "webhook_toss",
        "POST",
        "/api/webhooks/toss",
        "anon",
        body=lambda w: {
            "eventType": "PAYMENT_STATUS_CHANGED",
            "createdAt": "2026-11-30T10:00:00.000000",
            "data": {"paymentKey": w.payment_key, "orderId": w.toss_payment.public_id, "status": "DONE"},
        },
    ),
    Endpoint(
        "webhook_portone",
        "POST",
        "/api/webhooks/portone",
        "anon",
        # unsigned: every one is refused (401) — the fuzz checks it never becomes a 5xx
        body=lambda w: {"type": "Transaction.Paid", "timestamp": "2026-11-30T10:00:00Z", "data": {"paymentId": "x"}},
    ),
    Endpoint("device_pair", "POST", "/api/devices/pair", "anon", body=lambda w: {"code": "123456"}),
    Endpoint("device_me", "GET", "/api/devices/me", "kiosk"),
]


@dataclass
class FuzzRequest:
    method: str
    url: str
    body: HostileBody | None
    headers: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        url = self.url if len(self.url) <= 300 else self.url[:300] + f"...({len(self.url)} chars)"
        return f"{self.method} {url} headers={self.headers!r} body={self.body!r}"


def _as_wsgi_header(value: str) -> str:
    """A header value as a WSGI server hands it over: the raw bytes read as latin-1 (so never a
    lone surrogate, but any byte, NUL included)."""
    return value.encode("utf-8", "surrogatepass").decode("latin-1")


@st.composite
def fuzz_requests(draw, endpoint: Endpoint, params: dict, valid_body: dict | None, valid_query: dict | None):
    method = draw(st.sampled_from([endpoint.method] * 9 + HTTP_METHODS))
    path = endpoint.path
    for name, value in params.items():
        segment = quote(str(value), safe="")
        if draw(st.integers(0, 4)) == 0:
            segment = draw(hostile_path_segments())
        path = path.replace("{" + name + "}", segment)
    query = ""
    if valid_query is not None:
        parts = [
            f"{key}={draw(hostile_query_values()) if draw(st.booleans()) else quote(value)}"
            for key, value in valid_query.items()
        ]
        query = "&".join(parts)
    elif draw(st.integers(0, 9)) == 0:
        query = f"x={draw(hostile_query_values())}"
    url = f"{path}?{query}" if query else path

    body = None
    if valid_body is not None and method not in ("GET", "HEAD"):
        body = draw(hostile_json_bodies(valid_body))
        if endpoint.name == "inventory_products_create" and draw(st.integers(0, 4)) == 0:
            # its multipart form: the JSON object travels in the "data" field
            text = body.body.decode("utf-8", "surrogateescape")
            raw = ('--B\r\nContent-Disposition: form-data; name="data"\r\n\r\n' + text + "\r\n--B--\r\n").encode(
                "utf-8", "surrogateescape"
            )
            body = HostileBody(raw, "multipart/form-data; boundary=B", "multipart data=" + body.label)
    elif draw(st.integers(0, 4)) == 0:
        body = draw(hostile_json_bodies({"x": 1}))

    headers: dict = {}
    if endpoint.idempotent and draw(st.integers(0, 4)) == 0:
        headers["HTTP_IDEMPOTENCY_KEY"] = _as_wsgi_header(draw(hostile_strings(max_size=30)))
    if endpoint.who != "anon" and draw(st.integers(0, 14)) == 0:
        headers["HTTP_AUTHORIZATION"] = "Device " + _as_wsgi_header(draw(hostile_strings(max_size=80)))
    if draw(st.integers(0, 19)) == 0:
        # replaces the client's own cookies (an owner is then simply not logged in)
        headers["HTTP_COOKIE"] = "sessionid=" + _as_wsgi_header(draw(hostile_strings(max_size=30))).replace(";", "")
    return FuzzRequest(method, url, body, headers)


def _client_and_headers(world: World, endpoint: Endpoint):
    if endpoint.who == "owner":
        return world.owner_client, {}
    if endpoint.who == "device":
        return world.device_client, world.device_headers()
    if endpoint.who == "kiosk":
        return world.device_client, world.device_headers(world.kiosk)
    return world.anon_client, {}


def _problem(response, request: FuzzRequest) -> str | None:
    """What is wrong with this answer, or None."""
    if response.status_code >= 500:
        return f"status {response.status_code}"
    if response.status_code < 400 or request.method == "HEAD":
        return None
    if "json" not in response.get("Content-Type", ""):
        return f"status {response.status_code} without a JSON body ({response.get('Content-Type')})"
    try:
        error = json.loads(response.content)["error"]
    except (ValueError, KeyError, TypeError):
        return f"status {response.status_code} without an error object: {response.content[:200]!r}"
    if not (isinstance(error.get("code"), str) and error["code"] and isinstance(error.get("message"), str)):
        return f"status {response.status_code} with a malformed error: {error!r}"
    if not error["message"]:
        return f"status {response.status_code} with an empty message"
    return None


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_hostile_input_never_gives_a_5xx(world, endpoint, request):
    # given a store with products, carts, orders and payments, and the client this endpoint needs
    client, auth = _client_and_headers(world, endpoint)
    params = endpoint.params(world)
    valid_body = endpoint.body(world) if endpoint.body else None
    valid_query = endpoint.query(world) if endpoint.query else None

    # Thousands of expected 4xx would each log a warning; the logging machinery is not under test.
    logging.disable(logging.WARNING)
    request.addfinalizer(lambda: logging.disable(logging.NOTSET))

    @hsettings(hsettings.get_profile(FUZZ_PROFILE))
    @given(hostile=fuzz_requests(endpoint, params, valid_body, valid_query))
    def check(hostile: FuzzRequest):
        # when the hostile request is sent
        extra = {**auth, **hostile.headers}
        try:
            if hostile.body is None:
                response = client.generic(hostile.method, hostile.url, **extra)
            else:
                response = client.generic(
                    hostile.method, hostile.url, hostile.body.body, hostile.body.content_type, **extra
                )
        except Exception as exc:  # the test client re-raises what became a 500
            problem = f"raised {type(exc).__name__}: {str(exc)[:200]}"
        else:
            problem = _problem(response, hostile)
        # then it is answered below 500, and a 4xx carries the JSON error
        if problem is None:
            return
        if REPORT:
            with open(REPORT, "a", encoding="utf-8") as report:
                report.write(f"{endpoint.name}\t{problem}\t{hostile!r}\n"[:2000].replace("\n", " ") + "\n")
            return
        raise AssertionError(f"{endpoint.name}: {problem}\n  input: {hostile!r}")

    check()


# --- the inputs issue 14 reported, replayed on every run ------------------------------------------

ISSUE_14_CASES = {
    "amount_superscript_two": ("device", "POST", "/payments", lambda w: {**_payment(w), "amount": "²"}),
    "tendered_arabic_digits": ("device", "POST", "/payments", lambda w: {**_payment(w), "tendered": "١٢٣"}),
    "payment_method_nan": ("device", "POST", "/payments", lambda w: '{"orderId": "x", "paymentMethodId": NaN}'),
    "amount_infinity": ("device", "POST", "/payments", lambda w: '{"orderId": "x", "amount": Infinity}'),
    "amount_1e999999": ("device", "POST", "/payments/toss/confirm", lambda w: '{"amount": 1e999999}'),
    "product_id_5000_digits": (
        "device",
        "POST",
        "/api/carts/{cart}/items",
        lambda w: '{"productId": 1' + "0" * 4999 + "}",
    ),
    "deep_array": ("device", "POST", "/api/carts", lambda w: "[" * 100_000 + "]" * 100_000),
    "cart_note_lone_surrogate": (
        "device",
        "POST",
        "/api/carts/{cart}/items",
        lambda w: {"productId": w.americano.product.pk, "qty": 1, "note": "\ud800"},
    ),
    "store_name_nul": (
        "owner",
        "POST",
        "/api/inventories",
        lambda w: {"name": "\u0000", "businessNumber": "1234567890"},
    ),
    "webhook_nan": ("anon", "POST", "/api/webhooks/toss", lambda w: '{"eventType": "X", "data": {"amount": NaN}}'),
    "discount_feb_30": ("owner", "POST", "/api/discounts/owner/create", lambda w: _discount(w, "2026-02-30T00:00:00")),
    "discount_hour_25": ("owner", "POST", "/api/discounts/owner/create", lambda w: _discount(w, "2026-11-30T25:00:00")),
    "discount_offset_99": (
        "owner",
        "POST",
        "/api/discounts/owner/create",
        lambda w: _discount(w, "2026-11-30T10:00:00+99:00"),
    ),
    "discount_year_1": ("owner", "POST", "/api/discounts/owner/create", lambda w: _discount(w, "0001-01-01T00:00:00")),
    "payments_path_nul": ("device", "GET", "/payments/%00", None),
}


def _payment(w: World) -> dict:
    return {"orderId": w.order_public_id, "paymentMethodId": w.cash.pk}


def _discount(w: World, starts_at: str) -> dict:
    return {"storeId": w.store.pk, "name": "할인", "kind": "PERCENT", "value": 10, "startsAt": starts_at}


def test_the_inputs_issue_14_reported_are_4xx_json(world):
    failures = []
    for case, (who, method, path, body) in ISSUE_14_CASES.items():
        # given a request the issue reported as a 500
        client, auth = _client_and_headers(world, Endpoint(case, method, path, who))
        url = path.replace("{cart}", world.new_cart()) if "{cart}" in path else path
        payload = body(world) if body else None
        data = payload if isinstance(payload, str) else json.dumps(payload) if payload is not None else ""
        # when it is sent
        response = client.generic(method, url, data.encode("utf-8", "surrogatepass"), "application/json", **auth)
        # then it is a 4xx with the JSON error
        problem = _problem(response, FuzzRequest(method, url, None))
        if problem or response.status_code < 400:
            failures.append(f"{case}: {problem or response.status_code} {response.content[:200]!r}")
    assert not failures, "\n".join(failures)


def test_a_multipart_body_on_an_owner_json_endpoint_with_csrf_is_415(world):
    # given an owner browser session with a CSRF token (the CSRF middleware reads a form body first,
    # after which request.body raised RawPostDataException)
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.store.owner)
    token = "a" * 32  # an unmasked secret is a valid token for its own cookie
    client.cookies["csrftoken"] = token
    # when a multipart form (with the token) is posted to a JSON-only endpoint
    response = client.post(
        "/api/discounts/owner/create", {"csrfmiddlewaretoken": token, "storeId": str(world.store.pk)}
    )
    # then it is a JSON 415
    assert response.status_code == 415, response.content[:300]
    assert response.json()["error"]["code"] == "UNSUPPORTED_MEDIA_TYPE"
