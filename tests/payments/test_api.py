"""The seed endpoints: happy paths, bad input, another store's ids, inbound idempotency."""

import json

import pytest

from apps.payments.models import IdempotencyRecord, Payment, WebhookEvent
from tests.factories import device_client

from .factories import make_order

pytestmark = pytest.mark.django_db


def _post(client, url, body, **headers):
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(url, data, content_type="application/json", headers=headers)


def test_active_methods_by_channel(client, kiosk_device, cash, simulated):
    response = device_client(client, kiosk_device).get("/payments/methods/active?channel=KIOSK")
    assert response.status_code == 200
    assert response.json() == {
        "methods": [{"id": simulated.pk, "kind": "SIMULATED", "name": simulated.name, "simulated": True}]
    }
    assert client.get("/payments/methods/active?channel=DRIVE").json()["error"]["code"] == "INVALID_CHANNEL"


def test_active_methods_need_a_device(client, cash):
    response = client.get("/payments/methods/active?channel=POS")
    assert response.status_code == 401 and response.json()["error"]["code"] == "DEVICE_UNAUTHORIZED"


def test_create_cash_payment(client, store, pos_device, cash):
    order = make_order(store)
    response = _post(
        device_client(client, pos_device),
        "/payments",
        {"orderId": order.public_id, "paymentMethodId": cash.pk, "amount": 5000, "tendered": 10000},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["amount"], body["change"], body["remaining"]) == ("DONE", 5000, 5000, 4000)
    latest = client.get(f"/payments/{order.public_id}")
    assert latest.status_code == 200 and latest.json()["paymentId"] == body["paymentId"]


def test_create_simulated_payment_returns_checkout_url(client, store, kiosk_device, simulated):
    order = make_order(store)
    response = _post(
        device_client(client, kiosk_device),
        "/payments",
        {"orderId": order.public_id, "paymentMethodId": simulated.pk, "successNext": "/kiosk/ok/", "failNext": "/k/"},
    )
    assert response.status_code == 201
    assert response.json()["status"] == "READY"
    assert response.json()["checkoutUrl"].startswith("/payments/simulated/checkout/")


@pytest.mark.parametrize(
    "body, status, code",
    [
        ("not json", 400, "MALFORMED_JSON"),
        ("[1, 2]", 400, "MALFORMED_JSON"),
        ({}, 422, "INVALID_FIELD"),
        ({"orderId": 5, "paymentMethodId": 1}, 422, "INVALID_FIELD"),
        ({"orderId": "ord_missing", "paymentMethodId": "CASH"}, 404, "ORDER_NOT_FOUND"),
    ],
)
def test_create_bad_input(client, pos_device, body, status, code):
    response = _post(device_client(client, pos_device), "/payments", body)
    assert (response.status_code, response.json()["error"]["code"]) == (status, code)
    assert not Payment.objects.exists()


@pytest.mark.parametrize(
    "extra, code",
    [
        ({"amount": -1}, "INVALID_FIELD"),
        ({"amount": "abc"}, "INVALID_FIELD"),
        ({"amount": True}, "INVALID_FIELD"),
        ({"amount": 99999}, "AMOUNT_EXCEEDS_DUE"),
        ({"tendered": 100}, "INSUFFICIENT_TENDERED"),
        ({"paymentMethodId": "x"}, "PAYMENT_METHOD_NOT_FOUND"),
    ],
)
def test_create_bad_values(client, store, pos_device, cash, extra, code):
    order = make_order(store)
    body = {"orderId": order.public_id, "paymentMethodId": cash.pk, **extra}
    response = _post(device_client(client, pos_device), "/payments", body)
    assert response.status_code in (404, 409, 422) and response.json()["error"]["code"] == code
    assert not Payment.objects.exists()


def test_another_stores_order_and_method_are_404(client, store, other_store, other_pos, cash):
    order = make_order(store)
    api = device_client(client, other_pos)
    response = _post(api, "/payments", {"orderId": order.public_id, "paymentMethodId": cash.pk})
    assert response.status_code == 404
    own_order = make_order(other_store)
    response = _post(api, "/payments", {"orderId": own_order.public_id, "paymentMethodId": cash.pk})
    assert (response.status_code, response.json()["error"]["code"]) == (404, "PAYMENT_METHOD_NOT_FOUND")
    assert api.get(f"/payments/{order.public_id}").status_code == 404
    response = _post(api, "/payments/toss/confirm", {"paymentKey": "k", "orderId": order.public_id, "amount": 9000})
    assert response.status_code == 404


def test_card_terminal_over_the_api(client, store, pos_device, terminal):
    order = make_order(store)
    api = device_client(client, pos_device)
    bad = _post(api, "/payments", {"orderId": order.public_id, "paymentMethodId": terminal.pk, "approvalNumber": "12"})
    assert bad.json()["error"]["code"] == "INVALID_APPROVAL_NUMBER"
    good = _post(
        api,
        "/payments",
        {"orderId": order.public_id, "paymentMethodId": terminal.pk, "approvalNumber": "87654321", "cardCompany": "BC"},
    )
    assert good.status_code == 201 and good.json()["approvalNumber"] == "87654321"


