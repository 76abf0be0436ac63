"""ESC/POS output decoded back: Korean text, layouts, bold totals, QR, cut, drawer, large kitchen type."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.bridge import rendering, services
from apps.bridge.models import Printer, PrintJob
from apps.discounts.models import Channel
from apps.kitchen.models import Ticket
from apps.orders.models import Order
from apps.payments import services as payment_services
from tests.factories import DeviceFactory
from tests.kitchen.factories import StationFactory
from tests.payments.factories import make_order

from .factories import PrinterFactory
from .fakes import decode

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid_cash_order(store, cash, django_capture_on_commit_callbacks):
    def pay():
        order = make_order(store, lines=(("아메리카노", 4500, 2), ("치즈 케이크", 6800, 1)))
        with django_capture_on_commit_callbacks(execute=True):  # the hooks queue jobs on commit
            payment_services.payment_create(order, cash, tendered=20000)
        return order

    return pay


def test_receipt_decodes_to_the_html_receipts_lines_in_korean(store, paid_cash_order, receipt_printer):
    # given a cash sale of two lines
    order = paid_cash_order()
    # when its receipt job (queued on commit by the order_paid hook) is rendered
    job = PrintJob.objects.get(order=order, kind=PrintJob.Kind.RECEIPT)
    printed = decode(rendering.render_job(job, qr_url="https://pos.example.com/kiosk/receipt/1/abc/"))
    # then the text reads back as the HTML receipt does
    assert printed.commands[:3] == ["INIT", "KOREA", "DOUBLE_BYTE_ON"]
    text = printed.text
    assert store.name in text
    assert "아메리카노" in text and "치즈 케이크" in text
    assert any(line.startswith("  4,500원 × 2 =") and line.endswith("9,000원") for line in printed.lines)
    assert f"#{order.order_number}" in text
    total_line = next(line for line in printed.lines if line.startswith("합계"))
    assert total_line.endswith("15,800원") and total_line in printed.bold  # bold total
    assert any(line.startswith("부가세") and line.endswith(f"{order.vat_amount:,}원") for line in printed.lines)
    assert any(line.strip().startswith("거스름돈") and line.endswith("4,200원") for line in printed.lines)
    # every line fits the 80 mm paper (48 columns, Hangul counted twice)
    assert max(rendering.text_width(line) for line in printed.lines if line not in printed.large) <= 48
    # the digital receipt's QR, the drawer kick of a cash sale, then the cut
    assert printed.qr == ["https://pos.example.com/kiosk/receipt/1/abc/"]
    assert printed.commands[-2:] == ["DRAWER", "CUT"]


def test_58mm_layout_fits_32_columns_and_cp949_without_mode_commands(store, paid_cash_order, bridge_device):
    # given a 58 mm printer that boots in Korean mode
    printer = PrinterFactory(store=store, bridge=bridge_device, paper_width=58, encoding=Printer.Encoding.CP949)
    order = paid_cash_order()
    job = PrintJob.objects.get(order=order, printer=printer)
    # when rendered
    data = rendering.render_job(job)
    # then no FS & is sent, text is CP949, and the lines fit 32 columns
    assert b"\x1c&" not in data
    assert "아메리카노".encode("cp949") in data
    lines = data.split(b"\n")
    widths = [rendering.text_width(line.split(b"\x1b")[-1][2:].decode("cp949", "ignore")) for line in lines]
    assert max(widths) <= 32 + 2


def test_a_reprint_is_a_new_job_without_the_drawer(store, paid_cash_order, receipt_printer):
    order = paid_cash_order()
    first = PrintJob.objects.get(order=order)
    reprint = services.receipt_queue(order, reprint=True)
    assert reprint.pk != first.pk
    assert first.open_drawer and not reprint.open_drawer
    assert "영수증 (재출력)" in decode(rendering.render_job(reprint)).text


def test_kitchen_ticket_in_large_type_on_its_station_printer(store, paid_cash_order, kitchen_printer):
    # given a kitchen printer for all stations and a paid order (tickets are made in its transaction)
    StationFactory(store=store, name="주방", is_default=True)
    order = paid_cash_order()
    ticket = Ticket.objects.get(order=order)
    # when the ticket's job is rendered
    job = PrintJob.objects.get(ticket=ticket)
    printed = decode(rendering.render_job(job))
    # then station, number and lines are in double width and height, and it is cut
    assert f"#{order.order_number}" in printed.large
    assert any(line.startswith("아메리카노") and line.endswith("x2") for line in printed.large)
    assert any("치즈 케이크" in line for line in printed.large)
    assert "CUT" in printed.commands and "DRAWER" not in printed.commands


def test_interim_bill_shows_what_is_left(store, receipt_printer):
    order = make_order(store, lines=(("김치찌개", 9000, 2),))
    job = services.bill_queue(order)
    printed = decode(rendering.render_job(job))
    assert "중간 계산서" in printed.text
    assert any(line.startswith("남은 금액") and line.endswith("18,000원") for line in printed.bold)
    assert "DRAWER" not in printed.commands


def test_a_character_cp949_lacks_is_replaced_not_failed(store, receipt_printer):
    order = make_order(store, lines=(("커피 ☕ 세트", 5000, 1),))
    job = services.bill_queue(order)
    printed = decode(rendering.render_job(job))
    assert "커피 ? 세트" in printed.text


def test_a_kiosk_order_prints_no_receipt_at_the_counter(
    store, cash, receipt_printer, django_capture_on_commit_callbacks
):
    # given a kiosk order paid at the kiosk (its receipt is the digital one behind the QR code)
    order = make_order(store)
    Order.objects.filter(pk=order.pk).update(channel=Channel.KIOSK)
    order.refresh_from_db()
    kiosk = DeviceFactory(store=store, kind="KIOSK")
    with django_capture_on_commit_callbacks(execute=True):
        payment_services.payment_create(order, cash, device=kiosk)
    # then nothing is queued, and the POS can still print it
    assert not PrintJob.objects.filter(order=order).exists()
    assert services.receipt_queue(order, reprint=True) is not None


def test_a_store_without_printers_pays_no_sql_for_the_hooks(store, cash, django_capture_on_commit_callbacks):
    StationFactory(store=store, name="주방", is_default=True)
    # warm: the "has printers" answer is cached by the first sale
    with django_capture_on_commit_callbacks(execute=True):
        payment_services.payment_create(make_order(store), cash)
    order = make_order(store)
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
        payment_services.payment_create(order, cash)
    assert Ticket.objects.filter(order=order).exists()  # the kitchen hook ran
    assert not [q["sql"] for q in queries.captured_queries if "bridge_" in q["sql"]]
