"""Terminal jobs on the server, without processes: how each answer moves the payment, and what
happens to an approval whose answer never comes. The payment state machine is payments' own."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from apps.bridge import rendering, services
from apps.bridge.models import JobStatus, PrintJob, TerminalJob
from apps.core.errors import Conflict, Invalid
from apps.orders.models import Order, OrderStatus
from apps.payments.models import PaymentStatus
from apps.stores import services as store_services
from apps.stores.models import Device
from tests.payments.factories import make_order

from .factories import BridgeDeviceFactory, PrinterFactory, TerminalFactory
from .fakes import decode

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)  # Monday 12:00 in Seoul
APPROVED = {
    "amount": 9000,
    "approvalNumber": "73000001",
    "cardCompany": "시뮬레이션카드",
    "installments": 3,
    "cardNumber": "9999-99**-****-0000",
}


@pytest.fixture
def terminal(store, bridge_device):
    return TerminalFactory(store=store, bridge=bridge_device)


@pytest.fixture
def charge(store, card_terminal_method, terminal, bridge_online):
    order = make_order(store, lines=(("아메리카노", 4500, 2),))
    return services.terminal_charge_start(order, card_terminal_method, terminal)


def _hand_out(bridge):
    return services.bridge_poll(bridge, printer_statuses={}, interrupted=[], wait=0)[1]


def test_start_holds_the_amount_in_progress(charge):
    assert charge.payment.status == PaymentStatus.IN_PROGRESS and charge.amount == 9000
    # a second card payment cannot take the same amount while this one is open
    with pytest.raises(Conflict):
        services.terminal_charge_start(charge.payment.order, charge.payment.method, charge.terminal)


def test_approved_completes_the_payment_and_the_order(bridge_device, charge):
    _hand_out(bridge_device)
    job = services.terminal_job_result(bridge_device, charge.pk, outcome="APPROVED", data=APPROVED)
    payment = job.payment
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.DONE and payment.approval_number == "73000001"
    assert payment.order.status == OrderStatus.PAID
    # a repeated answer changes nothing
    again = services.terminal_job_result(bridge_device, charge.pk, outcome="APPROVED", data=APPROVED)
    assert again.status == JobStatus.DONE


def test_installments_print_on_the_receipt(bridge_device, charge):
    _hand_out(bridge_device)
    services.terminal_job_result(bridge_device, charge.pk, outcome="APPROVED", data=APPROVED)
    payload = services.receipt_payload(charge.payment.order)
    assert payload["payments"][0]["installments"] == 3
    printer = PrinterFactory(store=charge.store, bridge=bridge_device)
    job = services.print_job_queue(printer, PrintJob.Kind.RECEIPT, payload)
    text = decode(rendering.render_job(job)).text
    assert "3개월 할부" in text and "73000001" in text and "시뮬레이션카드" in text


def test_an_approval_of_another_amount_is_net_cancelled(bridge_device, charge):
    _hand_out(bridge_device)
    services.terminal_job_result(bridge_device, charge.pk, outcome="APPROVED", data={**APPROVED, "amount": 90000})
    charge.payment.refresh_from_db()
    assert charge.payment.status == PaymentStatus.UNKNOWN
    assert TerminalJob.objects.filter(cancels=charge, kind=TerminalJob.Kind.NET_CANCEL).count() == 1


def test_declined_fails_the_payment(bridge_device, charge):
    _hand_out(bridge_device)
    services.terminal_job_result(
        bridge_device, charge.pk, outcome="DECLINED", data={"code": "CARD_DECLINED", "message": "한도 초과"}
    )
    charge.payment.refresh_from_db()
    assert charge.payment.status == PaymentStatus.FAILED and charge.payment.failure_message == "한도 초과"


def test_an_approval_never_answered_goes_unknown_then_net_cancelled(bridge_device, charge):
    with time_machine.travel(NOW, tick=False) as clock:
        _hand_out(bridge_device)
        # given the bridge went away with the approval (no poll since)
        clock.shift(timedelta(seconds=121))
        # when the beat runs
        assert services.terminal_jobs_expire() == 1
        # then the payment is UNKNOWN and a net-cancel waits for the bridge
        charge.payment.refresh_from_db()
        assert charge.payment.status == PaymentStatus.UNKNOWN
        net_cancel = TerminalJob.objects.get(cancels=charge)
        assert net_cancel.reference == charge.reference  # the terminal finds the charge by it
        # and a late approval answer is not taken: the net-cancel settles the payment
        services.terminal_job_result(bridge_device, charge.pk, outcome="APPROVED", data=APPROVED)
        charge.payment.refresh_from_db()
        assert charge.payment.status == PaymentStatus.UNKNOWN
        handed = _hand_out(bridge_device)
        assert [job.pk for job in handed] == [net_cancel.pk]
        services.terminal_job_result(bridge_device, net_cancel.pk, outcome="CANCELED", data={})
        charge.payment.refresh_from_db()
        assert charge.payment.status == PaymentStatus.FAILED and charge.payment.failure_code == "NET_CANCELED"


def test_a_new_poll_without_the_answer_means_it_was_lost(bridge_device, charge):
    # the approval was handed out and the bridge polls again without answering it: it never ran
    with time_machine.travel(NOW, tick=False) as clock:
        _hand_out(bridge_device)
        clock.shift(timedelta(seconds=1))
        handed = _hand_out(bridge_device)
    charge.refresh_from_db()
    assert charge.status == JobStatus.FAILED and charge.outcome == "LOST"
    assert [job.kind for job in handed] == [TerminalJob.Kind.NET_CANCEL]


def test_a_failed_net_cancel_is_tried_again(bridge_device, charge):
    _hand_out(bridge_device)
    services.bridge_poll(bridge_device, printer_statuses={}, interrupted=[charge.pk], wait=0)
    net_cancel = TerminalJob.objects.get(cancels=charge)
    services.terminal_job_result(bridge_device, net_cancel.pk, outcome="UNREACHABLE", data={})
    net_cancel.refresh_from_db()
    assert net_cancel.status == JobStatus.QUEUED
    charge.payment.refresh_from_db()
    assert charge.payment.status == PaymentStatus.UNKNOWN


def test_timeout_with_a_confirmed_net_cancel_fails_at_once(bridge_device, charge):
    _hand_out(bridge_device)
    services.terminal_job_result(bridge_device, charge.pk, outcome="TIMEOUT", data={"netCancel": "CANCELED"})
    charge.payment.refresh_from_db()
    assert charge.payment.status == PaymentStatus.FAILED
    assert not TerminalJob.objects.filter(cancels=charge).exists()


def test_an_answer_for_another_bridges_job_is_404(store, charge):
    answer = Client().post(
        f"/api/bridge/terminal-jobs/{charge.pk}/result",
        {"outcome": "APPROVED", **APPROVED},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Device {BridgeDeviceFactory(store=store).raw_token}",
    )
    assert answer.status_code == 404


def test_an_unknown_outcome_is_422(bridge_device, charge):
    with pytest.raises(Invalid):
        services.terminal_job_result(bridge_device, charge.pk, outcome="MAYBE", data={})


def test_an_approval_for_an_order_gone_meanwhile_is_net_cancelled(bridge_device, charge):
    # given the order expired while the card was in the terminal
    Order.objects.filter(pk=charge.payment.order_id).update(status=OrderStatus.EXPIRED)
    _hand_out(bridge_device)
    # when the approval arrives, the money is not kept: UNKNOWN, and a net-cancel is queued
    services.terminal_job_result(bridge_device, charge.pk, outcome="APPROVED", data=APPROVED)
    charge.payment.refresh_from_db()
    assert charge.payment.status == PaymentStatus.UNKNOWN and charge.payment.failure_code == "ORDER_GONE"
    net_cancel = TerminalJob.objects.get(cancels=charge)
    services.terminal_job_result(bridge_device, net_cancel.pk, outcome="CANCELED", data={})
    charge.payment.refresh_from_db()
    assert charge.payment.status == PaymentStatus.FAILED


def test_a_card_payment_is_refused_while_the_bridge_is_offline(store, card_terminal_method, terminal):
    # the bridge has not polled: nothing would take the job, so nothing is held
    order = make_order(store)
    with pytest.raises(Conflict) as err:
        services.terminal_charge_start(order, card_terminal_method, terminal)
    assert err.value.code == "BRIDGE_OFFLINE"
    assert not TerminalJob.objects.exists() and not order.payments.exists()


def test_an_approval_never_handed_out_fails_after_the_lease(bridge_device, charge):
    # given the bridge went away before it picked the approval up
    with time_machine.travel(timezone.now() + timedelta(seconds=121), tick=False):
        assert services.terminal_jobs_expire() == 1
    charge.refresh_from_db()
    charge.payment.refresh_from_db()
    # then nothing reached the terminal: the payment fails, no net-cancel is needed
    assert charge.status == JobStatus.FAILED and charge.outcome == "NOT_DELIVERED"
    assert charge.payment.status == PaymentStatus.FAILED and charge.payment.failure_code == "BRIDGE_OFFLINE"
    assert not TerminalJob.objects.filter(cancels=charge).exists()


def test_a_bridge_revoked_while_it_waits_is_handed_no_approval(bridge_device, charge):
    # the poll's device was read before the owner revoked it (a long-poll in its wait)
    stale = Device.objects.get(pk=bridge_device.pk)
    store_services.device_revoke(bridge_device)
    assert _hand_out(stale) == []
    charge.refresh_from_db()
    assert charge.status == JobStatus.QUEUED
