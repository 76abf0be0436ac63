"""Voice guidance (음성 안내) at the kiosk, in Chromium with window.speechSynthesis.speak stubbed
(an init script records every utterance's text and lang in sessionStorage, so a whole order across
pages can be read back): switched on with F2 or its button, it speaks the product with its price and
the cart total in the page's language; switched off it stops and says nothing more; the idle reset
turns it off for the next customer."""

import re

import pytest
from playwright.sync_api import expect

from tests.kiosk.browser import device_context, kiosk_store

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SPEECH_STUB = """
(() => {
  const log = (entry) => {
    const all = JSON.parse(sessionStorage.getItem("spoken") || "[]");
    all.push(entry);
    sessionStorage.setItem("spoken", JSON.stringify(all));
  };
  if (!window.SpeechSynthesisUtterance) {
    window.SpeechSynthesisUtterance = function (text) { this.text = text; this.lang = ""; };
  }
  const synth = window.speechSynthesis || {};
  synth.speak = (utterance) => log({ text: utterance.text, lang: utterance.lang });
  synth.cancel = () => log({ cancel: true });
  if (!window.speechSynthesis) Object.defineProperty(window, "speechSynthesis", { value: synth });
})();
"""


@pytest.fixture
def cafe(live_server):
    cafe = kiosk_store()
    cafe["americano"].product.name_en = "Americano"
    cafe["americano"].product.save()
    return cafe


def spoken(page) -> list[dict]:
    return page.evaluate("() => JSON.parse(sessionStorage.getItem('spoken') || '[]')")


def said(page) -> list[str]:
    return [entry["text"] for entry in spoken(page) if "text" in entry]


def expect_said(page, pattern: str) -> None:
    """Wait until an utterance matching `pattern` (a regex) was spoken."""
    page.wait_for_function(
        "(p) => JSON.parse(sessionStorage.getItem('spoken') || '[]').some(e => e.text && new RegExp(p).test(e.text))",
        arg=pattern,
        timeout=5_000,
    )


def kiosk_page(browser, live_server, cafe):
    context = device_context(browser, live_server, cafe["kiosk"])
    context.add_init_script(SPEECH_STUB)
    return context, context.new_page()


def test_voice_reads_the_product_its_price_and_the_cart_total_in_korean(browser, live_server, cafe):
    context, page = kiosk_page(browser, live_server, cafe)
    try:
        page.goto(f"{live_server.url}/kiosk/")
        # off by default: moving around says nothing
        page.keyboard.press("Tab")
        assert said(page) == []

        # F2 turns it on: it says so, then reads the screen
        with page.expect_response("**/kiosk/mode/"):  # the session remembers it for the next screens
            page.keyboard.press("F2")
        expect(page.get_by_test_id("mode-voice")).to_have_attribute("aria-pressed", "true")
        expect_said(page, "음성 안내를 시작합니다")
        page.get_by_test_id("kiosk-start").click()
        expect_said(page, "어디에서 드시나요")
        page.get_by_test_id("service-takeout").click()
        expect_said(page, "^메뉴$")

        # the focused product is read with its price
        latte = cafe["latte"]
        page.get_by_test_id(f"product-{latte.product.pk}").get_by_role("link").focus()
        expect_said(page, "^카페라떼, 5,000원$")
        page.keyboard.press("Enter")

        # the product screen, an option and the new price
        expect_said(page, "^카페라떼$")
        page.get_by_test_id(f"option-{latte.options['L'].pk}").focus()
        page.keyboard.press("Enter")
        expect_said(page, "^L \\+500원, 선택됨$")
        expect_said(page, "담기 · 5,500원")
        page.get_by_test_id("add-to-cart").click()

        # back on the menu: what happened, then the cart total; on the cart screen the total too
        expect_said(page, "^카페라떼.*담았습니다")
        expect_said(page, "장바구니 1개 · 5,500원")
        page.get_by_test_id("go-cart").click()
        expect_said(page, "^합계 5,500원$")

        # every utterance was in the page's language
        langs = {entry["lang"] for entry in spoken(page) if "text" in entry}
        assert langs == {"ko"}, langs

        # off: speech is cut off and nothing more is said
        page.get_by_test_id("mode-voice").click()
        expect(page.get_by_test_id("mode-voice")).to_have_attribute("aria-pressed", "false")
        assert spoken(page)[-1] == {"cancel": True}
        count = len(said(page))
        page.get_by_test_id("back-to-menu").focus()
        page.get_by_test_id("line-inc").focus()
        page.wait_for_timeout(300)
        assert len(said(page)) == count
    finally:
        context.close()


def test_voice_speaks_english_on_an_english_page(browser, live_server, cafe):
    context, page = kiosk_page(browser, live_server, cafe)
    try:
        page.goto(f"{live_server.url}/kiosk/")
        page.locator("button[name=language][value=en]").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        with page.expect_response("**/kiosk/mode/"):
            page.get_by_test_id("mode-voice").click()
        page.get_by_test_id("kiosk-start").click()
        page.get_by_test_id("service-takeout").click()
        expect_said(page, "^Menu$")
        page.get_by_test_id(f"tab-{cafe['coffee'].pk}").click()
        americano = page.get_by_test_id(f"product-{cafe['americano'].product.pk}").get_by_role("link")
        expect(americano).to_contain_text("Americano")
        americano.focus()
        expect_said(page, "^Americano, ₩4,500$")
        americano.click()
        page.get_by_test_id("add-to-cart").click()
        page.get_by_test_id("go-cart").click()
        expect_said(page, "^Total ₩4,500$")
        langs = {entry["lang"] for entry in spoken(page) if "text" in entry}
        assert langs == {"en"}, langs
    finally:
        context.close()


def test_the_idle_reset_turns_voice_guidance_off(browser, live_server, cafe, settings):
    settings.KIOSK_IDLE_SECONDS = 1
    settings.KIOSK_IDLE_GRACE_SECONDS = 1
    context, page = kiosk_page(browser, live_server, cafe)
    try:
        page.goto(f"{live_server.url}/kiosk/start/")
        page.get_by_test_id("mode-voice").click()
        expect_said(page, "음성 안내를 시작합니다")
        # nobody touches it: the prompt is read, then the kiosk resets to the welcome screen
        expect_said(page, "아직 주문 중이신가요")
        expect(page).to_have_url(re.compile(r"/kiosk/$"), timeout=10_000)
        expect(page.get_by_test_id("mode-voice")).to_have_attribute("aria-pressed", "false")
        assert "mode-voice" not in page.evaluate("[...document.body.classList]")
        assert {"cancel": True} in spoken(page)
        count = len(said(page))
        page.get_by_test_id("kiosk-start").focus()
        page.wait_for_timeout(300)
        assert len(said(page)) == count
    finally:
        context.close()
