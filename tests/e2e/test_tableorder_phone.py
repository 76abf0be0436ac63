"""In Chromium at a phone's viewport (390×844): a guest scans table 3's printed QR code → orders a
stew with an option and a soju → the POS floor shows the round and total by itself → "call staff"
rings the POS within 5 s → the cashier takes the whole bill in cash → the phone's same URL now
refuses to order ("테이블의 QR 코드를 다시 스캔해 주세요"), and the sticker hands out a new one.
Screenshots to test-artifacts/."""

import os

import pytest
from django.conf import settings
from django.core.signing import get_cookie_signer
from playwright.sync_api import expect

from apps.inventory import services as inventory_services
from apps.orders.models import Order
from apps.payments import shifts as shift_services
from apps.payments.models import PaymentMethod
from apps.tables.selectors import table_sticker_token
from tests.carts.factories import listed_product
from tests.factories import DeviceFactory, StoreFactory, StoreMemberFactory
from tests.tables.factories import make_table

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def restaurant(live_server):
    store = StoreFactory(name="휴대폰 식당", business_number="123-45-67892")
    cashier = StoreMemberFactory(store=store, display_name="김캐셔", pin="1234")
    pos = DeviceFactory(store=store, kind="POS", name="카운터")
    for name in ("1", "2"):
        make_table(store, name)
    table = make_table(store, "3")
    options = [("보통", 0, False), ("아주 맵게", 500, False)]
    spice = {"name": "맵기", "min": 1, "max": 1, "required": True, "options": options}
    stew = listed_product(store, "김치찌개", 9000, groups=[spice])
    soju = listed_product(store, "소주", 5000)
    rice = listed_product(store, "공기밥", 1000)
    PaymentMethod.objects.create(store=store, kind=PaymentMethod.Kind.CASH, name="현금", channels=["POS"])
    shift_services.shift_open(store=store, device=pos, member=cashier, opening_float=100_000)
    menu = {"stew": stew, "soju": soju, "rice": rice}
    return {"store": store, "pos": pos, "table": table, **menu, "url": live_server.url}


def _shot(page, artifacts_dir, name):
    page.screenshot(path=os.path.join(artifacts_dir, f"e2e-tableorder-phone-{name}.png"), full_page=True)


def _pos_context(browser, restaurant):
    context = browser.new_context(locale="ko-KR", viewport={"width": 1280, "height": 900})
    signer = get_cookie_signer(salt=settings.DEVICE_COOKIE_NAME + "cloudpos.device")
    context.add_cookies(
        [
            {
                "name": settings.DEVICE_COOKIE_NAME,
                "value": signer.sign(restaurant["pos"].raw_token),
                "url": restaurant["url"],
            }
        ]
    )
    return context


