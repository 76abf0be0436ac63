"""The POS floor and tab screen: open, rounds, void with a manager PIN, move, merge, bill, pay, split."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from apps.orders import tabs
from apps.orders.models import Order, OrderLine
from apps.tables.versions import floor_version
from tests.factories import StoreFactory
from tests.tables.factories import make_table

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 30, 19, 0, tzinfo=ZoneInfo("Asia/Seoul"))


@pytest.fixture(autouse=True)
def _monday_evening():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def table(store):
    return make_table(store, "3")


def test_floor_shows_each_table_state_guests_time_and_total(pos_client, store, table, stew):
    make_table(store, "4")
    tab = tabs.tab_open(table, guests=4)
    tabs.tab_round_add(tab, [{"productId": stew.product.pk, "qty": 2}])
    with time_machine.travel(NOW.replace(minute=25), tick=False):
        page = pos_client.get("/pos/tables/").content.decode()
    three = re.search(r'data-testid="table-3".*?</a>', page, re.S).group(0)
    assert 'data-state="ordering"' in three and "4명" in three and "25분 경과" in three and "18,000원" in three
    four = re.search(r'data-testid="table-4".*?</a>', page, re.S).group(0)
    assert 'data-state="empty"' in four


def test_floor_poll_is_204_until_a_tab_changes(pos_client, store, table, stew, django_capture_on_commit_callbacks):
    version = floor_version(store.pk)
    assert pos_client.get(f"/pos/tables/poll/?v={version}").status_code == 204
    with django_capture_on_commit_callbacks(execute=True):
        tabs.tab_open(table, guests=2)
    response = pos_client.get(f"/pos/tables/poll/?v={version}")
    assert response.status_code == 200 and 'data-state="ordering"' in response.content.decode()


def test_open_add_round_void_and_pay_through_the_pay_screen(pos_client, store, table, stew, soju, manager):
    # open table 3 for 4 guests
    response = pos_client.post(f"/pos/tables/{table.pk}/open/", {"guests": "4"})
    assert response.status_code == 302 and response["Location"] == f"/pos/tables/{table.pk}/"
    # a round from the POS menu
    response = pos_client.post(
        f"/pos/tables/{table.pk}/rounds/",
        {f"qty_{stew.product.pk}": "2", f"qty_{soju.product.pk}": "1", "memo": "덜 맵게"},
    )
    assert response.status_code == 302
    tab = Order.objects.get(table=table)
    assert tab.total_amount == 23000 and tab.rounds.get().memo == "덜 맵게"
    page = pos_client.get(f"/pos/tables/{table.pk}/").content.decode()
    assert "1차" in page and "23,000원" in page
    # a void without the manager PIN is refused, with it a negative line is written
    line = OrderLine.objects.get(order=tab, name="소주")
    url = f"/pos/tables/{table.pk}/lines/{line.pk}/void/"
    assert pos_client.post(url, {"qty": "1", "reason": "잘못 주문"}).status_code == 403
    assert pos_client.post(url, {"qty": "1", "reason": "잘못 주문", "pin": "1234"}).status_code == 403
    assert pos_client.post(url, {"qty": "1", "reason": "잘못 주문", "pin": "9999"}).status_code == 302
    tab.refresh_from_db()
    assert tab.total_amount == 18000
    # the interim bill, then the floor says "bill printed"
    bill = pos_client.get(f"/pos/tables/{table.pk}/bill/")
    assert bill.status_code == 200 and "중간계산서" in bill.content.decode()
    floor = pos_client.get("/pos/tables/").content.decode()
    assert 'data-state="bill"' in floor
    # pay: the tab is frozen and handed to the existing pay screen
    response = pos_client.post(f"/pos/tables/{table.pk}/pay/")
    assert response.status_code == 302 and response["Location"] == f"/pos/pay/{tab.public_id}/"
    tab.refresh_from_db()
    assert tab.status == "PENDING_PAYMENT"


@pytest.mark.parametrize(
    "data, status",
    [
        ({"qty_1": "0"}, 422),
        ({}, 422),
        ({"qty_abc": "1"}, 422),
        ({"qty_1": "-1"}, 422),
        ({"qty_1": "1e3"}, 422),
        ({"memo": "\x00"}, 422),
    ],
)
def test_bad_round_forms_are_4xx(pos_client, table, data, status):
    tabs.tab_open(table, guests=2)
    assert pos_client.post(f"/pos/tables/{table.pk}/rounds/", data).status_code == status


def test_another_stores_table_and_a_table_without_tab_are_404(pos_client, table):
    foreign = make_table(StoreFactory(), "9")
    assert pos_client.get(f"/pos/tables/{foreign.pk}/").status_code == 404
    assert pos_client.post(f"/pos/tables/{foreign.pk}/open/", {"guests": "2"}).status_code == 404
    for action in ("rounds", "pay", "bill", "split"):
        method = pos_client.get if action in ("bill", "split") else pos_client.post
        assert method(f"/pos/tables/{table.pk}/{action}/").status_code == 404, action
    assert pos_client.post(f"/pos/tables/{table.pk}/open/", {"guests": "0"}).status_code == 422


def test_move_and_merge_from_the_tab_screen(pos_client, store, table, stew):
    four, five = make_table(store, "4"), make_table(store, "5")
    tab = tabs.tab_open(table, guests=2)
    tabs.tab_round_add(tab, [{"productId": stew.product.pk, "qty": 1}])
    assert pos_client.post(f"/pos/tables/{table.pk}/move/", {"to_table": four.pk}).status_code == 302
    tab.refresh_from_db()
    assert tab.table == four
    other = tabs.tab_open(five, guests=3)
    tabs.tab_round_add(other, [{"productId": stew.product.pk, "qty": 1}])
    assert pos_client.post(f"/pos/tables/{four.pk}/merge/", {"from_table": five.pk}).status_code == 302
    tab.refresh_from_db()
    assert tab.total_amount == 18000 and tab.guests == 5 and tabs.tab_for_table(five) is None


def test_split_even_shows_parts_with_their_vat(pos_client, store, table, stew, soju):
    tab = tabs.tab_open(table, guests=3)
    tabs.tab_round_add(tab, [{"productId": stew.product.pk, "qty": 2}, {"productId": soju.product.pk, "qty": 2}])
    tabs.tab_round_add(tab, [{"productId": soju.product.pk, "qty": 1}])  # 33,000원
    page = pos_client.get(f"/pos/tables/{table.pk}/split/?n=3").content.decode()
    assert page.count("11,000원") >= 3 and "1,000원" in page  # 11,000 each, VAT 1,000 each
    by_line = pos_client.get(f"/pos/tables/{table.pk}/split/?line={OrderLine.objects.filter(order=tab).first().pk}")
    assert by_line.status_code == 200 and "18,000원" in by_line.content.decode()
    assert pos_client.get(f"/pos/tables/{table.pk}/split/?n=1").status_code == 422
    assert pos_client.get(f"/pos/tables/{table.pk}/split/?line=999999").status_code == 422


def test_store_setting_opens_the_pos_on_the_floor(client, store, pos_device, cashier):
    from tests.pos.conftest import login

    device_login = login(client, pos_device, "1234")
    assert device_login.get("/pos/tables/").status_code == 200
    store.pos_opens_on_floor = True
    store.save()
    client.post("/pos/logout/")
    from tests.factories import device_client

    device_client(client, pos_device)
    response = client.post("/pos/login/", {"pin": "1234"})
    assert response.status_code == 302 and response["Location"] == "/pos/tables/"


def test_owner_admin_shows_a_tab_with_its_rounds_and_voids(client, owner, store, table, stew, manager):
    tab = tabs.tab_open(table, guests=3)
    tabs.tab_round_add(tab, [{"productId": stew.product.pk, "qty": 2}])
    tabs.tab_line_void(tab, OrderLine.objects.get().pk, qty=1, reason="잘못 주문", approver=manager)
    client.force_login(owner)
    page = client.get(f"/admin/orders/order/{tab.pk}/change/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "잘못 주문" in body and "홀 3" in body


def test_paid_tabs_appear_in_the_pos_history_with_their_voids(pos_client, store, table, stew, manager):
    from apps.payments import services as payment_services
    from tests.payments.factories import make_method

    tab = tabs.tab_open(table, guests=2)
    tabs.tab_round_add(tab, [{"productId": stew.product.pk, "qty": 2}])
    tabs.tab_line_void(tab, OrderLine.objects.get().pk, qty=1, reason="잘못 주문", approver=manager)
    # an open tab lives on the floor; once paid it is in the day's history like any order
    tabs.tab_freeze_for_payment(tab)
    payment_services.payment_create(tab, make_method(store, "CASH"))
    listing = pos_client.get("/pos/orders/")
    assert listing.status_code == 200 and f"#{tab.order_number}" in listing.content.decode()
    detail = pos_client.get(f"/pos/orders/{tab.public_id}/")
    assert detail.status_code == 200 and "9,000원" in detail.content.decode()
