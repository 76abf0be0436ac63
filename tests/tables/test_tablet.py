"""The table tablet: menu, options, basket sent as a round, the tab so far, call staff; no payment."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from apps.orders import tabs
from apps.orders.models import Order
from apps.stores import staff_calls
from tests.carts.factories import coffee_with_options
from tests.factories import DeviceFactory, device_client
from tests.tables.factories import make_table

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 30, 19, 0, tzinfo=ZoneInfo("Asia/Seoul"))


@pytest.fixture(autouse=True)
def _monday_evening():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def tablet(store):
    return DeviceFactory(store=store, kind="TABLE", name="3번 테이블 태블릿")


@pytest.fixture
def table(store, tablet):
    return make_table(store, "3", tablet=tablet)


@pytest.fixture
def tablet_client(client, tablet, table):
    return device_client(client, tablet)


def test_guests_order_a_round_with_options_and_see_the_tab(tablet_client, table, store, stew):
    latte = coffee_with_options(store)
    size = next(iter(latte.groups.values()))
    option = size.options.order_by("sort_order").first()
    page = tablet_client.get("/table/").content.decode()
    assert "김치찌개" in page and "3" in page
    assert tablet_client.get(f"/table/products/{latte.product.pk}/").status_code == 200
    # basket: a stew ×2 and a latte with its required size
    assert tablet_client.post("/table/add/", {"product_id": stew.product.pk, "qty": "2"}).status_code == 302
    response = tablet_client.post("/table/add/", {"product_id": latte.product.pk, "option_ids": [option.pk]})
    assert response.status_code == 302
    # send: the table's tab opens for 4 guests with round 1
    assert tablet_client.post("/table/send/", {"guests": "4"}).status_code == 302
    tab = Order.objects.get(table=table)
    assert tab.guests == 4 and tab.channel == "TABLE" and tab.rounds.get().number == 1
    assert tab.total_amount == 18000 + latte.product.base_price + option.price_delta
    # the tab so far with its total; the basket is empty again
    page = tablet_client.get("/table/tab/").content.decode()
    assert "1차" in page and f"{tab.total_amount:,}원" in page
    assert 'data-testid="basket-line"' not in tablet_client.get("/table/").content.decode()


def test_a_required_option_missing_is_a_clear_error(tablet_client, store):
    latte = coffee_with_options(store)
    response = tablet_client.post("/table/add/", {"product_id": latte.product.pk})
    assert response.status_code == 422


def test_sending_an_empty_basket_or_to_a_frozen_tab_is_refused(tablet_client, table, stew):
    assert tablet_client.post("/table/send/").status_code == 422
    tab = tabs.tab_open(table, guests=2)
    tabs.tab_round_add(tab, [{"productId": stew.product.pk, "qty": 1}])
    tabs.tab_freeze_for_payment(tab)
    tablet_client.post("/table/add/", {"product_id": stew.product.pk})
    response = tablet_client.post("/table/send/")
    assert response.status_code == 409 and "계산 중" in response.content.decode()


def test_call_staff_reaches_the_pos(tablet_client, store):
    assert tablet_client.post("/table/call/").status_code == 302
    assert len(staff_calls.staff_calls_pending(store)) == 1


def test_no_payment_on_the_tablet_and_other_devices_are_sent_to_pair(client, store, tablet_client):
    assert b"/pos/pay" not in tablet_client.get("/table/").content
    kiosk = DeviceFactory(store=store, kind="KIOSK")
    device_client(client, kiosk)
    assert client.get("/table/").status_code == 302


def test_an_unassigned_tablet_says_so(client, store):
    lonely = DeviceFactory(store=store, kind="TABLE")
    device_client(client, lonely)
    response = client.get("/table/")
    assert response.status_code == 409 and "연결된 테이블이 없습니다" in response.content.decode()


def test_pairing_a_table_tablet_opens_its_menu(client, store, stew):
    from django.urls import reverse

    from apps.stores import services as store_services
    from apps.stores.models import Device

    device = Device.objects.create(store=store, kind="TABLE", name="5번 태블릿")
    make_table(store, "5", tablet=device)
    code = store_services.device_issue_pairing_code(device)
    response = client.post(reverse("stores:pair"), {"code": code})
    assert response.status_code == 302 and response["Location"] == "/table/"
    assert "김치찌개" in client.get("/table/").content.decode()
