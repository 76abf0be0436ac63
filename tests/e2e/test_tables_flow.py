"""In Chromium: a restaurant evening at table 3. The floor → open table 3 for 4 guests → round 1
from the POS → round 2 from the table's tablet → the floor shows the new total by itself → the
interim bill → split 1/3 paid cash, card, card → the table is free. Screenshots to test-artifacts/."""

import os

import pytest
from django.conf import settings
from django.core.signing import get_cookie_signer
from playwright.sync_api import expect

from apps.orders.models import Order
from apps.payments import shifts as shift_services
from apps.payments.models import PaymentMethod
from tests.carts.factories import listed_product
from tests.factories import DeviceFactory, StoreFactory, StoreMemberFactory
from tests.tables.factories import make_table

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def restaurant(live_server):
    store = StoreFactory(name="브라우저 식당", business_number="123-45-67891")
    cashier = StoreMemberFactory(store=store, display_name="김캐셔", pin="1234")
    StoreMemberFactory(store=store, display_name="박매니저", role="MANAGER", pin="9999")
    pos = DeviceFactory(store=store, kind="POS", name="카운터")
    tablet = DeviceFactory(store=store, kind="TABLE", name="3번 테이블 태블릿")
    for name in ("1", "2", "4"):
        make_table(store, name)
    table = make_table(store, "3", tablet=tablet)
    menu = {
        "stew": listed_product(store, "김치찌개", 9000),
        "soju": listed_product(store, "소주", 5000),
        "rice": listed_product(store, "공기밥", 1000),
    }
    for order, (kind, name) in enumerate(
        [(PaymentMethod.Kind.CASH, "현금"), (PaymentMethod.Kind.CARD_TERMINAL, "카드")]
    ):
        PaymentMethod.objects.create(store=store, kind=kind, name=name, channels=["POS"], sort_order=order)
    shift_services.shift_open(store=store, device=pos, member=cashier, opening_float=100_000)
    return {"store": store, "pos": pos, "tablet": tablet, "table": table, "menu": menu, "url": live_server.url}


def _context(browser, restaurant, device):
    context = browser.new_context(locale="ko-KR", viewport={"width": 1280, "height": 900})
    signer = get_cookie_signer(salt=settings.DEVICE_COOKIE_NAME + "cloudpos.device")
    context.add_cookies(
        [{"name": settings.DEVICE_COOKIE_NAME, "value": signer.sign(device.raw_token), "url": restaurant["url"]}]
    )
    return context


def _shot(page, artifacts_dir, name):
    page.screenshot(path=os.path.join(artifacts_dir, f"e2e-tables-{name}.png"), full_page=True)


