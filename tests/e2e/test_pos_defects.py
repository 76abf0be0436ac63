"""In Chromium at the counter (1366×768 and 1024×768): the defects a real walk found (issue 19,
items 6–13). Each test names the item it holds down; screenshots go to the artifacts directory."""

import os
import re

import pytest
from django.conf import settings
from django.core.signing import get_cookie_signer
from playwright.sync_api import expect

from apps.orders.models import Order
from apps.payments import shifts as shift_services
from apps.payments.models import PaymentMethod
from apps.stores import staff_calls
from tests.catalog.factories import CategoryFactory, OptionFactory, OptionGroupFactory, ProductFactory
from tests.factories import DeviceFactory, StoreFactory, StoreMemberFactory
from tests.inventory.factories import StoreProductFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SIZES = [(1366, 768), (1024, 768)]


@pytest.fixture
def counter(live_server):
    store = StoreFactory(name="결함 카페", business_number="123-45-67891")
    cashier = StoreMemberFactory(store=store, display_name="이캐셔", pin="1234")
    StoreMemberFactory(store=store, display_name="김매니저", role="MANAGER", pin="9999")
    device = DeviceFactory(store=store, kind="POS", name="카운터 1")
    cat = CategoryFactory(owner=store.owner, name="커피")
    size = OptionGroupFactory(owner=store.owner, name="사이즈", min_choices=1, max_choices=1, required=True)
    OptionFactory(group=size, name="레귤러", price_delta=0)
    large = OptionFactory(group=size, name="엑스트라라지", price_delta=500)
    shot = OptionGroupFactory(owner=store.owner, name="추가", min_choices=0, max_choices=2, required=False)
    extra = OptionFactory(group=shot, name="샷 추가", price_delta=500)
    latte = ProductFactory(owner=store.owner, name="카페라떼", base_price=6000, option_groups=[size, shot])
    latte.categories.add(cat)
    StoreProductFactory(store=store, product=latte, recommended_rank=1)
    products = []
    for n in range(10):
        product = ProductFactory(owner=store.owner, name=f"쿠키{n}", base_price=1000 + n * 100)
        product.categories.add(cat)
        StoreProductFactory(store=store, product=product, recommended_rank=n + 2)
        products.append(product)
    for order, (kind, name) in enumerate(
        [(PaymentMethod.Kind.CASH, "현금"), (PaymentMethod.Kind.CARD_TERMINAL, "카드 단말기")]
    ):
        PaymentMethod.objects.create(store=store, kind=kind, name=name, channels=["POS"], sort_order=order)
    shift_services.shift_open(store=store, device=device, member=cashier, opening_float=50_000)
    return {
        "store": store,
        "device": device,
        "latte": latte,
        "large": large,
        "extra": extra,
        "products": products,
        "url": live_server.url,
    }


def _context(browser, counter, width, height):
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
    return context


def _login(page, counter):
    page.goto(f"{counter['url']}/pos/login/")
    page.get_by_label("PIN").fill("1234")
    page.get_by_role("button", name="로그인").click()
    expect(page.get_by_test_id("cart-panel")).to_be_visible()


def _open(browser, counter, width=1366, height=768):
    context = _context(browser, counter, width, height)
    page = context.new_page()
    _login(page, counter)
    return context, page


def _shot(page, artifacts_dir, name):
    page.screenshot(path=os.path.join(artifacts_dir, f"e2e-pos-defects-{name}.png"))


def _add(page, product):
    before = page.get_by_test_id("cart-line").count()
    page.get_by_test_id(f"product-{product.pk}").click()
    expect(page.get_by_test_id("cart-line")).to_have_count(before + 1)


def _box(locator):
    box = locator.bounding_box()
    assert box is not None, locator
    return box


def _inside(inner, outer) -> bool:
    return (
        inner["y"] >= outer["y"] - 0.5
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + 0.5
        and inner["x"] >= outer["x"] - 0.5
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + 0.5
    )


def _overlap(a, b) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


# --- item 6: a split payment's paid screen ------------------------------------------------------------


