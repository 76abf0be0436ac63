"""axe-core (WCAG 2.1 A and AA rules) on every customer and staff screen, in Chromium.

The kiosk is walked once per accessibility mode (normal, large text, high contrast, low reach) and
once in English:
welcome, service choice, menu, product, cart, pay, done and the phone receipt. The staff walk
covers the POS (PIN, shift, sell with the options dialog, pay, receipt, history, shift page, orders
ready for hand-over), the floor and a table's tab, the table tablet, a guest's phone menu, the
kitchen display and the ready board, and the owner login. Any violation fails the test with its
rule, impact and element.
"""

import re

import pytest
from playwright.sync_api import expect

from apps.kitchen.models import Station
from apps.orders.models import Order
from apps.payments.models import PaymentMethod
from apps.tables.selectors import table_token
from tests.e2e.a11y import AxeAudit
from tests.factories import DeviceFactory, StoreMemberFactory
from tests.kiosk.browser import device_context, kiosk_store
from tests.tables.factories import make_table

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

KIOSK_MODES = {
    "normal": (),
    "large": ("large",),
    "contrast": ("contrast",),
    "lowreach": ("lowreach",),
    "english": (),  # the normal mode in English: lang="en" on every screen
}


@pytest.fixture
def cafe(live_server):
    return kiosk_store()


@pytest.mark.parametrize("mode", list(KIOSK_MODES))
def test_kiosk_screens_have_no_wcag_violations(browser, live_server, cafe, mode):
    audit = AxeAudit()

    def check(screen):
        if screen not in ("card window", "receipt"):  # the provider's window and the phone's page
            expect(page.locator("body")).to_have_class(mode_class)
        audit.check(page, f"{mode}/{screen}")

    context = device_context(browser, live_server, cafe["kiosk"])
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/kiosk/")
        if mode == "english":
            page.locator("button[name=language][value=en]").tap()
            expect(page.locator("html")).to_have_attribute("lang", "en")
        for name in KIOSK_MODES[mode]:
            with page.expect_response("**/kiosk/mode/"):  # kept in the session for the next screens
                page.get_by_test_id(f"mode-{name}").tap()
        mode_class = re.compile(rf"\bmode-{mode}\b" if KIOSK_MODES[mode] else r"^kiosk$")
        expect(page.get_by_test_id("kiosk-welcome")).to_be_visible()
        check("welcome")

        page.get_by_test_id("kiosk-start").tap()
        expect(page.get_by_test_id("service-takeout")).to_be_visible()
        check("service choice")

        page.get_by_test_id("service-takeout").tap()
        expect(page.get_by_test_id("tab-recommended")).to_be_visible()
        check("menu")

        latte = cafe["latte"]
        page.get_by_test_id(f"product-{latte.product.pk}").get_by_role("link").tap()
        expect(page.get_by_test_id("add-to-cart")).to_be_visible()
        check("product")

        page.get_by_test_id(f"option-{latte.options['L'].pk}").check()
        page.get_by_test_id("add-to-cart").tap()
        amount = "₩5,500" if mode == "english" else "5,500원"  # English writes the won sign first
        expect(page.get_by_test_id("cart-bar").get_by_test_id("cart-total")).to_have_text(amount)
        check("menu with a cart")

        page.get_by_test_id("go-cart").tap()
        expect(page.get_by_test_id("cart-line")).to_have_count(1)
        check("cart")

        page.get_by_test_id("go-pay").tap()
        expect(page.get_by_test_id("pay-total")).to_have_text(amount)
        check("pay")

        if mode == "normal":
            # the card window (the simulated provider's, in place of the real terminal's)
            page.get_by_test_id("method-simulated").tap()
            expect(page.get_by_test_id("simulated-checkout")).to_be_visible()
            check("card window")
            page.get_by_role("button", name="승인").tap()
        else:
            page.get_by_test_id("method-cash").tap()
        expect(page.get_by_test_id("order-number")).to_be_visible(timeout=15_000)
        check("done")

        order = Order.objects.get(store=cafe["store"])
        page.goto(f"{live_server.url}/kiosk/receipt/{cafe['store'].pk}/{order.public_id}/")
        expect(page.get_by_test_id("receipt")).to_be_visible()
        check("receipt")
    finally:
        context.close()
    audit.assert_clean()


@pytest.fixture
def restaurant(cafe):
    store = cafe["store"]
    StoreMemberFactory(store=store, display_name="김캐셔", pin="1234")
    StoreMemberFactory(store=store, display_name="박매니저", role="MANAGER", pin="9999")
    PaymentMethod.objects.create(store=store, kind=PaymentMethod.Kind.CASH, name="현금", channels=["POS"])
    Station.objects.create(store=store, name="주방", is_default=True)
    tablet = DeviceFactory(store=store, kind="TABLE", name="3번 테이블 태블릿")
    make_table(store, "1")
    table = make_table(store, "3", tablet=tablet)
    return {
        **cafe,
        "tablet": tablet,
        "table": table,
        "kitchen": DeviceFactory(store=store, kind="KITCHEN", name="주방 화면"),
        "board": DeviceFactory(store=store, kind="BOARD", name="안내 화면"),
    }


