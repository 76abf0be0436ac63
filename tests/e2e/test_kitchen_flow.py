"""Issue 16 in Chromium: a kiosk order reaches the 음료 station's display, the cook bumps it, the
board shows its number under 완료 and the customer's receipt page says it is ready — each step
within 3 s of the one before (the screens poll the store's kitchen version every 1–2 s)."""

import pytest
from playwright.sync_api import expect

from apps.kitchen.models import KitchenSettings, Station, StationScreen
from apps.orders.models import Order
from tests.factories import DeviceFactory
from tests.kiosk.browser import LANDSCAPE, device_context, kiosk_store, shot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
WITHIN = 3_000  # ms


@pytest.fixture
def cafe(live_server):
    cafe = kiosk_store()
    store = cafe["store"]
    KitchenSettings.objects.create(store=store)
    Station.objects.create(store=store, name="주방", is_default=True)
    drinks = Station.objects.create(store=store, name="음료", sort_order=1)
    drinks.categories.add(cafe["coffee"])
    cafe["display"] = DeviceFactory(store=store, kind="KITCHEN", name="음료 화면")
    StationScreen.objects.create(device=cafe["display"], station=drinks)
    cafe["board"] = DeviceFactory(store=store, kind="BOARD", name="현황판")
    return cafe


def test_kiosk_order_to_station_bump_board_and_receipt(browser, live_server, cafe, artifacts_dir):
    kitchen = device_context(browser, live_server, cafe["display"], viewport=LANDSCAPE).new_page()
    kitchen.goto(f"{live_server.url}/kitchen/")
    expect(kitchen.get_by_test_id("kitchen-station")).to_have_text("음료")
    board = device_context(browser, live_server, cafe["board"], viewport=LANDSCAPE).new_page()
    board.goto(f"{live_server.url}/board/")
    expect(board.get_by_test_id("board-ready")).to_be_visible()

    # a customer orders an americano at the kiosk and pays by the simulated card
    kiosk = device_context(browser, live_server, cafe["kiosk"]).new_page()
    kiosk.goto(f"{live_server.url}/kiosk/")
    kiosk.get_by_test_id("kiosk-start").tap()
    kiosk.get_by_test_id("service-takeout").tap()
    kiosk.get_by_test_id(f"tab-{cafe['coffee'].pk}").tap()
    kiosk.get_by_test_id(f"product-{cafe['americano'].product.pk}").get_by_role("link").tap()
    kiosk.get_by_test_id("add-to-cart").tap()
    kiosk.get_by_test_id("go-cart").tap()
    kiosk.get_by_test_id("go-pay").tap()
    kiosk.get_by_test_id("method-simulated").tap()
    kiosk.get_by_role("button", name="승인").tap()
    expect(kiosk.get_by_test_id("order-number")).to_be_visible(timeout=15_000)
    order = Order.objects.get()
    number = str(order.order_number)

    # the ticket appears on the 음료 station, and the board lists the number as being made
    ticket = kitchen.get_by_test_id("ticket")
    expect(ticket).to_have_count(1, timeout=WITHIN)
    expect(ticket).to_contain_text("아메리카노")
    expect(ticket).to_contain_text(f"#{number}")
    expect(board.get_by_test_id("board-preparing")).to_contain_text(number, timeout=WITHIN)
    receipt = browser.new_context(locale="ko-KR", viewport={"width": 390, "height": 844}).new_page()
    receipt.goto(f"{live_server.url}/kiosk/receipt/{order.store_id}/{order.public_id}/")
    expect(receipt.get_by_test_id("order-progress")).to_be_visible()
    expect(receipt.get_by_test_id("order-ready")).to_have_count(0)
    shot(kitchen, artifacts_dir, "kitchen-display-ticket")

    # the cook bumps it: it leaves the feed, the board shows it under 완료, the receipt says ready
    kitchen.locator(".ticket-bump").first.tap()
    expect(kitchen.get_by_test_id("ticket")).to_have_count(0, timeout=WITHIN)
    expect(kitchen.get_by_test_id("kitchen-completed")).to_contain_text(f"#{number}")
    expect(board.get_by_test_id("board-ready")).to_contain_text(number, timeout=WITHIN)
    expect(board.get_by_test_id("board-preparing")).not_to_contain_text(number)
    # the newly ready number is highlighted (and chimes) on the board
    expect(board.locator(f'.board-ready .board-number.is-new[data-number="{number}"]')).to_have_count(1)
    expect(receipt.get_by_test_id("order-ready")).to_have_text("주문하신 메뉴가 준비되었습니다.", timeout=WITHIN)
    shot(kitchen, artifacts_dir, "kitchen-display-completed")
    shot(board, artifacts_dir, "kitchen-board-ready")
    shot(receipt, artifacts_dir, "kitchen-receipt-ready")
    order.refresh_from_db()
    assert order.kitchen_status == "READY"
