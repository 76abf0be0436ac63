"""In Chromium at the counter: the bridge banner appears when the store's bridge is offline or its
printer is out of paper, and goes away when the bridge polls again (htmx, every 5 s)."""

import os
import time

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.signing import get_cookie_signer
from playwright.sync_api import expect

from apps.bridge import selectors
from apps.bridge.models import Printer
from tests.factories import DeviceFactory, StoreFactory, StoreMemberFactory

from .factories import BridgeDeviceFactory, PrinterFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_banner_for_an_offline_bridge_and_a_printer_out_of_paper(browser, live_server, artifacts_dir):
    # given a store whose bridge has never polled, and a cashier logged in at the POS
    store = StoreFactory(name="브리지 카페")
    StoreMemberFactory(store=store, display_name="김캐셔", pin="1234")
    pos = DeviceFactory(store=store, kind="POS", name="카운터 1")
    bridge = BridgeDeviceFactory(store=store, name="카운터 PC")
    printer = PrinterFactory(store=store, bridge=bridge, name="카운터 프린터")
    context = browser.new_context(locale="ko-KR", viewport={"width": 1024, "height": 768})
    signer = get_cookie_signer(salt=settings.DEVICE_COOKIE_NAME + "cloudpos.device")
    context.add_cookies(
        [{"name": settings.DEVICE_COOKIE_NAME, "value": signer.sign(pos.raw_token), "url": live_server.url}]
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/pos/login/")
    page.get_by_label("PIN").fill("1234")
    page.get_by_role("button", name="로그인").click()
    # then the sale screen says the bridge is offline
    offline = page.get_by_test_id("bridge-offline")
    expect(offline).to_be_visible()
    expect(offline).to_contain_text("매장 브리지 카운터 PC 연결이 끊겼습니다")
    page.screenshot(path=os.path.join(artifacts_dir, "e2e-bridge-offline.png"), full_page=True)
    # when the bridge polls and reports its printer out of paper
    cache.set(selectors.LAST_POLL_KEY.format(device_id=bridge.pk), time.time() + 60)
    Printer.objects.filter(pk=printer.pk).update(status=Printer.Status.PAPER_OUT)
    # then the next refresh shows the printer instead
    expect(page.get_by_test_id("bridge-printer-paper_out")).to_contain_text("카운터 프린터: 용지 없음", timeout=10_000)
    expect(offline).to_have_count(0)
    page.screenshot(path=os.path.join(artifacts_dir, "e2e-bridge-paper-out.png"), full_page=True)
    # and once paper is back, the banner is empty
    Printer.objects.filter(pk=printer.pk).update(status=Printer.Status.OK)
    expect(page.get_by_test_id("bridge-printer-paper_out")).to_have_count(0, timeout=10_000)
    context.close()
