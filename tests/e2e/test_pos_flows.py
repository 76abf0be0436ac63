"""In Chromium at the counter: PIN login, options, cash with change and the receipt's VAT; a split
cash + card payment; a partial refund approved by a manager's PIN; closing a shift with a cash
difference and its Z report. A screenshot of each screen goes to the artifacts directory."""

import os
import re

import pytest
from django.conf import settings
from django.core.signing import get_cookie_signer
from playwright.sync_api import expect

from apps.orders.models import Order
from apps.payments import shifts as shift_services
from apps.payments.models import PaymentMethod
from tests.catalog.factories import CategoryFactory, OptionFactory, OptionGroupFactory, ProductFactory
from tests.factories import DeviceFactory, StoreFactory, StoreMemberFactory
from tests.inventory.factories import StoreProductFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def counter(live_server):
    store = StoreFactory(name="브라우저 카페", business_number="123-45-67891", address="서울 마포구 양화로 1")
    cashier = StoreMemberFactory(store=store, display_name="김캐셔", pin="1234")
    manager = StoreMemberFactory(store=store, display_name="박매니저", role="MANAGER", pin="9999")
    device = DeviceFactory(store=store, kind="POS", name="카운터 1")
    coffee_cat = CategoryFactory(owner=store.owner, name="커피")
    size = OptionGroupFactory(owner=store.owner, name="사이즈", min_choices=1, max_choices=1, required=True)
    OptionFactory(group=size, name="레귤러", price_delta=0)
    large = OptionFactory(group=size, name="라지", price_delta=500)
    coffee = ProductFactory(owner=store.owner, name="아메리카노", base_price=4500, option_groups=[size])
    coffee.categories.add(coffee_cat)
    cookie = ProductFactory(owner=store.owner, name="쿠키", base_price=2200)
    cookie.categories.add(coffee_cat)
    StoreProductFactory(store=store, product=coffee, recommended_rank=1)
    StoreProductFactory(store=store, product=cookie)
    for order, (kind, name) in enumerate(
        [(PaymentMethod.Kind.CASH, "현금"), (PaymentMethod.Kind.CARD_TERMINAL, "카드 단말기")]
    ):
        PaymentMethod.objects.create(store=store, kind=kind, name=name, channels=["POS"], sort_order=order)
    return {
        "store": store,
        "cashier": cashier,
        "manager": manager,
        "device": device,
        "coffee": coffee,
        "cookie": cookie,
        "large": large,
        "url": live_server.url,
    }


def _open(browser, counter, *, width=1024, height=768):
    context = browser.new_context(locale="ko-KR", viewport={"width": width, "height": height})
    signer = get_cookie_signer(salt=settings.DEVICE_COOKIE_NAME + "cloudpos.device")
    context.add_cookies(
        [
            {
                "name": settings.DEVICE_COOKIE_NAME,
                "value": signer.sign(counter["device"].raw_token),
                "url": counter["url"],
            }
        ]
    )
    page = context.new_page()
    page.goto(f"{counter['url']}/pos/login/")
    page.get_by_label("PIN").fill("1234")
    page.get_by_role("button", name="로그인").click()
    expect(page.get_by_test_id("pos-shell")).to_be_visible()
    return context, page


def _shot(page, artifacts_dir, name):
    page.screenshot(path=os.path.join(artifacts_dir, f"e2e-pos-{name}.png"), full_page=True)


def _open_shift(page, amount="50000"):
    page.get_by_test_id("opening-float").fill(amount)
    page.get_by_test_id("shift-open-submit").click()
    expect(page.get_by_test_id("cart-panel")).to_be_visible()


def _sell_coffee_and_cookie(page, counter):
    page.get_by_test_id(f"product-{counter['coffee'].pk}").click()
    dialog = page.get_by_test_id("options-dialog")
    expect(dialog).to_be_visible()
    # the size is required: "담기" waits until one is chosen
    expect(page.get_by_test_id("options-add")).to_be_disabled()
    page.get_by_test_id(f"option-{counter['large'].pk}").check()
    page.get_by_test_id("options-add").click()
    expect(dialog).to_be_hidden()
    # the cookie is not recommended: it is on the "전체" tab
    page.get_by_test_id("tab-all").click()
    page.get_by_test_id(f"product-{counter['cookie'].pk}").click()
    expect(page.get_by_test_id("cart-line")).to_have_count(2)
    # 5,000 (large coffee) + 2,200 = 7,200; VAT = round(7,200 / 11) = 655
    expect(page.get_by_test_id("cart-total")).to_have_text("7,200원")
    expect(page.get_by_test_id("cart-vat")).to_have_text("655원")


def test_cash_sale_with_options_change_and_receipt_vat(browser, counter, artifacts_dir):
    context, page = _open(browser, counter)
    try:
        _shot(page, artifacts_dir, "01-shift-open")
        _open_shift(page)
        _sell_coffee_and_cookie(page, counter)
        _shot(page, artifacts_dir, "02-cart")
        page.get_by_test_id("checkout").click()
        expect(page.get_by_test_id("amount-due")).to_have_text("7,200원")
        _shot(page, artifacts_dir, "03-pay")
        page.get_by_test_id("quick-10000").click()
        expect(page.get_by_test_id("pay-done")).to_be_visible()
        expect(page.get_by_test_id("change")).to_have_text("2,800원")
        _shot(page, artifacts_dir, "04-paid-change")
        order = Order.objects.get(store=counter["store"])
        assert order.status == "PAID" and order.staff_id == counter["cashier"].pk
        page.goto(f"{counter['url']}/pos/orders/{order.public_id}/receipt/")
        receipt = page.get_by_test_id("receipt")
        expect(receipt).to_contain_text("브라우저 카페")
        expect(receipt).to_contain_text("123-45-67891")
        expect(receipt).to_contain_text("라지")
        expect(receipt).to_contain_text("김캐셔")
        expect(page.get_by_test_id("receipt-vat")).to_have_text("655원")
        expect(page.get_by_test_id("receipt-supply")).to_have_text("6,545원")
        expect(page.get_by_test_id("receipt-change")).to_have_text("2,800원")
        _shot(page, artifacts_dir, "05-receipt")
    finally:
        context.close()


