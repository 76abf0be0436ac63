"""Pay first (선결제) from a guest's phone: the round is sent only once its card payment is
confirmed, through the kiosk's payment flow; it lands on the tab already paid, and closing the tab
charges only the rest. A failed or abandoned payment sends nothing.

Transactional: payments confirm and rounds land in on-commit hooks, as in production."""

from datetime import datetime
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from apps.inventory.models import StoreProduct
from apps.kitchen.models import Ticket
from apps.orders import tabs
from apps.orders.models import Order
from apps.payments import selectors as payment_selectors
from apps.payments import services as payment_services
from apps.payments.models import Payment
from apps.settlement.facts import sold_orders
from apps.tableorder import prepaid
from apps.tableorder.models import PrepaidRound
from apps.tables.models import Table, TableOrderSettings
from tests.payments.factories import make_method
from tests.tableorder.conftest import phone_url
from tests.tables.factories import make_table

pytestmark = pytest.mark.django_db(transaction=True)

NOW = datetime(2026, 11, 30, 19, 0, tzinfo=ZoneInfo("Asia/Seoul"))


@pytest.fixture(autouse=True)
def _monday_evening(settings):
    settings.TABLEORDER_PHONE_ROUND_INTERVAL_SECONDS = 0
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def pay_first(store):
    return TableOrderSettings.objects.create(store=store, pay_first=True)


@pytest.fixture
def card(store):
    return make_method(store, "SIMULATED", channels=("TABLE", "KIOSK"), name="카드")


def add(client, table, listing, qty=1):
    response = client.post(phone_url(table, "add/"), {"product_id": listing.product.pk, "qty": str(qty)})
    assert response.status_code == 302, response.content.decode()[:300]


def pay(client, table, method, **extra):
    return client.post(phone_url(table, "pay/"), {"method": str(method.pk), **extra})


def card_window(client, response, action):
    """Press a button on the payments app's simulated card window; returns the last page."""
    checkout = response["Location"]
    assert checkout.startswith("/payments/simulated/checkout/"), checkout
    assert client.get(checkout).status_code == 200
    return client.post(checkout, {"action": action}, follow=True)


def test_a_paid_round_lands_on_the_tab_already_paid(store, table, stew, soju, open_shift, pay_first, card):
    client = Client()
    add(client, table, stew, qty=2)
    # given the menu offers "결제하고 주문하기" instead of "주문하기"
    page = client.get(phone_url(table)).content.decode()
    assert 'data-testid="phone-pay"' in page and 'data-testid="phone-send"' not in page
    # when the guest pays 18,000원 by the simulated card
    started = pay(client, table, card, guests="2")
    assert not Order.objects.filter(table=table).exists()  # nothing is sent before the payment
    done = card_window(client, started, "approve")
    # then the phone shows the tab with round 1 marked paid and nothing left to pay
    assert urlparse(done.redirect_chain[-1][0]).path.endswith("/tab/")
    html = done.content.decode()
    assert 'data-testid="phone-round-paid"' in html and "1차" in html
    tab = Order.objects.get(table=table, status="OPEN")
    assert tab.total_amount == 18000 and tab.guests == 2 and tab.rounds.get().number == 1
    payment = Payment.objects.get(status="DONE")
    assert payment.order_id == tab.pk and payment.amount == 18000
    assert sorted(payment.line_ids) == sorted(tab.lines.values_list("pk", flat=True))
    assert payment_selectors.amount_due(tab) == 0
    # and the order it was paid on holds nothing any more and is no sale of its own
    holder = PrepaidRound.objects.get().order
    holder.refresh_from_db()
    assert holder.status == "CANCELED" and holder.total_amount == 0 and not holder.lines.exists()
    # the kitchen's ticket (made when the payment was confirmed) follows the round onto the tab
    ticket = Ticket.objects.get()
    assert ticket.order_id == tab.pk and ticket.round_number == 1
    # the phone's basket is empty again; stock was taken once
    assert 'data-testid="phone-basket-line"' not in client.get(phone_url(table)).content.decode()
    assert StoreProduct.objects.get(pk=stew.listing.pk).stock_quantity == 48


