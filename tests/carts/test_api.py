"""The seed's cart endpoints: shapes, device auth, CSRF for cookie auth, and every bad input → 4xx."""

import json

import pytest
from django.test import Client

from tests.carts.factories import listed_product
from tests.factories import DeviceFactory, StoreFactory, device_client

pytestmark = pytest.mark.django_db


class Api:
    """A terminal speaking the JSON API with `Authorization: Device <token>`."""

    def __init__(self, client, device):
        self.client = client
        self.auth = {"HTTP_AUTHORIZATION": f"Device {device.raw_token}"}

    def call(self, method, url, body=None, raw=None):
        data = raw if raw is not None else (json.dumps(body) if body is not None else "")
        return getattr(self.client, method)(url, data=data, content_type="application/json", **self.auth)

    def new_cart(self) -> str:
        response = self.call("post", "/api/carts")
        assert response.status_code == 201, response.content
        return response.json()["cartId"]


@pytest.fixture
def api(client, pos_device):
    return Api(client, pos_device)


def assert_error(response, status, code=None):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body["error"]) >= {"code", "message"}
    assert body["error"]["message"]
    if code:
        assert body["error"]["code"] == code


def test_create_and_get(api):
    response = api.call("post", "/api/carts")
    assert response.status_code == 201
    body = response.json()
    assert body["state"] == "ACTIVE" and body["lines"] == []
    assert body["totals"] == {"gross": 0, "discount": 0, "total": 0, "supply": 0, "vat": 0, "taxFree": 0}
    again = api.call("get", f"/api/carts/{body['cartId']}")
    assert again.status_code == 200 and again.json()["cartId"] == body["cartId"]


def test_items_lifecycle(api, latte):
    cart_id = api.new_cart()
    o = latte.options
    response = api.call(
        "post",
        f"/api/carts/{cart_id}/items",
        {"productId": latte.product.pk, "qty": 2, "optionIds": [o["L"].pk, o["시럽"].pk]},
    )
    assert response.status_code == 201, response.content
    line = response.json()["lines"][0]
    assert {k: line[k] for k in ("productId", "name", "qty", "unitPrice", "amount")} == {
        "productId": latte.product.pk,
        "name": "카페라떼",
        "qty": 2,
        "unitPrice": 5800,
        "amount": 11600,
    }
    assert [opt["name"] for opt in line["options"]] == ["L", "시럽"]
    assert response.json()["totals"]["total"] == 11600
    patched = api.call("patch", f"/api/carts/{cart_id}/items/{line['lineId']}", {"qty": 3})
    assert patched.status_code == 200 and patched.json()["totals"]["gross"] == 17400
    deleted = api.call("delete", f"/api/carts/{cart_id}/items/{line['lineId']}")
    assert deleted.status_code == 200 and deleted.json()["lines"] == []


def test_device_auth_required(client, pos_device):
    assert_error(client.post("/api/carts"), 401, "DEVICE_UNAUTHORIZED")
    bad = client.post("/api/carts", HTTP_AUTHORIZATION="Device nonsense")
    assert_error(bad, 401)
    kitchen = DeviceFactory(store=pos_device.store, kind="KITCHEN")
    assert_error(Api(client, kitchen).call("post", "/api/carts"), 403)


def test_wrong_method_is_405(api):
    assert_error(api.call("put", "/api/carts"), 405, "METHOD_NOT_ALLOWED")


def test_unknown_and_foreign_carts_are_404(api, client, store, americano):
    assert_error(api.call("get", "/api/carts/doesnotexist"), 404, "CART_NOT_FOUND")
    body = {"productId": americano.product.pk, "qty": 1}
    assert_error(api.call("post", "/api/carts/doesnotexist/items", body), 404, "CART_NOT_FOUND")
    assert_error(api.call("patch", "/api/carts/doesnotexist/items/x", {"qty": 1}), 404)
    assert_error(api.call("delete", "/api/carts/doesnotexist/items/x"), 404)
    # another store's terminal cannot see or touch our cart
    cart_id = api.new_cart()
    stranger = Api(client, DeviceFactory(store=StoreFactory(), kind="POS"))
    assert_error(stranger.call("get", f"/api/carts/{cart_id}"), 404, "CART_NOT_FOUND")
    assert_error(stranger.call("post", f"/api/carts/{cart_id}/items", body), 404, "CART_NOT_FOUND")
    # nor can another terminal of the same store
    sibling = Api(client, DeviceFactory(store=store, kind="KIOSK"))
    assert_error(sibling.call("get", f"/api/carts/{cart_id}"), 404)


