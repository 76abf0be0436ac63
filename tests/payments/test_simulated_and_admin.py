"""The simulated provider's local payment window, the admin, and the demo methods."""

import io
from urllib.parse import parse_qs, urlparse

import pytest

from apps.orders.models import Order
from apps.payments import demo, services
from apps.payments.models import Payment, PaymentMethod
from tests.factories import OwnerFactory

from .factories import make_order


def _window(client, store, simulated):
    order = make_order(store)
    payment = services.payment_create(order, simulated)
    url = services.payment_checkout_url(payment, success_next="/kiosk/ok/", fail_next="/kiosk/fail/")
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "시뮬레이션" in text and "9,000원" in text
    return order, payment, url


@pytest.mark.django_db(transaction=True)
def test_simulated_approve_confirms_and_pays(client, store, simulated):
    order, payment, url = _window(client, store, simulated)
    token = parse_qs(urlparse(url).query)["t"][0]
    back = client.post(url, {"action": "approve", "t": token})
    assert back.status_code == 302 and back["Location"].startswith("/payments/return/success?")
    final = client.get(back["Location"])
    assert final["Location"].startswith("/kiosk/ok/?payment=" + payment.public_id)
    payment.refresh_from_db()
    assert payment.status == "DONE" and payment.is_simulated and payment.card_company == "시뮬레이션카드"
    assert Order.objects.get(pk=order.pk).status == "PAID"
    # the simulated provider refunds like a PG
    refunds = services.payment_refund(Order.objects.get(pk=order.pk), amount=1000, reason="테스트")
    assert refunds[0].status == "DONE" and Payment.objects.get(pk=payment.pk).status == "PARTIAL_CANCELED"


@pytest.mark.django_db(transaction=True)
def test_simulated_card_company_decline_fails(client, store, simulated):
    order, payment, url = _window(client, store, simulated)
    token = parse_qs(urlparse(url).query)["t"][0]
    back = client.post(url, {"action": "approve_decline", "t": token})
    client.get(back["Location"])
    payment.refresh_from_db()
    assert (payment.status, payment.failure_code) == ("FAILED", "REJECT_CARD_PAYMENT")
    assert Order.objects.get(pk=order.pk).status == "PENDING_PAYMENT"


@pytest.mark.django_db
def test_simulated_decline_aborts_and_goes_to_fail_page(client, store, simulated):
    order, payment, url = _window(client, store, simulated)
    token = parse_qs(urlparse(url).query)["t"][0]
    back = client.post(url, {"action": "decline", "t": token})
    final = client.get(back["Location"])
    assert final["Location"].startswith("/kiosk/fail/?payment=" + payment.public_id)
    assert Payment.objects.get(pk=payment.pk).status == "ABORTED"


@pytest.mark.django_db
def test_checkout_with_bad_token_or_next_is_refused(client, store, simulated):
    payment = services.payment_create(make_order(store), simulated)
    response = client.get(f"/payments/simulated/checkout/{payment.public_id}/?t=forged")
    assert response.status_code == 422
    with pytest.raises(Exception, match="돌아갈 주소"):
        services.payment_checkout_url(payment, success_next="https://evil.example/", fail_next="/x/")
    assert client.get("/payments/return/success?paymentKey=a&orderId=b&amount=1&t=bad").status_code == 422


@pytest.mark.django_db
def test_demo_seed_creates_default_methods(store, settings):
    settings.TOSS_SECRET_KEY = ""
    demo.seed(store, io.StringIO())
    kinds = {m.kind: m.channels for m in PaymentMethod.objects.filter(store=store)}
    assert kinds == {"CASH": ["POS"], "CARD_TERMINAL": ["POS"], "SIMULATED": ["POS", "KIOSK"]}


@pytest.mark.django_db
def test_admin_payments_scoped_to_owner_with_events(client, store, owner, cash):
    payment = services.payment_create(make_order(store), cash)
    client.force_login(owner)
    page = client.get(f"/admin/payments/payment/{payment.pk}/change/")
    assert page.status_code == 200 and "cash" in page.content.decode()
    assert client.get("/admin/payments/webhookevent/").status_code == 403
    client.force_login(OwnerFactory())
    assert client.get(f"/admin/payments/payment/{payment.pk}/change/").status_code == 404


@pytest.mark.django_db
def test_admin_refund_action(client, store, owner, cash):
    order = make_order(store)
    payment = services.payment_create(order, cash)
    client.force_login(owner)
    response = client.post(
        "/admin/payments/payment/", {"action": "refund_remaining", "_selected_action": [payment.pk]}, follow=True
    )
    assert response.status_code == 200
    assert Order.objects.get(pk=order.pk).status == "REFUNDED"
