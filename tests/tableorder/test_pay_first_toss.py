"""Pay first with Toss, against the local Toss server (tests/fakes): the phone's round goes through
the kiosk's confirm, and through the reconcile beat when Toss's answer to the confirm was lost —
either way it lands once, and a declined card sends nothing.

Transactional: the confirm runs (eagerly) in the return's on-commit hook, as the worker would."""

from datetime import datetime
from urllib.parse import parse_qs, urlencode, urlparse
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from apps.orders.models import Order
from apps.payments import services as payment_services
from apps.payments.models import Payment
from apps.tables.models import TableOrderSettings
from tests.payments.factories import make_method
from tests.tableorder.conftest import phone_url

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _monday_evening(settings):
    settings.TABLEORDER_PHONE_ROUND_INTERVAL_SECONDS = 0
    with time_machine.travel(datetime(2026, 11, 30, 19, 0, tzinfo=ZoneInfo("Asia/Seoul")), tick=False):
        yield


@pytest.fixture
def toss(store, toss_server):
    TableOrderSettings.objects.create(store=store, pay_first=True)
    return make_method(store, "TOSS", channels=("TABLE",), name="카드")


def _toss_window(client, table, listing, method, toss_server):
    """The phone's basket to Toss's window; returns (payment, the success URL Toss would send back)."""
    client.post(phone_url(table, "add/"), {"product_id": listing.product.pk})
    started = client.post(phone_url(table, "pay/"), {"method": str(method.pk)})
    checkout = started["Location"]
    assert checkout.startswith("/payments/toss/checkout/"), checkout
    assert client.get(checkout).status_code == 200
    token = parse_qs(urlparse(checkout).query)["t"][0]
    payment = Payment.objects.get(status="READY")
    key = toss_server.authorize(payment.public_id, payment.amount)
    query = urlencode({"paymentKey": key, "orderId": payment.public_id, "amount": payment.amount, "t": token})
    return payment, f"/payments/return/success?{query}"


def test_a_toss_payment_confirmed_lands_the_round(store, table, stew, open_shift, toss, toss_server):
    client = Client()
    payment, back = _toss_window(client, table, stew, toss, toss_server)
    page = client.get(back, follow=True)
    assert "phone-round-paid" in page.content.decode()
    tab = Order.objects.get(table=table)
    payment.refresh_from_db()
    assert payment.status == "DONE" and payment.order_id == tab.pk and tab.total_amount == 9000
    assert [r["path"] for r in toss_server.requests].count("/v1/payments/confirm") == 1


def test_a_lost_confirm_answer_is_reconciled_and_lands_once(
    store, table, stew, open_shift, toss, toss_server, monkeypatch
):
    # the worker's first try only (its retry in 30 s is what the reconcile below stands for)
    monkeypatch.setattr("apps.payments.services.checkout._enqueue_confirm", payment_services.payment_confirm)
    client = Client()
    payment, back = _toss_window(client, table, stew, toss, toss_server)
    toss_server.inject("confirm", "drop")  # Toss charges, the answer never arrives
    page = client.get(back, follow=True)
    # the phone waits; nothing is on the table yet
    assert 'data-testid="phone-paying"' in page.content.decode()
    assert Payment.objects.get(pk=payment.pk).status == "UNKNOWN"
    assert not Order.objects.filter(table=table).exists()
    # the reconcile beat finds the charge; the round lands; reconciling again changes nothing
    assert payment_services.payment_reconcile(payment.pk) == "DONE"
    assert payment_services.payment_reconcile(payment.pk) == "DONE"
    assert payment_services.payment_confirm(payment.pk) == "DONE"
    tab = Order.objects.get(table=table)
    assert tab.rounds.count() == 1 and tab.total_amount == 9000
    assert "phone-round-paid" in client.get(page.redirect_chain[-1][0], follow=True).content.decode()


def test_a_card_declined_at_toss_sends_nothing(store, table, stew, open_shift, toss, toss_server):
    client = Client()
    payment, back = _toss_window(client, table, stew, toss, toss_server)
    toss_server.inject("confirm", "decline")
    page = client.get(back, follow=True)
    assert "결제가 완료되지 않아 주문하지 않았습니다" in page.content.decode()
    assert Payment.objects.get(pk=payment.pk).status == "FAILED"
    assert not Order.objects.filter(table=table).exists()
