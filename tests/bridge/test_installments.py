"""Card installments (할부) from the terminal's approval: kept on the payment, shown on the HTML
receipts (POS and the kiosk's public one) and printed on the ESC/POS receipt from the payment
itself, without reading the terminal job back."""

from datetime import UTC, datetime
from importlib import import_module

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.bridge import rendering, services
from apps.bridge.models import PrintJob
from apps.payments import services as payment_services
from apps.payments.models import Payment
from tests.factories import device_client
from tests.payments.factories import make_order

from .factories import PrinterFactory, TerminalFactory
from .fakes import decode

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)  # Monday 12:00 in Seoul


@pytest.fixture(autouse=True)
def _monday():
    with time_machine.travel(NOW, tick=False):
        yield


def _approved(months) -> dict:
    answer = {"amount": 9000, "approvalNumber": "73000001", "cardCompany": "신한카드", "cardNumber": "9410-12**"}
    if months is not None:
        answer["installments"] = months
    return answer


@pytest.fixture
def terminal(store, bridge_device):
    return TerminalFactory(store=store, bridge=bridge_device)


def _terminal_payment(store, method, terminal, bridge, months) -> Payment:
    order = make_order(store, lines=(("아메리카노", 4500, 2),))
    job = services.terminal_charge_start(order, method, terminal)
    services.bridge_poll(bridge, printer_statuses={}, interrupted=[], wait=0)
    services.terminal_job_result(bridge, job.pk, outcome="APPROVED", data=_approved(months))
    return Payment.objects.get(pk=job.payment_id)


def _pos_receipt(client, pos_device, order) -> str:
    device_client(client, pos_device)
    assert client.post(reverse("pos:login"), {"pin": "1234"}).status_code == 302
    response = client.get(reverse("pos:receipt", args=[order.public_id]))
    assert response.status_code == 200
    return response.content.decode()


def _kiosk_receipt(client, order) -> str:
    response = client.get(reverse("kiosk:receipt", args=[order.store_id, order.public_id]))
    assert response.status_code == 200
    return response.content.decode()


def test_three_months_are_kept_and_shown_on_both_html_receipts(
    client, store, card_terminal_method, terminal, bridge_online, pos_device, cashier
):
    # given a terminal approval that reports a 3-month plan
    payment = _terminal_payment(store, card_terminal_method, terminal, bridge_online, 3)
    # then the payment keeps it
    assert payment.status == "DONE" and payment.installment_months == 3
    # and the kiosk's public receipt and the POS receipt both show it
    assert 'data-testid="receipt-installments">3개월 할부<' in _kiosk_receipt(client, payment.order)
    assert 'data-testid="receipt-installments">3개월 할부<' in _pos_receipt(client, pos_device, payment.order)


def test_an_english_receipt_reads_the_plan_in_english(client, store, card_terminal_method, terminal, bridge_online):
    payment = _terminal_payment(store, card_terminal_method, terminal, bridge_online, 3)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = _kiosk_receipt(client, payment.order)
    # the same msgid as the paper receipt's line, so both read alike in English
    assert 'data-testid="receipt-installments">3-month' in html and "개월" not in html


def test_a_lump_sum_reads_ilsibul(client, store, card_terminal_method, terminal, bridge_online, pos_device, cashier):
    payment = _terminal_payment(store, card_terminal_method, terminal, bridge_online, 0)
    assert payment.installment_months == 0
    assert 'data-testid="receipt-installments">일시불<' in _kiosk_receipt(client, payment.order)
    assert 'data-testid="receipt-installments">일시불<' in _pos_receipt(client, pos_device, payment.order)


def test_an_approval_without_installments_shows_none(client, store, card_terminal_method, terminal, bridge_online):
    # an older bridge whose answer has no installments: nothing is guessed
    payment = _terminal_payment(store, card_terminal_method, terminal, bridge_online, None)
    assert payment.installment_months is None
    html = _kiosk_receipt(client, payment.order)
    assert "73000001" in html and "receipt-installments" not in html


def test_a_cash_payment_shows_no_installments(client, store, cash, pos_device, cashier):
    order = make_order(store, lines=(("아메리카노", 4500, 2),))
    payment = payment_services.payment_create(order, cash, tendered=10_000)
    assert payment.installment_months is None
    for html in (_kiosk_receipt(client, order), _pos_receipt(client, pos_device, order)):
        assert "9,000원" in html and "receipt-installments" not in html
        assert "일시불" not in html and "할부" not in html


def test_the_receipt_payload_reads_the_payment_not_the_terminal_job(
    store, card_terminal_method, terminal, bridge_online
):
    # given a terminal payment approved with a 3-month plan, read as the receipt hook reads it
    payment = _terminal_payment(store, card_terminal_method, terminal, bridge_online, 3)
    completed = [Payment.objects.select_related("method").get(pk=payment.pk)]
    order = payment.order
    # when the ESC/POS receipt payload is built
    with CaptureQueriesContext(connection) as queries:
        payload = services.receipt_payload(order, completed=completed)
    # then no query touched the terminal jobs, and the months still come through and print
    assert not [q["sql"] for q in queries.captured_queries if "bridge_terminaljob" in q["sql"]]
    assert payload["payments"][0]["installments"] == 3
    printer = PrinterFactory(store=store, bridge=bridge_online)
    text = decode(rendering.render_job(services.print_job_queue(printer, PrintJob.Kind.RECEIPT, payload))).text
    assert "3개월 할부" in text and "73000001" in text


def test_a_lump_sum_prints_ilsibul_on_paper(store, card_terminal_method, terminal, bridge_online):
    payment = _terminal_payment(store, card_terminal_method, terminal, bridge_online, 0)
    payload = services.receipt_payload(payment.order)
    assert payload["payments"][0]["installments"] == 0
    printer = PrinterFactory(store=store, bridge=bridge_online)
    text = decode(rendering.render_job(services.print_job_queue(printer, PrintJob.Kind.RECEIPT, payload))).text
    assert "일시불" in text


def test_the_migration_copies_older_plans_from_the_approval_jobs(store, card_terminal_method, terminal, bridge_online):
    # given terminal payments approved before the field existed: the plan only in the job's result
    from django.apps import apps

    backfill = import_module("apps.payments.migrations.0008_payment_installment_months")
    three = _terminal_payment(store, card_terminal_method, terminal, bridge_online, 3)
    lump = _terminal_payment(store, card_terminal_method, terminal, bridge_online, 0)
    unknown = _terminal_payment(store, card_terminal_method, terminal, bridge_online, None)
    Payment.objects.update(installment_months=None)
    # when the migration's data step runs
    backfill.installments_from_terminal_jobs(apps, None)
    # then each payment has its job's plan back, and one without a plan stays unknown
    months = dict(Payment.objects.values_list("pk", "installment_months"))
    assert (months[three.pk], months[lump.pk], months[unknown.pk]) == (3, 0, None)