@pytest.mark.parametrize("qty", [0, 100, "x", -3, 2.5, None, [1]])
def test_bad_qty_is_422(api, americano, qty):
    cart_id = api.new_cart()
    response = api.call("post", f"/api/carts/{cart_id}/items", {"productId": americano.product.pk, "qty": qty})
    assert_error(response, 422, "INVALID_QUANTITY")


@pytest.mark.parametrize("qty", [0, 100, "x"])
def test_bad_qty_on_patch_is_422(api, americano, qty):
    cart_id = api.new_cart()
    line = api.call("post", f"/api/carts/{cart_id}/items", {"productId": americano.product.pk}).json()["lines"][0]
    assert_error(api.call("patch", f"/api/carts/{cart_id}/items/{line['lineId']}", {"qty": qty}), 422)


def test_bad_products_and_options(api, store, latte):
    cart_id = api.new_cart()
    url = f"/api/carts/{cart_id}/items"
    o = latte.options
    gone = listed_product(store, "품절", 1000, sold_out=True)
    assert_error(api.call("post", url, {"productId": 424242, "qty": 1}), 404, "PRODUCT_NOT_FOUND")
    assert_error(api.call("post", url, {"qty": 1}), 422)
    assert_error(api.call("post", url, {"productId": gone.product.pk}), 409, "SOLD_OUT")
    pid = latte.product.pk
    assert_error(api.call("post", url, {"productId": pid, "optionIds": []}), 422, "INVALID_OPTIONS")
    too_many = [o["R"].pk, o["샷"].pk, o["시럽"].pk, o["휘핑"].pk]
    assert_error(api.call("post", url, {"productId": pid, "optionIds": too_many}), 422, "INVALID_OPTIONS")
    sold_out = [o["R"].pk, o["휘핑"].pk]
    assert_error(api.call("post", url, {"productId": pid, "optionIds": sold_out}), 409, "OPTION_SOLD_OUT")
    assert_error(api.call("post", url, {"productId": pid, "optionIds": ["a"]}), 422, "INVALID_OPTIONS")


@pytest.mark.parametrize("raw", ["{", "[1, 2]", '"text"', "\xff"])
def test_malformed_json_is_400(api, americano, raw):
    cart_id = api.new_cart()
    assert_error(api.call("post", f"/api/carts/{cart_id}/items", raw=raw), 400, "MALFORMED_JSON")
    assert_error(api.call("post", "/api/carts", raw=raw), 400, "MALFORMED_JSON")


def test_not_active_cart_is_409(api, americano):
    cart_id = api.new_cart()
    api.call("post", f"/api/carts/{cart_id}/items", {"productId": americano.product.pk})
    assert api.call("post", f"/api/orders/start-payment/{cart_id}").status_code == 201
    response = api.call("post", f"/api/carts/{cart_id}/items", {"productId": americano.product.pk})
    assert_error(response, 409, "CART_NOT_ACTIVE")


def test_cookie_auth_keeps_csrf(pos_device, americano):
    """A device cookie is an ambient credential: without the CSRF token a cross-site POST fails."""
    browser = device_client(Client(enforce_csrf_checks=True), pos_device)
    assert_error(browser.post("/api/carts", content_type="application/json"), 403, "CSRF_FAILED")
    # with the token (as the POS page sends it) the same request works
    browser.cookies["csrftoken"] = "a" * 32
    ok = browser.post("/api/carts", content_type="application/json", HTTP_X_CSRFTOKEN="a" * 32)
    assert ok.status_code == 201, ok.content
    # GET needs no token
    assert browser.get(f"/api/carts/{ok.json()['cartId']}").status_code == 200


def test_device_header_needs_no_csrf(pos_device):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        "/api/carts", content_type="application/json", HTTP_AUTHORIZATION=f"Device {pos_device.raw_token}"
    )
    assert response.status_code == 201
