"""In Chromium at the counter (1366×768), with the live server, `python -m bridge run` and the
SIMULATED terminal (`python -m bridge.simterm`) as separate processes: the cashier taps the card
terminal button on the pay screen; a decline says so and leaves the order payable (manual entry stays
next to it); the next tap is approved and the paid screen shows the approval number and card company,
recorded on the payment with nothing typed. The header's "open drawer" and the paid screen's
"receipt again" come from the store's printer on the same bridge."""

from __future__ import annotations

import os

import pytest
from django.conf import settings
from django.core.signing import get_cookie_signer
from playwright.sync_api import expect

from apps.bridge import selectors
from apps.bridge.models import TerminalJob
from apps.orders.models import Order, OrderStatus
from apps.payments.models import Payment, PaymentMethod, PaymentStatus
from apps.stores import services as store_services
from tests.catalog.factories import CategoryFactory, ProductFactory
from tests.factories import DeviceFactory, StoreMemberFactory
from tests.inventory.factories import StoreProductFactory

from .factories import PrinterFactory, TerminalFactory
from .fakes import BridgeProcess, SimTermProcess, decode, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

TOUCH = 44  # px: the smallest target a cashier taps


@pytest.fixture
def simterm():
    terminal = SimTermProcess().start()
    yield terminal
    terminal.stop()


@pytest.fixture
def counter(store, simterm, fake_printer, live_server, tmp_path):
    StoreMemberFactory(store=store, display_name="김캐셔", pin="1234")
    pos = DeviceFactory(store=store, kind="POS", name="카운터 1")
    category = CategoryFactory(owner=store.owner, name="커피")
    coffee = ProductFactory(owner=store.owner, name="아메리카노", base_price=4500)
    coffee.categories.add(category)
    StoreProductFactory(store=store, product=coffee, recommended_rank=1)
    PaymentMethod.objects.create(store=store, kind=PaymentMethod.Kind.CASH, name="현금", channels=["POS"])
    PaymentMethod.objects.create(
        store=store, kind=PaymentMethod.Kind.CARD_TERMINAL, name="카드 단말기", channels=["POS"], sort_order=1
    )
    device = DeviceFactory(store=store, kind="BRIDGE", name="카운터 PC", paired=False)
    TerminalFactory(store=store, bridge=device, address=simterm.address)
    PrinterFactory(store=store, bridge=device, name="카운터", address=fake_printer.address)
    bridge = BridgeProcess(live_server.url, tmp_path / "bridge", terminal_timeout=5.0)
    result = bridge.pair(store_services.device_issue_pairing_code(device))
    assert result.returncode == 0, result.stdout + result.stderr
    bridge.start()
    wait_for(lambda: selectors.last_poll(device.pk), timeout=30)  # online: the POS may send a card payment
    yield {"store": store, "pos": pos, "coffee": coffee, "url": live_server.url}
    bridge.kill()


def _shot(page, artifacts_dir, name):
    page.screenshot(path=os.path.join(artifacts_dir, f"e2e-bridge-{name}.png"), full_page=True)


def _tall_enough(locator):
    box = locator.bounding_box()
    assert box is not None and box["height"] >= TOUCH and box["width"] >= TOUCH, box


def test_card_terminal_button_declined_then_approved_with_nothing_typed(
    browser, counter, artifacts_dir, simterm, fake_printer
):
    # given a cashier logged in at the POS, a shift open, a coffee in the cart, on the pay screen
    context = browser.new_context(locale="ko-KR", viewport={"width": 1366, "height": 768})
    signer = get_cookie_signer(salt=settings.DEVICE_COOKIE_NAME + "cloudpos.device")
    token = signer.sign(counter["pos"].raw_token)
    context.add_cookies([{"name": settings.DEVICE_COOKIE_NAME, "value": token, "url": counter["url"]}])
    page = context.new_page()
    try:
        page.goto(f"{counter['url']}/pos/login/")
        page.get_by_label("PIN").fill("1234")
        page.get_by_role("button", name="로그인").click()
        page.get_by_test_id("opening-float").fill("50000")
        page.get_by_test_id("shift-open-submit").click()
        page.get_by_test_id(f"product-{counter['coffee'].pk}").click()
        expect(page.get_by_test_id("cart-total")).to_have_text("4,500원")
        page.get_by_test_id("checkout").click()
        expect(page.get_by_test_id("amount-due")).to_have_text("4,500원")
        # the header has "open drawer" (the printer has a drawer)
        expect(page.get_by_test_id("bridge-drawer")).to_be_visible()
        _tall_enough(page.get_by_test_id("bridge-drawer").locator("summary"))
        # the card terminal method shows the terminal button above the manual entry (the fallback)
        card = page.get_by_test_id("method-CARD_TERMINAL")
        card.locator("summary").click()
        button = card.get_by_role("button", name="단말기로 카드 결제")
        expect(button).to_be_visible()
        expect(card.get_by_test_id("approval-number")).to_be_visible()
        _tall_enough(button)
        _shot(page, artifacts_dir, "terminal-button")

        # when the customer's card is declined
        simterm.send("SCRIPT\tdecline")
        button.click()
        # then the screen says so, and the order is still payable with manual entry next to it
        failed = page.get_by_test_id("terminal-failed")
        expect(failed).to_contain_text("카드 결제가 되지 않았습니다.", timeout=30_000)
        _shot(page, artifacts_dir, "terminal-declined")
        expect(page.get_by_test_id("amount-due")).to_have_text("4,500원")
        expect(card.get_by_test_id("approval-number")).to_be_visible()
        order = Order.objects.get(store=counter["store"])
        assert order.status == OrderStatus.PENDING_PAYMENT
        assert list(order.payments.values_list("status", flat=True)) == [PaymentStatus.FAILED]

        # when the cashier taps again and the terminal approves
        button.click()
        # then the paid screen shows the approval number and card company, with nothing typed
        expect(page.get_by_test_id("pay-done")).to_be_visible(timeout=30_000)
        payment = Payment.objects.get(order=order, status=PaymentStatus.DONE)
        assert len(payment.approval_number) == 8 and payment.approval_number.isdigit()
        assert payment.card_company == "시뮬레이션카드" and payment.amount == 4500
        expect(page.get_by_test_id("payment-approval")).to_have_text(payment.approval_number)
        expect(page.get_by_test_id("payment-card-company")).to_have_text("시뮬레이션카드")
        order.refresh_from_db()
        assert order.status == OrderStatus.PAID
        assert simterm.ledger()[TerminalJob.objects.get(payment=payment).reference]["state"] == "APPROVED"
        _shot(page, artifacts_dir, "terminal-approved")
        # and the receipt the bridge printed on its own can be printed again from the paid screen
        fake_printer.wait_prints(1, timeout=30)
        again = page.get_by_role("button", name="영수증 다시 인쇄")
        _tall_enough(again)
        again.click()
        expect(page.get_by_test_id("bridge-message")).to_have_text("영수증을 프린터로 보냈습니다.")
        assert "아메리카노" in decode(fake_printer.wait_prints(2, timeout=30)[1]).text
    finally:
        context.close()
