"""Cash-drawer services: open, cash in/out, close with a count, expected cash and the Z report."""

import pytest

from apps.core.errors import DomainError
from apps.orders.models import Order
from apps.payments import shifts as shift_services
from apps.payments.models import CashMovement, Payment, PaymentMethod, Refund, Shift
from tests.payments.factories import make_method, make_order

pytestmark = pytest.mark.django_db


def _cash_sale(store, device, member, amount, *, kind="CASH"):
    method = PaymentMethod.objects.filter(store=store, kind=kind).first() or make_method(store, kind)
    order = make_order(store, lines=(("상품", amount, 1),), status="PAID", device=device)
    Order.objects.filter(pk=order.pk).update(paid_at=order.placed_at)
    payment = Payment.objects.create(
        order=order,
        method=method,
        business_date=order.business_date,
        kind=kind,
        amount=amount,
        status="DONE",
        device=device,
        staff=member,
        approved_at=order.placed_at,
        tendered=amount if kind == "CASH" else None,
        change=0 if kind == "CASH" else None,
    )
    return order, payment


def test_open_then_a_second_open_on_the_same_device_is_refused(store, pos_device, cashier):
    shift = shift_services.shift_open(store=store, device=pos_device, member=cashier, opening_float=50_000)
    assert shift.status == Shift.Status.OPEN and shift.opening_float == 50_000
    assert shift_services.shift_current(store, pos_device) == shift
    with pytest.raises(DomainError) as err:
        shift_services.shift_open(store=store, device=pos_device, member=cashier, opening_float=0)
    assert err.value.code == "SHIFT_ALREADY_OPEN" and err.value.status == 409


@pytest.mark.parametrize("bad", [-1, "abc", None])
def test_open_with_a_bad_float_is_a_422(store, pos_device, cashier, bad):
    with pytest.raises(DomainError) as err:
        shift_services.shift_open(store=store, device=pos_device, member=cashier, opening_float=bad)
    assert err.value.status == 422
    assert not Shift.objects.exists()


def test_expected_cash_counts_float_cash_sales_refunds_and_movements(store, pos_device, cashier):
    # given a shift with a 50,000 float
    shift = shift_services.shift_open(store=store, device=pos_device, member=cashier, opening_float=50_000)
    # when it takes 7,200 cash and 9,000 card, refunds 2,200 cash, puts in 10,000 and takes out 3,000
    order, cash = _cash_sale(store, pos_device, cashier, 7_200)
    _cash_sale(store, pos_device, cashier, 9_000, kind="CARD_TERMINAL")
    Refund.objects.create(payment=cash, amount=2_200, reason="x", status="DONE", staff=cashier)
    shift_services.cash_move(shift, kind="IN", amount=10_000, reason="잔돈 보충", member=cashier)
    shift_services.cash_move(shift, kind="OUT", amount=3_000, reason="우유 구입", member=cashier)
    # then the drawer should hold 50,000 + 7,200 − 2,200 + 10,000 − 3,000
    assert shift_services.shift_expected_cash(shift) == 62_000
    report = shift_services.shift_report(shift)
    assert {line.kind: line.amount for line in report.sales_by_method} == {"CASH": 7_200, "CARD_TERMINAL": 9_000}
    assert report.sales_total == 16_200 and report.refunds_total == 2_200
    assert report.order_count == 2 and report.average_ticket == 8_100
    assert report.cash_in_total == 10_000 and report.cash_out_total == 3_000


def test_another_devices_sales_are_not_in_this_drawer(store, pos_device, cashier):
    from tests.factories import DeviceFactory

    shift = shift_services.shift_open(store=store, device=pos_device, member=cashier, opening_float=0)
    _cash_sale(store, DeviceFactory(store=store, kind="POS"), cashier, 5_000)
    assert shift_services.shift_expected_cash(shift) == 0


def test_close_records_expected_counted_and_difference(store, pos_device, cashier, manager):
    shift = shift_services.shift_open(store=store, device=pos_device, member=cashier, opening_float=50_000)
    _cash_sale(store, pos_device, cashier, 7_200)
    closed = shift_services.shift_close(shift, member=manager, denominations={50_000: 1, 1_000: 7}, counted_cash=None)
    assert closed.status == Shift.Status.CLOSED and closed.closed_by == manager
    assert (closed.expected_cash, closed.counted_cash) == (57_200, 57_000)
    assert closed.denominations == {"50000": 1, "1000": 7}
    report = shift_services.shift_report(closed)
    assert report.difference == -200
    # a closed shift cannot close again nor take cash movements
    with pytest.raises(DomainError) as err:
        shift_services.shift_close(closed, member=manager, counted_cash=0)
    assert err.value.code == "SHIFT_CLOSED"
    with pytest.raises(DomainError):
        shift_services.cash_move(closed, kind="IN", amount=1, reason="x", member=manager)
    assert shift_services.shift_current(store, pos_device) is None


@pytest.mark.parametrize(
    "kwargs, code",
    [
        ({"kind": "SIDEWAYS", "amount": 100, "reason": "x"}, "INVALID_CASH_MOVE_KIND"),
        ({"kind": "IN", "amount": 0, "reason": "x"}, "INVALID_AMOUNT"),
        ({"kind": "IN", "amount": 100, "reason": "  "}, "REASON_REQUIRED"),
        ({"kind": "OUT", "amount": 60_000, "reason": "x"}, "NOT_ENOUGH_CASH"),
    ],
)
def test_bad_cash_movements_are_refused(store, pos_device, cashier, kwargs, code):
    shift = shift_services.shift_open(store=store, device=pos_device, member=cashier, opening_float=50_000)
    with pytest.raises(DomainError) as err:
        shift_services.cash_move(shift, member=cashier, **kwargs)
    assert err.value.code == code
    assert not CashMovement.objects.exists()


def test_denominations_must_be_known_and_match_the_typed_total(store, pos_device, cashier):
    shift = shift_services.shift_open(store=store, device=pos_device, member=cashier, opening_float=0)
    with pytest.raises(DomainError) as err:
        shift_services.shift_close(shift, member=cashier, denominations={3_000: 1})
    assert err.value.code == "INVALID_DENOMINATIONS"
    with pytest.raises(DomainError) as err:
        shift_services.shift_close(shift, member=cashier, denominations={1_000: 2}, counted_cash=1_000)
    assert err.value.code == "COUNT_MISMATCH"
    shift.refresh_from_db()
    assert shift.status == Shift.Status.OPEN
