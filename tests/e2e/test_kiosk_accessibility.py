"""Accessibility at the kiosk: large text, high contrast and the low-reach layout render in portrait
and landscape (screenshots saved as artifacts), every target is at least 48 px and named for screen
readers, the language switches to English, and "call staff" rings the store's POS."""

import pytest
from playwright.sync_api import expect

from tests.factories import StoreMemberFactory
from tests.kiosk.browser import (
    LANDSCAPE,
    PORTRAIT,
    assert_touch_targets,
    device_context,
    kiosk_store,
    shot,
    touch_boxes,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def cafe(live_server):
    return kiosk_store()


def open_menu(page, live_server):
    page.goto(f"{live_server.url}/kiosk/")
    page.get_by_test_id("kiosk-start").tap()
    page.get_by_test_id("service-takeout").tap()
    expect(page.get_by_test_id("tab-recommended")).to_be_visible()


def assert_targets_are_big_and_named(page):
    # These screens keep the larger 48 px of kiosk.css; every screen is held to 44 px in test_kiosk_defects.
    assert_touch_targets(page, minimum=48)


@pytest.mark.parametrize("orientation, viewport", [("portrait", PORTRAIT), ("landscape", LANDSCAPE)])
def test_large_text_high_contrast_and_low_reach_render(
    browser, live_server, cafe, artifacts_dir, orientation, viewport
):
    context = device_context(browser, live_server, cafe["kiosk"], viewport=viewport)
    page = context.new_page()
    open_menu(page, live_server)
    assert_targets_are_big_and_named(page)
    normal_size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    shot(page, artifacts_dir, f"{orientation}-menu")

    # large text
    page.get_by_test_id("mode-large").tap()
    expect(page.get_by_test_id("mode-large")).to_have_attribute("aria-pressed", "true")
    large_size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert large_size >= normal_size * 1.3
    assert_targets_are_big_and_named(page)
    shot(page, artifacts_dir, f"{orientation}-large-text")

    # high contrast (on top of large text)
    page.get_by_test_id("mode-contrast").tap()
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(0, 0, 0)"
    assert page.evaluate("getComputedStyle(document.body).color") == "rgb(255, 255, 255)"
    shot(page, artifacts_dir, f"{orientation}-high-contrast")

    # the modes are remembered on the next screen
    page.get_by_test_id(f"product-{cafe['latte'].product.pk}").get_by_role("link").tap()
    expect(page.get_by_test_id("add-to-cart")).to_be_visible()
    assert {"mode-large", "mode-contrast"} <= set(page.evaluate("[...document.body.classList]"))
    assert_targets_are_big_and_named(page)
    shot(page, artifacts_dir, f"{orientation}-high-contrast-product")

    # low reach: nothing to touch in the top third of the screen
    page.get_by_test_id("mode-contrast").tap()
    page.get_by_test_id("mode-large").tap()
    page.get_by_test_id("mode-lowreach").tap()
    for element, box in touch_boxes(page):
        assert box["y"] >= viewport["height"] * 0.33, (element.inner_html()[:80], box)
    shot(page, artifacts_dir, f"{orientation}-low-reach")
    context.close()


def test_call_staff_shows_on_the_stores_pos(browser, live_server, cafe, artifacts_dir):
    # given the store's POS open in another browser
    StoreMemberFactory(store=cafe["store"], display_name="김캐셔", pin="1234")
    pos = device_context(browser, live_server, cafe["pos"], viewport={"width": 1280, "height": 800})
    pos_page = pos.new_page()
    pos_page.goto(f"{live_server.url}/pos/login/")
    pos_page.get_by_label("PIN").fill("1234")
    pos_page.get_by_role("button", name="로그인").click()
    expect(pos_page.get_by_test_id("staff-call-alert")).to_have_count(0)

    # when a customer taps "직원 호출" on the kiosk
    kiosk = device_context(browser, live_server, cafe["kiosk"])
    page = kiosk.new_page()
    page.goto(f"{live_server.url}/kiosk/")
    page.get_by_test_id("staff-call").tap()
    expect(page.get_by_test_id("staff-called")).to_be_visible()

    # then the alert appears on the POS within 5 seconds, naming the kiosk
    alert = pos_page.get_by_test_id("staff-call-alert")
    expect(alert).to_be_visible(timeout=5_000)
    expect(alert).to_contain_text("키오스크 1")
    pos_page.screenshot(path=f"{artifacts_dir}/e2e-kiosk-staff-call-on-pos.png")
    pos.close()
    kiosk.close()


def test_the_welcome_screen_switches_to_english(browser, live_server, cafe):
    cafe["americano"].product.name_en = "Americano"
    cafe["americano"].product.save()
    context = device_context(browser, live_server, cafe["kiosk"])
    page = context.new_page()
    page.goto(f"{live_server.url}/kiosk/")
    page.locator("button[name=language][value=en]").tap()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_test_id("kiosk-start").tap()
    page.get_by_test_id("service-takeout").tap()
    page.get_by_test_id(f"tab-{cafe['coffee'].pk}").tap()
    expect(page.get_by_test_id(f"product-{cafe['americano'].product.pk}")).to_contain_text("Americano")
    expect(page.get_by_test_id(f"tab-{cafe['coffee'].pk}")).to_have_text("Coffee")
    context.close()