def test_split_payment_paid_screen_shows_change_only_with_the_cash_part(browser, counter, artifacts_dir):
    context, page = _open(browser, counter)
    try:
        _add(page, counter["products"][0])  # 1,000
        _add(page, counter["products"][9])  # 1,900
        page.get_by_test_id("checkout").click()
        expect(page.get_by_test_id("amount-due")).to_have_text("2,900원")
        # 1,000 of it in cash, paid with a 5,000 note: 4,000 change now
        page.get_by_test_id("pay-amount-CASH").fill("1000")
        page.get_by_test_id("tendered").fill("5000")
        page.get_by_test_id("pay-cash").click()
        expect(page.get_by_test_id("amount-due")).to_have_text("1,900원")
        expect(page.get_by_test_id("change")).to_have_text("4,000원")
        # the rest on the card terminal
        page.get_by_test_id("method-CARD_TERMINAL").locator("summary").click()
        page.get_by_test_id("approval-number").fill("30001234")
        page.get_by_test_id("card-company").fill("신한")
        page.get_by_test_id("pay-card-terminal").click()
        expect(page.get_by_test_id("pay-done")).to_be_visible()
        _shot(page, artifacts_dir, "split-paid-1366")
        # the change was handed out with the cash part: no giant "change" after the card part …
        expect(page.locator(".change-big")).to_have_count(0)
        expect(page.get_by_test_id("change")).to_have_count(0)
        # … it is kept, labelled, on the cash payment's row
        expect(page.get_by_test_id("payment-change")).to_have_count(1)
        expect(page.get_by_test_id("payment-change")).to_contain_text("4,000원")
        expect(page.get_by_test_id("payment-change")).to_contain_text("거스름돈")
    finally:
        context.close()


def test_cash_paid_in_full_still_shows_its_change_big(browser, counter, artifacts_dir):
    context, page = _open(browser, counter)
    try:
        _add(page, counter["products"][3])  # 1,300
        page.get_by_test_id("checkout").click()
        page.get_by_test_id("tendered").fill("5000")
        page.get_by_test_id("pay-cash").click()
        expect(page.get_by_test_id("pay-done")).to_be_visible()
        expect(page.get_by_test_id("change")).to_have_text("3,700원")
    finally:
        context.close()


# --- item 7: ten lines, one order discount ------------------------------------------------------------


@pytest.mark.parametrize("width,height", SIZES)
def test_ten_cart_lines_fit_and_an_order_discount_is_shown_once(browser, counter, artifacts_dir, width, height):
    context, page = _open(browser, counter, width, height)
    try:
        for product in counter["products"]:
            _add(page, product)
        lines = page.get_by_test_id("cart-line")
        expect(lines).to_have_count(10)
        if width == 1366:
            box = _box(page.locator(".cart-lines"))
            for i in range(10):
                assert _inside(_box(lines.nth(i)), box), f"line {i + 1} of 10 is scrolled out of view"
        checkout = _box(page.get_by_test_id("checkout"))
        assert checkout["y"] + checkout["height"] <= height
        # an order discount of 10 %
        page.get_by_test_id("order-discount").click()
        page.get_by_test_id("discount-value").fill("10")
        page.get_by_test_id("discount-reason").fill("단골 손님")
        page.get_by_test_id("discount-manager-pin").fill("9999")
        page.get_by_test_id("discount-apply").click()
        expect(page.get_by_test_id("discount-dialog")).to_have_count(0)
        # 14,500 gross, 10 % off = 1,450
        expect(page.get_by_test_id("cart-total")).to_have_text("13,050원")
        _shot(page, artifacts_dir, f"cart-ten-lines-{width}")
        panel = page.get_by_test_id("cart-panel")
        assert panel.inner_text().count("10%") == 1
        assert panel.inner_text().count("1,450원") == 1
        expect(page.locator(".cl-disc")).to_have_count(0)
        # the cashier's name is not part of the reason shown
        assert "단골 손님 (" not in panel.inner_text()
    finally:
        context.close()


# --- item 8: options dialog -----------------------------------------------------------------------------