def test_split_payment_cash_then_card(browser, counter, artifacts_dir):
    context, page = _open(browser, counter, width=1920, height=1080)
    try:
        _open_shift(page)
        _sell_coffee_and_cookie(page, counter)
        page.get_by_test_id("checkout").click()
        # 3,000원 in cash first
        page.get_by_test_id("pay-amount-CASH").fill("3000")
        page.get_by_test_id("tendered").fill("3000")
        page.get_by_test_id("pay-cash").click()
        expect(page.get_by_test_id("amount-due")).to_have_text("4,200원")
        _shot(page, artifacts_dir, "06-split-remaining")
        # the rest on the card terminal
        page.get_by_test_id("method-CARD_TERMINAL").locator("summary").click()
        page.get_by_test_id("approval-number").fill("30001234")
        page.get_by_test_id("card-company").fill("신한")
        page.get_by_test_id("pay-card-terminal").click()
        expect(page.get_by_test_id("pay-done")).to_be_visible()
        expect(page.get_by_test_id("payment-row")).to_have_count(2)
        _shot(page, artifacts_dir, "07-split-paid")
        order = Order.objects.get(store=counter["store"])
        assert order.status == "PAID"
        assert sorted(order.payments.values_list("kind", "amount")) == [("CARD_TERMINAL", 4200), ("CASH", 3000)]
    finally:
        context.close()


def test_partial_refund_needs_a_manager_pin(browser, counter, artifacts_dir):
    context, page = _open(browser, counter)
    try:
        _open_shift(page)
        _sell_coffee_and_cookie(page, counter)
        page.get_by_test_id("checkout").click()
        page.get_by_test_id("quick-exact").click()
        expect(page.get_by_test_id("pay-done")).to_be_visible()
        page.get_by_test_id("nav-orders").click()
        expect(page.get_by_test_id("order-row")).to_have_count(1)
        page.get_by_test_id("order-row").get_by_role("link", name=re.compile(r"^#")).click()
        page.get_by_test_id("refund-mode-lines").check()
        # the cookie is the second line
        page.get_by_test_id("refund-qty-1").fill("1")
        page.get_by_test_id("refund-reason").fill("쿠키 파손")
        page.get_by_test_id("refund-restock").check()
        # the cashier's own PIN is not a manager's
        page.get_by_test_id("refund-manager-pin").fill("1234")
        page.get_by_test_id("refund-submit").click()
        expect(page.get_by_test_id("pos-error")).to_contain_text("매니저")
        _shot(page, artifacts_dir, "08-refund-denied")
        page.get_by_test_id("refund-manager-pin").fill("9999")
        page.get_by_test_id("refund-submit").click()
        expect(page.get_by_test_id("order-status")).to_have_text("부분 환불")
        expect(page.get_by_test_id("refunded-amount")).to_have_text("2,200원")
        _shot(page, artifacts_dir, "09-refund-done")
        page.get_by_test_id("nav-orders").click()
        expect(page.get_by_test_id("refund-badge")).to_be_visible()
        _shot(page, artifacts_dir, "10-history-marked")
    finally:
        context.close()


def test_shift_close_with_a_cash_difference_and_z_report(browser, counter, artifacts_dir):
    shift_services.shift_open(
        store=counter["store"], device=counter["device"], member=counter["cashier"], opening_float=50_000
    )
    context, page = _open(browser, counter)
    try:
        _sell_coffee_and_cookie(page, counter)
        page.get_by_test_id("checkout").click()
        page.get_by_test_id("quick-exact").click()
        expect(page.get_by_test_id("pay-done")).to_be_visible()
        page.get_by_test_id("nav-shift").click()
        # expected: 50,000 float + 7,200 cash sale = 57,200
        expect(page.get_by_test_id("expected-cash")).to_have_text("57,200원")
        # counted with the denomination helper: 5 × 10,000 + 7 × 1,000 = 57,000 (200원 short)
        page.get_by_test_id("denom-10000").fill("5")
        page.get_by_test_id("denom-1000").fill("7")
        expect(page.get_by_test_id("counted-cash")).to_have_value("57000")
        _shot(page, artifacts_dir, "11-shift-close")
        # closing asks first
        expect(page.get_by_test_id("shift-close-submit")).to_be_hidden()
        page.get_by_test_id("shift-close-start").click()
        page.get_by_test_id("shift-close-submit").click()
        report = page.get_by_test_id("z-report")
        expect(report).to_be_visible()
        expect(page.get_by_test_id("report-expected")).to_have_text("57,200원")
        expect(page.get_by_test_id("report-counted")).to_have_text("57,000원")
        expect(page.get_by_test_id("report-difference")).to_have_text("부족 200원")
        expect(page.get_by_test_id("sales-CASH")).to_contain_text("7,200원")
        expect(page.get_by_test_id("order-count")).to_have_text("1")
        _shot(page, artifacts_dir, "12-z-report")
    finally:
        context.close()
