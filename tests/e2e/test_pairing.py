"""In Chromium: a new terminal pairs as a POS through /pair/, gets the PIN screen, logs in and
sees the POS shell."""

import os

import pytest
from playwright.sync_api import expect

from apps.stores import services
from tests.factories import DeviceFactory, StoreFactory, StoreMemberFactory


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_pair_a_pos_then_log_in_with_a_pin(live_server, browser, artifacts_dir):
    # given an owner's café with a cashier and a POS device just created in the admin
    store = StoreFactory(name="브라우저 카페")
    StoreMemberFactory(store=store, display_name="박캐셔", pin="2468")
    device = DeviceFactory(store=store, kind="POS", name="카운터", paired=False)
    code = services.device_issue_pairing_code(device)

    context = browser.new_context(locale="ko-KR", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        # when the terminal opens /pos/, it is sent to pairing first
        page.goto(f"{live_server.url}/pos/")
        expect(page).to_have_url(f"{live_server.url}/pair/?next=%2Fpos%2F&kind=POS")

        # a wrong code is refused with a message
        page.get_by_label("연결 코드").fill("000000" if code != "000000" else "111111")
        page.get_by_role("button", name="연결", exact=True).click()
        expect(page.get_by_text("연결 코드가 올바르지 않거나 이미 사용되었습니다.")).to_be_visible()

        # the right code pairs it and leads to the staff PIN screen
        page.get_by_label("연결 코드").fill(code)
        page.get_by_role("button", name="연결", exact=True).click()
        expect(page).to_have_url(f"{live_server.url}/pos/login/")
        expect(page.get_by_role("heading", name="브라우저 카페")).to_be_visible()
        cookie = next(c for c in context.cookies() if c["name"] == "cloudpos_device")
        assert cookie["httpOnly"] is True

        # a wrong PIN is refused; the cashier's PIN opens the POS
        page.get_by_label("PIN").fill("1111")
        page.get_by_role("button", name="로그인").click()
        expect(page.get_by_role("alert")).to_contain_text("PIN이 올바르지 않습니다.")
        page.get_by_label("PIN").fill("2468")
        page.get_by_role("button", name="로그인").click()

        # then the POS shell is there with who is at the counter
        expect(page).to_have_url(f"{live_server.url}/pos/")
        expect(page.get_by_test_id("pos-shell")).to_be_visible()
        expect(page.locator("body")).to_contain_text("박캐셔")
        page.screenshot(path=os.path.join(artifacts_dir, "e2e-pairing-pos-shell.png"), full_page=True)
    finally:
        context.close()