def test_option_labels_keep_words_and_the_hint_waits_for_a_touch(browser, counter, artifacts_dir):
    context, page = _open(browser, counter, 1024, 768)
    try:
        page.get_by_test_id(f"product-{counter['latte'].pk}").click()
        expect(page.get_by_test_id("options-dialog")).to_be_visible()
        label = page.get_by_test_id(f"option-{counter['large'].pk}").locator("xpath=..")
        assert label.evaluate("el => getComputedStyle(el).wordBreak") == "keep-all"
        # and its name and price stay inside its box
        assert label.evaluate("el => el.scrollWidth <= el.clientWidth + 1")
        hint = page.locator("[data-opt-hint]").first
        # nothing touched yet: the hint is not an error
        expect(hint).not_to_have_class(re.compile(r"is-error"))
        color = hint.evaluate("el => el.hidden ? '' : getComputedStyle(el).color")
        assert color in ("", "rgb(102, 112, 133)"), color
        _shot(page, artifacts_dir, "options-1024")
        # a badge never covers a product name
        page.keyboard.press("Escape")
        for product in [counter["latte"], *counter["products"][:3]]:
            tile = page.get_by_test_id(f"product-{product.pk}")
            name = _box(tile.locator(".tile-name"))
            for badge in tile.locator(".badge").all():
                assert not _overlap(name, _box(badge)), product.name
    finally:
        context.close()


# --- item 9: touch targets, loading state, keypad, quick cash --------------------------------------------


@pytest.mark.parametrize("width,height", SIZES)
def test_touch_targets_are_at_least_44px(browser, counter, artifacts_dir, width, height):
    context, page = _open(browser, counter, width, height)
    try:
        _add(page, counter["products"][0])
        _shot(page, artifacts_dir, f"sell-{width}")
        page.get_by_test_id("line-more").click()
        targets = [
            page.get_by_test_id("line-more"),
            page.get_by_test_id("qty-minus"),
            page.get_by_test_id("qty-plus"),
            page.get_by_test_id("line-discount"),
            page.get_by_test_id("line-remove"),
            page.get_by_test_id("held-list"),
            page.get_by_test_id("nav-sell"),
            page.get_by_test_id("nav-orders"),
            page.get_by_test_id("nav-shift"),
            page.get_by_test_id("current-member"),
            page.get_by_role("button", name="로그아웃"),
        ]
        for target in targets:
            box = _box(target)
            assert box["width"] >= 44 and box["height"] >= 44, (target, box)
    finally:
        context.close()


def test_two_fast_taps_at_600ms_latency_add_one_item(browser, counter, artifacts_dir):
    context, page = _open(browser, counter)
    try:
        held = []
        page.route("**/pos/cart/add/", lambda route: held.append(route))
        tile = _box(page.get_by_test_id(f"product-{counter['products'][0].pk}"))
        x, y = tile["x"] + tile["width"] / 2, tile["y"] + tile["height"] / 2
        page.mouse.click(x, y)
        page.wait_for_timeout(150)
        page.mouse.click(x, y)
        # 600 ms of latency, then let the requests through
        page.wait_for_timeout(600)
        for _ in range(3):
            while held:
                held.pop(0).continue_()
            page.wait_for_timeout(400)
        expect(page.get_by_test_id("cart-line")).to_have_count(1)
        expect(page.get_by_test_id("line-qty")).to_have_text("1")
    finally:
        context.close()


