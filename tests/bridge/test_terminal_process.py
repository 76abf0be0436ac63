"""Card terminal flows end to end, in separate processes: the live server, `python -m bridge run` and
the SIMULATED terminal (`python -m bridge.simterm`). The bridge waits 2 s for the card (60 s in a
shop), so a timeout is real and short."""

from __future__ import annotations

import pytest

from apps.bridge import selectors, services
from apps.bridge.models import JobStatus, TerminalJob
from apps.orders.models import OrderStatus
from apps.payments.models import Payment, PaymentEvent, PaymentStatus
from apps.stores import services as store_services
from tests.factories import DeviceFactory
from tests.payments.factories import make_order

from .factories import TerminalFactory
from .fakes import BridgeProcess, SimTermProcess, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def simterm():
    terminal = SimTermProcess().start()
    yield terminal
    terminal.stop()


@pytest.fixture
def setup(store, simterm, card_terminal_method, live_server, tmp_path):
    device = DeviceFactory(store=store, kind="BRIDGE", name="카운터 PC", paired=False)
    terminal = TerminalFactory(store=store, bridge=device, address=simterm.address)
    bridge = BridgeProcess(live_server.url, tmp_path / "bridge", terminal_timeout=2.0)
    result = bridge.pair(store_services.device_issue_pairing_code(device))
    assert result.returncode == 0, result.stdout + result.stderr
    bridge.start()
    wait_for(lambda: selectors.last_poll(device.pk), timeout=30)  # online: a card payment may be sent
    yield {"terminal": terminal, "bridge": bridge, "method": card_terminal_method}
    bridge.kill()


def _charge(store, setup, amount=None):
    order = make_order(store, lines=(("아메리카노", 4500, 2),))
    job = services.terminal_charge_start(order, setup["method"], setup["terminal"], amount=amount)
    return order, job


def _settled(payment_id):
    return Payment.objects.get(pk=payment_id).status not in (PaymentStatus.IN_PROGRESS, PaymentStatus.UNKNOWN)


def _outcomes(payment):
    return [e.payload.get("outcome") for e in PaymentEvent.objects.filter(payment=payment).order_by("id")]


def test_approve_records_approval_card_company_and_installments(store, setup, simterm):
    # when the POS sends the order's amount to the terminal
    order, job = _charge(store, setup)
    # then the bridge drives the SIMULATED terminal and the payment completes with nothing typed
    wait_for(lambda: _settled(job.payment_id), timeout=30)
    payment = Payment.objects.get(pk=job.payment_id)
    assert payment.status == PaymentStatus.DONE
    assert len(payment.approval_number) == 8 and payment.approval_number.isdigit()
    assert payment.card_company == "시뮬레이션카드"
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.result["installments"] == 0
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    ledger = simterm.ledger()[job.reference]
    assert ledger["state"] == "APPROVED" and ledger["amount"] == 9000 and ledger["approve_requests"] == 1


def test_decline_fails_the_payment_and_nothing_is_charged(store, setup, simterm):
    simterm.send("SCRIPT\tdecline")
    order, job = _charge(store, setup)
    wait_for(lambda: _settled(job.payment_id), timeout=30)
    payment = Payment.objects.get(pk=job.payment_id)
    assert payment.status == PaymentStatus.FAILED and payment.failure_code == "CARD_DECLINED"
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT  # manual entry or another card stays possible
    assert simterm.ledger()[job.reference]["state"] == "DECLINED"


def test_timeout_sends_a_net_cancel(store, setup, simterm):
    # given a terminal that charges but never answers
    simterm.send("SCRIPT\tsilent")
    order, job = _charge(store, setup)
    # then the bridge times out, net-cancels, and the payment went UNKNOWN then FAILED
    wait_for(lambda: _settled(job.payment_id), timeout=30)
    payment = Payment.objects.get(pk=job.payment_id)
    assert payment.status == PaymentStatus.FAILED and payment.failure_code == "NET_CANCELED"
    assert "TERMINAL_TIMEOUT" in _outcomes(payment) and _outcomes(payment)[-1] == "NET_CANCELED"
    charge = simterm.ledger()[job.reference]
    assert charge["state"] == "CANCELED" and charge["approve_requests"] == 1
    job.refresh_from_db()
    assert job.outcome == "TIMEOUT" and job.result["netCancel"] == "CANCELED"


def test_bridge_killed_mid_approval_ends_unknown_then_reconciled_never_twice(store, setup, simterm):
    bridge = setup["bridge"]
    # given the customer takes 3 s to tap while the bridge is killed after sending the amount
    simterm.send("SCRIPT\tslow:3")
    order, job = _charge(store, setup)
    wait_for(lambda: f"terminal-started {job.pk}" in bridge.journal(), timeout=30)
    bridge.kill()
    # the terminal charges the card anyway; the server still has the payment in progress
    wait_for(lambda: simterm.ledger().get(job.reference, {}).get("state") == "APPROVED", timeout=30)
    assert Payment.objects.get(pk=job.payment_id).status == PaymentStatus.IN_PROGRESS
    # when the bridge comes back, it reports the interrupted approval: the payment goes UNKNOWN and
    # a net-cancel reverses the charge
    bridge.start()
    wait_for(lambda: _settled(job.payment_id), timeout=30)
    payment = Payment.objects.get(pk=job.payment_id)
    assert payment.status == PaymentStatus.FAILED and payment.failure_code == "NET_CANCELED"
    assert "INTERRUPTED" in _outcomes(payment)
    charge = simterm.ledger()[job.reference]
    assert charge["state"] == "CANCELED" and charge["approve_requests"] == 1  # never asked twice
    kinds = list(TerminalJob.objects.filter(payment=payment).order_by("id").values_list("kind", "status"))
    assert kinds == [(TerminalJob.Kind.APPROVE, JobStatus.FAILED), (TerminalJob.Kind.NET_CANCEL, JobStatus.DONE)]
    # and the order can be paid again (a new approval, a new reference)
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT
    retry = services.terminal_charge_start(order, setup["method"], setup["terminal"])
    wait_for(lambda: _settled(retry.payment_id), timeout=30)
    assert Payment.objects.get(pk=retry.payment_id).status == PaymentStatus.DONE
    assert Payment.objects.filter(order=order, status=PaymentStatus.DONE).count() == 1
