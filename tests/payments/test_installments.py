"""A card's installment plan (할부) as Toss and PortOne report it, kept on the payment when it is
confirmed: Toss's `card.installmentPlanMonths`, PortOne V2's `method.installment.month`. A value
that is not an int within 0..36 is not kept (None) and never fails the confirm."""

import logging
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
import time_machine
from django.urls import reverse

from apps.orders.models import Order
from apps.payments import services
from apps.payments.models import Payment

from .factories import make_order
from .helpers import start_card_payment

pytestmark = pytest.mark.django_db(transaction=True)
NOW = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)  # Monday 12:00 in Seoul
BOGUS = [99, 37, -1, "x", "3", 2.5, True, {"month": 3}]


@pytest.fixture(autouse=True)
def _monday():
    with time_machine.travel(NOW, tick=False):
        yield


def _toss_confirmed(store, toss, toss_server) -> Payment:
    order = make_order(store)  # 9,000원
    payment, _token = start_card_payment(order, toss)
    payment_key = toss_server.authorize(payment.public_id, payment.amount)
    # the state the browser's return leaves it in; the worker's task body then confirms
    Payment.objects.filter(pk=payment.pk).update(status="IN_PROGRESS", provider_ref=payment_key)
    services.payment_confirm(payment.pk)
    return Payment.objects.get(pk=payment.pk)


def _portone_confirmed(store, portone, portone_server, month) -> Payment:
    order = make_order(store)
    payment = services.payment_create(order, portone)
    portone_server.pay(payment.public_id, payment.amount, installment_month=month)
    services.payment_return_portone(payment_id=payment.public_id)
    return Payment.objects.get(pk=payment.pk)


def test_toss_two_months_are_kept_and_shown(client, store, toss, toss_server):
    # given Toss confirms a card paid in 2 monthly installments
    toss_server.installment_plan_months = 2
    # when the payment is confirmed
    payment = _toss_confirmed(store, toss, toss_server)
    # then it is DONE with the plan, and the public receipt reads it
    assert payment.status == "DONE" and payment.installment_months == 2
    html = client.get(reverse("kiosk:receipt", args=[store.pk, payment.order.public_id])).content.decode()
    assert 'data-testid="receipt-installments">2개월 할부<' in html


def test_toss_lump_sum_is_zero(store, toss, toss_server):
    assert toss_server.installment_plan_months == 0  # the fake's default, as Toss sends a 일시불
    assert _toss_confirmed(store, toss, toss_server).installment_months == 0


@pytest.mark.parametrize("bogus", BOGUS)
def test_toss_bogus_months_are_dropped_and_logged(store, toss, toss_server, bogus, caplog):
    toss_server.installment_plan_months = bogus
    with caplog.at_level(logging.WARNING, logger="apps.payments.services._common"):
        payment = _toss_confirmed(store, toss, toss_server)
    # the charge itself stands: only the plan is not kept
    assert payment.status == "DONE" and payment.installment_months is None
    assert Order.objects.get(pk=payment.order_id).status == "PAID"
    assert any("installment months" in r.getMessage() for r in caplog.records)


def test_portone_two_months_are_kept(store, portone, portone_server):
    payment = _portone_confirmed(store, portone, portone_server, 2)
    assert payment.status == "DONE" and payment.installment_months == 2


def test_portone_lump_sum_is_zero(store, portone, portone_server):
    assert _portone_confirmed(store, portone, portone_server, 0).installment_months == 0


def test_portone_without_an_installment_object_keeps_none(store, portone, portone_server):
    # a payment object without method.installment (e.g. an easy-pay wallet): nothing is guessed
    order = make_order(store)
    payment = services.payment_create(order, portone)
    portone_server.pay(payment.public_id, payment.amount)
    del portone_server.payments[payment.public_id]["method"]["installment"]
    services.payment_return_portone(payment_id=payment.public_id)
    payment.refresh_from_db()
    assert payment.status == "DONE" and payment.installment_months is None


@pytest.mark.parametrize("bogus", [99, "x", None])
def test_portone_bogus_month_through_the_browser_return_is_no_500(client, store, portone, portone_server, bogus):
    # given the customer paid and PortOne's object carries a bogus month
    order = make_order(store)
    payment = services.payment_create(order, portone)
    url = services.payment_checkout_url(payment, success_next="/done/", fail_next="/failed/")
    token = parse_qs(urlparse(url).query)["t"][0]
    portone_server.pay(payment.public_id, payment.amount, installment_month=bogus)
    # when the browser comes back
    back = client.get("/payments/return/portone?" + urlencode({"t": token, "paymentId": payment.public_id}))
    # then the payment is confirmed without the plan, and the receipt renders without one
    assert back.status_code == 302 and back["Location"].startswith("/done/")
    payment.refresh_from_db()
    assert payment.status == "DONE" and payment.installment_months is None
    receipt = client.get(reverse("kiosk:receipt", args=[store.pk, order.public_id]))
    assert receipt.status_code == 200 and "receipt-installments" not in receipt.content.decode()


def test_the_owner_admin_shows_the_plan_read_only(client, store, owner, portone, portone_server):
    # given a PortOne card payment in 3 monthly installments
    payment = _portone_confirmed(store, portone, portone_server, 3)
    # when its owner opens it in the admin
    client.force_login(owner)
    page = client.get(f"/admin/payments/payment/{payment.pk}/change/")
    html = page.content.decode()
    # then the plan is listed with the approval fields, in Korean, and cannot be edited
    assert page.status_code == 200 and "할부 개월" in html
    assert 'name="installment_months"' not in html
    row = html[html.index("field-installment_months") :]
    assert row.index('<div class="readonly">3</div>') < row.index("</fieldset>")
