"""A tab split on the tables screen: the pay screen offers the current part's amount, part by part
(1/N and chosen lines + the rest), and still lets the cashier type another amount."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from apps.orders import tabs
from apps.orders.models import OrderLine
from apps.payments import shifts as shift_services
from tests.carts.factories import listed_product
from tests.payments.factories import make_method
from tests.pos.test_views import form_keys
from tests.tables.factories import make_table

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 30, 21, 0, tzinfo=ZoneInfo("Asia/Seoul"))


@pytest.fixture(autouse=True)
def _monday_evening():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def tab(store, pos_device, cashier):
    shift_services.shift_open(store=store, device=pos_device, member=cashier, opening_float=0)
    table = make_table(store, "3")
    stew, soju = listed_product(store, "김치찌개", 9000), listed_product(store, "소주", 5000)
    tab = tabs.tab_open(table, guests=3)
    tabs.tab_round_add(tab, [{"productId": stew.product.pk, "qty": 2}, {"productId": soju.product.pk, "qty": 3}])
    return tab  # 33,000원


@pytest.fixture
def cash(store):
    return make_method(store, "CASH")


def _prefill(page: str) -> int:
    return int(re.search(r'value="(\d+)" inputmode="numeric" data-testid="pay-amount-CASH"', page).group(1))


def _pay(client, tab, cash, amount: int) -> str:
    page = client.get(f"/pos/pay/{tab.public_id}/").content.decode()
    key = {method: key for key, method in form_keys(page).items()}[str(cash.pk)]
    response = client.post(
        f"/pos/pay/{tab.public_id}/submit/", {"form_key": key, "method_id": cash.pk, "amount": str(amount)}
    )
    assert response.status_code == 200, response.content.decode()[:300]
    return client.get(f"/pos/pay/{tab.public_id}/").content.decode()


def test_an_even_split_offers_each_part_in_turn(pos_client, tab, cash):
    # given the cashier splits 33,000원 in 2 (16,500 + 16,500) on the split screen and goes to pay
    split = pos_client.get(f"/pos/tables/{tab.table_id}/split/?n=2").content.decode()
    assert 'name="n" value="2"' in split
    assert pos_client.post(f"/pos/tables/{tab.table_id}/pay/", {"n": "2"}).status_code == 302
    # then the pay screen offers part 1's amount
    page = pos_client.get(f"/pos/pay/{tab.public_id}/").content.decode()
    assert _prefill(page) == 16500 and "나눠 내기 1/2" in page
    # a part paid in two goes (10,000 now) still leads to the rest of that part, then the next part
    page = _pay(pos_client, tab, cash, 10000)
    assert _prefill(page) == 6500 and "나눠 내기 1/2" in page
    page = _pay(pos_client, tab, cash, 6500)
    assert _prefill(page) == 16500 and "나눠 내기 2/2" in page
    _pay(pos_client, tab, cash, 16500)
    tab.refresh_from_db()
    assert tab.status == "PAID"


def test_chosen_lines_first_then_the_rest(pos_client, tab, cash):
    stew_line = OrderLine.objects.get(order=tab, name="김치찌개")
    split = pos_client.get(f"/pos/tables/{tab.table_id}/split/?line={stew_line.pk}").content.decode()
    assert f'name="line" value="{stew_line.pk}"' in split
    assert pos_client.post(f"/pos/tables/{tab.table_id}/pay/", {"line": str(stew_line.pk)}).status_code == 302
    page = pos_client.get(f"/pos/pay/{tab.public_id}/").content.decode()
    assert _prefill(page) == 18000 and "나눠 내기 1/2" in page
    page = _pay(pos_client, tab, cash, 18000)
    assert _prefill(page) == 15000 and "나눠 내기 2/2" in page


def test_paying_without_a_split_offers_the_whole_due(pos_client, tab, cash):
    assert pos_client.post(f"/pos/tables/{tab.table_id}/pay/").status_code == 302
    page = pos_client.get(f"/pos/pay/{tab.public_id}/").content.decode()
    assert _prefill(page) == 33000 and 'data-testid="split-current"' not in page


@pytest.mark.parametrize("data", [{"n": "0"}, {"n": "x"}, {"n": "99999"}, {"line": "abc"}, {"line": "999999"}])
def test_a_bad_split_on_the_way_to_pay_is_refused_and_leaves_the_tab_open(pos_client, tab, data):
    assert pos_client.post(f"/pos/tables/{tab.table_id}/pay/", data).status_code == 422
    tab.refresh_from_db()
    assert tab.status == "OPEN"
