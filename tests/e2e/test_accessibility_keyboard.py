"""A kiosk order with the keyboard alone, as a tactile keypad sends it (Tab, arrows, Enter, Escape):
welcome → takeout → another category → a latte with a size → cart (one more) → pay at the counter.
Focus is checked on every new screen (its heading), after the htmx category swap (the chosen tab in
the new region), after the cart's "+" (still on "+") and on every control reached, which must show a
visible focus ring. The idle prompt keeps Tab inside it and Escape continues the order."""

import pytest
from playwright.sync_api import expect

from apps.orders.models import Order
from tests.kiosk.browser import device_context, kiosk_store

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ACTIVE = """() => {
  const e = document.activeElement;
  const style = getComputedStyle(e);
  return {
    tag: e.tagName, id: e.id || null, testid: e.dataset.testid || null,
    selected: e.getAttribute("aria-selected"), inMenu: !!e.closest("#menu-body"),
    product: (e.closest("[data-product-id]") || {dataset: {}}).dataset.productId || null,
    ring: style.outlineStyle !== "none" ? parseFloat(style.outlineWidth) : 0,
  };
}"""


@pytest.fixture
def cafe(live_server):
    return kiosk_store()


def active(page) -> dict:
    return page.evaluate(ACTIVE)


def expect_screen(page, heading_id: str) -> None:
    """A new screen starts with focus on its heading, so it is read first."""
    expect(page.locator(f"#{heading_id}")).to_be_focused()


def expect_swapped_and_focused(page, tab) -> None:
    """After the htmx swap the chosen tab of the new region has focus. htmx wires the new region up
    when it settles (20 ms later); a keypad is never that fast, a test is, so it waits for that."""
    expect(tab).to_have_attribute("aria-selected", "true")
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")
    expect(tab).to_be_focused()
    now = active(page)
    assert now["inMenu"] and now["selected"] == "true" and now["ring"] >= 3, now


def tab_to(page, testid: str, limit: int = 30) -> list[str]:
    """Press Tab until the control `testid` has focus; every control on the way shows a ring."""
    passed = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = active(page)
        assert now["ring"] >= 3, f"no visible focus ring on {now}"
        passed.append(now["testid"] or now["tag"])
        if now["testid"] == testid:
            return passed
    raise AssertionError(f"Tab never reached {testid}: {passed}")


