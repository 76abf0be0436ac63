"""Refunds that always settle: the refund state machine, the beat that settles a lost cancel answer
by fetching the payment's cancels (and resending with the same key when it never happened), and
cancels made in the Toss dashboard while a refund of ours is unknown. At the wire: the local Toss
server with fault injection."""

from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone, translation

from apps.core.errors import DomainError
from apps.orders.models import Order
from apps.payments import services
from apps.payments.models import Payment, PaymentStatus, Refund
from apps.payments.services import refunds as refund_services
from apps.payments.state import ALLOWED_MOVES, REFUND_MOVES, lock_payment, lock_refund, payment_move, refund_move
from apps.payments.tasks import reconcile_payments
from tests.concurrency import run_together

from .factories import make_order
from .helpers import start_card_payment

pytestmark = pytest.mark.django_db(transaction=True)
R = Refund.Status


def _paid_by_toss(store, toss, toss_server):
    order = make_order(store)  # 9,000원
    payment, _token = start_card_payment(order, toss)
    key = toss_server.authorize(payment.public_id, payment.amount)
    services.payment_return_success(payment_key=key, order_id=payment.public_id, amount=payment.amount)
    payment.refresh_from_db()
    assert payment.status == "DONE"
    return order, payment


def _refund_lost(order, toss_server, fault: str, amount: int = 3000) -> Refund:
    """A refund whose cancel answer never arrives: `drop` = applied at Toss, `500` = not applied."""
    before = Order.objects.get(pk=order.pk).refunded_amount
    toss_server.inject("cancel", fault)
    with pytest.raises(DomainError) as err:
        services.payment_refund(Order.objects.get(pk=order.pk), amount=amount, reason="고객 요청")
    assert err.value.code == "REFUND_PROVIDER_ERROR"
    refund = Refund.objects.get(status=R.UNKNOWN)
    assert Order.objects.get(pk=order.pk).refunded_amount == before
    return refund


def _beat_tick(after=timedelta(minutes=1)):
    with time_machine.travel(timezone.now() + after):
        return reconcile_payments()


def _cancel_requests(toss_server):
    return [r for r in toss_server.requests if r["method"] == "POST" and r["path"].endswith("/cancel")]


def test_cancel_applied_but_answer_lost_is_settled_by_one_beat_tick(store, toss, toss_server):
    # given a 3,000원 refund that Toss applied but whose answer was lost
    order, payment = _paid_by_toss(store, toss, toss_server)
    refund = _refund_lost(order, toss_server, "drop")
    # when the beat runs once
    _beat_tick()
    # then the refund is DONE with Toss's transaction key, recorded once, and nothing was resent
    refund.refresh_from_db()
    remote = toss_server.payment(payment.provider_ref)
    assert refund.status == R.DONE and refund.provider_transaction_key == remote["cancels"][0]["transactionKey"]
    assert len(remote["cancels"]) == 1 and remote["balanceAmount"] == 6000
    assert len(_cancel_requests(toss_server)) == 1
    payment.refresh_from_db()
    assert (payment.status, payment.canceled_amount) == ("PARTIAL_CANCELED", 3000)
    order.refresh_from_db()
    assert (order.status, order.refunded_amount) == ("PARTIALLY_REFUNDED", 3000)
    # and a second tick changes nothing
    _beat_tick(timedelta(minutes=2))
    assert Refund.objects.count() == 1 and Order.objects.get(pk=order.pk).refunded_amount == 3000


def test_cancel_that_failed_with_5xx_is_resent_with_the_same_key_by_the_beat(store, toss, toss_server):
    # given a refund whose cancel answered 500 without being applied
    order, payment = _paid_by_toss(store, toss, toss_server)
    refund = _refund_lost(order, toss_server, "500")
    assert toss_server.payment(payment.provider_ref)["cancels"] is None
    # when the beat runs once: the fetch shows no such cancel, so it is sent again
    _beat_tick()
    # then it went through once, with the refund's own idempotency key both times
    refund.refresh_from_db()
    assert refund.status == R.DONE
    keys = [r["idempotencyKey"] for r in _cancel_requests(toss_server)]
    assert keys == [str(refund.idempotency_key)] * 2
    assert len(toss_server.payment(payment.provider_ref)["cancels"]) == 1
    assert Order.objects.get(pk=order.pk).refunded_amount == 3000