def test_keypads_for_pin_and_cash_and_next_bill_quick_cash(browser, counter, artifacts_dir):
    context = _context(browser, counter, 1024, 768)
    page = context.new_page()
    try:
        page.goto(f"{counter['url']}/pos/login/")
        keypad = page.get_by_test_id("keypad")
        for digit in "1234":
            keypad.get_by_role("button", name=digit, exact=True).click()
        _shot(page, artifacts_dir, "login-keypad-1024")
        keypad.get_by_test_id("keypad-enter").click()
        expect(page.get_by_test_id("cart-panel")).to_be_visible()
        # 카페라떼 엑스트라라지 + 샷 = 7,000 and five cookies 1,000..1,400 = 6,000 … make it 12,300
        for product in counter["products"][:3]:  # 1,000 + 1,100 + 1,200 = 3,300
            _add(page, product)
        page.get_by_test_id(f"product-{counter['latte'].pk}").click()
        page.get_by_test_id(f"option-{counter['large'].pk}").check()
        page.get_by_test_id(f"option-{counter['extra'].pk}").check()
        page.get_by_test_id("options-add").click()
        expect(page.get_by_test_id("cart-line")).to_have_count(4)
        page.get_by_test_id("qty-plus").nth(0).click()  # one more 1,000 cookie → 11,300
        expect(page.get_by_test_id("cart-total")).to_have_text("11,300원")
        page.get_by_test_id("qty-plus").nth(1).click()  # one more 1,100 → 12,400
        expect(page.get_by_test_id("cart-total")).to_have_text("12,400원")
        page.get_by_test_id("checkout").click()
        expect(page.get_by_test_id("amount-due")).to_have_text("12,400원")
        quick = page.locator(".quick-cash button")
        expect(quick).to_have_text(["정확히", "13,000원", "15,000원", "20,000원", "50,000원"])
        # the cash received by keypad
        page.get_by_test_id("tendered").click()
        pad = page.get_by_test_id("cash-keypad")
        for key in ["2", "0", "0", "0", "0"]:
            pad.get_by_role("button", name=key, exact=True).click()
        expect(page.get_by_test_id("tendered")).to_have_value("20000")
        _shot(page, artifacts_dir, "pay-keypad-1024")
        page.get_by_test_id("pay-cash").click()
        expect(page.get_by_test_id("change")).to_have_text("7,600원")
    finally:
        context.close()


# --- item 10: the receipt line --------------------------------------------------------------------------


def test_receipt_line_shows_the_unit_price_with_options_and_no_cashier_in_the_reason(browser, counter, artifacts_dir):
    context, page = _open(browser, counter)
    try:
        page.get_by_test_id(f"product-{counter['latte'].pk}").click()
        page.get_by_test_id(f"option-{counter['large'].pk}").check()
        page.get_by_test_id(f"option-{counter['extra'].pk}").check()
        page.get_by_test_id("options-add").click()
        expect(page.get_by_test_id("cart-total")).to_have_text("7,000원")
        page.get_by_test_id("line-more").click()
        page.get_by_test_id("line-discount").click()
        page.get_by_test_id("discount-value").fill("5")
        page.get_by_test_id("discount-reason").fill("단골 손님")
        page.get_by_test_id("discount-apply").click()
        expect(page.get_by_test_id("cart-total")).to_have_text("6,650원")
        page.get_by_test_id("checkout").click()
        page.get_by_test_id("quick-exact").click()
        expect(page.get_by_test_id("pay-done")).to_be_visible()
        order = Order.objects.get(store=counter["store"])
        page.goto(f"{counter['url']}/pos/orders/{order.public_id}/receipt/")
        line = page.get_by_test_id("receipt-line")
        expect(line).to_have_count(1)
        text = re.sub(r"\s+", " ", line.inner_text())
        assert "카페라떼(엑스트라라지, 샷 추가)" in text, text
        assert "7,000원 × 1 = 7,000원" in text, text
        assert text.count("7,000원") == 2, text  # the unit price and the line total, once each
        receipt = page.get_by_test_id("receipt").inner_text()
        assert "단골 손님" in receipt
        assert "이캐셔)" not in receipt
        _shot(page, artifacts_dir, "receipt")
    finally:
        context.close()


# --- item 11: the staff-call banner ---------------------------------------------------------------------


@pytest.mark.parametrize("width,height", SIZES)
def test_staff_call_banner_never_pushes_the_pay_button_off_screen(browser, counter, artifacts_dir, width, height):
    kiosk = DeviceFactory(store=counter["store"], kind="KIOSK", name="키오스크 1")
    kiosk2 = DeviceFactory(store=counter["store"], kind="KIOSK", name="키오스크 2")
    context, page = _open(browser, counter, width, height)
    try:
        for product in counter["products"][:6]:
            _add(page, product)
        staff_calls.staff_call_create(counter["store"], kiosk)
        staff_calls.staff_call_create(counter["store"], kiosk2)
        expect(page.get_by_test_id("staff-call-alert")).to_have_count(2, timeout=6000)
        checkout = _box(page.get_by_test_id("checkout"))
        assert checkout["y"] + checkout["height"] <= height, checkout
        alert = page.get_by_test_id("staff-call-alert").first
        assert "🔔" not in alert.inner_text()
        expect(alert.locator("svg")).to_have_count(1)
        _shot(page, artifacts_dir, f"staff-call-{width}")
    finally:
        context.close()


