"""An open kiosk left alone asks "still there?" and then gives the cart up; an item sold out in the
admin disappears from sale on an open kiosk within 5 seconds, without a reload."""

import re
import time

import pytest
from django.conf import settings as django_settings
from django.utils.module_loading import import_string
from playwright.sync_api import expect

from apps.carts import services as cart_services
from apps.inventory import services as inventory_services
from tests.kiosk.browser import device_context, kiosk_store, owner_context

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def cafe(live_server):
    return kiosk_store()


def start_and_add_americano(page, cafe):
    page.get_by_test_id("kiosk-start").tap()
    page.get_by_test_id("service-dine-in").tap()
    page.get_by_test_id(f"tab-{cafe['coffee'].pk}").tap()
    page.get_by_test_id(f"product-{cafe['americano'].product.pk}").get_by_role("link").tap()
    page.get_by_test_id("add-to-cart").tap()
    expect(page.get_by_test_id("cart-bar").get_by_test_id("cart-total")).to_have_text("4,500원")


def current_cart_id(context, live_server):
    """The cart id the kiosk's server-side session holds now."""
    cookie = next(c for c in context.cookies() if c["name"] == django_settings.SESSION_COOKIE_NAME)
    store_class = import_string(django_settings.SESSION_ENGINE + ".SessionStore")
    return store_class(session_key=cookie["value"]).get("kiosk_cart_id")


@pytest.fixture
def quick(settings):
    """Short timings so the browser tests need not wait a minute."""
    settings.KIOSK_IDLE_SECONDS = 2
    settings.KIOSK_IDLE_GRACE_SECONDS = 2
    settings.KIOSK_MENU_POLL_MS = 1000
    return settings


def test_idle_prompt_then_reset_abandons_the_cart(browser, live_server, cafe, quick):
    context = device_context(browser, live_server, cafe["kiosk"])
    page = context.new_page()
    page.goto(f"{live_server.url}/kiosk/")
    start_and_add_americano(page, cafe)
    cart_id = current_cart_id(context, live_server)
    assert cart_id

    # a touch on "계속 주문하기" keeps the order going
    prompt = page.get_by_test_id("idle-prompt")
    expect(prompt).to_be_visible(timeout=5_000)
    page.get_by_test_id("idle-continue").tap()
    expect(prompt).to_be_hidden()
    assert cart_services.cart_get(cart_id, device=cafe["kiosk"]).state == "ACTIVE"

    # left alone again: the prompt, then the welcome screen and the cart is given up
    expect(prompt).to_be_visible(timeout=5_000)
    expect(page.get_by_test_id("kiosk-welcome")).to_be_visible(timeout=6_000)
    expect(page).to_have_url(re.compile(r"/kiosk/$"))
    assert cart_services.cart_get(cart_id, device=cafe["kiosk"]).state == "ABANDONED"
    assert current_cart_id(context, live_server) is None
    context.close()


def test_sold_out_in_the_admin_disappears_from_an_open_kiosk_within_5_seconds(browser, live_server, cafe, quick):
    americano = cafe["americano"]
    kiosk = device_context(browser, live_server, cafe["kiosk"])
    page = kiosk.new_page()
    page.goto(f"{live_server.url}/kiosk/")
    page.get_by_test_id("kiosk-start").tap()
    page.get_by_test_id("service-takeout").tap()
    page.get_by_test_id(f"tab-{cafe['coffee'].pk}").tap()
    card = page.get_by_test_id(f"product-{americano.product.pk}")
    expect(card).to_have_attribute("data-available", "true")
    expect(card.get_by_role("link")).to_have_count(1)
    url_before = page.url

    # when the owner marks it sold out in the admin (a bulk action on the listing)
    admin = owner_context(browser, live_server, cafe["store"].owner).new_page()
    admin.goto(f"{live_server.url}/admin/inventory/storeproduct/")
    admin.locator(f"input[name=_selected_action][value='{americano.listing.pk}']").check()
    admin.locator("select[name=action]").select_option("mark_sold_out")
    admin.locator("button[name=index]").click()
    expect(admin.locator(".messagelist")).to_be_visible()
    sold_out_at = time.monotonic()

    # then the open kiosk shows it sold out, with nothing to tap, within 5 seconds and no reload
    expect(card).to_have_attribute("data-available", "false", timeout=5_000)
    assert time.monotonic() - sold_out_at < 5
    expect(card.get_by_role("link")).to_have_count(0)
    expect(card.get_by_test_id("sold-out-badge")).to_be_visible()
    assert page.url == url_before
    kiosk.close()


def test_an_option_sold_out_at_the_pos_disappears_from_an_open_product_screen(browser, live_server, cafe, quick):
    latte = cafe["latte"]
    kiosk = device_context(browser, live_server, cafe["kiosk"])
    page = kiosk.new_page()
    page.goto(f"{live_server.url}/kiosk/")
    page.get_by_test_id("kiosk-start").tap()
    page.get_by_test_id("service-takeout").tap()
    page.get_by_test_id(f"product-{latte.product.pk}").get_by_role("link").tap()
    page.get_by_test_id(f"option-{latte.options['L'].pk}").check()
    shot_option = page.get_by_test_id(f"option-{latte.options['샷'].pk}")
    expect(shot_option).to_be_enabled()

    inventory_services.option_set_sold_out(cafe["store"], latte.options["샷"], sold_out=True)

    expect(shot_option).to_be_disabled(timeout=5_000)
    # what the customer had chosen stays chosen
    expect(page.get_by_test_id(f"option-{latte.options['L'].pk}")).to_be_checked()
    expect(page.get_by_test_id("product-price")).to_have_text("5,500원")
    kiosk.close()
