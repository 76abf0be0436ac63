"""Table tabs: open, rounds, voids, move, merge, freeze for payment, paying frees the table."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from apps.core.errors import DomainError
from apps.inventory.models import StoreProduct
from apps.orders import tabs
from apps.orders.models import Order, OrderLine, OrderRound
from apps.orders.services import orders_expire_stale
from apps.payments import services as payment_services
from apps.tables.models import Table
from tests.carts.factories import listed_product
from tests.factories import DeviceFactory, StoreFactory
from tests.payments.factories import make_method
from tests.tables.factories import make_table

pytestmark = pytest.mark.django_db

SEOUL = ZoneInfo("Asia/Seoul")
NOW = datetime(2026, 11, 30, 19, 0, tzinfo=SEOUL)


@pytest.fixture(autouse=True)
def _monday_evening():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def table(store):
    return make_table(store, "3")


@pytest.fixture
def stew(store):
    return listed_product(store, "김치찌개", 9000, track_stock=True, stock=10)


def item(menu, qty=1, **extra):
    return {"productId": menu.product.pk, "qty": qty, **extra}


def stock_of(menu) -> int:
    return StoreProduct.objects.get(pk=menu.listing.pk).stock_quantity


def test_open_then_two_rounds_numbered_and_totalled(table, pos_device, cashier, americano, stew):
    # given table 3 opened for 4 guests
    tab = tabs.tab_open(table, guests=4, device=pos_device, member=cashier)
    assert tab.status == "OPEN" and tab.table == table and tab.guests == 4 and tab.total_amount == 0
    # when two rounds are sent
    first = tabs.tab_round_add(tab, [item(stew, 2)], device=pos_device, member=cashier, memo="덜 맵게")
    second = tabs.tab_round_add(tab, [item(americano, 1, note="샷 추가 없이")], device=pos_device)
    # then they are numbered 1 and 2, priced, and the tab totals every line with VAT once
    assert (first.number, second.number, first.memo) == (1, 2, "덜 맵게")
    tab.refresh_from_db()
    assert tab.total_amount == 2 * 9000 + 4500
    assert (tab.supply_amount, tab.vat_amount) == (20455, 2045)
    assert list(second.lines.values_list("name", "quantity", "note")) == [("아메리카노", 1, "샷 추가 없이")]
    # and the rounds reserved stock
    assert stock_of(stew) == 8


def test_a_table_has_one_tab_at_a_time(table, pos_device):
    tabs.tab_open(table, guests=2, device=pos_device)
    with pytest.raises(DomainError) as err:
        tabs.tab_open(table, guests=3, device=pos_device)
    assert err.value.code == "TABLE_OCCUPIED" and err.value.status == 409
    assert Order.objects.filter(table=table).count() == 1


@pytest.mark.parametrize("guests", [0, -1, 100, "4", None, True, 2.5])
def test_guest_count_must_be_sensible(table, guests):
    with pytest.raises(DomainError) as err:
        tabs.tab_open(table, guests=guests)
    assert err.value.status == 422


@pytest.mark.parametrize(
    "items, code",
    [
        ([], "INVALID_ITEMS"),
        ("x", "INVALID_ITEMS"),
        ([{"productId": "1", "qty": 1}], "INVALID_ITEMS"),
        ([{"productId": 1, "qty": 0}], "INVALID_QUANTITY"),
        ([{"productId": 1, "qty": -2}], "INVALID_QUANTITY"),
        ([{"productId": 1, "qty": 1.0}], "INVALID_QUANTITY"),
        ([{"productId": 1, "optionIds": [1, 1]}], "INVALID_OPTIONS"),
        ([{"productId": 1, "note": "\x00"}], "INVALID_NOTE"),
    ],
)
def test_bad_round_input_is_422(table, items, code):
    tab = tabs.tab_open(table, guests=2)
    with pytest.raises(DomainError) as err:
        tabs.tab_round_add(tab, items)
    assert (err.value.status, err.value.code) == (422, code)
    assert not OrderRound.objects.exists()


def test_a_round_is_all_or_nothing(table, stew, americano):
    # given only 1 stew left
    StoreProduct.objects.filter(pk=stew.listing.pk).update(stock_quantity=1)
    tab = tabs.tab_open(table, guests=2)
    # when a round asks for a coffee and 2 stews
    with pytest.raises(DomainError) as err:
        tabs.tab_round_add(tab, [item(americano), item(stew, 2)])
    # then nothing is written and no stock is taken
    assert err.value.code == "OUT_OF_STOCK"
    assert not OrderLine.objects.exists() and not OrderRound.objects.exists()
    assert stock_of(stew) == 1


def test_another_stores_product_is_not_on_the_tab(table):
    foreign = listed_product(StoreFactory(), "남의 메뉴", 1000)
    tab = tabs.tab_open(table, guests=1)
    with pytest.raises(DomainError) as err:
        tabs.tab_round_add(tab, [item(foreign)])
    assert err.value.status == 404


def test_void_needs_a_manager_and_a_reason_and_releases_stock(table, stew, cashier, manager):
    tab = tabs.tab_open(table, guests=2)
    tabs.tab_round_add(tab, [item(stew, 3)])
    line = OrderLine.objects.get()
    # a cashier cannot approve a void; a reason is required
    with pytest.raises(DomainError) as err:
        tabs.tab_line_void(tab, line.pk, qty=1, reason="잘못 주문", approver=cashier)
    assert err.value.code == "MANAGER_REQUIRED" and err.value.status == 403
    with pytest.raises(DomainError) as err:
        tabs.tab_line_void(tab, line.pk, qty=1, reason="  ", approver=manager)
    assert err.value.code == "VOID_REASON_REQUIRED"
    # when the manager voids 2 of the 3
    void = tabs.tab_line_void(tab, line.pk, qty=2, reason="잘못 주문", approver=manager)
    # then a negative line is added, the sent line is unchanged, stock is back
    assert (void.quantity, void.net_amount, void.void_of_id, void.void_staff) == (-2, -18000, line.pk, manager)
    line.refresh_from_db()
    assert (line.quantity, line.net_amount) == (3, 27000)
    tab.refresh_from_db()
    assert tab.total_amount == 9000 and stock_of(stew) == 9
    # and no more than what is left can be voided
    with pytest.raises(DomainError) as err:
        tabs.tab_line_void(tab, line.pk, qty=2, reason="또", approver=manager)
    assert err.value.code == "VOID_QTY_EXCEEDS"
    tabs.tab_line_void(tab, line.pk, qty=1, reason="또", approver=manager)
    tab.refresh_from_db()
    assert tab.total_amount == 0 and tab.vat_amount == 0 and stock_of(stew) == 10


def test_voids_of_an_uneven_line_add_up_to_the_line(table, manager, store):
    # 3 for 10,000원 after a discount spread: 3,333 + 3,333 + 3,334 — never a won lost
    menu = listed_product(store, "세트", 10000)
    tab = tabs.tab_open(table, guests=1)
    tabs.tab_round_add(tab, [item(menu, 1)])
    line = OrderLine.objects.get()
    OrderLine.objects.filter(pk=line.pk).update(quantity=3)
    for _ in range(3):
        tabs.tab_line_void(tab, line.pk, qty=1, reason="테스트", approver=manager)
    tab.refresh_from_db()
    assert tab.total_amount == 0
    assert sorted(OrderLine.objects.filter(void_of=line).values_list("net_amount", flat=True)) == [-3334, -3333, -3333]


def test_move_to_an_empty_table_keeps_rounds_and_reservations(store, table, stew):
    tab = tabs.tab_open(table, guests=2)
    tabs.tab_round_add(tab, [item(stew, 2)])
    free = make_table(store, "4")
    busy = make_table(store, "5")
    tabs.tab_open(busy, guests=1)
    with pytest.raises(DomainError) as err:
        tabs.tab_move(tab, busy)
    assert err.value.code == "TABLE_OCCUPIED"
    tabs.tab_move(tab, free)
    tab.refresh_from_db()
    assert tab.table == free and tabs.tab_for_table(table) is None and tab.total_amount == 18000
    assert stock_of(stew) == 8
    # another store's table is not a destination
    with pytest.raises(DomainError) as err:
        tabs.tab_move(tab, make_table(StoreFactory(), "9"))
    assert err.value.status == 404


def test_merge_moves_rounds_and_totals_and_frees_the_source_table(store, table, stew, americano):
    other_table = make_table(store, "4")
    target = tabs.tab_open(table, guests=2)
    source = tabs.tab_open(other_table, guests=3)
    tabs.tab_round_add(target, [item(stew)])
    tabs.tab_round_add(source, [item(americano)])
    tabs.tab_round_add(source, [item(stew)])
    tabs.tab_merge(source, target)
    target.refresh_from_db()
    source.refresh_from_db()
    assert source.status == "CANCELED" and tabs.tab_for_table(other_table) is None
    assert target.guests == 5 and target.total_amount == 9000 + 4500 + 9000
    assert list(target.rounds.values_list("number", flat=True)) == [1, 2, 3]
    # the reservations stay with the merged tab: nothing released, nothing taken twice
    assert stock_of(stew) == 8
    with pytest.raises(DomainError) as err:
        tabs.tab_merge(target, target)
    assert err.value.code == "MERGE_SAME_TAB"


def test_a_frozen_tab_refuses_rounds_until_reopened(table, americano):
    tab = tabs.tab_open(table, guests=2)
    tabs.tab_round_add(tab, [item(americano)])
    tabs.tab_freeze_for_payment(tab)
    assert tab.status == "PENDING_PAYMENT"
    with pytest.raises(DomainError) as err:
        tabs.tab_round_add(tab, [item(americano)])
    assert err.value.code == "TAB_FROZEN" and err.value.status == 409
    tabs.tab_unfreeze(tab)
    tabs.tab_round_add(tab, [item(americano)])
    tab.refresh_from_db()
    assert tab.status == "OPEN" and tab.total_amount == 9000


def test_an_empty_tab_cannot_be_billed_but_can_be_closed(table):
    tab = tabs.tab_open(table, guests=2)
    with pytest.raises(DomainError) as err:
        tabs.tab_freeze_for_payment(tab)
    assert err.value.code == "TAB_EMPTY"
    tabs.tab_cancel_empty(tab)
    assert tab.status == "CANCELED" and tabs.tab_for_table(table) is None


def test_tabs_never_expire(table, americano):
    # given a tab frozen for payment and left for hours
    tab = tabs.tab_open(table, guests=2)
    tabs.tab_round_add(tab, [item(americano)])
    tabs.tab_freeze_for_payment(tab)
    # when the expiry job runs much later
    with time_machine.travel(NOW + timedelta(hours=5), tick=False):
        assert orders_expire_stale() == 0
    tab.refresh_from_db()
    assert tab.status == "PENDING_PAYMENT"


def test_paying_the_tab_frees_the_table_and_outdates_its_qr(store, table, americano, cashier):
    tab = tabs.tab_open(table, guests=2)
    tabs.tab_round_add(tab, [item(americano, 2)])
    tabs.tab_freeze_for_payment(tab)
    cash = make_method(store, "CASH")
    # paid in two parts (split across methods): the table frees when they cover the tab
    payment_services.payment_create(tab, cash, amount=4000, member=cashier)
    assert tabs.tab_for_table(table) == tab
    payment_services.payment_create(
        tab, make_method(store, "CARD_TERMINAL"), approval_number="12345678", card_company="신한카드"
    )
    tab.refresh_from_db()
    assert tab.status == "PAID" and tabs.tab_for_table(table) is None
    assert Table.objects.get(pk=table.pk).generation == 2
    # and the table takes the next guests
    assert tabs.tab_open(table, guests=1).pk != tab.pk


def test_tablet_rounds_use_the_table_channel(store, table, americano):
    tablet = DeviceFactory(store=store, kind="TABLE")
    tab = tabs.tab_open(table, guests=2, device=tablet)
    assert tab.channel == "TABLE"
    round_ = tabs.tab_round_add(tab, [item(americano)], device=tablet)
    assert round_.device == tablet


def test_canceling_the_payment_of_a_tab_reopens_it_and_keeps_its_stock(table, stew, manager):
    from apps.orders.services import order_cancel

    tab = tabs.tab_open(table, guests=2)
    tabs.tab_round_add(tab, [item(stew, 3)])
    tabs.tab_line_void(tab, OrderLine.objects.get().pk, qty=1, reason="잘못 주문", approver=manager)
    tabs.tab_freeze_for_payment(tab)
    order_cancel(tab, reason="POS에서 취소")
    tab.refresh_from_db()
    assert tab.status == "OPEN" and stock_of(stew) == 8
    # closing it after voiding the rest gives back exactly what it still held
    tabs.tab_line_void(tab, OrderLine.objects.filter(void_of=None).get().pk, qty=2, reason="취소", approver=manager)
    tabs.tab_cancel_empty(tab)
    assert stock_of(stew) == 10


def test_a_tab_paid_after_the_cutoff_counts_on_the_day_it_is_paid(store, table, americano):
    # given a tab opened at 02:30 on Tuesday morning (still Monday's business day, cutoff 04:00)
    with time_machine.travel(datetime(2026, 12, 1, 2, 30, tzinfo=SEOUL), tick=False):
        tab = tabs.tab_open(table, guests=2)
        tabs.tab_round_add(tab, [item(americano)])
    assert str(tab.business_date) == "2026-11-30"
    # when the bill is taken at 04:10
    with time_machine.travel(datetime(2026, 12, 1, 4, 10, tzinfo=SEOUL), tick=False):
        tabs.tab_freeze_for_payment(tab)
        payment = payment_services.payment_create(tab, make_method(store, "CASH"))
    # then the tab, its lines and its payment belong to Tuesday, numbered in Tuesday's sequence
    tab.refresh_from_db()
    assert str(tab.business_date) == "2026-12-01" and tab.order_number == 1
    assert {str(d) for d in tab.lines.values_list("business_date", flat=True)} == {"2026-12-01"}
    assert str(payment.business_date) == "2026-12-01" and tab.status == "PAID"


def test_voided_units_of_a_paid_tab_cannot_be_refunded(store, table, stew, manager):
    from apps.orders.services import order_record_refund

    tab = tabs.tab_open(table, guests=2)
    tabs.tab_round_add(tab, [item(stew, 3)])
    line = OrderLine.objects.get()
    void = tabs.tab_line_void(tab, line.pk, qty=2, reason="잘못 주문", approver=manager)
    tabs.tab_freeze_for_payment(tab)
    payment_services.payment_create(tab, make_method(store, "CASH"))
    with pytest.raises(DomainError) as err:
        order_record_refund(tab, amount=9000, line_quantities={line.pk: 2}, restock=True)
    assert err.value.code == "REFUND_INVALID_LINES"
    with pytest.raises(DomainError):
        order_record_refund(tab, amount=0, line_quantities={void.pk: 1}, restock=True)
    order_record_refund(tab, amount=9000, line_quantities={line.pk: 1}, restock=True)
    tab.refresh_from_db()
    assert tab.status == "REFUNDED" and stock_of(stew) == 10


def test_a_new_round_clears_the_printed_bill_mark(table, americano, django_capture_on_commit_callbacks):
    from apps.orders.selectors import tabs_by_table

    tab = tabs.tab_open(table, guests=2)
    tabs.tab_round_add(tab, [item(americano)])
    tabs.tab_bill_mark_printed(tab)
    assert tabs_by_table(table.store)[table.pk].bill_printed
    with django_capture_on_commit_callbacks(execute=True):
        tabs.tab_round_add(tab, [item(americano)])
    assert not tabs_by_table(table.store)[table.pk].bill_printed


def test_the_kitchen_hook_runs_inside_the_round_transaction(table, stew):
    from apps.orders import events

    seen = []

    def kitchen(sender, order, round, **kwargs):
        seen.append((order.pk, round.number, list(round.lines.values_list("name", flat=True))))
        if len(seen) == 2:
            raise RuntimeError("kitchen down")

    events.tab_round_sent.connect(kitchen, dispatch_uid="test-kitchen")
    try:
        tab = tabs.tab_open(table, guests=2)
        tabs.tab_round_add(tab, [item(stew)])
        assert seen == [(tab.pk, 1, ["김치찌개"])]
        # a hook that fails takes the round down with it: no lines, no stock taken
        with pytest.raises(RuntimeError):
            tabs.tab_round_add(tab, [item(stew, 2)])
        assert tab.rounds.count() == 1 and stock_of(stew) == 9
    finally:
        events.tab_round_sent.disconnect(dispatch_uid="test-kitchen")