def test_a_phone_orders_into_the_tab_and_its_url_dies_when_the_tab_is_paid(browser, restaurant, artifacts_dir):
    url, stew, soju = restaurant["url"], restaurant["stew"], restaurant["soju"]
    spicy = stew.groups["맵기"].options.get(name="아주 맵게")
    phone_context = browser.new_context(locale="ko-KR", viewport=PHONE, is_mobile=True, has_touch=True)
    pos_context = _pos_context(browser, restaurant)
    try:
        # the cashier is on the floor
        pos = pos_context.new_page()
        pos.goto(f"{url}/pos/login/")
        pos.get_by_label("PIN").fill("1234")
        pos.get_by_role("button", name="로그인").click()
        pos.get_by_test_id("nav-tables").click()
        expect(pos.get_by_test_id("table-3")).to_have_attribute("data-state", "empty")

        # the guest scans the sticker: the phone lands on table 3's menu, no app and no login
        phone = phone_context.new_page()
        phone.goto(f"{url}/q/{table_sticker_token(restaurant['table'])}/")
        expect(phone.get_by_test_id("phone-table")).to_contain_text("홀 3")
        phone_url = phone.url
        assert "/t/" in phone_url
        _shot(phone, artifacts_dir, "01-menu")

        # the kitchen runs out of rice: the open phone menu greys it out by itself within 5 s
        expect(phone.get_by_test_id(f"phone-product-{restaurant['rice'].product.pk}")).to_be_visible()
        inventory_services.listings_set_sold_out(restaurant["store"], [restaurant["rice"].listing.pk], sold_out=True)
        expect(phone.get_by_test_id(f"phone-soldout-{restaurant['rice'].product.pk}")).to_be_visible(timeout=6000)

        # a stew, very spicy, ×2 and a soju
        phone.get_by_test_id(f"phone-product-{stew.product.pk}").click()
        phone.get_by_test_id(f"phone-option-{spicy.pk}").check()
        phone.get_by_test_id("phone-qty").fill("2")
        _shot(phone, artifacts_dir, "02-options")
        phone.get_by_test_id("phone-add").click()
        phone.get_by_test_id(f"phone-product-{soju.product.pk}").click()
        phone.get_by_test_id("phone-add").click()
        expect(phone.get_by_test_id("phone-basket-total")).to_have_text("24,000원")
        phone.get_by_test_id("phone-guests").fill("2")
        _shot(phone, artifacts_dir, "03-cart")

        # 주문하기: round 1 on the table's new tab, and the phone shows the tab so far
        phone.get_by_test_id("phone-send").click()
        expect(phone.get_by_test_id("phone-tab")).to_contain_text("1차")
        expect(phone.get_by_test_id("phone-tab-total")).to_have_text("24,000원")
        _shot(phone, artifacts_dir, "04-tab")

        # the POS floor redraws by itself with the round's total
        expect(pos.get_by_test_id("table-total-3")).to_have_text("24,000원", timeout=5000)
        expect(pos.get_by_test_id("table-3")).to_have_attribute("data-state", "ordering")
        _shot(pos, artifacts_dir, "05-pos-floor")

        # "call staff" from the phone rings the POS within 5 s
        phone.get_by_test_id("phone-call-staff").click()
        expect(pos.get_by_test_id("staff-call-alert")).to_contain_text("홀 3 직원 호출", timeout=5000)

        # the cashier opens table 3 (round 1 with the option), and takes the whole bill in cash
        pos.get_by_test_id("table-3").click()
        expect(pos.get_by_test_id("round-1")).to_contain_text("아주 맵게")
        expect(pos.get_by_test_id("tab-total")).to_have_text("24,000원")
        _shot(pos, artifacts_dir, "06-pos-tab")
        pos.get_by_test_id("pay-tab").click()
        expect(pos.get_by_test_id("amount-due")).to_have_text("24,000원")
        pos.get_by_test_id("pay-amount-CASH").fill("24000")
        pos.get_by_test_id("pay-cash").click()
        expect(pos.get_by_test_id("pay-done")).to_be_visible()

        # the phone's same URL now refuses to order
        response = phone.goto(phone_url)
        assert response.status == 410
        expect(phone.get_by_test_id("phone-rescan")).to_contain_text("테이블의 QR 코드를 다시 스캔해 주세요")
        _shot(phone, artifacts_dir, "07-rescan")
        assert phone.goto(f"{phone_url}products/{soju.product.pk}/").status == 410

        # scanning the sticker again gives the next guests a fresh, working URL
        phone.goto(f"{url}/q/{table_sticker_token(restaurant['table'])}/")
        assert phone.url != phone_url
        expect(phone.get_by_test_id(f"phone-product-{soju.product.pk}")).to_be_visible()
        tab = Order.objects.get(table=restaurant["table"])
        assert tab.status == "PAID" and tab.total_amount == 24000 and tab.channel == "TABLE"
    finally:
        phone_context.close()
        pos_context.close()


def test_a_first_round_waits_on_the_floor_until_staff_accept_it(browser, restaurant, artifacts_dir):
    from apps.tables.models import TableOrderSettings

    TableOrderSettings.objects.create(store=restaurant["store"], confirm_first_round=True)
    url, soju = restaurant["url"], restaurant["soju"]
    phone_context = browser.new_context(locale="ko-KR", viewport=PHONE, is_mobile=True, has_touch=True)
    pos_context = _pos_context(browser, restaurant)
    try:
        pos = pos_context.new_page()
        pos.goto(f"{url}/pos/login/")
        pos.get_by_label("PIN").fill("1234")
        pos.get_by_role("button", name="로그인").click()
        pos.get_by_test_id("nav-tables").click()
        expect(pos.get_by_test_id("floor")).to_be_visible()

        # a phone orders two sojus at the empty table 3: it waits for staff
        phone = phone_context.new_page()
        phone.goto(f"{url}/q/{table_sticker_token(restaurant['table'])}/")
        phone.get_by_test_id(f"phone-product-{soju.product.pk}").click()
        phone.get_by_test_id("phone-qty").fill("2")
        phone.get_by_test_id("phone-add").click()
        phone.get_by_test_id("phone-send").click()
        expect(phone.get_by_test_id("phone-pending")).to_contain_text("10,000원")
        _shot(phone, artifacts_dir, "10-pending-phone")

        # the floor shows it by itself; the cashier accepts it and the tab opens with round 1
        pending = pos.get_by_test_id("pending-round")
        expect(pending).to_contain_text("홀 3", timeout=5000)
        _shot(pos, artifacts_dir, "11-pending-floor")
        pending.get_by_test_id("pending-confirm").click()
        expect(pos.get_by_test_id("table-total-3")).to_have_text("10,000원")
        expect(pos.get_by_test_id("pending-round")).to_have_count(0)
        phone.reload()
        expect(phone.get_by_test_id("phone-tab")).to_contain_text("1차")
        assert Order.objects.get(table=restaurant["table"]).total_amount == 10000
    finally:
        phone_context.close()
        pos_context.close()