def test_refund_by_lines_settled_later_records_its_lines(store, toss, toss_server):
    order, payment = _paid_by_toss(store, toss, toss_server)  # 아메리카노 4,500원 × 2
    line = order.lines.get()
    toss_server.inject("cancel", "drop")
    with pytest.raises(DomainError):
        services.payment_refund(order, line_quantities={line.pk: 1}, reason="한 잔 취소", restock=False)
    _beat_tick()
    line.refresh_from_db()
    assert line.refunded_quantity == 1
    assert Order.objects.get(pk=order.pk).refunded_amount == 4500


def test_dashboard_cancel_during_an_unknown_refund_is_recorded(client, store, toss, toss_server):
    # given our 3,000원 refund is unknown (never applied) and the owner cancels 2,000원 in the dashboard
    order, payment = _paid_by_toss(store, toss, toss_server)
    ours = _refund_lost(order, toss_server, "500")
    dashboard_key = toss_server.dashboard_cancel(payment.provider_ref, 2000)
    # when Toss's webhook arrives
    response = client.post(
        "/api/webhooks/toss", toss_server.webhook_body(payment.provider_ref), content_type="application/json"
    )
    assert response.status_code == 200
    # then the dashboard cancel is recorded at once, and ours is still unknown and reserved
    external = Refund.objects.get(provider_transaction_key=dashboard_key)
    assert (external.status, external.amount) == (R.DONE, 2000)
    assert Refund.objects.get(pk=ours.pk).status == R.UNKNOWN
    assert Order.objects.get(pk=order.pk).refunded_amount == 2000
    with pytest.raises(DomainError) as err:  # 9,000 − 2,000 done − 3,000 reserved = 4,000 left
        services.payment_refund(Order.objects.get(pk=order.pk), amount=4001, reason="초과")
    assert err.value.code == "REFUND_EXCEEDS_BALANCE"
    # and the beat settles ours: 5,000원 refunded in all, at Toss and here
    _beat_tick()
    assert Refund.objects.get(pk=ours.pk).status == R.DONE
    assert Order.objects.get(pk=order.pk).refunded_amount == 5000
    assert toss_server.payment(payment.provider_ref)["balanceAmount"] == 4000
    assert Payment.objects.get(pk=payment.pk).canceled_amount == 5000


def test_dashboard_cancel_of_everything_fails_our_unknown_refund_no_double_refund(client, store, toss, toss_server):
    order, payment = _paid_by_toss(store, toss, toss_server)
    ours = _refund_lost(order, toss_server, "500")
    toss_server.dashboard_cancel(payment.provider_ref, 9000)
    # when the beat runs (no webhook came): the fetch records the dashboard cancel, the resend is refused
    _beat_tick()
    assert Refund.objects.get(pk=ours.pk).status == R.FAILED
    order.refresh_from_db()
    assert (order.status, order.refunded_amount) == ("REFUNDED", 9000)
    assert Payment.objects.get(pk=payment.pk).status == "CANCELED"
    assert len(toss_server.payment(payment.provider_ref)["cancels"]) == 1


def test_two_reconcilers_at_once_settle_a_lost_refund_once(store, toss, toss_server):
    order, payment = _paid_by_toss(store, toss, toss_server)
    refund = _refund_lost(order, toss_server, "500")
    run_together([lambda: refund_services.refund_reconcile(refund.pk) for _ in range(2)])
    refund.refresh_from_db()
    assert refund.status == R.DONE
    assert len(toss_server.payment(payment.provider_ref)["cancels"]) == 1
    assert Order.objects.get(pk=order.pk).refunded_amount == 3000
    assert Payment.objects.get(pk=payment.pk).canceled_amount == 3000


def test_a_refund_whose_process_died_before_the_call_is_not_lost(store, toss, toss_server):
    # given a refund reserved (REQUESTED) whose worker died before calling Toss
    order, payment = _paid_by_toss(store, toss, toss_server)
    refund_services._plan_refund(
        order, amount=2000, line_quantities=None, reason="중단", restock=False, member=None, user=None
    )
    # when the beat runs within two minutes nothing happens; after, it is sent and settled
    _beat_tick(timedelta(seconds=60))
    assert Refund.objects.get().status == R.REQUESTED
    _beat_tick(timedelta(minutes=3))
    assert Refund.objects.get().status == R.DONE
    assert Order.objects.get(pk=order.pk).refunded_amount == 2000
    assert toss_server.payment(payment.provider_ref)["balanceAmount"] == 7000


