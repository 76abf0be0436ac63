"""A first-time customer at the kiosk, by touch: dine-in/takeout, a latte with options (the price
follows the choices), the cart, the simulated card window, the order number with its receipt QR.
A declined card comes back to the cart with every line."""

import re

import pytest
from playwright.sync_api import expect

from apps.orders.models import Order
from tests.kiosk.browser import LANDSCAPE, device_context, kiosk_store, shot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def cafe(live_server):
    return kiosk_store()


def order_latte(page, cafe, artifacts_dir=None, prefix="portrait"):
    latte = cafe["latte"]
    page.get_by_test_id("kiosk-start").tap()
    page.get_by_test_id("service-takeout").tap()
    # the recommended tab comes first and holds the latte
    expect(page.get_by_test_id("tab-recommended")).to_have_attribute("aria-selected", "true")
    page.get_by_test_id(f"product-{latte.product.pk}").get_by_role("link").tap()
    expect(page.get_by_test_id("product-price")).to_have_text("5,000원")
    page.get_by_test_id(f"option-{latte.options['L'].pk}").check()
    expect(page.get_by_test_id("product-price")).to_have_text("5,500원")
    page.get_by_test_id(f"option-{latte.options['샷'].pk}").check()
    expect(page.get_by_test_id("product-price")).to_have_text("6,000원")
    # the sold-out whipped cream cannot be chosen
    expect(page.get_by_test_id(f"option-{latte.options['휘핑'].pk}")).to_be_disabled()
    page.get_by_role("button", name="수량 더하기").tap()
    expect(page.get_by_test_id("product-price")).to_have_text("12,000원")
    if artifacts_dir:
        shot(page, artifacts_dir, f"{prefix}-product")
    page.get_by_test_id("add-to-cart").tap()
    expect(page.get_by_test_id("cart-bar").get_by_test_id("cart-total")).to_have_text("12,000원")
    page.get_by_test_id("go-cart").tap()
    expect(page.get_by_test_id("cart-line")).to_have_count(1)
    expect(page.get_by_test_id("cart-line")).to_contain_text("L (+500원), 샷 (+500원)")
    expect(page.get_by_test_id("line-qty")).to_have_text("2")
    if artifacts_dir:
        shot(page, artifacts_dir, f"{prefix}-cart")
    page.get_by_test_id("go-pay").tap()
    expect(page.get_by_test_id("pay-total")).to_have_text("12,000원")


def test_full_order_with_options_through_the_simulated_card(browser, live_server, cafe, artifacts_dir):
    context = device_context(browser, live_server, cafe["kiosk"])
    page = context.new_page()
    page.goto(f"{live_server.url}/kiosk/")
    shot(page, artifacts_dir, "portrait-welcome")

    order_latte(page, cafe, artifacts_dir)
    page.get_by_test_id("method-simulated").tap()
    expect(page.get_by_test_id("simulated-checkout")).to_be_visible()
    expect(page.get_by_test_id("amount")).to_have_text("12,000원")
    page.get_by_role("button", name="승인").tap()

    # processing polls until the payment is done, then the number is shown large
    number = page.get_by_test_id("order-number")
    expect(number).to_be_visible(timeout=15_000)
    order = Order.objects.get()
    assert order.status == "PAID"
    assert order.total_amount == 12000
    expect(number).to_have_text(str(order.order_number))
    expect(page.get_by_test_id("receipt-qr").locator("svg")).to_be_visible()
    shot(page, artifacts_dir, "portrait-done")
    context.close()


def test_landscape_order_pays_at_the_counter(browser, live_server, cafe, artifacts_dir):
    context = device_context(browser, live_server, cafe["kiosk"], viewport=LANDSCAPE)
    page = context.new_page()
    page.goto(f"{live_server.url}/kiosk/")
    order_latte(page, cafe, artifacts_dir, prefix="landscape")
    page.get_by_test_id("method-cash").tap()

    expect(page.get_by_test_id("pay-at-counter")).to_be_visible()
    order = Order.objects.get()
    assert order.status == "PENDING_PAYMENT"
    expect(page.get_by_test_id("order-number")).to_have_text(str(order.order_number))
    shot(page, artifacts_dir, "landscape-done-counter")
    context.close()


def test_a_declined_card_returns_to_an_intact_cart(browser, live_server, cafe, artifacts_dir):
    context = device_context(browser, live_server, cafe["kiosk"])
    page = context.new_page()
    page.goto(f"{live_server.url}/kiosk/")
    order_latte(page, cafe)
    page.get_by_test_id("method-simulated").tap()
    page.get_by_role("button", name=re.compile("거절")).first.tap()

    # back on the cart, told what happened, with the same line, options and quantity
    expect(page).to_have_url(re.compile(r"/kiosk/cart/$"))
    expect(page.locator("#messages")).to_contain_text("결제가 취소되었습니다")
    expect(page.get_by_test_id("cart-line")).to_have_count(1)
    expect(page.get_by_test_id("cart-line")).to_contain_text("L (+500원), 샷 (+500원)")
    expect(page.get_by_test_id("line-qty")).to_have_text("2")
    expect(page.locator(".kiosk-totals").get_by_test_id("cart-total")).to_have_text("12,000원")
    shot(page, artifacts_dir, "portrait-declined-cart")

    # and the customer can pay again
    page.get_by_test_id("go-pay").tap()
    page.get_by_test_id("method-simulated").tap()
    page.get_by_role("button", name="승인").tap()
    expect(page.get_by_test_id("order-number")).to_be_visible(timeout=15_000)
    assert Order.objects.filter(status="PAID").count() == 1
    context.close()