def test_table_evening_from_open_to_split_bill(browser, restaurant, artifacts_dir):
    url, menu = restaurant["url"], restaurant["menu"]
    pos_context = _context(browser, restaurant, restaurant["pos"])
    tablet_context = _context(browser, restaurant, restaurant["tablet"])
    try:
        pos = pos_context.new_page()
        pos.goto(f"{url}/pos/login/")
        pos.get_by_label("PIN").fill("1234")
        pos.get_by_role("button", name="로그인").click()
        # the floor: four empty tables
        pos.get_by_test_id("nav-tables").click()
        expect(pos.get_by_test_id("floor")).to_be_visible()
        expect(pos.get_by_test_id("table-3")).to_have_attribute("data-state", "empty")
        _shot(pos, artifacts_dir, "01-floor-empty")

        # open table 3 for 4 guests, round 1 from the POS menu
        pos.get_by_test_id("table-3").click()
        pos.get_by_test_id("guests").fill("4")
        pos.get_by_test_id("open-tab").click()
        expect(pos.get_by_test_id("tab-screen")).to_be_visible()
        pos.get_by_test_id(f"qty-{menu['stew'].product.pk}").fill("2")
        pos.get_by_test_id(f"qty-{menu['soju'].product.pk}").fill("1")
        pos.get_by_test_id("round-memo").fill("덜 맵게")
        pos.get_by_test_id("send-round").click()
        expect(pos.get_by_test_id("round-1")).to_be_visible()
        expect(pos.get_by_test_id("tab-total")).to_have_text("23,000원")
        _shot(pos, artifacts_dir, "02-round-1")

        # the floor shows it; it stays open on the POS while the guests order from the tablet
        pos.get_by_test_id("back-to-floor").click()
        expect(pos.get_by_test_id("table-total-3")).to_have_text("23,000원")
        expect(pos.get_by_test_id("table-3")).to_have_attribute("data-state", "ordering")

        # round 2 from the table's tablet: a soju and three bowls of rice
        tablet = tablet_context.new_page()
        tablet.goto(f"{url}/table/")
        expect(tablet.get_by_test_id("tablet-table")).to_have_text("홀 3")
        tablet.get_by_test_id(f"tablet-product-{menu['soju'].product.pk}").click()
        tablet.get_by_test_id("add-to-basket").click()
        tablet.get_by_test_id(f"tablet-product-{menu['rice'].product.pk}").click()
        tablet.get_by_test_id("tablet-qty").fill("3")
        tablet.get_by_test_id("add-to-basket").click()
        expect(tablet.get_by_test_id("basket-total")).to_have_text("8,000원")
        _shot(tablet, artifacts_dir, "03-tablet-basket")
        tablet.get_by_test_id("send-order").click()
        expect(tablet.get_by_test_id("tablet-tab-page")).to_be_visible()
        expect(tablet.get_by_test_id("tablet-tab-total").last).to_have_text("31,000원")
        _shot(tablet, artifacts_dir, "04-tablet-tab")

        # the POS floor redraws by itself (version poll) with the new total
        expect(pos.get_by_test_id("table-total-3")).to_have_text("31,000원", timeout=5000)
        _shot(pos, artifacts_dir, "05-floor-total")

        # the interim bill
        pos.get_by_test_id("table-3").click()
        pos.get_by_test_id("interim-bill").click()
        bill = pos.get_by_test_id("interim-bill-page")
        expect(bill).to_contain_text("중간계산서")
        expect(bill.get_by_test_id("tab-total")).to_have_text("31,000원")
        _shot(pos, artifacts_dir, "06-interim-bill")
        pos.get_by_test_id("bill-back").click()

        # split 1/3: 10,334 + 10,333 + 10,333
        pos.get_by_test_id("split-n").fill("3")
        pos.get_by_test_id("split-even").click()
        expect(pos.get_by_test_id("split-amount-1")).to_have_text("10,334원")
        expect(pos.get_by_test_id("split-amount-2")).to_have_text("10,333원")
        expect(pos.get_by_test_id("split-amount-3")).to_have_text("10,333원")
        _shot(pos, artifacts_dir, "07-split")
        pos.get_by_test_id("split-pay").click()
        expect(pos.get_by_test_id("amount-due")).to_have_text("31,000원")

        # part 1 in cash
        pos.get_by_test_id("pay-amount-CASH").fill("10334")
        pos.get_by_test_id("pay-cash").click()
        expect(pos.get_by_test_id("amount-due")).to_have_text("20,666원")
        # parts 2 and 3 by card (the terminal's approval numbers)
        for approval, due_after in (("12345678", "10,333원"), ("87654321", None)):
            pos.get_by_test_id("method-CARD_TERMINAL").locator("summary").click()
            pos.get_by_test_id("pay-amount-CARD_TERMINAL").fill("10333")
            pos.get_by_test_id("approval-number").fill(approval)
            pos.get_by_test_id("card-company").fill("신한카드")
            pos.get_by_test_id("pay-card-terminal").click()
            if due_after:
                expect(pos.get_by_test_id("amount-due")).to_have_text(due_after)
        expect(pos.get_by_test_id("pay-done")).to_be_visible()
        _shot(pos, artifacts_dir, "08-paid")

        # the table is free again
        pos.goto(f"{url}/pos/tables/")
        expect(pos.get_by_test_id("table-3")).to_have_attribute("data-state", "empty")
        _shot(pos, artifacts_dir, "09-floor-free")
        tab = Order.objects.get(table=restaurant["table"])
        assert tab.status == "PAID" and tab.total_amount == 31000 and tab.guests == 4
        assert sorted(p.amount for p in tab.payments.all()) == [10333, 10333, 10334]
        assert list(tab.rounds.values_list("number", flat=True)) == [1, 2]
    finally:
        pos_context.close()
        tablet_context.close()
