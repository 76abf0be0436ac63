"""Kitchen races on real PostgreSQL with threads (tests/concurrency.py)."""

import pytest

from apps.kitchen import selectors, services
from apps.kitchen.models import Ticket
from apps.orders import services as order_services
from apps.orders import tabs
from apps.orders.models import Order
from apps.payments import services as payment_services
from tests.concurrency import outcomes, run_together
from tests.factories import DeviceFactory
from tests.tables.factories import make_table

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_200_orders_paid_from_5_threads_reach_each_station_exactly_once(
    store, kitchen, bar, americano, bagel, cart_with, cash
):
    # given 200 placed orders: even ones a coffee (bar), odd ones a bagel (kitchen), every 4th both
    devices = [DeviceFactory(store=store, kind="POS") for _ in range(5)]
    orders = []
    for index in range(200):
        device = devices[index % 5]
        items = [(americano, 1)] if index % 2 == 0 else [(bagel, 1)]
        if index % 4 == 0:
            items.append((bagel, 1))
        order, _ = order_services.order_place(cart_with(device, *items), device=device)
        orders.append(order)

    # when 5 threads pay 40 orders each at the same time
    def pay_share(share):
        for order in share:
            payment_services.payment_create(Order.objects.get(pk=order.pk), cash)
        return len(share)

    results = run_together([lambda s=orders[i::5]: pay_share(s) for i in range(5)], timeout=300)
    assert results == [40] * 5, results

    # then each station's feed holds exactly its tickets, each once
    expected_bar = {o.pk for i, o in enumerate(orders) if i % 2 == 0}
    expected_kitchen = {o.pk for i, o in enumerate(orders) if i % 2 == 1 or i % 4 == 0}
    bar_feed = [view.ticket.order_id for view in selectors.station_feed(bar)]
    kitchen_feed = [view.ticket.order_id for view in selectors.station_feed(kitchen)]
    assert sorted(bar_feed) == sorted(expected_bar) and len(bar_feed) == len(set(bar_feed)) == 100
    assert sorted(kitchen_feed) == sorted(expected_kitchen) and len(kitchen_feed) == 150
    assert Ticket.objects.count() == 250
    assert set(Order.objects.values_list("status", flat=True)) == {"PAID"}


def test_a_round_added_during_a_bump_is_not_lost(store, kitchen, americano):
    table = make_table(store, "3")
    tab = tabs.tab_open(table, guests=2)
    for _attempt in range(3):
        tab = Order.objects.get(pk=tab.pk)
        first_round = tabs.tab_round_add(tab, [{"productId": americano.product.pk, "qty": 1}])
        ticket = Ticket.objects.get(order=tab, round_number=first_round.number)

        def bump(ticket_id=ticket.pk):
            return services.ticket_bump(store, ticket_id)

        def send_round(tab_id=tab.pk):
            return tabs.tab_round_add(Order.objects.get(pk=tab_id), [{"productId": americano.product.pk, "qty": 2}])

        results = run_together([bump, send_round])
        assert outcomes(results) == ["ok", "ok"]
        new_round = results[1]
        new_ticket = Ticket.objects.get(order=tab, round_number=new_round.number)
        assert new_ticket.status == "NEW" and new_ticket.lines.get().quantity == 2
        assert Ticket.objects.get(pk=ticket.pk).status == "READY"
        assert Order.objects.get(pk=tab.pk).kitchen_status == "PREPARING"
        services.ticket_bump(store, new_ticket.pk)


def test_two_screens_bump_the_same_ticket_at_once(store, pos_device, kitchen, americano, place_and_pay):
    order = place_and_pay(pos_device, (americano, 1))
    ticket = Ticket.objects.get(order=order)
    results = run_together([lambda: services.ticket_bump(store, ticket.pk)] * 2)
    assert outcomes(results) == ["ok", "ok"]
    assert Order.objects.get(pk=order.pk).kitchen_status == "READY"