def test_closing_the_tab_charges_only_the_rest(store, table, stew, soju, open_shift, pay_first, card):
    client = Client()
    add(client, table, stew)
    card_window(client, pay(client, table, card), "approve")
    tab = Order.objects.get(table=table, status="OPEN")
    # given a second round sent from the POS (pay later)
    tabs.tab_round_add(tab, [{"productId": soju.product.pk, "qty": 1}])
    tab.refresh_from_db()
    assert tab.total_amount == 14000
    # when the bill is taken, the cash payment takes only the soju
    tabs.tab_freeze_for_payment(tab)
    cash = payment_services.payment_create(tab, make_method(store, "CASH"))
    assert cash.amount == 5000
    tab.refresh_from_db()
    assert tab.status == "PAID"
    # and the table's old links stop working
    table.refresh_from_db()
    assert table.generation == 2
    # the day's sales hold one order of 14,000원, paid 9,000원 by card and 5,000원 in cash
    sold = sold_orders([store.pk], tab.business_date, tab.business_date)
    assert list(sold.values_list("pk", "total_amount")) == [(tab.pk, 14000)]
    assert sorted(tab.payments.filter(status="DONE").values_list("kind", "amount")) == [
        ("CASH", 5000),
        ("SIMULATED", 9000),
    ]


def test_a_tab_paid_entirely_from_phones_is_paid_at_its_bill(store, table, stew, open_shift, pay_first, card):
    client = Client()
    add(client, table, stew)
    card_window(client, pay(client, table, card), "approve")
    tab = Order.objects.get(table=table, status="OPEN")
    tabs.tab_freeze_for_payment(tab)
    tab.refresh_from_db()
    assert tab.status == "PAID"
    assert Table.objects.get(pk=table.pk).generation == 2


def test_a_declined_card_sends_nothing_and_gives_the_basket_back(store, table, stew, open_shift, pay_first, card):
    client = Client()
    add(client, table, stew, qty=3)
    done = card_window(client, pay(client, table, card), "decline")
    # then back on the menu with the basket as it was and a clear message
    assert urlparse(done.redirect_chain[-1][0]).path == urlparse(phone_url(table)).path
    html = done.content.decode()
    assert "결제가 완료되지 않아 주문하지 않았습니다" in html
    assert html.count('data-testid="phone-basket-line"') == 1
    # nothing on the table, the order canceled and its stock back
    assert not Order.objects.filter(table=table).exists()
    assert PrepaidRound.objects.get().order.status == "CANCELED"
    assert StoreProduct.objects.get(pk=stew.listing.pk).stock_quantity == 50
    # and paying again works
    card_window(client, pay(client, table, card), "approve")
    assert Order.objects.get(table=table).total_amount == 27000


def test_a_capture_declined_at_confirm_sends_nothing(store, table, stew, open_shift, pay_first, card):
    client = Client()
    add(client, table, stew)
    done = card_window(client, pay(client, table, card), "approve_decline")
    assert "결제가 완료되지 않아 주문하지 않았습니다" in done.content.decode()
    assert not Order.objects.filter(table=table).exists()
    assert StoreProduct.objects.get(pk=stew.listing.pk).stock_quantity == 50


def test_an_abandoned_window_sends_nothing_and_the_order_expires(store, table, stew, open_shift, pay_first, card):
    from apps.orders import services as order_services

    client = Client()
    add(client, table, stew)
    assert pay(client, table, card).status_code == 302  # the window opened and was never used
    with time_machine.travel(datetime(2026, 11, 30, 19, 30, tzinfo=ZoneInfo("Asia/Seoul")), tick=False):
        assert order_services.orders_expire_stale() == 1
    assert not Order.objects.filter(table=table).exists()
    assert StoreProduct.objects.get(pk=stew.listing.pk).stock_quantity == 50


