"""Tab races on real PostgreSQL with threads (tests/concurrency.py)."""

import pytest

from apps.inventory.models import StoreProduct
from apps.orders import tabs
from apps.orders.models import Order, OrderLine
from apps.payments import services as payment_services
from tests.carts.factories import listed_product
from tests.concurrency import outcomes, run_together
from tests.payments.factories import make_method
from tests.tables.factories import make_table

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def item(menu, qty=1):
    return {"productId": menu.product.pk, "qty": qty}


def test_two_devices_send_rounds_at_once_both_land_numbered_1_and_2(store, americano):
    table = make_table(store, "3")
    tab = tabs.tab_open(table, guests=4)
    results = run_together([lambda: tabs.tab_round_add(Order.objects.get(pk=tab.pk), [item(americano)])] * 2)
    assert outcomes(results) == ["ok", "ok"]
    assert sorted(r.number for r in results) == [1, 2]
    tab.refresh_from_db()
    assert tab.total_amount == 9000 and Order.objects.filter(table=table).count() == 1


def test_two_devices_open_the_same_empty_table_make_one_tab(store):
    table = make_table(store, "3")
    results = run_together([lambda: tabs.tab_open(table, guests=2)] * 2)
    assert sorted(outcomes(results)) == ["TABLE_OCCUPIED", "ok"]
    assert Order.objects.filter(table=table).count() == 1


def test_a_round_racing_the_bill_is_paid_or_refused_never_lost(store, americano):
    # given a tab with one round, and a second round sent just as the cashier takes payment
    table = make_table(store, "3")
    tab = tabs.tab_open(table, guests=2)
    tabs.tab_round_add(tab, [item(americano)])
    cash = make_method(store, "CASH")

    current = {"tab": tab}

    def pay():
        frozen = tabs.tab_freeze_for_payment(Order.objects.get(pk=current["tab"].pk))
        return payment_services.payment_create(frozen, cash)

    def send_round():
        return tabs.tab_round_add(Order.objects.get(pk=current["tab"].pk), [item(americano)])

    for _attempt in range(3):
        results = run_together([pay, send_round])
        paid = Order.objects.get(pk=current["tab"].pk)
        # then the tab is paid for exactly the lines it has: the round is in the total or was refused
        assert outcomes(results)[0] == "ok" and paid.status == "PAID"
        # (refused as frozen while the bill is open, or as closed when the payment committed first)
        assert outcomes(results)[1] in ("ok", "TAB_FROZEN", "TAB_CLOSED")
        line_total = sum(OrderLine.objects.filter(order=paid).values_list("net_amount", flat=True))
        assert paid.total_amount == line_total == results[0].amount
        # next attempt on a fresh tab
        current["tab"] = tabs.tab_open(table, guests=2)
        tabs.tab_round_add(current["tab"], [item(americano)])


def test_merge_racing_pay_on_the_same_tab_one_wins_cleanly(store, americano):
    muffin = listed_product(store, "머핀", 3000, track_stock=True, stock=10)
    source = tabs.tab_open(make_table(store, "3"), guests=2)
    target = tabs.tab_open(make_table(store, "4"), guests=2)
    tabs.tab_round_add(source, [item(muffin, 2)])
    tabs.tab_round_add(target, [item(americano)])
    cash = make_method(store, "CASH")

    def pay_source():
        frozen = tabs.tab_freeze_for_payment(Order.objects.get(pk=source.pk))
        return payment_services.payment_create(frozen, cash)

    results = run_together(
        [pay_source, lambda: tabs.tab_merge(Order.objects.get(pk=source.pk), Order.objects.get(pk=target.pk))]
    )
    source.refresh_from_db()
    target.refresh_from_db()
    if outcomes(results)[0] == "ok":
        # paid first: the merge saw a frozen tab and was refused
        assert outcomes(results)[1] in ("TAB_FROZEN", "TAB_CLOSED")
        assert source.status == "PAID" and source.total_amount == 6000 and target.total_amount == 4500
    else:
        # merged first: nothing left to pay on the source
        assert outcomes(results)[1] == "ok" and source.status == "CANCELED"
        assert target.total_amount == 10500 and not source.payments.exists()
    # either way the muffins are reserved once
    assert StoreProduct.objects.get(pk=muffin.listing.pk).stock_quantity == 8


def test_merges_in_both_directions_at_once_do_not_deadlock(store, americano):
    a = tabs.tab_open(make_table(store, "1"), guests=1)
    b = tabs.tab_open(make_table(store, "2"), guests=1)
    tabs.tab_round_add(a, [item(americano)])
    tabs.tab_round_add(b, [item(americano)])
    results = run_together(
        [
            lambda: tabs.tab_merge(Order.objects.get(pk=a.pk), Order.objects.get(pk=b.pk)),
            lambda: tabs.tab_merge(Order.objects.get(pk=b.pk), Order.objects.get(pk=a.pk)),
        ]
    )
    assert sorted(outcomes(results)) == ["TAB_CLOSED", "ok"]
    assert sum(Order.objects.filter(pk__in=[a.pk, b.pk], status="OPEN").values_list("total_amount", flat=True)) == 9000


def test_rounds_never_take_stock_below_zero(store):
    muffin = listed_product(store, "머핀", 3000, track_stock=True, stock=3)
    tab_list = [tabs.tab_open(make_table(store, str(n)), guests=1) for n in range(5)]
    results = run_together(
        [lambda t=t: tabs.tab_round_add(Order.objects.get(pk=t.pk), [item(muffin)]) for t in tab_list]
    )
    assert outcomes(results).count("ok") == 3
    assert StoreProduct.objects.get(pk=muffin.listing.pk).stock_quantity == 0


def test_tablet_first_round_racing_the_pos_opening_the_table_lands_on_one_tab(store, americano):
    table = make_table(store, "3")
    results = run_together(
        [
            lambda: tabs.table_round_send(table, [item(americano)], guests=4),
            lambda: tabs.tab_open(table, guests=2),
        ]
    )
    # the POS may find the table already taken by the tablet's tab; the round is never lost
    assert outcomes(results)[0] == "ok" and outcomes(results)[1] in ("ok", "TABLE_OCCUPIED")
    tab = Order.objects.get(table=table)
    assert tab.total_amount == 4500 and tab.rounds.count() == 1