def test_latest_payment_of_order_without_payment_is_404(client, store, pos_device):
    order = make_order(store)
    response = device_client(client, pos_device).get(f"/payments/{order.public_id}")
    assert (response.status_code, response.json()["error"]["code"]) == (404, "PAYMENT_NOT_FOUND")


def test_idempotency_key_replays_first_response(client, store, pos_device, cash):
    order = make_order(store)
    api = device_client(client, pos_device)
    body = {"orderId": order.public_id, "paymentMethodId": cash.pk, "amount": 1000}
    first = _post(api, "/payments", body, **{"Idempotency-Key": "abc-1"})
    again = _post(api, "/payments", body, **{"Idempotency-Key": "abc-1"})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json() and again["Idempotent-Replayed"] == "true"
    assert Payment.objects.count() == 1
    other = _post(api, "/payments", {**body, "amount": 2000}, **{"Idempotency-Key": "abc-1"})
    assert (other.status_code, other.json()["error"]["code"]) == (422, "IDEMPOTENCY_KEY_REUSED")


def test_idempotency_key_still_running_is_409(client, store, pos_device, cash):
    order = make_order(store)
    api = device_client(client, pos_device)
    body = {"orderId": order.public_id, "paymentMethodId": cash.pk}
    import hashlib

    digest = hashlib.sha256(b"POST /payments\n" + json.dumps(body).encode()).hexdigest()
    IdempotencyRecord.objects.create(scope=f"device:{pos_device.pk}", key="k2", request_hash=digest)
    response = _post(api, "/payments", body, **{"Idempotency-Key": "k2"})
    assert (response.status_code, response.json()["error"]["code"]) == (409, "IDEMPOTENCY_IN_PROGRESS")


@pytest.mark.parametrize(
    "body, status, code",
    [
        ({"orderId": "x", "amount": 1}, 422, "INVALID_FIELD"),
        ({"paymentKey": "k", "amount": 1}, 422, "INVALID_FIELD"),
        ({"paymentKey": "k", "orderId": "x", "amount": "lots"}, 422, "INVALID_FIELD"),
        ({"paymentKey": "k", "orderId": "pay_nothing", "amount": 1}, 404, "PAYMENT_NOT_FOUND"),
        ("{", 400, "MALFORMED_JSON"),
    ],
)
def test_toss_confirm_bad_input(client, pos_device, body, status, code):
    response = _post(device_client(client, pos_device), "/payments/toss/confirm", body)
    assert (response.status_code, response.json()["error"]["code"]) == (status, code)


def test_toss_cancel_auth_and_scoping(client, store, owner, other_pos, cash):
    order = make_order(store)
    from apps.payments import services

    payment = services.payment_create(order, cash)
    Payment.objects.filter(pk=payment.pk).update(provider_ref="tkey_1")
    url = "/payments/toss/cancel/tkey_1"
    assert _post(client, url, {"cancelReason": "x"}).status_code == 401
    assert _post(device_client(client, other_pos), url, {"cancelReason": "x"}).status_code == 404
    client.cookies.clear()
    from tests.factories import OwnerFactory

    client.force_login(OwnerFactory())
    assert _post(client, url, {"cancelReason": "x"}).status_code == 404
    client.force_login(owner)
    response = _post(client, url, {"cancelAmount": 100})
    assert (response.status_code, response.json()["error"]["code"]) == (422, "INVALID_FIELD")
    response = _post(client, url, {"cancelReason": "고객 요청", "cancelAmount": 1000})
    assert response.status_code == 200
    assert response.json()["balanceAmount"] == 8000 and response.json()["status"] == "DONE"


def test_webhook_bad_input_and_unknown_payment(client):
    assert client.post("/api/webhooks/toss", "nope", content_type="application/json").status_code == 400
    response = client.post("/api/webhooks/toss", {"data": {}}, content_type="application/json")
    assert response.status_code == 422
    assert client.get("/api/webhooks/toss").status_code == 405
    body = {"eventType": "PAYMENT_STATUS_CHANGED", "data": {"paymentKey": "unknown", "status": "DONE"}}
    response = client.post("/api/webhooks/toss", body, content_type="application/json")
    assert response.status_code == 200
    again = client.post("/api/webhooks/toss", body, content_type="application/json")
    assert again.json()["duplicate"] is True
    assert WebhookEvent.objects.count() == 1


def test_method_of_other_channel_refused_for_kiosk(client, store, kiosk_device, cash):
    order = make_order(store)
    response = _post(
        device_client(client, kiosk_device), "/payments", {"orderId": order.public_id, "paymentMethodId": cash.pk}
    )
    assert (response.status_code, response.json()["error"]["code"]) == (422, "PAYMENT_METHOD_NOT_OFFERED")