def test_a_double_tap_pays_one_order(store, table, stew, open_shift, pay_first, card):
    client = Client()
    add(client, table, stew)
    first, second = pay(client, table, card), pay(client, table, card)
    assert first.status_code == second.status_code == 302
    assert Order.objects.filter(status="PENDING_PAYMENT").count() == 1
    # the second window supersedes the first; approving it lands one round
    card_window(client, second, "approve")
    tab = Order.objects.get(table=table)
    assert tab.rounds.count() == 1 and tab.total_amount == 9000


def test_the_rules_of_the_phone_still_apply(store, table, stew, open_shift, pay_first, card):
    client = Client()
    TableOrderSettings.objects.filter(store=store).update(max_items_per_round=2)
    add(client, table, stew, qty=3)
    refused = pay(client, table, card)
    assert refused.status_code == 422 and "한 번에 2개까지" in refused.content.decode()
    assert not Order.objects.exists()


def test_another_stores_method_or_a_pay_later_store_is_refused(store, table, stew, open_shift, card):
    client = Client()
    add(client, table, stew)
    assert pay(client, table, card).status_code == 409  # the store pays later
    TableOrderSettings.objects.create(store=store, pay_first=True)
    from tests.factories import StoreFactory

    other = make_method(StoreFactory(), "SIMULATED", channels=("TABLE",))
    assert pay(client, table, other).status_code == 404
    cash = make_method(store, "CASH", channels=("TABLE",))
    assert pay(client, table, cash).status_code == 404
    assert not Order.objects.exists()


def test_another_tables_paid_page_is_a_404(store, table, stew, open_shift, pay_first, card):
    client = Client()
    add(client, table, stew)
    pay(client, table, card)
    holder = PrepaidRound.objects.get().order
    other = make_table(store, "9")
    assert client.get(phone_url(other, f"paid/{holder.public_id}/")).status_code == 404
    assert client.get(phone_url(table, "paid/nope/")).status_code == 404


def test_a_paid_round_lands_once_however_often_it_is_told(store, table, stew, open_shift, pay_first, card):
    client = Client()
    add(client, table, stew)
    card_window(client, pay(client, table, card), "approve")
    holder = PrepaidRound.objects.get().order
    for _ in range(3):
        prepaid.prepaid_round_land(holder.pk)
        assert payment_services.payment_confirm(Payment.objects.get().pk) == "DONE"
    tab = Order.objects.get(table=table)
    assert tab.rounds.count() == 1 and tab.total_amount == 9000


def test_leaving_the_card_window_open_and_giving_up_closes_it(store, table, stew, open_shift, pay_first, card):
    client = Client()
    add(client, table, stew)
    window = pay(client, table, card)["Location"]
    holder = PrepaidRound.objects.get().order
    # when the phone comes to the failure page while the window was never answered
    client.get(phone_url(table, f"pay-failed/{holder.public_id}/"))
    # then the window's payment is closed and the order canceled, so a late approval captures nothing
    assert Payment.objects.get().status == "ABORTED"
    holder.refresh_from_db()
    assert holder.status == "CANCELED"
    late = client.post(window, {"action": "approve"}, follow=True)
    assert late.status_code == 200
    assert not Order.objects.filter(table=table).exists()
    assert not Payment.objects.filter(status="DONE").exists()


