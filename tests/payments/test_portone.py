"""PortOne V2 at the wire (tests/fakes/portone_server.py): confirm by fetching, an amount mismatch
refused, a lost answer reconciled by the beat, partial cancels guarded by the cancellable balance,
and webhooks verified by their Standard Webhooks signature (wrong, stale, replayed)."""

import time
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
import time_machine
from celery.exceptions import Retry
from django.utils import timezone

from apps.core.errors import DomainError
from apps.orders.models import Order
from apps.payments import services
from apps.payments.models import Payment, Refund, WebhookEvent
from apps.payments.tasks import reconcile_payments

from .factories import make_order

pytestmark = pytest.mark.django_db(transaction=True)
R = Refund.Status


def _beat_tick(after=timedelta(minutes=1)):
    with time_machine.travel(timezone.now() + after):
        return reconcile_payments()


def _paid(store, portone, server, *, charged=None, settled=True):
    order = make_order(store)  # 9,000원
    payment = services.payment_create(order, portone)
    server.pay(payment.public_id, payment.amount if charged is None else charged)
    if settled:
        services.payment_return_portone(payment_id=payment.public_id)
    else:
        # eager Celery: the confirm task asks to be retried later (as a worker would), which surfaces here
        with pytest.raises(Retry):
            services.payment_return_portone(payment_id=payment.public_id)
    payment.refresh_from_db()
    return order, payment


def _cancels(server):
    return [r for r in server.requests if r["method"] == "POST"]


def test_confirm_fetches_the_payment_and_pays_the_order(store, portone, portone_server):
    order, payment = _paid(store, portone, portone_server)
    assert payment.status == "DONE" and payment.provider_ref == payment.public_id
    assert (payment.card_company, payment.card_number_masked) == ("현대카드", "43301234****1234")
    assert payment.approval_number
    assert Order.objects.get(pk=order.pk).status == "PAID"
    assert [r["path"] for r in portone_server.requests] == [f"/payments/{payment.public_id}"]
    # a repeated browser return changes nothing
    services.payment_return_portone(payment_id=payment.public_id)
    assert len(portone_server.requests) == 1


def test_a_charge_of_another_amount_is_refused(store, portone, portone_server):
    order, payment = _paid(store, portone, portone_server, charged=100, settled=False)
    assert payment.status != "DONE" and payment.failure_code == "AMOUNT_MISMATCH_AT_PROVIDER"
    assert Order.objects.get(pk=order.pk).status == "PENDING_PAYMENT"


def test_without_a_secret_portone_is_not_offered(store, portone, settings):
    settings.PORTONE_API_SECRET = ""
    with pytest.raises(DomainError) as err:
        services.payment_create(make_order(store), portone)
    assert err.value.code == "PROVIDER_NOT_CONFIGURED"


def test_a_lost_answer_is_unknown_then_reconciled_by_the_beat(store, portone, portone_server):
    # given PortOne answers 500 to every fetch while the confirm runs (and its retries)
    portone_server.inject("fetch", "500", times=10)
    order, payment = _paid(store, portone, portone_server, settled=False)
    assert payment.status == "UNKNOWN"
    assert Order.objects.get(pk=order.pk).status == "PENDING_PAYMENT"
    # when PortOne is back and the beat runs
    portone_server.faults.clear()
    _beat_tick()
    # then the payment is settled and the order paid
    assert Payment.objects.get(pk=payment.pk).status == "DONE"
    assert Order.objects.get(pk=order.pk).status == "PAID"


def test_partial_cancels_carry_the_cancellable_balance_and_a_lost_one_settles_once(store, portone, portone_server):
    order, payment = _paid(store, portone, portone_server)
    services.payment_refund(order, amount=3000, reason="일부")
    services.payment_refund(Order.objects.get(pk=order.pk), amount=2000, reason="또 일부")
    sent = _cancels(portone_server)
    assert [(c["body"]["amount"], c["body"]["currentCancellableAmount"]) for c in sent] == [(3000, 9000), (2000, 6000)]
    remote = portone_server.payment(payment.public_id)
    keys = [c["id"] for c in remote["cancellations"]]
    assert sorted(Refund.objects.values_list("provider_transaction_key", flat=True)) == sorted(keys)
    payment.refresh_from_db()
    assert (payment.status, payment.canceled_amount) == ("PARTIAL_CANCELED", 5000)
    # a third cancel applied at PortOne but answered by a dropped connection: the beat settles it once
    portone_server.inject("cancel", "drop")
    with pytest.raises(DomainError):
        services.payment_refund(Order.objects.get(pk=order.pk), amount=4000, reason="나머지")
    assert Refund.objects.get(status=R.UNKNOWN).amount == 4000
    _beat_tick()
    assert not Refund.objects.exclude(status=R.DONE).exists()
    assert len(portone_server.payment(payment.public_id)["cancellations"]) == 3
    order.refresh_from_db()
    assert (order.status, order.refunded_amount) == ("REFUNDED", 9000)
    assert Payment.objects.get(pk=payment.pk).status == "CANCELED"


def test_a_cancel_answered_500_is_resent_by_the_beat_and_applies_once(store, portone, portone_server):
    order, payment = _paid(store, portone, portone_server)
    portone_server.inject("cancel", "500")
    with pytest.raises(DomainError):
        services.payment_refund(order, amount=3000, reason="일부")
    _beat_tick()
    assert Refund.objects.get().status == R.DONE
    assert len(portone_server.payment(payment.public_id)["cancellations"]) == 1
    assert Order.objects.get(pk=order.pk).refunded_amount == 3000


