"""The owner's "staff confirm a new tab's first round" setting: a phone's first round on an empty
table waits on the POS floor; staff confirm it (the tab opens with it) or reject it."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from apps.orders.models import Order, OrderRound
from apps.tables import pending as pending_rounds
from apps.tables.models import TableOrderSettings
from tests.factories import DeviceFactory, StoreFactory, StoreMemberFactory
from tests.pos.conftest import login
from tests.tableorder.conftest import phone_url

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 30, 19, 0, tzinfo=ZoneInfo("Asia/Seoul"))


@pytest.fixture(autouse=True)
def _monday_evening():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def _confirm_first_round(store):
    TableOrderSettings.objects.create(store=store, confirm_first_round=True)


@pytest.fixture
def pos(pos_device, cashier, open_shift):
    return login(Client(), pos_device, "1234")


def _phone_orders(table, product, qty: int = 1, guests: str = "2") -> Client:
    phone = Client()
    phone.post(phone_url(table, "add/"), {"product_id": product.product.pk, "qty": str(qty)})
    response = phone.post(phone_url(table, "send/"), {"guests": guests})
    assert response.status_code == 302
    return phone


def test_a_first_round_waits_for_staff_and_opens_the_tab_when_confirmed(pos, store, table, stew, soju):
    # given a phone's first round on the empty table 3
    phone = _phone_orders(table, stew, qty=2)
    # then nothing is ordered yet: the phone sees it waiting, the floor lists it with its total
    assert not Order.objects.exists()
    assert "직원 확인 대기 중" in phone.get(phone_url(table, "tab/")).content.decode()
    floor = pos.get("/pos/tables/").content.decode()
    assert 'data-testid="pending-round"' in floor and "홀 3" in floor and "18,000원" in floor
    # when staff confirm it
    [pending] = pending_rounds.pending_rounds_for_store(store)
    confirmed = pos.post(f"/pos/tables/pending/{pending['id']}/confirm/")
    # then the tab opens with round 1 for 2 guests, and the floor no longer lists it
    assert confirmed.status_code == 302
    tab = Order.objects.get(table=table)
    assert tab.guests == 2 and tab.channel == "TABLE" and tab.total_amount == 18000
    assert 'data-testid="pending-round"' not in pos.get("/pos/tables/").content.decode()
    page = phone.get(phone_url(table, "tab/")).content.decode()
    assert "1차" in page and "직원 확인 대기 중" not in page
    # and the tab's next round from a phone goes straight in
    _phone_orders(table, soju)
    assert tab.rounds.count() == 2 and not pending_rounds.pending_rounds_for_store(store)


def test_a_rejected_first_round_leaves_nothing(pos, store, table, stew):
    _phone_orders(table, stew)
    [pending] = pending_rounds.pending_rounds_for_store(store)
    assert pos.post(f"/pos/tables/pending/{pending['id']}/reject/").status_code == 302
    assert not Order.objects.exists() and not pending_rounds.pending_rounds_for_store(store)
    # a second tap (another POS) finds it gone: a 404, nothing sent
    assert pos.post(f"/pos/tables/pending/{pending['id']}/confirm/").status_code == 404
    assert not OrderRound.objects.exists()


def test_confirming_twice_sends_once(pos, store, table, stew):
    _phone_orders(table, stew)
    [pending] = pending_rounds.pending_rounds_for_store(store)
    assert pos.post(f"/pos/tables/pending/{pending['id']}/confirm/").status_code == 302
    assert pos.post(f"/pos/tables/pending/{pending['id']}/confirm/").status_code == 404
    assert OrderRound.objects.count() == 1


def test_a_round_that_cannot_be_sent_any_more_waits_again(pos, store, table, stew):
    _phone_orders(table, stew, qty=3)
    stew.listing.stock_quantity = 1
    stew.listing.save(update_fields=["stock_quantity"])
    [pending] = pending_rounds.pending_rounds_for_store(store)
    refused = pos.post(f"/pos/tables/pending/{pending['id']}/confirm/")
    assert refused.status_code == 409 and not Order.objects.exists()
    assert [p["id"] for p in pending_rounds.pending_rounds_for_store(store)] == [pending["id"]]


def test_another_stores_pos_cannot_take_this_stores_waiting_round(pos, store, table, stew):
    _phone_orders(table, stew)
    [pending] = pending_rounds.pending_rounds_for_store(store)
    other = StoreFactory(name="옆집")
    StoreMemberFactory(store=other, role="CASHIER", pin="5678")
    other_pos = login(Client(), DeviceFactory(store=other, kind="POS"), "5678")
    assert other_pos.post(f"/pos/tables/pending/{pending['id']}/confirm/").status_code == 404
    assert other_pos.post(f"/pos/tables/pending/{pending['id']}/reject/").status_code == 404
    assert len(pending_rounds.pending_rounds_for_store(store)) == 1 and not Order.objects.exists()
