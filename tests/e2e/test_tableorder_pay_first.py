"""Pay first (선결제) in Chromium at a phone's viewport (390×844): a guest orders a stew with an
option, pays by the (simulated) card, and only then does round 1 reach the POS floor, marked paid;
a second phone's declined card puts nothing on the tab; the cashier adds a soju and closing the tab
takes only the soju. Screenshots to test-artifacts/."""

import os
import re

import pytest
from playwright.sync_api import expect

from apps.orders.models import Order
from apps.payments.models import PaymentMethod
from apps.tables.models import TableOrderSettings
from apps.tables.selectors import table_sticker_token
from tests.e2e.test_tableorder_phone import PHONE, _pos_context, restaurant  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _shot(page, artifacts_dir, name):
    page.screenshot(path=os.path.join(artifacts_dir, f"e2e-tableorder-pay-first-{name}.png"), full_page=True)


def _order_on_phone(context, url, table, product, *, option=None):
    phone = context.new_page()
    phone.goto(f"{url}/q/{table_sticker_token(table)}/")
    phone.get_by_test_id(f"phone-product-{product.product.pk}").click()
    if option is not None:
        phone.get_by_test_id(f"phone-option-{option.pk}").check()
    phone.get_by_test_id("phone-add").click()
    return phone


def test_a_round_paid_first_reaches_the_floor_paid_and_a_declined_one_sends_nothing(
    browser,
    restaurant,  # noqa: F811  (the phone test's fixture, imported)
    artifacts_dir,
):
    url, store, stew, soju = restaurant["url"], restaurant["store"], restaurant["stew"], restaurant["soju"]
    TableOrderSettings.objects.create(store=store, pay_first=True)
    PaymentMethod.objects.create(store=store, kind=PaymentMethod.Kind.SIMULATED, name="카드", channels=["TABLE"])
    spicy = stew.groups["맵기"].options.get(name="아주 맵게")
    first_phone = browser.new_context(locale="ko-KR", viewport=PHONE, is_mobile=True, has_touch=True)
    second_phone = browser.new_context(locale="ko-KR", viewport=PHONE, is_mobile=True, has_touch=True)
    pos_context = _pos_context(browser, restaurant)
    try:
        pos = pos_context.new_page()
        pos.goto(f"{url}/pos/login/")
        pos.get_by_label("PIN").fill("1234")
        pos.get_by_role("button", name="로그인").click()
        pos.get_by_test_id("nav-tables").click()
        expect(pos.get_by_test_id("table-3")).to_have_attribute("data-state", "empty")

        # a guest puts a very spicy stew in the basket: the phone offers "결제하고 주문하기"
        phone = _order_on_phone(first_phone, url, restaurant["table"], stew, option=spicy)
        expect(phone.get_by_test_id("phone-basket-total")).to_have_text("9,500원")
        expect(phone.get_by_test_id("phone-send")).to_have_count(0)
        expect(phone.get_by_test_id("phone-pay")).to_contain_text("9,500원 결제하고 주문하기")
        _shot(phone, artifacts_dir, "01-basket")

        # the card window opens; nothing has reached the floor yet
        phone.get_by_test_id("phone-pay").click()
        expect(phone).to_have_url(re.compile(r"/payments/simulated/checkout/"))
        _shot(phone, artifacts_dir, "02-card-window")
        assert not Order.objects.filter(table=restaurant["table"]).exists()

        # approved: the phone shows round 1 paid, nothing left to pay
        phone.locator("button[value=approve]").click()
        expect(phone.get_by_test_id("phone-tab")).to_contain_text("1차")
        expect(phone.get_by_test_id("phone-round-paid")).to_be_visible()
        expect(phone.get_by_test_id("phone-tab-due")).to_have_text("0원")
        _shot(phone, artifacts_dir, "03-tab-paid")

        # the POS floor shows the round by itself, and the tab screen shows it as paid from the phone
        expect(pos.get_by_test_id("table-total-3")).to_have_text("9,500원", timeout=5000)
        _shot(pos, artifacts_dir, "04-pos-floor")

        # a second phone's card is declined: nothing reaches the tab, its basket stays
        other = _order_on_phone(second_phone, url, restaurant["table"], soju)
        other.get_by_test_id("phone-pay").click()
        other.locator("button[value=decline]").click()
        expect(other.get_by_text("결제가 완료되지 않아 주문하지 않았습니다")).to_be_visible()
        expect(other.get_by_test_id("phone-basket-line")).to_have_count(1)
        _shot(other, artifacts_dir, "05-declined")
        pos.wait_for_timeout(2500)  # one floor poll
        expect(pos.get_by_test_id("table-total-3")).to_have_text("9,500원")

        # the cashier opens table 3: round 1 marked as paid from the phone; adds a soju; closing
        # the tab asks only for the soju
        pos.get_by_test_id("table-3").click()
        expect(pos.get_by_test_id("round-1")).to_contain_text("QR 선결제 완료")
        expect(pos.get_by_test_id("round-1")).to_contain_text("아주 맵게")
        _shot(pos, artifacts_dir, "06-pos-tab")
        tab = Order.objects.get(table=restaurant["table"])
        from apps.orders import tabs

        tabs.tab_round_add(tab, [{"productId": soju.product.pk, "qty": 1}])
        pos.reload()
        expect(pos.get_by_test_id("tab-total")).to_have_text("14,500원")
        pos.get_by_test_id("pay-tab").click()
        expect(pos.get_by_test_id("amount-due")).to_have_text("5,000원")
        _shot(pos, artifacts_dir, "07-pos-pay-rest")
        pos.get_by_test_id("pay-amount-CASH").fill("5000")
        pos.get_by_test_id("pay-cash").click()
        expect(pos.get_by_test_id("pay-done")).to_be_visible()
        tab.refresh_from_db()
        assert tab.status == "PAID" and tab.total_amount == 14500
        assert tab.rounds.count() == 2
    finally:
        first_phone.close()
        second_phone.close()
        pos_context.close()