# --- item 12: errors, refunds, shift close, held label ----------------------------------------------------


def test_an_error_never_covers_the_amount_due(browser, counter, artifacts_dir):
    context, page = _open(browser, counter, 1024, 768)
    try:
        _add(page, counter["products"][0])
        page.get_by_test_id("checkout").click()
        page.get_by_test_id("tendered").fill("500")
        page.get_by_test_id("pay-cash").click()
        error = page.get_by_test_id("pos-error")
        expect(error).to_be_visible()
        assert not _overlap(_box(error), _box(page.get_by_test_id("amount-due")))
        _shot(page, artifacts_dir, "pay-error-1024")
        # nor a dialog's title: a refused discount (above the limit, no manager PIN)
        page.get_by_test_id("back-to-cart").click()
        expect(page.get_by_test_id("cart-line")).to_have_count(1)
        page.get_by_test_id("order-discount").click()
        page.get_by_test_id("discount-value").fill("50")
        page.get_by_test_id("discount-reason").fill("시식")
        page.get_by_test_id("discount-apply").click()
        expect(error).to_contain_text("매니저")
        assert not _overlap(_box(error), _box(page.locator("#discount-title")))
        _shot(page, artifacts_dir, "dialog-error-1024")
    finally:
        context.close()


def test_held_sale_label_does_not_repeat_the_time(browser, counter, artifacts_dir):
    context, page = _open(browser, counter)
    try:
        _add(page, counter["products"][0])
        page.get_by_test_id("cart-hold").click()
        expect(page.get_by_test_id("cart-line")).to_have_count(0)
        page.get_by_test_id("held-list").click()
        text = page.get_by_test_id("held-sale").inner_text()
        assert len(re.findall(r"\d{1,2}:\d{2}", text)) == 1, text
    finally:
        context.close()


# --- item 13: a stale tab -----------------------------------------------------------------------------------


def test_a_stale_tab_gets_the_current_cart_with_the_conflict_and_a_retry_works(browser, counter, artifacts_dir):
    context, page = _open(browser, counter)
    try:
        _add(page, counter["products"][0])
        other = context.new_page()
        other.goto(f"{counter['url']}/pos/")
        expect(other.get_by_test_id("cart-line")).to_have_count(1)
        # the first tab adds a line; the second still shows one
        _add(page, counter["products"][1])
        other.get_by_test_id("checkout").click()
        expect(other.get_by_test_id("pos-error")).to_contain_text("장바구니가 바뀌었습니다")
        # the stale tab now shows the cart as it is, with the message
        expect(other.get_by_test_id("cart-line")).to_have_count(2)
        expect(other.get_by_test_id("cart-total")).to_have_text("2,100원")
        _shot(other, artifacts_dir, "stale-tab")
        other.get_by_test_id("checkout").click()
        expect(other.get_by_test_id("amount-due")).to_have_text("2,100원")
    finally:
        context.close()


def test_a_refund_shows_its_amount_before_submitting(browser, counter, artifacts_dir):
    context, page = _open(browser, counter)
    try:
        _add(page, counter["products"][0])  # 1,000
        _add(page, counter["products"][1])  # 1,100
        page.get_by_test_id("checkout").click()
        page.get_by_test_id("quick-exact").click()
        expect(page.get_by_test_id("pay-done")).to_be_visible()
        order = Order.objects.get(store=counter["store"])
        page.goto(f"{counter['url']}/pos/orders/{order.public_id}/")
        amount = page.get_by_test_id("refund-amount")
        expect(amount).to_have_text("2,100원")
        page.get_by_test_id("refund-mode-lines").check()
        expect(amount).to_have_text("0원")
        page.get_by_test_id("refund-qty-1").fill("1")
        expect(amount).to_have_text("1,100원")
        _shot(page, artifacts_dir, "refund-preview")
    finally:
        context.close()
