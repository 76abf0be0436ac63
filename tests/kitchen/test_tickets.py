"""Tickets made in the transaction that makes the work real; bumps, undo, hand-over; the order's
kitchen status derived from its tickets."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from apps.core.errors import DomainError
from apps.kitchen import selectors, services
from apps.kitchen.models import Station, Ticket, TicketLine
from apps.orders import services as order_services
from apps.orders import tabs
from apps.orders.models import Order
from tests.factories import StoreFactory
from tests.tables.factories import make_table

pytestmark = pytest.mark.django_db
NOW = "2026-11-30 12:00:00+09:00"


def item(menu, qty=1, **extra):
    return {"productId": menu.product.pk, "qty": qty, **extra}


def test_a_paid_order_gets_one_ticket_per_station_with_only_its_lines(
    pos_device, kitchen, bar, americano, bagel, place_and_pay
):
    # given a coffee (음료 category → bar) and a bagel (no station → default kitchen)
    # when the order is paid
    order = place_and_pay(pos_device, (americano, 2), (bagel, 1))
    # then each station holds one ticket with only its lines
    bar_ticket = Ticket.objects.get(order=order, station=bar)
    kitchen_ticket = Ticket.objects.get(order=order, station=kitchen)
    assert [(line.name, line.quantity) for line in bar_ticket.lines.all()] == [("아메리카노", 2)]
    assert [(line.name, line.quantity) for line in kitchen_ticket.lines.all()] == [("베이글", 1)]
    assert order.kitchen_status == "NEW"


def test_an_unpaid_order_has_no_ticket_unless_the_channel_makes_before_payment(
    pos_device, kitchen, americano, cart_with, kitchen_settings
):
    order, _ = order_services.order_place(cart_with(pos_device, (americano, 1)), device=pos_device)
    assert not Ticket.objects.filter(order=order).exists()
    # when the owner marks the POS "make before payment", the next placement makes its ticket at once
    kitchen_settings.make_before_payment_pos = True
    kitchen_settings.save()
    second, _ = order_services.order_place(cart_with(pos_device, (americano, 1)), device=pos_device)
    assert Ticket.objects.filter(order=second).count() == 1


def test_paying_a_made_before_payment_order_makes_no_second_ticket(
    pos_device, kitchen, americano, cart_with, kitchen_settings, cash
):
    from apps.payments import services as payment_services

    kitchen_settings.make_before_payment_pos = True
    kitchen_settings.save()
    order, _ = order_services.order_place(cart_with(pos_device, (americano, 1)), device=pos_device)
    ticket = Ticket.objects.get(order=order)
    services.ticket_bump(pos_device.store, ticket.pk)  # made before payment: already ready
    payment_services.payment_create(order, cash)
    order.refresh_from_db()
    assert Ticket.objects.filter(order=order).count() == 1
    assert order.status == "PAID" and order.kitchen_status == "READY"


def test_a_product_station_wins_over_a_category_station(store, pos_device, kitchen, bar, americano, place_and_pay):
    dessert = Station.objects.create(store=store, name="디저트", sort_order=2)
    dessert.products.add(americano.product)
    order = place_and_pay(pos_device, (americano, 1))
    assert list(Ticket.objects.filter(order=order).values_list("station__name", flat=True)) == ["디저트"]


def test_a_subcategory_goes_to_the_parent_category_station(
    store, pos_device, kitchen, bar, drinks_category, place_and_pay
):
    from apps.catalog.models import Category
    from tests.carts.factories import listed_product

    coffee = Category.objects.create(owner=store.owner, name="커피", parent=drinks_category)
    latte = listed_product(store, "라떼", 5000)
    latte.product.categories.add(coffee)
    order = place_and_pay(pos_device, (latte, 1))
    assert Ticket.objects.get(order=order).station == bar


def test_a_store_without_stations_gets_a_default_one(store, pos_device, americano, place_and_pay):
    order = place_and_pay(pos_device, (americano, 1))
    ticket = Ticket.objects.get(order=order)
    assert ticket.station.is_default and ticket.station.name == "주방"


def test_bump_whole_ticket_then_order_ready_only_when_every_station_is_ready(
    store, pos_device, kitchen, bar, americano, bagel, place_and_pay
):
    order = place_and_pay(pos_device, (americano, 1), (bagel, 1))
    bar_ticket = Ticket.objects.get(order=order, station=bar)
    kitchen_ticket = Ticket.objects.get(order=order, station=kitchen)
    services.ticket_bump(store, bar_ticket.pk)
    order.refresh_from_db()
    assert order.kitchen_status == "PREPARING"
    services.ticket_bump(store, kitchen_ticket.pk)
    order.refresh_from_db()
    assert order.kitchen_status == "READY"


def test_bumping_twice_is_harmless(store, pos_device, kitchen, americano, place_and_pay):
    order = place_and_pay(pos_device, (americano, 1))
    ticket = Ticket.objects.get(order=order)
    first = services.ticket_bump(store, ticket.pk)
    second = services.ticket_bump(store, ticket.pk)
    assert first.ready_at == second.ready_at and second.status == "READY"
    order.refresh_from_db()
    assert order.kitchen_status == "READY"


def test_bumping_every_line_readies_the_ticket(store, pos_device, kitchen, americano, bagel, place_and_pay):
    order = place_and_pay(pos_device, (americano, 1), (bagel, 2))
    ticket = Ticket.objects.get(order=order)
    first, second = ticket.lines.all()
    services.ticket_bump(store, ticket.pk, line_id=first.pk)
    ticket.refresh_from_db()
    order.refresh_from_db()
    assert ticket.status == "NEW" and order.kitchen_status == "PREPARING"
    services.ticket_bump(store, ticket.pk, line_id=second.pk)
    ticket.refresh_from_db()
    order.refresh_from_db()
    assert ticket.status == "READY" and order.kitchen_status == "READY"


def test_undo_within_30_seconds_and_not_after(store, pos_device, kitchen, americano, place_and_pay):
    with time_machine.travel(NOW, tick=False) as clock:
        order = place_and_pay(pos_device, (americano, 1))
        ticket = Ticket.objects.get(order=order)
        services.ticket_bump(store, ticket.pk)
        clock.shift(timedelta(seconds=29))
        services.ticket_undo(store, ticket.pk)
        ticket.refresh_from_db()
        order.refresh_from_db()
        assert ticket.status == "NEW" and ticket.ready_at is None
        assert not ticket.lines.filter(ready_at__isnull=False).exists()
        assert order.kitchen_status == "PREPARING"
        services.ticket_bump(store, ticket.pk)
        clock.shift(timedelta(seconds=31))
        with pytest.raises(DomainError) as err:
            services.ticket_undo(store, ticket.pk)
        assert err.value.code == "UNDO_EXPIRED" and err.value.status == 409
        ticket.refresh_from_db()
        assert ticket.status == "READY"


def test_undo_a_line_bump(store, pos_device, kitchen, americano, bagel, place_and_pay):
    order = place_and_pay(pos_device, (americano, 1), (bagel, 1))
    ticket = Ticket.objects.get(order=order)
    line = ticket.lines.first()
    services.ticket_bump(store, ticket.pk, line_id=line.pk)
    services.ticket_undo(store, ticket.pk)
    line.refresh_from_db()
    assert line.ready_at is None
    with pytest.raises(DomainError) as err:
        services.ticket_undo(store, ticket.pk)
    assert err.value.code == "NOTHING_TO_UNDO"


def test_hand_over_moves_tickets_and_order_to_done_and_twice_is_harmless(
    store, pos_device, kitchen, americano, place_and_pay
):
    order = place_and_pay(pos_device, (americano, 1))
    ticket = Ticket.objects.get(order=order)
    with pytest.raises(DomainError) as err:
        services.order_hand_over(store, order.public_id)
    assert err.value.code == "ORDER_NOT_READY"
    services.ticket_bump(store, ticket.pk)
    services.order_hand_over(store, order.public_id)
    services.order_hand_over(store, order.public_id)
    ticket.refresh_from_db()
    order.refresh_from_db()
    assert ticket.status == "DONE" and order.kitchen_status == "DONE"
    # a handed-over ticket cannot be undone
    with pytest.raises(DomainError) as err:
        services.ticket_undo(store, ticket.pk)
    assert err.value.code == "TICKET_ILLEGAL_TRANSITION"


def test_another_stores_ticket_is_a_404(store, pos_device, kitchen, americano, place_and_pay):
    order = place_and_pay(pos_device, (americano, 1))
    ticket = Ticket.objects.get(order=order)
    other = StoreFactory()
    for call in (services.ticket_bump, services.ticket_undo):
        with pytest.raises(DomainError) as err:
            call(other, ticket.pk)
        assert err.value.status == 404
    with pytest.raises(DomainError) as err:
        services.order_hand_over(other, order.public_id)
    assert err.value.status == 404
    with pytest.raises(DomainError):
        selectors.ticket_for_store(other, ticket.pk)


def test_illegal_ticket_moves_are_refused_in_one_place(store, pos_device, kitchen, americano, place_and_pay):
    order = place_and_pay(pos_device, (americano, 1))
    ticket = Ticket.objects.get(order=order)
    from django.db import transaction

    with transaction.atomic():
        with pytest.raises(DomainError) as err:
            services._ticket_move(ticket, "DONE", now=timezone.now())  # NEW → DONE skips READY
    assert err.value.code == "TICKET_ILLEGAL_TRANSITION"
    assert services.TICKET_TRANSITIONS["DONE"] == frozenset()


def test_table_rounds_make_a_ticket_each_and_a_void_shows_struck_through(
    store, pos_device, kitchen, manager, americano, bagel
):
    table = make_table(store, "3")
    tab = tabs.tab_open(table, guests=2)
    tabs.tab_round_add(tab, [item(americano), item(bagel, 2)])
    tabs.tab_round_add(Order.objects.get(pk=tab.pk), [item(bagel)])
    tickets = list(Ticket.objects.filter(order=tab).order_by("round_number"))
    assert [t.round_number for t in tickets] == [1, 2]
    # when a manager voids the americano of round 1
    line = TicketLine.objects.get(ticket=tickets[0], name="아메리카노").order_line
    tabs.tab_line_void(Order.objects.get(pk=tab.pk), line.pk, qty=1, reason="주문 실수", approver=manager)
    feed = selectors.station_feed(kitchen)
    first = next(view for view in feed if view.ticket.pk == tickets[0].pk)
    struck = {view.line.name: view.voided for view in first.lines}
    assert struck == {"아메리카노": True, "베이글": False}
    assert [view.where for view in feed] == ["3", "3"] and feed[0].channel_label == "테이블"


def test_merging_tabs_moves_the_open_tickets_to_the_merged_tab(
    store, kitchen, americano, bagel, django_capture_on_commit_callbacks
):
    # given two tables whose rounds are on the kitchen's screen
    source = tabs.tab_open(make_table(store, "5"), guests=2)
    tabs.tab_round_add(source, [item(bagel)])
    target = tabs.tab_open(make_table(store, "6"), guests=2)
    tabs.tab_round_add(target, [item(americano)])
    # when table 5 is merged into table 6
    with django_capture_on_commit_callbacks(execute=True):
        tabs.tab_merge(Order.objects.get(pk=source.pk), Order.objects.get(pk=target.pk))
    # then the bagel is still to be made, now for table 6 under the round number it took there
    tickets = list(Ticket.objects.filter(order=target).order_by("round_number"))
    assert [(t.round_number, t.status) for t in tickets] == [(1, "NEW"), (2, "NEW")]
    assert not Ticket.objects.filter(order=source).exists()
    assert [view.where for view in selectors.station_feed(kitchen)] == ["6", "6"]


def test_a_new_round_after_ready_brings_the_tab_back_to_preparing(store, kitchen, americano):
    table = make_table(store, "4")
    tab = tabs.tab_open(table, guests=2)
    tabs.tab_round_add(tab, [item(americano)])
    services.ticket_bump(store, Ticket.objects.get(order=tab).pk)
    assert Order.objects.get(pk=tab.pk).kitchen_status == "READY"
    tabs.tab_round_add(Order.objects.get(pk=tab.pk), [item(americano)])
    assert Order.objects.get(pk=tab.pk).kitchen_status == "PREPARING"


def test_feed_is_oldest_first_and_coloured_by_age(
    store, pos_device, kitchen, americano, place_and_pay, kitchen_settings
):
    with time_machine.travel(NOW, tick=False) as clock:
        first = place_and_pay(pos_device, (americano, 1))
        clock.shift(timedelta(minutes=9))
        second = place_and_pay(pos_device, (americano, 1))
        clock.shift(timedelta(minutes=2))
        third = place_and_pay(pos_device, (americano, 1))
        feed = selectors.station_feed(kitchen, now=timezone.now() + timedelta(minutes=9))
    assert [view.ticket.order_id for view in feed] == [first.pk, second.pk, third.pk]
    assert [view.age_class for view in feed] == ["late", "warn", "fresh"]


def test_board_shows_preparing_and_ready_until_picked_up_or_owner_time(
    store, pos_device, kitchen, americano, place_and_pay, kitchen_settings
):
    with time_machine.travel(NOW, tick=False) as clock:
        one = place_and_pay(pos_device, (americano, 1))
        two = place_and_pay(pos_device, (americano, 1))
        three = place_and_pay(pos_device, (americano, 1))
        for order in (one, two):
            services.ticket_bump(store, Ticket.objects.get(order=order).pk)
        board = selectors.board(store)
        assert board.preparing == [three.order_number]
        assert sorted(board.ready) == [one.order_number, two.order_number]
        services.order_hand_over(store, one.public_id)
        assert selectors.board(store).ready == [two.order_number]
        clock.shift(timedelta(minutes=kitchen_settings.board_ready_minutes, seconds=1))
        assert selectors.board(store).ready == []
        assert [o.pk for o in selectors.ready_for_hand_over(store)] == [two.pk]


def test_a_made_before_payment_order_that_is_canceled_leaves_the_screens(
    pos_device, kitchen, americano, cart_with, kitchen_settings, django_capture_on_commit_callbacks
):
    kitchen_settings.make_before_payment_pos = True
    kitchen_settings.save()
    order, _ = order_services.order_place(cart_with(pos_device, (americano, 1)), device=pos_device)
    assert [view.ticket.order_id for view in selectors.station_feed(kitchen)] == [order.pk]
    # when the customer walks away and the order is canceled
    with django_capture_on_commit_callbacks(execute=True):
        order_services.order_cancel(order, reason="walked away")
    # then its ticket is off the station and the board
    assert Ticket.objects.get(order=order).status == "CANCELED"
    assert selectors.station_feed(kitchen) == []
    assert selectors.board(pos_device.store).preparing == []


def test_a_fully_refunded_order_leaves_the_station_feed(store, pos_device, kitchen, americano, place_and_pay, manager):
    from apps.payments import services as payment_services

    order = place_and_pay(pos_device, (americano, 1))
    kept = place_and_pay(pos_device, (americano, 1))
    payment_services.payment_refund(order, reason="손님 변심", member=manager)
    order.refresh_from_db()
    assert order.status == "REFUNDED"
    assert [view.ticket.order_id for view in selectors.station_feed(kitchen)] == [kept.pk]