def _post(client, body, headers):
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    return client.post("/api/webhooks/portone", data=body, content_type="application/json", **extra)


def test_a_signed_webhook_is_stored_once_and_applied_by_refetching(client, store, portone, portone_server):
    order, payment = _paid(store, portone, portone_server)
    portone_server.dashboard_cancel(payment.public_id, 2000)
    body, headers = portone_server.signed_webhook(payment.public_id, event_type="Transaction.PartialCancelled")
    first = _post(client, body, headers)
    assert first.status_code == 200 and first.json() == {"received": True, "duplicate": False}
    # the console cancel was fetched and recorded
    assert Refund.objects.get().amount == 2000 and Order.objects.get(pk=order.pk).refunded_amount == 2000
    # a replay of the same delivery is recognised and applies nothing more
    again = _post(client, body, headers)
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert WebhookEvent.objects.filter(provider="portone").count() == 1 and Refund.objects.count() == 1


@pytest.mark.parametrize("bad", ["wrong_secret", "stale", "tampered", "missing"])
def test_a_webhook_with_a_wrong_stale_or_missing_signature_is_refused(client, store, portone, portone_server, bad):
    _order, payment = _paid(store, portone, portone_server)
    if bad == "wrong_secret":
        body, headers = portone_server.signed_webhook(payment.public_id, secret="whsec_" + "QUFBQUFBQUFBQUFBQUFBQQ==")
    elif bad == "stale":
        body, headers = portone_server.signed_webhook(payment.public_id, timestamp=int(time.time()) - 600)
    else:
        body, headers = portone_server.signed_webhook(payment.public_id)
        if bad == "tampered":
            body = body.replace(b"Transaction.Paid", b"Transaction.Cancelled")
        else:
            headers.pop("webhook-signature")
    response = _post(client, body, headers)
    assert response.status_code == 401 and response.json()["error"]["code"] == "INVALID_WEBHOOK_SIGNATURE"
    assert not WebhookEvent.objects.exists()


def _checkout(client, store, portone):
    order = make_order(store)
    payment = services.payment_create(order, portone)
    url = services.payment_checkout_url(payment, success_next="/done/", fail_next="/failed/")
    page = client.get(url)
    token = parse_qs(urlparse(url).query)["t"][0]
    return order, payment, page, token


def test_browser_checkout_opens_portone_and_its_return_confirms(client, store, portone, portone_server, settings):
    settings.PORTONE_STORE_ID, settings.PORTONE_CHANNEL_KEY = "store-fake", "channel-key-fake"
    order, payment, page, token = _checkout(client, store, portone)
    html = page.content.decode()
    assert page.status_code == 200 and "https://cdn.portone.io/v2/browser-sdk.js" in html
    assert payment.public_id in html and "channel-key-fake" in html and "9,000원" in html
    # when the customer paid and PortOne sends the browser back with our paymentId
    portone_server.pay(payment.public_id, payment.amount)
    back = client.get("/payments/return/portone?" + urlencode({"t": token, "paymentId": payment.public_id}))
    # then the confirm fetched it and the caller's page gets the payment
    assert back.status_code == 302 and back["Location"] == f"/done/?payment={payment.public_id}&status=IN_PROGRESS"
    assert Payment.objects.get(pk=payment.pk).status == "DONE"
    assert Order.objects.get(pk=order.pk).status == "PAID"


def test_a_closed_window_or_another_payment_id_goes_to_the_fail_page(client, store, portone, portone_server):
    order, payment, _page, token = _checkout(client, store, portone)
    forged = client.get("/payments/return/portone?" + urlencode({"t": token, "paymentId": "pay_someone_else"}))
    assert forged["Location"].startswith("/failed/?") and "INVALID_CHECKOUT_TOKEN" in forged["Location"]
    closed = client.get(
        "/payments/return/portone?"
        + urlencode({"t": token, "paymentId": payment.public_id, "code": "PAY_PROCESS_CANCELED", "message": "닫음"})
    )
    assert closed["Location"].startswith("/failed/?") and "PAY_PROCESS_CANCELED" in closed["Location"]
    assert Payment.objects.get(pk=payment.pk).status == "ABORTED"
    assert not [r for r in portone_server.requests if r["method"] == "POST"]


@pytest.mark.parametrize(
    "params",
    [
        {"code": "X\x00", "message": "\x00"},
        {"code": "E", "message": "\ud800"},
        {"code": "E" * 5000, "message": "m" * 50_000},
        {"paymentId": "\x00"},
        {"paymentId": ["a", "b"]},
    ],
)
def test_hostile_return_parameters_never_fail_with_a_5xx(client, store, portone, portone_server, params):
    _order, payment, _page, token = _checkout(client, store, portone)
    query = {"t": token, "paymentId": payment.public_id, **params}
    response = client.get("/payments/return/portone?" + urlencode(query, doseq=True, errors="surrogatepass"))
    # a NUL anywhere in the query is refused before any view (400); the rest go to the fail page
    assert response.status_code == 400 or response["Location"].startswith("/failed/?")
    assert Payment.objects.get(pk=payment.pk).status in ("READY", "ABORTED")
