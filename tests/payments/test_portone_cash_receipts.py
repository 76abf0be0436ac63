"""Cash receipts (현금영수증) of a store whose card gateway is PortOne, at the wire against the local
PortOne server: issued through PortOne's cash-receipt API (not Toss's), a 5xx retried with the same
idempotency key, a timeout left UNKNOWN and settled by the beat, cancelled and reissued for the
remainder on a partial refund, and an issuer that stays with the receipt."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from apps.orders.models import Order
from apps.payments import services
from apps.payments.models import CashReceipt
from apps.payments.tasks import reconcile_payments

from .factories import make_order

pytestmark = pytest.mark.django_db(transaction=True)
C = CashReceipt.Status
PHONE = "010-1234-5678"


@pytest.fixture
def portone_store(store, portone, portone_server, toss_server):
    # both gateways configured: which one a receipt goes to is the store's choice of card gateway
    return store


def _cash_sale(store, cash, lines=(("아메리카노", 4500, 2),)):
    order = make_order(store, lines=lines)
    return order, services.payment_create(order, cash)


def _calls(server, suffix):
    return [r for r in server.requests if r["method"] == "POST" and r["path"].endswith(suffix)]


def _beat_tick(after=timedelta(minutes=1)):
    with time_machine.travel(timezone.now() + after):
        return reconcile_payments()


def test_a_portone_store_issues_through_portone_with_the_receipts_key(portone_store, cash, portone_server, toss_server):
    _order, payment = _cash_sale(portone_store, cash)  # 9,000원
    receipt = services.cash_receipt_request(payment, choice="INCOME_DEDUCTION", identity=PHONE)
    receipt.refresh_from_db()
    assert (receipt.status, receipt.issuer, receipt.amount, receipt.is_simulated) == (C.ISSUED, "PORTONE", 9000, False)
    (call,) = _calls(portone_server, "/cash-receipts")
    body = call["body"]
    assert call["idempotencyKey"] == str(receipt.idempotency_key)
    assert body["paymentId"] == f"{payment.public_id}-cr{receipt.pk}" == receipt.receipt_key
    assert (body["type"], body["currency"], body["amount"]) == ("PERSONAL", "KRW", {"total": 9000, "taxFree": 0})
    assert body["customer"] == {"identityNumber": "01012345678"} and body["channelKey"] == "channel-key-fake"
    (live,) = portone_server.live_receipts()
    assert (receipt.issue_number, receipt.receipt_url) == (live["issueNumber"], live["url"])
    # Toss heard nothing of it
    assert not [r for r in toss_server.requests if "cash-receipts" in r["path"]]


def test_expense_proof_is_corporate(portone_store, cash, portone_server):
    _order, payment = _cash_sale(portone_store, cash)
    receipt = services.cash_receipt_request(payment, choice="EXPENSE_PROOF", identity="123-45-67891")
    assert receipt.status == C.ISSUED
    assert _calls(portone_server, "/cash-receipts")[0]["body"]["type"] == "CORPORATE"


@pytest.mark.parametrize("fault", ["500", "drop"])
def test_a_5xx_or_lost_answer_is_retried_with_the_same_key_and_issues_once(portone_store, cash, portone_server, fault):
    _order, payment = _cash_sale(portone_store, cash)
    portone_server.inject("receipt_issue", fault)
    receipt = services.cash_receipt_request(payment, choice="INCOME_DEDUCTION", identity=PHONE)
    assert receipt.status == C.ISSUED
    calls = _calls(portone_server, "/cash-receipts")
    assert len(calls) == 2 and {c["idempotencyKey"] for c in calls} == {str(receipt.idempotency_key)}
    assert len(portone_server.live_receipts()) == 1


def test_a_timeout_leaves_it_unknown_and_the_beat_settles_it_in_one_tick(portone_store, cash, portone_server, settings):
    # given PortOne issues the receipt but answers every attempt too late
    settings.PORTONE_TIMEOUT_SECONDS = 0.3
    portone_server.slow_seconds = 1.0
    _order, payment = _cash_sale(portone_store, cash)
    portone_server.inject("receipt_issue", "timeout", times=3)
    receipt = services.cash_receipt_request(payment, choice="INCOME_DEDUCTION", identity=PHONE)
    assert receipt.status == C.UNKNOWN and receipt.failure_code == "TIMEOUT"
    assert len(portone_server.live_receipts()) == 1  # issued once, whatever we heard
    # when the beat ticks
    assert _beat_tick() >= 1
    # then the receipt is read back by its paymentId: ISSUED with PortOne's issue number, nothing issued twice
    receipt.refresh_from_db()
    (live,) = portone_server.live_receipts()
    assert (receipt.status, receipt.issue_number) == (C.ISSUED, live["issueNumber"])
    assert receipt.receipt_key == live["paymentId"]
    assert len(_calls(portone_server, "/cash-receipts")) == 3


def test_an_issue_portone_never_applied_is_issued_by_the_beat(portone_store, cash, portone_server):
    _order, payment = _cash_sale(portone_store, cash)
    portone_server.inject("receipt_issue", "500", times=3)
    receipt = services.cash_receipt_request(payment, choice="INCOME_DEDUCTION", identity=PHONE)
    assert receipt.status == C.UNKNOWN and not portone_server.live_receipts()
    # a tick while PortOne still fails changes nothing
    portone_server.inject("receipt_fetch", "500", times=3)
    assert _beat_tick() == 0
    receipt.refresh_from_db()
    assert receipt.status == C.UNKNOWN
    # the next tick finds no receipt for the paymentId and issues it, with the same key
    _beat_tick()
    receipt.refresh_from_db()
    assert receipt.status == C.ISSUED and len(portone_server.live_receipts()) == 1
    keys = {c["idempotencyKey"] for c in _calls(portone_server, "/cash-receipts")}
    assert keys == {str(receipt.idempotency_key)}


def test_partial_refund_cancels_and_reissues_for_the_remainder_then_full_refund_cancels(
    portone_store, cash, portone_server
):
    order, payment = _cash_sale(portone_store, cash)  # 9,000원
    first = services.cash_receipt_request(payment, choice="INCOME_DEDUCTION", identity=PHONE)
    # when 3,000원 is refunded, PortOne answering the cancel with a 5xx once
    portone_server.inject("receipt_cancel", "500")
    services.payment_refund(order, amount=3000, reason="일부 환불")
    # then the 9,000원 receipt is cancelled (retried with its cancel key) and 6,000원 issued anew
    first.refresh_from_db()
    assert first.status == C.CANCELED and first.identity_sealed == ""
    cancels = _calls(portone_server, "/cash-receipt/cancel")
    assert [c["path"] for c in cancels] == [f"/payments/{first.receipt_key}/cash-receipt/cancel"] * 2
    assert {c["idempotencyKey"] for c in cancels} == {str(first.cancel_idempotency_key)}
    second = CashReceipt.objects.get(replaces=first)
    assert (second.status, second.amount, second.issuer) == (C.ISSUED, 6000, "PORTONE")
    assert second.receipt_key != first.receipt_key  # a new paymentId: PortOne keeps one receipt per id
    (live,) = portone_server.live_receipts()
    assert (live["amount"], live["identityNumber"], live["paymentId"]) == (6000, "01012345678", second.receipt_key)
    # and when the rest is refunded: cancelled, nothing reissued
    services.payment_refund(Order.objects.get(pk=order.pk), reason="나머지 환불")
    second.refresh_from_db()
    assert second.status == C.CANCELED and not portone_server.live_receipts()


def test_a_receipt_is_cancelled_where_it_was_issued_after_the_store_changes_gateway(
    portone_store, portone, cash, portone_server, toss_server
):
    order, payment = _cash_sale(portone_store, cash)
    receipt = services.cash_receipt_request(payment, choice="INCOME_DEDUCTION", identity=PHONE)
    assert receipt.issuer == "PORTONE"
    # when the owner switches PortOne off and a refund follows
    portone.is_active = False
    portone.save()
    services.payment_refund(order, amount=1000, reason="일부 환불")
    # then PortOne cancels its receipt and the remainder goes to Toss, the store's gateway now
    receipt.refresh_from_db()
    assert receipt.status == C.CANCELED and not portone_server.live_receipts()
    reissued = CashReceipt.objects.get(replaces=receipt)
    assert (reissued.issuer, reissued.amount, reissued.status) == ("TOSS", 8000, C.ISSUED)
    assert len(toss_server.live_receipts()) == 1
