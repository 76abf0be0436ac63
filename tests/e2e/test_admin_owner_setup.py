"""In Chromium, as a new owner would (issue 20): sign up with email, create the first store, make a
size option group, add a product with that option and an image in one product form — which also
lists it in the store — and see it on a paired kiosk without ever opening the 매장 상품 page.
Screenshots of the home, the product form, the listing and the reports at 1440×900 and 1024×768
land in test-artifacts/."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from apps.accounts.models import User
from apps.catalog.models import Product
from apps.inventory.models import StoreProduct
from apps.stores.models import Store
from tests.catalog.factories import image_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDE = {"width": 1440, "height": 900}
NARROW = {"width": 1024, "height": 768}


def _shot(page, artifacts_dir: str, name: str) -> None:
    page.screenshot(path=os.path.join(artifacts_dir, f"e2e-admin-{name}.png"), full_page=False)


def _sign_up_and_create_the_store(page, live_server, artifacts_dir) -> None:
    page.goto(f"{live_server.url}/accounts/signup/")
    _shot(page, artifacts_dir, "signup-1440")
    page.locator("input[name=email]").fill("new.owner@example.com")
    page.locator("input[name=password1]").fill("s3cure-Pass-word!")
    page.locator("input[name=password2]").fill("s3cure-Pass-word!")
    page.locator("form").filter(has=page.locator("input[name=password2]")).locator("button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/onboarding/")
    _shot(page, artifacts_dir, "onboarding-1440")
    page.locator("input[name=name]").fill("새싹 카페")
    page.locator("input[name=business_number]").fill("123-45-67891")
    page.get_by_role("button", name="매장 만들기").click()
    expect(page).to_have_url(f"{live_server.url}/admin/")


def _add_size_option_group(page, live_server) -> None:
    page.goto(f"{live_server.url}/admin/catalog/optiongroup/add/")
    page.locator("input[name=name]").fill("사이즈")
    page.locator("input[name=min_choices]").fill("1")
    page.locator("input[name=max_choices]").fill("1")
    page.locator("input[name=required]").check()
    page.locator("input[name='options-0-name']").fill("톨")
    page.locator("input[name='options-0-price_delta']").fill("0")
    page.locator(".add-row a").first.click()
    page.locator("input[name='options-1-name']").fill("그란데")
    page.locator("input[name='options-1-price_delta']").fill("500")
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_contain_text("사이즈")


def test_a_new_owner_sells_a_product_with_a_size_on_the_kiosk_from_one_form(browser, live_server, artifacts_dir):
    context = browser.new_context(locale="ko-KR", viewport=WIDE)
    page = context.new_page()
    try:
        # given a new owner who signs up and creates a store
        _sign_up_and_create_the_store(page, live_server, artifacts_dir)
        owner = User.objects.get(email="new.owner@example.com")
        store = Store.objects.get(owner=owner)
        # the home is today, with the CloudPOS header and the language switch
        expect(page.locator("#site-name")).to_contain_text("CloudPOS")
        expect(page.locator(".lang-switch button[value=en]")).to_be_visible()
        expect(page.locator(f"section.cp-store[data-store='{store.pk}']")).to_contain_text("0원")

        _add_size_option_group(page, live_server)

        # when the owner adds a product with the size option and an image, in one form
        page.goto(f"{live_server.url}/admin/catalog/product/add/")
        page.locator("input[name=name]").fill("카페라떼")
        page.locator("input[name=base_price]").fill("4500")
        page.locator("input[name=image]").set_input_files(
            {"name": "latte.png", "mimeType": "image/png", "buffer": image_bytes("PNG", (320, 240))}
        )
        page.locator("select[name='productoptiongroup_set-0-group']").select_option(label="사이즈")
        # the store is ticked already: a new product is sold in every store unless unticked
        expect(page.locator(f"input[name=sell_in_{store.pk}]")).to_be_checked()
        _shot(page, artifacts_dir, "product-form-1440")
        page.set_viewport_size(NARROW)
        _shot(page, artifacts_dir, "product-form-1024")
        page.set_viewport_size(WIDE)
        page.locator("input[name=_save]").click()
        expect(page.locator(".messagelist")).to_contain_text("카페라떼")

        # then the product list shows it on sale in the store, in won
        expect(page.locator("#result_list")).to_contain_text("새싹 카페 · 4,500원")
        product = Product.objects.get(owner=owner, name="카페라떼")
        assert StoreProduct.objects.filter(store=store, product=product, is_listed=True).exists()
        assert product.image

        # and a kiosk, added in the admin and paired with the code it shows, has it with its sizes
        page.goto(f"{live_server.url}/admin/stores/device/add/")
        page.locator("select[name=store]").select_option(str(store.pk))
        page.locator("select[name=kind]").select_option("KIOSK")
        page.locator("input[name=name]").fill("입구 키오스크")
        page.locator("input[name=_save]").click()
        code = page.locator("strong.pairing-code").inner_text().strip()
        kiosk_context = browser.new_context(locale="ko-KR", viewport={"width": 1080, "height": 1920}, has_touch=True)
        kiosk_page = kiosk_context.new_page()
        kiosk_page.goto(f"{live_server.url}/kiosk/")
        kiosk_page.get_by_label("연결 코드").fill(code)
        kiosk_page.get_by_role("button", name="연결", exact=True).click()
        expect(kiosk_page.get_by_test_id("kiosk-start")).to_be_visible()
        kiosk_page.get_by_test_id("kiosk-start").tap()
        kiosk_page.get_by_test_id("service-takeout").tap()
        card = kiosk_page.get_by_test_id(f"product-{product.pk}")
        expect(card).to_contain_text("카페라떼")
        card.get_by_role("link").tap()
        expect(kiosk_page.locator("body")).to_contain_text("그란데")
        expect(kiosk_page.get_by_test_id("product-price")).to_have_text("4,500원")
        kiosk_context.close()

        # screenshots: the home, the listing and the reports, wide and narrow
        for size, label in ((WIDE, "1440"), (NARROW, "1024")):
            page.set_viewport_size(size)
            page.goto(f"{live_server.url}/admin/")
            _shot(page, artifacts_dir, f"home-{label}")
            page.goto(f"{live_server.url}/admin/inventory/storeproduct/")
            _shot(page, artifacts_dir, f"listing-{label}")
            page.goto(f"{live_server.url}/admin/settlement/settlement/reports/")
            expect(page).to_have_url(f"{live_server.url}/admin/settlement/settlement/reports/{store.pk}/")
            _shot(page, artifacts_dir, f"reports-{label}")
    finally:
        context.close()


def test_the_store_listing_fits_1440_and_prices_never_wrap(browser, live_server, artifacts_dir):
    from tests.factories import OwnerFactory, StoreFactory
    from tests.inventory.factories import StoreProductFactory
    from tests.kiosk.browser import owner_context

    owner = OwnerFactory()
    store = StoreFactory(owner=owner, name="아주 긴 이름의 강남역 2호점")
    for i in range(5):
        product = Product.objects.create(owner=owner, name=f"시즌 한정 딸기 듬뿍 생크림 케이크 {i}", base_price=14500)
        StoreProductFactory(store=store, product=product, price_override=15000, track_stock=True, stock_quantity=9)
    context = owner_context(browser, live_server, owner)
    page = context.new_page()
    try:
        page.set_viewport_size(WIDE)
        page.goto(f"{live_server.url}/admin/inventory/storeproduct/")
        # the page is not wider than the window, and the list needs no scrolling of its own:
        # nothing is cut off at 1440 px (the last column, 진열, is on screen)
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDE["width"]
        results = page.evaluate(
            "(() => { const r = document.querySelector('#changelist .results');"
            " return [r.scrollWidth, r.clientWidth]; })()"
        )
        assert results[0] <= results[1], results
        expect(page.locator("th.column-is_listed")).to_be_in_viewport()
        # and each price stays on one line ("15,000원", never "15,000 / 원")
        cells = page.locator("td.field-effective_price")
        expect(cells.first).to_have_text("15,000원")
        lines = page.evaluate(
            """() => [...document.querySelectorAll("td.field-effective_price")].map((cell) => {
                const range = document.createRange();
                range.selectNodeContents(cell);
                return new Set([...range.getClientRects()].map((rect) => Math.round(rect.top))).size;
            })"""
        )
        assert lines and all(n == 1 for n in lines), lines
        _shot(page, artifacts_dir, "listing-fit-1440")
    finally:
        context.close()


def test_the_size_option_group_is_made_from_the_product_form_itself(browser, live_server, artifacts_dir):
    from tests.factories import OwnerFactory, StoreFactory
    from tests.kiosk.browser import owner_context

    owner = OwnerFactory()
    store = StoreFactory(owner=owner, name="팝업 카페")
    context = owner_context(browser, live_server, owner)
    page = context.new_page()
    errors: list = []
    try:
        page.set_viewport_size(WIDE)
        page.goto(f"{live_server.url}/admin/catalog/product/add/")
        page.locator("input[name=name]").fill("아이스티")
        page.locator("input[name=base_price]").fill("3500")
        # the "+" beside the option group opens the group's form, options inline
        with page.expect_popup() as popup_info:
            page.locator("#add_id_productoptiongroup_set-0-group").click()
        popup = popup_info.value
        popup.on("pageerror", lambda error: errors.append(error))
        popup.locator("input[name=name]").fill("사이즈")
        popup.locator("input[name='options-0-name']").fill("레귤러")
        popup.locator("input[name='options-0-price_delta']").fill("0")
        popup.locator(".add-row a").first.click()
        popup.locator("input[name='options-1-name']").fill("라지")
        popup.locator("input[name='options-1-price_delta']").fill("700")
        with popup.expect_event("close"):
            popup.locator("input[name=_save]").click()
        # and the new group is chosen on the product at once (it used to stay in the popup)
        expect(page.locator("select[name='productoptiongroup_set-0-group'] option:checked")).to_have_text("사이즈")
        page.locator("input[name=_save]").click()
        expect(page.locator(".messagelist")).to_contain_text("아이스티")
        product = Product.objects.get(owner=owner, name="아이스티")
        assert [g.name for g in product.option_groups.all()] == ["사이즈"]
        assert StoreProduct.objects.filter(store=store, product=product, is_listed=True).exists()
        assert not errors, errors
    finally:
        context.close()