def test_back_from_the_card_window_keeps_the_basket_and_paying_again_uses_the_same_order(
    store, table, stew, open_shift, pay_first, card
):
    client = Client()
    add(client, table, stew, qty=2)
    first_window = pay(client, table, card)["Location"]
    # the guest pressed back: the menu still shows the basket and the pay button
    page = client.get(phone_url(table)).content.decode()
    assert page.count('data-testid="phone-basket-line"') == 1 and 'data-testid="phone-pay"' in page
    # paying again opens a new window for the same order; the first window is superseded
    done = card_window(client, pay(client, table, card), "approve")
    assert "phone-round-paid" in done.content.decode()
    assert Order.objects.filter(prepaid_round__isnull=False).count() == 1
    assert client.post(first_window, {"action": "approve"}).status_code in (200, 302)
    tab = Order.objects.get(table=table)
    assert tab.rounds.count() == 1 and tab.total_amount == 18000
    assert Payment.objects.filter(status="DONE").count() == 1


def test_pay_first_needs_an_open_shift(store, table, stew, pay_first, card):
    client = Client()
    add(client, table, stew)
    # no shift open: nothing is placed, no window opens
    closed = pay(client, table, card)
    assert closed.status_code == 409 and "영업 시간이 아니라" in closed.content.decode()
    assert not Order.objects.exists()


def test_a_new_basket_paid_right_after_the_last_one_waits_its_turn(
    store, table, stew, open_shift, pay_first, card, settings
):
    settings.TABLEORDER_PHONE_ROUND_INTERVAL_SECONDS = 20
    client = Client()
    add(client, table, stew)
    card_window(client, pay(client, table, card), "approve")
    add(client, table, stew)
    refused = pay(client, table, card)
    assert refused.status_code == 429 and "20초에 한 번" in refused.content.decode()
    assert Order.objects.get(table=table).rounds.count() == 1


def test_a_round_paid_while_the_bill_is_taken_still_lands_and_the_rest_is_unchanged(
    store, table, stew, soju, open_shift, pay_first, card
):
    client = Client()
    tab = tabs.table_round_send(table, [{"productId": soju.product.pk, "qty": 1}], guests=2)
    tab = tab.order
    add(client, table, stew)
    window = pay(client, table, card)
    # the cashier takes the bill while the guest is in the card window
    tabs.tab_freeze_for_payment(tab)
    card_window(client, window, "approve")
    tab.refresh_from_db()
    # the paid round is on the frozen tab; what is left to pay is still the soju
    assert tab.status == "PENDING_PAYMENT" and tab.total_amount == 14000 and tab.rounds.count() == 2
    assert payment_selectors.amount_due(tab) == 5000
    assert payment_services.payment_create(tab, make_method(store, "CASH")).amount == 5000
    tab.refresh_from_db()
    assert tab.status == "PAID"


def test_a_tab_that_crosses_the_cutoff_counts_its_phone_payment_on_the_day_it_is_paid(
    store, table, stew, soju, open_shift, pay_first, card
):
    from datetime import date

    client = Client()
    with time_machine.travel(datetime(2026, 11, 30, 3, 30, tzinfo=ZoneInfo("Asia/Seoul")), tick=False):
        add(client, table, stew)
        card_window(client, pay(client, table, card), "approve")
    tab = Order.objects.get(table=table)
    assert tab.business_date == date(2026, 11, 29)  # before the 04:00 cutoff
    tabs.tab_round_add(tab, [{"productId": soju.product.pk, "qty": 1}])
    tabs.tab_freeze_for_payment(tab)  # 19:00, the next business day
    tab.refresh_from_db()
    assert tab.business_date == date(2026, 11, 30)
    assert list(Payment.objects.filter(order=tab).values_list("business_date", flat=True)) == [date(2026, 11, 30)]


def test_toss_without_keys_is_not_offered_to_the_phone(store, table, stew, open_shift, pay_first, card, settings):
    settings.TOSS_SECRET_KEY = settings.TOSS_CLIENT_KEY = ""
    toss = make_method(store, "TOSS", channels=("TABLE",), name="토스")
    client = Client()
    add(client, table, stew)
    page = client.get(phone_url(table)).content.decode()
    assert 'data-testid="phone-method-simulated"' in page and 'data-testid="phone-method-toss"' not in page
    assert pay(client, table, toss).status_code == 404
    assert not Order.objects.exists()
