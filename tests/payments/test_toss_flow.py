"""Card payments through Toss: the local Toss server, a real Celery worker on real Redis."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.carts import services as carts
from apps.orders import services as orders
from apps.orders.models import Order
from apps.payments import services
from apps.payments.models import Payment, PaymentEvent, WebhookEvent
from apps.payments.tasks import reconcile_payments
from tests.carts.factories import listed_product

from .conftest import wait_for
from .factories import make_order
from .helpers import start_card_payment, success_url

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def _status(payment) -> str:
    return Payment.objects.get(pk=payment.pk).status


def test_card_payment_confirmed_end_to_end(celery_worker_real, client, store, toss, toss_server):
    # given an order and a customer who finished Toss's payment window
    order = make_order(store)
    payment, token = start_card_payment(order, toss)
    payment_key = toss_server.authorize(payment.public_id, payment.amount)
    # when the browser comes back to the success URL
    response = client.get(success_url(payment, token, payment_key))
    # then it is sent on to the caller's page while the worker confirms with the saved key
    assert response.status_code == 302
    assert response["Location"].startswith("/done/?payment=" + payment.public_id)
    wait_for(lambda: _status(payment) == "DONE")
    payment.refresh_from_db()
    assert payment.approval_number and payment.card_company == "신한"
    assert Order.objects.get(pk=order.pk).status == "PAID"
    confirm_calls = [r for r in toss_server.requests if r["path"] == "/v1/payments/confirm"]
    assert len(confirm_calls) == 1 and confirm_calls[0]["idempotencyKey"] == str(payment.idempotency_key)
    assert toss_server.charges == [payment_key]
    operations = list(PaymentEvent.objects.filter(payment=payment).values_list("operation", "direction"))
    assert ("confirm", "REQUEST") in operations and ("confirm", "RESPONSE") in operations


def test_amount_tampering_is_refused_and_nothing_confirmed(celery_worker_real, client, store, toss, toss_server):
    order = make_order(store)
    payment, token = start_card_payment(order, toss)
    payment_key = toss_server.authorize(payment.public_id, 100)
    # when the amount that comes back was changed to 100원
    response = client.get(success_url(payment, token, payment_key, amount=100))
    # then the customer is sent to the fail page, nothing reached Toss's confirm, and it is logged
    assert response.status_code == 302 and response["Location"].startswith("/failed/")
    assert "AMOUNT_MISMATCH" in response["Location"]
    assert _status(payment) == "ABORTED"
    assert not [r for r in toss_server.requests if r["path"] == "/v1/payments/confirm"]
    assert PaymentEvent.objects.filter(payment=payment, payload__code="AMOUNT_MISMATCH").exists()
    assert Order.objects.get(pk=order.pk).status == "PENDING_PAYMENT"


def test_decline_fails_payment_and_cart_returns_to_active(
    celery_worker_real, client, store, kiosk_device, toss, toss_server
):
    # given a kiosk cart placed as an order
    menu = listed_product(store, "라떼", 5000)
    cart = carts.cart_create(store=store, device=kiosk_device, channel="KIOSK")
    carts.cart_line_add(cart.id, device=kiosk_device, product_id=menu.product.id, qty=2)
    order, _ = orders.order_place(cart.id, device=kiosk_device)
    assert carts.cart_get(cart.id, device=kiosk_device).state == "CHECKOUT"
    payment, token = start_card_payment(order, toss)
    payment_key = toss_server.authorize(payment.public_id, payment.amount)
    toss_server.inject("confirm", "decline")
    # when the card company declines at confirm
    client.get(success_url(payment, token, payment_key))
    wait_for(lambda: _status(payment) == "FAILED")
    # then the order still waits and the cart is ACTIVE again with its lines
    payment.refresh_from_db()
    assert payment.failure_code == "REJECT_CARD_PAYMENT"
    assert Order.objects.get(pk=order.pk).status == "PENDING_PAYMENT"
    restored = wait_for(lambda: (c := carts.cart_get(cart.id, device=kiosk_device)).state == "ACTIVE" and c)
    assert len(restored.lines) == 1 and restored.lines[0]["qty"] == 2


def test_dropped_confirm_becomes_unknown_then_reconciles_with_one_charge(
    celery_worker_real, client, store, toss, toss_server
):
    order = make_order(store)
    payment, token = start_card_payment(order, toss)
    payment_key = toss_server.authorize(payment.public_id, payment.amount)
    toss_server.inject("confirm", "drop")  # Toss charges the card, the answer is lost
    client.get(success_url(payment, token, payment_key))
    wait_for(lambda: _status(payment) == "UNKNOWN")
    assert Order.objects.get(pk=order.pk).status == "PENDING_PAYMENT"
    # when the beat's reconcile runs after the 30 s grace period
    Payment.objects.filter(pk=payment.pk).update(updated_at=timezone.now() - timedelta(seconds=31))
    reconcile_payments.delay()
    # then the payment is completed from Toss's record, and the card was charged exactly once
    wait_for(lambda: _status(payment) == "DONE")
    assert Order.objects.get(pk=order.pk).status == "PAID"
    assert toss_server.charges == [payment_key]


def test_unknown_payment_still_in_progress_is_confirmed_again_with_same_key(store, toss, toss_server, client):
    # eager Celery here: the 500 leaves Toss's session unconfirmed, so reconciling confirms again
    order = make_order(store)
    payment, token = start_card_payment(order, toss)
    payment_key = toss_server.authorize(payment.public_id, payment.amount)
    toss_server.inject("confirm", "500")
    Payment.objects.filter(pk=payment.pk).update(status="IN_PROGRESS", provider_ref=payment_key)
    assert services.payment_confirm(payment.pk) == "UNKNOWN"
    assert services.payment_reconcile(payment.pk) == "DONE"
    keys = {r["idempotencyKey"] for r in toss_server.requests if r["path"] == "/v1/payments/confirm"}
    assert keys == {str(payment.idempotency_key)}
    assert toss_server.charges == [payment_key]


def test_reconcile_fails_missing_or_expired_payments(store, toss, toss_server):
    order = make_order(store)
    missing = Payment.objects.create(
        order=order, method=toss, business_date=order.business_date, kind="TOSS", amount=1000, status="UNKNOWN"
    )
    missing.provider_ref = "tgen_nope"
    missing.save()
    assert services.payment_reconcile(missing.pk) == "FAILED"

    other = make_order(store)
    payment, _token = start_card_payment(other, toss)
    key = toss_server.authorize(payment.public_id, payment.amount)
    Payment.objects.filter(pk=payment.pk).update(status="IN_PROGRESS", provider_ref=key)
    toss_server.advance(timedelta(minutes=11))
    later = timezone.now() + timedelta(minutes=11)
    assert services.payment_reconcile(payment.pk, now=later) == "FAILED"
    assert toss_server.charges == []


def test_webhook_delivered_five_times_changes_state_once(
    celery_worker_real, client, live_server, store, toss, toss_server
):
    order = make_order(store)
    payment, token = start_card_payment(order, toss)
    payment_key = toss_server.authorize(payment.public_id, payment.amount)
    toss_server.inject("confirm", "drop")
    client.get(success_url(payment, token, payment_key))
    wait_for(lambda: _status(payment) == "UNKNOWN")
    # when Toss delivers the DONE webhook five times
    statuses = [toss_server.send_webhook(live_server.url + "/api/webhooks/toss", payment_key) for _ in range(5)]
    # then every delivery is answered 200, one event is stored and the payment moves once
    assert statuses == [200] * 5
    wait_for(lambda: _status(payment) == "DONE")
    wait_for(lambda: WebhookEvent.objects.filter(status="APPLIED").count() == 1)
    assert WebhookEvent.objects.count() == 1
    assert Order.objects.get(pk=order.pk).status == "PAID"
    assert PaymentEvent.objects.filter(payment=payment, operation="webhook").count() == 1
    assert toss_server.charges == [payment_key]


def test_split_cash_then_card(celery_worker_real, client, store, cash, toss, toss_server):
    order = make_order(store)  # 9,000원
    services.payment_create(order, cash, amount=4000, tendered=4000)
    payment, token = start_card_payment(order, toss)
    assert payment.amount == 5000  # defaults to what is still owed
    payment_key = toss_server.authorize(payment.public_id, 5000)
    client.get(success_url(payment, token, payment_key))
    wait_for(lambda: _status(payment) == "DONE")
    assert Order.objects.get(pk=order.pk).status == "PAID"
