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


def test_a_lines_split_records_the_lines_each_payment_paid_and_leaves_the_rest_for_later(pos_client, tab, cash):
    stew_line = OrderLine.objects.get(order=tab, name="김치찌개")
    soju_line = OrderLine.objects.get(order=tab, name="소주")
    # given the guest who had the stew pays for it alone
    pos_client.post(f"/pos/tables/{tab.table_id}/pay/", {"line": str(stew_line.pk)})
    page = _pay(pos_client, tab, cash, 18000)
    # then the payment records the stew line, and the pay screen says what it paid for
    payment = tab.payments.get()
    assert payment.line_ids == [stew_line.pk] and payment.amount == 18000
    assert 'data-testid="payment-lines"' in page and "김치찌개 × 2" in page
    # the rest stays on the tab, payable later: the split screen shows the stew paid, not choosable
    split = pos_client.get(f"/pos/tables/{tab.table_id}/split/").content.decode()
    assert f'data-testid="split-line-paid-{stew_line.pk}"' in split
    assert f'data-testid="split-line-{soju_line.pk}"' in split
    assert pos_client.get(f"/pos/tables/{tab.table_id}/split/?line={stew_line.pk}").status_code == 422
    # later the soju drinker pays for the soju: recorded too, and the tab is paid
    split = pos_client.get(f"/pos/tables/{tab.table_id}/split/?line={soju_line.pk}").content.decode()
    assert 'data-testid="split-amount-1">15,000원' in split
    pos_client.post(f"/pos/tables/{tab.table_id}/pay/", {"line": str(soju_line.pk)})
    assert _prefill(pos_client.get(f"/pos/pay/{tab.public_id}/").content.decode()) == 15000
    _pay(pos_client, tab, cash, 15000)
    tab.refresh_from_db()
    assert tab.status == "PAID"
    assert sorted(p.line_ids for p in tab.payments.all()) == [[stew_line.pk], [soju_line.pk]]


def test_a_payment_never_records_another_orders_lines(store, tab, cash):
    from apps.core.errors import Invalid
    from apps.payments import services as payment_services

    other = tabs.tab_open(make_table(store, "9"), guests=1)
    tabs.tab_round_add(other, [{"productId": OrderLine.objects.filter(order=tab).first().product_id, "qty": 1}])
    foreign = OrderLine.objects.filter(order=other).first()
    tabs.tab_freeze_for_payment(tab)
    for bad in ([foreign.pk], [True], ["1"]):
        with pytest.raises(Invalid):
            payment_services.payment_create(tab, cash, amount=1000, line_ids=bad)
    assert not tab.payments.exists()