def test_staff_and_restaurant_screens_have_no_wcag_violations(browser, live_server, restaurant):
    audit = AxeAudit()
    url = live_server.url
    contexts = []

    def open_as(device, viewport=None):
        context = device_context(browser, live_server, device, viewport=viewport or {"width": 1280, "height": 900})
        contexts.append(context)
        return context.new_page()

    try:
        # the POS: PIN, shift opening, selling with the options dialog, paying, receipt, history, shift
        pos = open_as(restaurant["pos"])
        pos.goto(f"{url}/pos/login/")
        audit.check(pos, "pos/PIN")
        pos.get_by_label("PIN").fill("1234")
        pos.get_by_role("button", name="로그인").click()
        expect(pos.get_by_test_id("opening-float")).to_be_visible()
        audit.check(pos, "pos/shift opening")
        pos.get_by_test_id("opening-float").fill("50000")
        pos.get_by_test_id("shift-open-submit").click()
        expect(pos.get_by_test_id("cart-panel")).to_be_visible()
        audit.check(pos, "pos/sell")
        pos.get_by_test_id(f"product-{restaurant['latte'].product.pk}").click()
        expect(pos.get_by_test_id("options-dialog")).to_be_visible()
        audit.check(pos, "pos/options dialog")
        pos.get_by_test_id(f"option-{restaurant['latte'].options['R'].pk}").check()
        pos.get_by_test_id("options-add").click()
        expect(pos.get_by_test_id("cart-line")).to_have_count(1)
        # the redrawn cart is announced through the page's one live region
        expect(pos.locator("#sr-announcer[aria-live=polite]")).to_have_text("1개 · 결제할 금액 5,000원")
        audit.check(pos, "pos/sell with a cart")
        pos.get_by_test_id("checkout").click()
        expect(pos.get_by_test_id("amount-due")).to_be_visible()
        audit.check(pos, "pos/pay")
        pos.get_by_test_id("quick-10000").first.click()
        expect(pos.get_by_test_id("pay-done")).to_be_visible()
        audit.check(pos, "pos/paid")
        order = Order.objects.get(store=restaurant["store"], status="PAID")
        pos.goto(f"{url}/pos/orders/{order.public_id}/receipt/")
        expect(pos.get_by_test_id("receipt")).to_be_visible()
        audit.check(pos, "pos/receipt")
        pos.goto(f"{url}/pos/orders/")
        audit.check(pos, "pos/history")
        pos.goto(f"{url}/pos/orders/{order.public_id}/")
        audit.check(pos, "pos/order detail")
        pos.goto(f"{url}/pos/shift/")
        audit.check(pos, "pos/shift")
        pos.goto(f"{url}/pos/ready/")
        audit.check(pos, "pos/ready for hand-over")

        # tables: the floor, opening table 3, its tab with a round
        pos.goto(f"{url}/pos/tables/")
        expect(pos.get_by_test_id("floor")).to_be_visible()
        audit.check(pos, "tables/floor")
        pos.get_by_test_id("table-3").click()
        expect(pos.get_by_test_id("open-tab")).to_be_visible()
        audit.check(pos, "tables/open")
        pos.get_by_test_id("guests").fill("2")
        pos.get_by_test_id("open-tab").click()
        expect(pos.get_by_test_id("tab-screen")).to_be_visible()
        pos.get_by_test_id(f"qty-{restaurant['americano'].product.pk}").fill("1")
        pos.get_by_test_id("send-round").click()
        expect(pos.get_by_test_id("round-1")).to_be_visible()
        audit.check(pos, "tables/tab")

        # the table's tablet: menu, product, tab
        tablet = open_as(restaurant["tablet"])
        tablet.goto(f"{url}/table/")
        expect(tablet.get_by_test_id("tablet-table")).to_be_visible()
        audit.check(tablet, "tablet/menu")
        tablet.get_by_test_id(f"tablet-product-{restaurant['americano'].product.pk}").click()
        expect(tablet.get_by_test_id("add-to-basket")).to_be_visible()
        audit.check(tablet, "tablet/product")
        tablet.goto(f"{url}/table/tab/")
        expect(tablet.get_by_test_id("tablet-tab-page")).to_be_visible()
        audit.check(tablet, "tablet/tab")

        # a guest's phone after scanning the table's code
        phone_context = browser.new_context(locale="ko-KR", viewport={"width": 390, "height": 844}, has_touch=True)
        contexts.append(phone_context)
        phone = phone_context.new_page()
        restaurant["table"].refresh_from_db()
        phone_url = f"{url}/t/{table_token(restaurant['table'])}/"
        phone.goto(phone_url)
        audit.check(phone, "phone/menu")
        phone.goto(f"{phone_url}products/{restaurant['latte'].product.pk}/")
        audit.check(phone, "phone/product")
        phone.goto(f"{phone_url}tab/")
        audit.check(phone, "phone/tab")

        # the kitchen display (station pick, then its tickets) and the ready board
        kitchen = open_as(restaurant["kitchen"])
        kitchen.goto(f"{url}/kitchen/")
        audit.check(kitchen, "kitchen/station pick")
        kitchen.get_by_test_id("station-주방").click()
        expect(kitchen.get_by_text(f"#{order.order_number}").first).to_be_visible()
        audit.check(kitchen, "kitchen/tickets")
        board = open_as(restaurant["board"], {"width": 1920, "height": 1080})
        board.goto(f"{url}/board/")
        audit.check(board, "board")

        # the owner's login (the admin's login sends here)
        owner = browser.new_context(locale="ko-KR", viewport={"width": 1280, "height": 900})
        contexts.append(owner)
        login = owner.new_page()
        login.goto(f"{url}/admin/login/")
        expect(login.locator("input[type=password]")).to_be_visible()
        audit.check(login, "owner login")
    finally:
        for context in contexts:
            context.close()
    audit.assert_clean()
