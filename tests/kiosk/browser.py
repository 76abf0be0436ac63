"""Helpers for the kiosk browser tests (tests/e2e/test_kiosk_*.py)."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.signing import get_cookie_signer
from django.test import Client

from apps.catalog.models import Category
from apps.payments.models import PaymentMethod
from tests.carts.factories import coffee_with_options, listed_product
from tests.factories import DeviceFactory, StoreFactory

PORTRAIT = {"width": 1080, "height": 1920}
LANDSCAPE = {"width": 1920, "height": 1080}


def kiosk_store() -> dict:
    """A café with a recommended latte (size required, extras up to two, whipped cream sold out
    here), an americano, a simulated card and pay-at-the-counter for the kiosk, a kiosk and a POS."""
    store = StoreFactory(name="키오스크 카페")
    coffee = Category.objects.create(owner=store.owner, name="커피", name_en="Coffee", sort_order=1)
    latte = coffee_with_options(store)
    latte.product.categories.add(coffee)
    latte.listing.recommended_rank = 1
    latte.listing.save()
    americano = listed_product(store, "아메리카노", 4500)
    americano.product.categories.add(coffee)
    PaymentMethod.objects.create(
        store=store, kind=PaymentMethod.Kind.SIMULATED, name="신용카드", channels=["KIOSK"], sort_order=1
    )
    PaymentMethod.objects.create(
        store=store, kind=PaymentMethod.Kind.CASH, name="카운터에서 결제", channels=["KIOSK", "POS"], sort_order=2
    )
    return {
        "store": store,
        "coffee": coffee,
        "latte": latte,
        "americano": americano,
        "kiosk": DeviceFactory(store=store, kind="KIOSK", name="키오스크 1"),
        "pos": DeviceFactory(store=store, kind="POS", name="카운터 1"),
    }


def device_context(browser, live_server, device, *, viewport=PORTRAIT, **kwargs):
    """A browser context that is the paired `device` (signed device cookie), touch enabled."""
    context = browser.new_context(locale="ko-KR", viewport=viewport, has_touch=True, **kwargs)
    signer = get_cookie_signer(salt=settings.DEVICE_COOKIE_NAME + "cloudpos.device")
    context.add_cookies(
        [{"name": settings.DEVICE_COOKIE_NAME, "value": signer.sign(device.raw_token), "url": live_server.url}]
    )
    return context


def owner_context(browser, live_server, owner):
    """A browser context logged in to the admin as `owner`."""
    client = Client()
    client.force_login(owner)
    context = browser.new_context(locale="ko-KR", viewport={"width": 1280, "height": 900})
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return context


# Everything a customer can touch on a kiosk screen (an option's whole label is its target).
TOUCH_TARGETS = "#kiosk-app a:visible, #kiosk-app button:visible, #kiosk-app label.kiosk-option:visible"


def touch_boxes(page, selector: str = TOUCH_TARGETS) -> list:
    return [(element, element.bounding_box()) for element in page.locator(selector).all()]


def assert_touch_targets(page, *, minimum: int = 44, selector: str = TOUCH_TARGETS) -> None:
    """Every target on the screen is at least `minimum` px both ways and has a name to read out."""
    for element, box in touch_boxes(page, selector):
        assert box["height"] >= minimum and box["width"] >= minimum, (element.inner_html()[:80], box)
        name = (element.get_attribute("aria-label") or element.inner_text()).strip()
        assert name, element.inner_html()[:80]


def shot(page, artifacts_dir: str, name: str) -> str:
    path = os.path.join(artifacts_dir, f"e2e-kiosk-{name}.png")
    page.screenshot(path=path)
    return path
