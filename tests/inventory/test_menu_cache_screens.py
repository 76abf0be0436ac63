"""The screens that draw the menu read it from its cache (issue 18): once warm, the kiosk's menu
screen, the POS page and the phone menu touch no catalog table and read the store's listings once,
for the fresh stock of the tracked ones."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.payments import shifts as shift_services
from tests.carts.factories import coffee_with_options, listed_product
from tests.catalog.factories import CategoryFactory
from tests.factories import device_client
from tests.pos.conftest import login
from tests.tableorder.conftest import phone_url
from tests.tables.factories import make_table

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 30, 19, 0, tzinfo=ZoneInfo("Asia/Seoul"))  # a Monday evening

# The whole page, warm. Kiosk menu screen: the menu's stock query only (the device, its store and
# the cart come from their caches). POS page: the logged-in member, the open shift, the stock.
# Phone menu: the stock; the rest is the table order's own (the table, its tab, the open shift, the
# table-order settings, pay-first) — 12 before the menu was cached.
KIOSK_MENU_SCREEN_BUDGET = 1
POS_PAGE_BUDGET = 3
PHONE_MENU_BUDGET = 8


@pytest.fixture(autouse=True)
def _monday_evening():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def menu(store):
    """Twelve coffees in one category, one with options, and a tracked scone (sold by stock)."""
    coffee = CategoryFactory(owner=store.owner, name="커피", sort_order=1)
    latte = coffee_with_options(store)
    latte.product.categories.add(coffee)
    for index in range(10):
        listed_product(store, f"커피{index}", 3000 + 100 * index).product.categories.add(coffee)
    scone = listed_product(store, "스콘", 3500, track_stock=True, stock=4)
    scone.product.categories.add(coffee)
    return {"category": coffee, "scone": scone}


def _menu_sql(queries) -> tuple[list[str], list[str]]:
    sql = [query["sql"] for query in queries.captured_queries]
    return [q for q in sql if '"catalog_' in q], [q for q in sql if '"inventory_' in q]


def _assert_menu_from_cache(queries, budget: int) -> None:
    catalog, inventory = _menu_sql(queries)
    assert catalog == []
    assert len(inventory) == 1 and '"stock_quantity"' in inventory[0]
    tables = [re.findall(r'(?:FROM|UPDATE|INTO) "(\w+)"', q["sql"])[:1] for q in queries.captured_queries]
    assert len(queries.captured_queries) <= budget, tables


def test_the_kiosk_menu_screen_reads_only_the_stock(client, kiosk_device, menu):
    kiosk = device_client(client, kiosk_device)
    assert kiosk.post("/kiosk/start/", {"service_type": "TAKEOUT"}).status_code == 302
    url = f"/kiosk/menu/?category={menu['category'].pk}"
    kiosk.get(url)  # a worker that has drawn the screen once
    with CaptureQueriesContext(connection) as queries:
        response = kiosk.get(url)
    assert response.status_code == 200
    assert "스콘" in response.content.decode() and "커피9" in response.content.decode()
    _assert_menu_from_cache(queries, KIOSK_MENU_SCREEN_BUDGET)


def test_the_pos_page_reads_only_the_stock_of_the_menu(client, store, pos_device, cashier, menu):
    pos = login(client, pos_device, "1234")
    shift_services.shift_open(store=store, device=pos_device, member=cashier, opening_float=100_000)
    pos.get("/pos/")
    with CaptureQueriesContext(connection) as queries:
        response = pos.get("/pos/")
    assert response.status_code == 200
    assert "스콘" in response.content.decode()
    _assert_menu_from_cache(queries, POS_PAGE_BUDGET)


def test_the_phone_menu_reads_only_the_stock_of_the_menu(client, store, cashier, menu):
    from tests.factories import DeviceFactory

    table = make_table(store, "3")
    counter = DeviceFactory(store=store, kind="POS", name="카운터")
    shift_services.shift_open(store=store, device=counter, member=cashier, opening_float=100_000)
    url = phone_url(table)
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert "스콘" in response.content.decode()
    _assert_menu_from_cache(queries, PHONE_MENU_BUDGET)


# --- the owner's edits in the admin reach the kiosk's next request ------------------------------


def _card(html: str, product_id: int) -> str:
    match = re.search(rf'<li class="kiosk-card[^>]*data-testid="product-{product_id}">.*?</li>', html, re.DOTALL)
    assert match, f"no card for product {product_id}"
    return match.group(0)


def test_admin_edits_are_on_the_kiosks_next_request(owner_client, kiosk_device, menu):
    from django.test import Client
    from django.urls import reverse

    kiosk = device_client(Client(), kiosk_device)
    assert kiosk.post("/kiosk/start/", {"service_type": "TAKEOUT"}).status_code == 302
    url = f"/kiosk/menu/?category={menu['category'].pk}"
    scone = menu["scone"]
    # given the kiosk has drawn the menu (cached here and in Redis)
    assert 'data-available="true"' in _card(kiosk.get(url).content.decode(), scone.product.pk)
    admin_url = reverse("admin:inventory_storeproduct_changelist")
    # when the owner marks the scone sold out with the change list's action
    owner_client.post(admin_url, {"action": "mark_sold_out", "_selected_action": [str(scone.listing.pk)]})
    # then the kiosk's next request shows it sold out
    assert 'data-available="false"' in _card(kiosk.get(url).content.decode(), scone.product.pk)
    # when the owner lifts it and sets a store price in the change list's quick edit
    owner_client.post(admin_url, {"action": "mark_available", "_selected_action": [str(scone.listing.pk)]})
    saved = owner_client.post(
        admin_url,
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": str(scone.listing.pk),
            "form-0-price_override": "3900",
            "form-0-stock_quantity": "4",
            "form-0-recommended_rank": "",
            "_save": "저장",
        },
    )
    assert saved.status_code == 302
    # then the next request shows both
    card = _card(kiosk.get(url).content.decode(), scone.product.pk)
    assert 'data-available="true"' in card and "3,900" in card
