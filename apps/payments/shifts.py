"""Cash-drawer shifts at a POS: open with a float, cash in/out, close with a count, Z report.

A shift belongs to one POS device. What the drawer should hold is derived from facts in the
database (cash payments taken and cash refunds paid out at that device during the shift, plus cash
movements), never from a running counter, so a retried request or a lost event cannot skew it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.errors import Conflict, Invalid, NotFound
from apps.orders.models import Order, OrderStatus
from apps.stores.business_day import business_date_for
from apps.stores.models import Device, Store, StoreMember

from .models import CashMovement, Payment, PaymentMethod, Refund, Shift
from .state import COMPLETED

# Korean banknotes and coins a drawer holds, largest first (the close screen's counting helper).
DENOMINATIONS: tuple[int, ...] = (50_000, 10_000, 5_000, 1_000, 500, 100, 50, 10)

# Payments that took money in. A canceled one still counts as a sale: its cancellation shows up
# as a refund, so sales minus refunds is what stayed in the till.
_SOLD = (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED)
MAX_CASH_AMOUNT = 100_000_000_000  # a sanity bound: larger is a typo, not a till


# --- reads ----------------------------------------------------------------------------------------


def shift_current(store: Store, device: Device) -> Shift | None:
    """The open shift of this POS device, or None."""
    return (
        Shift.objects.select_related("opened_by")
        .filter(store=store, device=device, status=Shift.Status.OPEN)
        .order_by("-opened_at")
        .first()
    )


def shift_for_store(store: Store, shift_id: int) -> Shift:
    shift = Shift.objects.select_related("opened_by", "closed_by", "device").filter(store=store, pk=shift_id).first()
    if shift is None:
        raise NotFound("SHIFT_NOT_FOUND", _("근무(시재) 기록을 찾을 수 없습니다."))
    return shift


def shifts_for_device(store: Store, device: Device, *, limit: int = 20) -> list[Shift]:
    return list(
        Shift.objects.select_related("opened_by", "closed_by")
        .filter(store=store, device=device)
        .order_by("-opened_at")[:limit]
    )


def denominations_total(counts: Mapping[int | str, int]) -> int:
    """{50000: 2, 1000: 3} → 103000. Unknown denominations or negative counts are a 422."""
    total = 0
    for raw_value, raw_count in counts.items():
        try:
            value, count = int(raw_value), int(raw_count)
        except (TypeError, ValueError):
            raise Invalid("INVALID_DENOMINATIONS", _("권종별 수량은 숫자여야 합니다.")) from None
        if value not in DENOMINATIONS:
            raise Invalid("INVALID_DENOMINATIONS", _("알 수 없는 권종입니다: %(value)s") % {"value": value})
        if count < 0:
            raise Invalid("INVALID_DENOMINATIONS", _("권종별 수량은 0 이상이어야 합니다."))
        total += value * count
    return total


def _window(shift: Shift) -> tuple[datetime, datetime]:
    return shift.opened_at, shift.closed_at or timezone.now()


def _payments(shift: Shift):
    start, end = _window(shift)
    return (
        Payment.objects.filter(order__store_id=shift.store_id, device_id=shift.device_id, status__in=list(COMPLETED))
        .annotate(at=Coalesce("approved_at", "created_at"))
        .filter(at__gte=start, at__lt=end)
    )


def _refunds(shift: Shift):
    # Refund has no device of its own: a refund is counted on the drawer of the device that took
    # the payment (the POS that sold it is where the cash goes back out).
    start, end = _window(shift)
    return (
        Refund.objects.filter(
            payment__order__store_id=shift.store_id, payment__device_id=shift.device_id, status=Refund.Status.DONE
        )
        .annotate(at=Coalesce("completed_at", "created_at"))
        .filter(at__gte=start, at__lt=end)
    )


def shift_expected_cash(shift: Shift) -> int:
    """Opening float + cash taken − cash refunded + cash in − cash out."""
    cash_in = _payments(shift).filter(kind=PaymentMethod.Kind.CASH).aggregate(s=Sum("amount"))["s"] or 0
    cash_refunded = _refunds(shift).filter(payment__kind=PaymentMethod.Kind.CASH).aggregate(s=Sum("amount"))["s"] or 0
    moves = shift.cash_movements.aggregate(
        i=Sum("amount", filter=Q(kind=CashMovement.Kind.IN)), o=Sum("amount", filter=Q(kind=CashMovement.Kind.OUT))
    )
    return shift.opening_float + cash_in - cash_refunded + (moves["i"] or 0) - (moves["o"] or 0)


@dataclass(frozen=True)
class MethodLine:
    kind: str
    label: str
    count: int
    amount: int


@dataclass(frozen=True)
class ShiftReport:
    """The Z report of one shift (or the X report of a shift still open)."""

    shift: Shift
    sales_by_method: tuple[MethodLine, ...]
    sales_total: int
    refunds_by_method: tuple[MethodLine, ...]
    refunds_total: int
    discount_total: int
    order_count: int
    average_ticket: int
    cash_movements: tuple[CashMovement, ...]
    cash_in_total: int
    cash_out_total: int
    expected_cash: int
    counted_cash: int | None
    difference: int | None
    simulated_total: int = 0
    generated_at: datetime = field(default_factory=timezone.now)

    @property
    def net_sales(self) -> int:
        return self.sales_total - self.refunds_total


def shift_report(shift: Shift) -> ShiftReport:
    labels = dict(PaymentMethod.Kind.choices)
    sales_rows = _payments(shift).values("kind").annotate(n=Count("id"), s=Sum("amount")).order_by("kind")
    sales = tuple(MethodLine(r["kind"], str(labels.get(r["kind"], r["kind"])), r["n"], r["s"] or 0) for r in sales_rows)
    refund_rows = (
        _refunds(shift).values("payment__kind").annotate(n=Count("id"), s=Sum("amount")).order_by("payment__kind")
    )
    refunds = tuple(
        MethodLine(r["payment__kind"], str(labels.get(r["payment__kind"], r["payment__kind"])), r["n"], r["s"] or 0)
        for r in refund_rows
    )
    simulated = _payments(shift).filter(is_simulated=True).aggregate(s=Sum("amount"))["s"] or 0
    start, end = _window(shift)
    orders = Order.objects.filter(
        store_id=shift.store_id, device_id=shift.device_id, status__in=_SOLD, paid_at__gte=start, paid_at__lt=end
    ).aggregate(n=Count("id"), total=Sum("total_amount"), disc=Sum("discount_amount"))
    order_count = orders["n"] or 0
    movements = tuple(shift.cash_movements.select_related("staff").order_by("created_at", "id"))
    cash_in = sum(m.amount for m in movements if m.kind == CashMovement.Kind.IN)
    cash_out = sum(m.amount for m in movements if m.kind == CashMovement.Kind.OUT)
    if shift.status == Shift.Status.CLOSED and shift.expected_cash is not None:
        expected = shift.expected_cash
    else:
        expected = shift_expected_cash(shift)
    counted = shift.counted_cash
    return ShiftReport(
        shift=shift,
        sales_by_method=sales,
        sales_total=sum(line.amount for line in sales),
        refunds_by_method=refunds,
        refunds_total=sum(line.amount for line in refunds),
        discount_total=orders["disc"] or 0,
        order_count=order_count,
        # Integer won, rounded down: the report shows whole won.
        average_ticket=(orders["total"] or 0) // order_count if order_count else 0,
        cash_movements=movements,
        cash_in_total=cash_in,
        cash_out_total=cash_out,
        expected_cash=expected,
        counted_cash=counted,
        difference=None if counted is None else counted - expected,
        simulated_total=simulated,
    )


# --- writes ---------------------------------------------------------------------------------------


def _check_amount(amount: int, *, allow_zero: bool, code: str) -> int:
    try:
        amount = int(amount)
    except (TypeError, ValueError):
        raise Invalid(code, _("금액은 숫자여야 합니다.")) from None
    if amount < 0 or (amount == 0 and not allow_zero) or amount > MAX_CASH_AMOUNT:
        raise Invalid(code, _("금액이 올바르지 않습니다."))
    return amount


def _check_member(store: Store, member: StoreMember) -> None:
    if member is None or member.store_id != store.pk or not member.is_active:
        raise Invalid("INVALID_MEMBER", _("이 매장의 직원만 할 수 있습니다."))


def shift_open(*, store: Store, device: Device, member: StoreMember, opening_float: int) -> Shift:
    """Open this device's drawer. One open shift per device (enforced by a partial unique index,
    so two taps at once cannot open two)."""
    if device.store_id != store.pk:
        raise NotFound("DEVICE_NOT_FOUND", _("이 매장의 기기가 아닙니다."))
    _check_member(store, member)
    opening_float = _check_amount(opening_float, allow_zero=True, code="INVALID_OPENING_FLOAT")
    now = timezone.now()
    try:
        with transaction.atomic():
            return Shift.objects.create(
                store=store,
                device=device,
                status=Shift.Status.OPEN,
                business_date=business_date_for(store, now),
                opened_by=member,
                opened_at=now,
                opening_float=opening_float,
            )
    except IntegrityError:
        raise Conflict("SHIFT_ALREADY_OPEN", _("이 POS에는 이미 열린 근무가 있습니다.")) from None


def cash_move(shift: Shift, *, kind: str, amount: int, reason: str, member: StoreMember) -> CashMovement:
    """Record cash put into (IN) or taken out of (OUT) the drawer, with who and why."""
    if kind not in CashMovement.Kind.values:
        raise Invalid("INVALID_CASH_MOVE_KIND", _("입금 또는 출금을 선택하세요."))
    amount = _check_amount(amount, allow_zero=False, code="INVALID_AMOUNT")
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("REASON_REQUIRED", _("사유를 입력하세요."))
    if len(reason) > 200:
        raise Invalid("REASON_TOO_LONG", _("사유는 200자 이내로 입력하세요."))
    _check_member(shift.store, member)
    with transaction.atomic():
        # The row lock serialises moves with a close, so no cash move lands on a closed shift and
        # two payouts cannot both pass the "enough cash" check.
        locked = Shift.objects.select_for_update().get(pk=shift.pk)
        if locked.status != Shift.Status.OPEN:
            raise Conflict("SHIFT_CLOSED", _("이미 마감된 근무입니다."))
        if kind == CashMovement.Kind.OUT and amount > shift_expected_cash(locked):
            raise Conflict("NOT_ENOUGH_CASH", _("서랍의 예상 현금보다 많이 출금할 수 없습니다."))
        return CashMovement.objects.create(shift=locked, kind=kind, amount=amount, reason=reason, staff=member)


def shift_close(
    shift: Shift, *, counted_cash: int | None = None, member: StoreMember, denominations: Mapping | None = None
) -> Shift:
    """Close the drawer with the counted cash (or the denomination counts that add up to it):
    store expected vs counted. OPEN → CLOSED is the only move."""
    _check_member(shift.store, member)
    clean_denoms: dict[str, int] = {}
    if denominations:
        denom_total = denominations_total(denominations)  # validates before anything is parsed below
        clean_denoms = {str(int(k)): int(v) for k, v in denominations.items() if int(v)}
        if counted_cash is None or counted_cash == "":
            counted_cash = denom_total
        elif int(counted_cash) != denom_total:
            raise Invalid("COUNT_MISMATCH", _("권종별 합계와 입력한 금액이 다릅니다."))
    if counted_cash is None or counted_cash == "":
        raise Invalid("COUNTED_CASH_REQUIRED", _("실제 현금을 입력하세요."))
    counted = _check_amount(counted_cash, allow_zero=True, code="INVALID_COUNTED_CASH")
    with transaction.atomic():
        locked = Shift.objects.select_for_update().get(pk=shift.pk)
        if locked.status != Shift.Status.OPEN:
            raise Conflict("SHIFT_CLOSED", _("이미 마감된 근무입니다."))
        now = timezone.now()
        locked.closed_at = now
        locked.expected_cash = shift_expected_cash(locked)
        locked.counted_cash = counted
        locked.denominations = clean_denoms
        locked.closed_by = member
        locked.status = Shift.Status.CLOSED
        locked.save(
            update_fields=[
                "closed_at",
                "expected_cash",
                "counted_cash",
                "denominations",
                "closed_by",
                "status",
                "updated_at",
            ]
        )
    return locked
