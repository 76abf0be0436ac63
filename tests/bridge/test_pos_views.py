"""The bridge on the POS: the banner, open drawer (manager PIN), print again, the card terminal
button's endpoint and its status, and the Z report printed when a shift closes."""

import time

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string

from apps.bridge import rendering, selectors
from apps.bridge.models import JobStatus, Printer, PrintJob, TerminalJob
from apps.payments import shifts
from apps.payments.models import PaymentStatus
from tests.factories import StoreFactory, device_client
from tests.payments.factories import make_order
from tests.pos.conftest import login

from .factories import PrinterFactory, TerminalFactory
from .fakes import decode

pytestmark = pytest.mark.django_db


@pytest.fixture
def pos(client, pos_device, cashier, manager):
    return login(client, pos_device, "1234")


def test_banner_is_empty_without_a_bridge(pos):
    assert pos.get("/pos/bridge/status/").content.decode().strip() == ""


def test_banner_shows_a_bridge_that_never_polled_and_clears_once_it_polls(pos, bridge_device):
    assert 'data-testid="bridge-offline"' in pos.get("/pos/bridge/status/").content.decode()
    cache.set(selectors.LAST_POLL_KEY.format(device_id=bridge_device.pk), time.time())
    assert 'data-testid="bridge-offline"' not in pos.get("/pos/bridge/status/").content.decode()


def test_the_pos_page_includes_the_banner(pos):
    page = pos.get("/pos/").content.decode()
    assert 'id="bridge-status"' in page and 'hx-get="/pos/bridge/status/"' in page


def test_open_drawer_needs_a_manager_pin(pos, receipt_printer):
    # without a PIN a cashier is refused, with a cashier's PIN too
    refused = pos.post("/pos/bridge/drawer/", {"manager_pin": ""}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 403 and "MANAGER_PIN_REQUIRED" in refused.content.decode()
    refused = pos.post("/pos/bridge/drawer/", {"manager_pin": "1234"}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 403 and "MANAGER_REQUIRED" in refused.content.decode()
    assert not PrintJob.objects.exists()
    # with the manager's PIN the drawer kick is queued
    opened = pos.post("/pos/bridge/drawer/", {"manager_pin": "9999"}, HTTP_HX_REQUEST="true")
    assert opened.status_code == 200
    job = PrintJob.objects.get()
    assert job.kind == PrintJob.Kind.DRAWER and job.open_drawer


def test_open_drawer_without_a_drawer_printer_is_409(pos, store, bridge_device):
    PrinterFactory(store=store, bridge=bridge_device, has_drawer=False)
    answer = pos.post("/pos/bridge/drawer/", {"manager_pin": "9999"}, HTTP_HX_REQUEST="true")
    assert answer.status_code == 409 and "NO_DRAWER" in answer.content.decode()


def test_print_bill_and_receipt_again(pos, store, receipt_printer):
    order = make_order(store, lines=(("된장찌개", 8000, 1),))
    assert pos.post(f"/pos/bridge/orders/{order.public_id}/print/", {"kind": "bill"}).status_code == 200
    assert pos.post(f"/pos/bridge/orders/{order.public_id}/print/", {"kind": "receipt"}).status_code == 200
    kinds = list(PrintJob.objects.order_by("id").values_list("kind", flat=True))
    assert kinds == [PrintJob.Kind.BILL, PrintJob.Kind.RECEIPT]


def test_another_stores_order_is_404(pos, receipt_printer):
    other = make_order(StoreFactory())
    answer = pos.post(f"/pos/bridge/orders/{other.public_id}/print/", {"kind": "bill"}, HTTP_HX_REQUEST="true")
    assert answer.status_code == 404 and not PrintJob.objects.exists()


def test_card_terminal_button_sends_the_amount_and_shows_the_progress(pos, store, bridge_online, card_terminal_method):
    terminal = TerminalFactory(store=store, bridge=bridge_online)
    order = make_order(store, lines=(("아메리카노", 4500, 2),))
    answer = pos.post(
        f"/pos/bridge/orders/{order.public_id}/terminal/",
        {"method": str(card_terminal_method.pk)},
        HTTP_HX_REQUEST="true",
    )
    assert answer.status_code == 201
    job = TerminalJob.objects.get()
    assert job.terminal == terminal and job.amount == 9000 and job.payment.status == PaymentStatus.IN_PROGRESS
    body = pos.get(f"/pos/bridge/terminal-jobs/{job.pk}/").content.decode()
    assert 'data-status="QUEUED"' in body and "시뮬레이션 단말기" in body and 'hx-trigger="every 1s"' in body


def test_a_cashier_is_needed_for_the_terminal(client, pos_device, store, card_terminal_method):
    order = make_order(store)
    answer = device_client(client, pos_device).post(
        f"/pos/bridge/orders/{order.public_id}/terminal/", {"method": str(card_terminal_method.pk)}
    )
    assert answer.status_code == 302 and not TerminalJob.objects.exists()


def test_closing_a_shift_prints_the_z_report_once(
    store, pos_device, cashier, receipt_printer, django_capture_on_commit_callbacks
):
    shift = shifts.shift_open(store=store, device=pos_device, member=cashier, opening_float=100000)
    with django_capture_on_commit_callbacks(execute=True):
        shifts.shift_close(shift, counted_cash=100000, member=cashier)
    job = PrintJob.objects.get(kind=PrintJob.Kind.Z_REPORT)
    printed = decode(rendering.render_job(job))
    assert "마감 보고서(Z)" in printed.text
    assert any(line.startswith("시재금") and line.endswith("100,000원") for line in printed.lines)
    assert job.status == JobStatus.QUEUED and not job.open_drawer
    # a second save of the closed shift does not print it again
    with django_capture_on_commit_callbacks(execute=True):
        shift.refresh_from_db()
        shift.save()
    assert PrintJob.objects.filter(kind=PrintJob.Kind.Z_REPORT).count() == 1


def test_a_printer_of_another_bridge_kind_is_refused_by_the_admin_form(store, pos_device):
    printer = Printer(store=store, bridge=pos_device, name="x", address="127.0.0.1:9100")
    with pytest.raises(ValidationError):
        printer.full_clean()


def test_the_partials_for_the_pos_post_where_the_views_are(rf, store, card_terminal_method):
    order = make_order(store)
    request = rf.get("/pos/")
    button = render_to_string(
        "bridge/partials/terminal_button.html", {"order": order, "method": card_terminal_method}, request=request
    )
    assert f'hx-post="/pos/bridge/orders/{order.public_id}/terminal/"' in button
    assert f'name="method" value="{card_terminal_method.pk}"' in button
    prints = render_to_string("bridge/partials/print_buttons.html", {"order": order}, request=request)
    assert prints.count(f'hx-post="/pos/bridge/orders/{order.public_id}/print/"') == 2
    drawer = render_to_string("bridge/partials/drawer_form.html", {}, request=request)
    assert 'hx-post="/pos/bridge/drawer/"' in drawer and 'name="manager_pin"' in drawer