def test_a_whole_kiosk_order_with_the_keyboard_alone(browser, live_server, cafe):
    latte = cafe["latte"]
    context = device_context(browser, live_server, cafe["kiosk"])
    page = context.new_page()
    try:
        # welcome: the first Tab from the screen's title is the start button
        page.goto(f"{live_server.url}/kiosk/")
        expect_screen(page, "welcome-title")
        assert tab_to(page, "kiosk-start", limit=1) == ["kiosk-start"]
        page.keyboard.press("Enter")

        # service choice: Escape goes back, arrows move between the two choices
        expect_screen(page, "start-title")
        page.keyboard.press("Escape")
        expect_screen(page, "welcome-title")
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        expect_screen(page, "start-title")
        tab_to(page, "service-dine-in", limit=1)
        page.keyboard.press("ArrowRight")
        assert active(page)["testid"] == "service-takeout"
        page.keyboard.press("Enter")

        # menu: one Tab reaches the selected category (the others are on the arrows)
        expect_screen(page, "menu-title")
        assert tab_to(page, "tab-recommended", limit=1) == ["tab-recommended"]
        page.keyboard.press("ArrowRight")
        assert active(page)["testid"] == f"tab-{cafe['coffee'].pk}"
        page.keyboard.press("Enter")
        # the htmx swap: focus is on the chosen tab inside the new region
        coffee_tab = page.get_by_test_id(f"tab-{cafe['coffee'].pk}")
        expect_swapped_and_focused(page, coffee_tab)
        # and back to the recommended tab the same way
        page.keyboard.press("ArrowLeft")
        page.keyboard.press("Enter")
        expect_swapped_and_focused(page, page.get_by_test_id("tab-recommended"))
        page.keyboard.press("ArrowRight")
        page.keyboard.press("Enter")
        expect_swapped_and_focused(page, coffee_tab)

        # into the grid with Tab, across it with the arrows to the latte
        page.keyboard.press("Tab")
        assert active(page)["product"] is not None
        for _ in range(5):
            if active(page)["product"] == str(latte.product.pk):
                break
            page.keyboard.press("ArrowRight")
        assert active(page)["product"] == str(latte.product.pk)
        page.keyboard.press("Enter")

        # product: Tab to the first size, arrow to L, Enter chooses it; Tab on to "담기"
        expect_screen(page, "product-title")
        tab_to(page, f"option-{latte.options['R'].pk}", limit=1)
        page.keyboard.press("ArrowRight")
        assert active(page)["testid"] == f"option-{latte.options['L'].pk}"
        page.keyboard.press("Enter")
        expect(page.get_by_test_id(f"option-{latte.options['L'].pk}")).to_be_checked()
        expect(page.get_by_test_id("product-price")).to_have_text("5,500원")
        tab_to(page, "add-to-cart")
        page.keyboard.press("Enter")

        # back on the menu with the cart: Tab to the cart
        expect_screen(page, "menu-title")
        expect(page.get_by_test_id("cart-bar").get_by_test_id("cart-total")).to_have_text("5,500원")
        tab_to(page, "go-cart")
        page.keyboard.press("Enter")

        # cart: one more with "+" (the screen comes back with focus still on "+"); Escape to the menu
        expect_screen(page, "cart-title")
        expect(page.get_by_test_id("cart-line")).to_have_count(1)
        tab_to(page, "line-inc")
        page.keyboard.press("Enter")
        expect(page.get_by_test_id("line-qty")).to_have_text("2")
        expect(page.get_by_test_id("line-inc")).to_be_focused()
        page.keyboard.press("Escape")
        expect_screen(page, "menu-title")
        tab_to(page, "go-pay")
        page.keyboard.press("Enter")

        # pay: pay at the counter
        expect_screen(page, "pay-title")
        expect(page.get_by_test_id("pay-total")).to_have_text("11,000원")
        tab_to(page, "method-cash")
        page.keyboard.press("Enter")

        expect_screen(page, "done-title")
        order = Order.objects.get(store=cafe["store"])
        assert order.status == "PENDING_PAYMENT" and order.total_amount == 11000
        expect(page.get_by_test_id("order-number")).to_have_text(str(order.order_number))
    finally:
        context.close()


def test_the_idle_prompt_keeps_the_keypad_inside_and_escape_continues(browser, live_server, cafe, settings):
    settings.KIOSK_IDLE_SECONDS = 1
    settings.KIOSK_IDLE_GRACE_SECONDS = 30
    context = device_context(browser, live_server, cafe["kiosk"])
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/kiosk/start/")
        prompt = page.get_by_test_id("idle-prompt")
        expect(prompt).to_be_visible(timeout=5_000)
        expect(page.get_by_test_id("idle-continue")).to_be_focused()
        # Tab cycles between the prompt's two buttons and never reaches the screen behind it
        page.keyboard.press("Tab")
        assert page.evaluate("() => !!document.activeElement.closest('#kiosk-idle')")
        page.keyboard.press("Tab")
        expect(page.get_by_test_id("idle-continue")).to_be_focused()
        page.keyboard.press("ArrowRight")
        expect(page.locator("#kiosk-idle button[form=kiosk-reset-form]")).to_be_focused()
        page.keyboard.press("ArrowLeft")
        expect(page.get_by_test_id("idle-continue")).to_be_focused()
        # Escape means "계속 주문하기"
        page.keyboard.press("Escape")
        expect(prompt).to_be_hidden()
        expect(page).to_have_url(f"{live_server.url}/kiosk/start/")
    finally:
        context.close()
