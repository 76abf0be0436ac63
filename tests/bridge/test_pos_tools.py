"""The bridge's buttons in the POS pages: loaded by htmx after the page (no query on POS pages of a
store without a bridge), shown only where the store has the terminal or printer for them."""

import pytest
from django.utils import timezone

from apps.bridge import services
from apps.bridge.models import JobStatus, TerminalJob
from apps.orders.models import Order, OrderStatus
from apps.payments.models import Payment, PaymentStatus
from tests.carts.factories import listed_product
from tests.factories import StoreFactory
from tests.payments.factories import make_order
from tests.pos.conftest import login
from tests.tables.factories import make_table

from .factories import TerminalFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pos(client, pos_device, cashier, manager):
    return login(client, pos_device, "1234")


def _tools(pos, order, **params):
    return pos.get(f"/pos/bridge/orders/{order.public_id}/tools/", params, HTTP_HX_REQUEST="true")


def test_no_terminal_no_printer_no_buttons(pos, store, card_terminal_method):
    order = make_order(store)
    answer = _tools(pos, order, place="pay", method=card_terminal_method.pk, amount=9000)
    assert answer.status_code == 200 and answer.content.decode().strip() == ""
    assert _tools(pos, order, place="tab").content.decode().strip() == ""
    assert pos.get("/pos/bridge/drawer/panel/").content.decode().strip() == ""


def test_terminal_button_needs_a_terminal_on_a_paired_bridge(pos, store, bridge_device, card_terminal_method):
    # given a terminal on a bridge that was never paired
    bridge_device.paired_at = None
    bridge_device.save(update_fields=["paired_at"])
    TerminalFactory(store=store, bridge=bridge_device)
    order = make_order(store)
    assert "단말기로 카드 결제" not in _tools(pos, order, place="pay", method=card_terminal_method.pk).content.decode()
    # when it is paired, the pay screen gets the button, with the amount the cashier chose
    bridge_device.paired_at = timezone.now()
    bridge_device.save(update_fields=["paired_at"])
    page = _tools(pos, order, place="pay", method=card_terminal_method.pk, amount=3000).content.decode()
    assert "단말기로 카드 결제" in page and 'name="amount" value="3000"' in page
    assert f'name="method" value="{card_terminal_method.pk}"' in page


def test_terminal_button_not_for_a_paid_order(pos, store, bridge_device, card_terminal_method):
    TerminalFactory(store=store, bridge=bridge_device)
    order = make_order(store)
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.PAID)
    assert "단말기로 카드 결제" not in _tools(pos, order, place="pay", method=card_terminal_method.pk).content.decode()


def test_print_buttons_receipt_when_paid_bill_on_a_tab(pos, store, receipt_printer):
    order = make_order(store)
    tab = _tools(pos, order, place="tab").content.decode()
    assert "중간 계산서 인쇄" in tab and "영수증 다시 인쇄" not in tab
    assert "영수증 다시 인쇄" not in _tools(pos, order, place="order").content.decode()  # not paid yet
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.PAID)
    paid = _tools(pos, order, place="pay").content.decode()
    assert "영수증 다시 인쇄" in paid and "중간 계산서 인쇄" not in paid


def test_drawer_in_the_header_where_a_printer_has_a_drawer(pos, receipt_printer):
    panel = pos.get("/pos/bridge/drawer/panel/").content.decode()
    assert 'data-testid="bridge-drawer"' in panel and 'name="manager_pin"' in panel


def test_the_pos_pages_hold_the_slots(pos):
    page = pos.get("/pos/").content.decode()
    assert 'hx-get="/pos/bridge/drawer/panel/"' in page


def test_another_stores_order_and_a_bad_place(pos, receipt_printer):
    other = make_order(StoreFactory())
    assert _tools(pos, other, place="order").status_code == 404
    assert _tools(pos, make_order(receipt_printer.store), place="nowhere").status_code == 422


def test_approved_job_sends_the_pay_screen_to_the_paid_order(pos, store, bridge_online, card_terminal_method):
    terminal = TerminalFactory(store=store, bridge=bridge_online)
    order = make_order(store)
    job = services.terminal_charge_start(order, card_terminal_method, terminal)
    waiting = pos.get(f"/pos/bridge/terminal-jobs/{job.pk}/", HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 1s"' in waiting.content.decode() and "HX-Redirect" not in waiting
    # when the payment is done, the pay screen is reloaded (it shows the approval and card company)
    TerminalJob.objects.filter(pk=job.pk).update(status=JobStatus.DONE)
    Payment.objects.filter(pk=job.payment_id).update(
        status=PaymentStatus.DONE, approval_number="73000001", card_company="시뮬레이션카드"
    )
    done = pos.get(f"/pos/bridge/terminal-jobs/{job.pk}/", HTTP_HX_REQUEST="true")
    assert done["HX-Redirect"] == f"/pos/pay/{order.public_id}/"


def test_the_charge_answer_polls_the_job(pos, store, bridge_online, card_terminal_method):
    TerminalFactory(store=store, bridge=bridge_online)
    order = make_order(store)
    answer = pos.post(
        f"/pos/bridge/orders/{order.public_id}/terminal/", {"method": card_terminal_method.pk}, HTTP_HX_REQUEST="true"
    )
    assert answer.status_code == 201
    assert 'hx-trigger="every 1s"' in answer.content.decode()  # the screen follows the terminal


def test_the_tab_screen_offers_the_interim_bill_on_the_printer(pos, store, receipt_printer):
    # given an open table with a round on it
    table = make_table(store, "3")
    stew = listed_product(store, "김치찌개", 9000)
    assert pos.post(f"/pos/tables/{table.pk}/open/", {"guests": "2"}).status_code == 302
    assert pos.post(f"/pos/tables/{table.pk}/rounds/", {f"qty_{stew.product.pk}": "1"}).status_code == 302
    tab = Order.objects.get(table=table)
    # then the tab screen holds the bridge's slot, which offers the interim bill on the printer
    page = pos.get(f"/pos/tables/{table.pk}/").content.decode()
    assert f"/pos/bridge/orders/{tab.public_id}/tools/?place=tab" in page
    tools = _tools(pos, tab, place="tab").content.decode()
    assert "중간 계산서 인쇄" in tools and f'hx-post="/pos/bridge/orders/{tab.public_id}/print/"' in tools


def test_the_order_detail_offers_the_receipt_again(pos, store, receipt_printer):
    order = make_order(store)
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.PAID)
    page = pos.get(f"/pos/orders/{order.public_id}/").content.decode()
    assert f"/pos/bridge/orders/{order.public_id}/tools/?place=order" in page
    assert "영수증 다시 인쇄" in _tools(pos, order, place="order").content.decode()