def test_admin_lists_refunds_needing_attention(client, owner, store, toss, toss_server):
    order, payment = _paid_by_toss(store, toss, toss_server)
    services.payment_refund(order, amount=1000, reason="정상 환불")
    unknown = _refund_lost(Order.objects.get(pk=order.pk), toss_server, "500", amount=2000)
    client.force_login(owner)
    page = client.get("/admin/payments/refund/?attention=yes")
    assert page.status_code == 200
    shown = list(page.context["cl"].result_list)
    assert shown == [unknown]
    # the admin's "check again" action settles it
    client.post("/admin/payments/refund/", {"action": "reconcile_now", "_selected_action": [unknown.pk]})
    assert Refund.objects.get(pk=unknown.pk).status == R.DONE


def test_refund_state_machine_refuses_every_illegal_move(store, cash):
    payment = services.payment_create(make_order(store), cash)
    illegal = [(f, t) for f in R.values for t in R.values if t not in REFUND_MOVES[f]]
    assert (R.DONE, R.FAILED) in illegal and (R.UNKNOWN, R.REQUESTED) in illegal
    for from_status, to_status in illegal:
        refund = Refund.objects.create(payment=payment, amount=100, reason="x", status=from_status)
        with translation.override("ko"), transaction.atomic(), pytest.raises(DomainError) as err:
            refund_move(lock_refund(refund.pk), to_status)
        assert err.value.code == "ILLEGAL_REFUND_TRANSITION", (from_status, to_status)
        assert err.value.details == {"from": from_status, "to": to_status}
        # the message names the labels, never the codes
        assert from_status not in err.value.message and to_status not in err.value.message
        assert Refund.objects.get(pk=refund.pk).status == from_status


@pytest.mark.parametrize(
    ("from_status", "to_status", "korean_text", "english_text"),
    [
        (  # 실패: a vowel takes 로
            R.DONE,
            R.FAILED,
            "환불 상태를 완료에서 실패로 바꿀 수 없습니다.",
            "Can't change the refund status from Completed to Failed.",
        ),
        (  # 요청: ㅇ takes 으로
            R.UNKNOWN,
            R.REQUESTED,
            "환불 상태를 확인 필요에서 요청으로 바꿀 수 없습니다.",
            "Can't change the refund status from Needs review to Requested.",
        ),
    ],
)
def test_refused_refund_move_message_names_the_status_labels(
    store, cash, from_status, to_status, korean_text, english_text
):
    # given a refund in from_status
    payment = services.payment_create(make_order(store), cash)
    refund = Refund.objects.create(payment=payment, amount=100, reason="x", status=from_status)
    # when it is moved to a status the table does not allow, once in Korean and once in English
    with translation.override("ko"), transaction.atomic(), pytest.raises(DomainError) as korean:
        refund_move(lock_refund(refund.pk), to_status)
    with translation.override("en"), transaction.atomic(), pytest.raises(DomainError) as english:
        refund_move(lock_refund(refund.pk), to_status)
    # then both name the statuses by their label (Korean with the particle the target takes); the
    # codes stay in the error's code and details
    assert (korean.value.code, korean.value.message) == ("ILLEGAL_REFUND_TRANSITION", korean_text)
    assert (english.value.code, english.value.message) == ("ILLEGAL_REFUND_TRANSITION", english_text)
    assert korean.value.details == english.value.details == {"from": from_status, "to": to_status}


def test_payment_state_machine_refuses_every_illegal_move(store, cash):
    payment = services.payment_create(make_order(store), cash)
    illegal = [(f, t) for f in PaymentStatus.values for t in PaymentStatus.values if t not in ALLOWED_MOVES[f]]
    assert ("CANCELED", "DONE") in illegal and ("UNKNOWN", "IN_PROGRESS") in illegal
    for from_status, to_status in illegal:
        Payment.objects.filter(pk=payment.pk).update(status=from_status)
        with translation.override("ko"), transaction.atomic(), pytest.raises(DomainError) as err:
            payment_move(lock_payment(payment.pk), to_status)
        assert err.value.code == "ILLEGAL_PAYMENT_TRANSITION", (from_status, to_status)
        assert "(으)로" not in err.value.message
        assert from_status not in err.value.message and to_status not in err.value.message
        assert Payment.objects.get(pk=payment.pk).status == from_status


def test_a_stale_refund_object_cannot_move_a_refund_somebody_else_settled(store, cash):
    order = make_order(store)
    payment = services.payment_create(order, cash)
    refund = Refund.objects.create(payment=payment, amount=100, reason="x", status=R.UNKNOWN)
    stale = Refund.objects.get(pk=refund.pk)
    Refund.objects.filter(pk=refund.pk).update(status=R.DONE)
    with transaction.atomic(), pytest.raises(DomainError) as err:
        refund_move(stale, R.FAILED)
    assert err.value.code == "REFUND_CHANGED"
