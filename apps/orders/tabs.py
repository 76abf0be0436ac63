"""Table tabs (DESIGN.md "Tables and tabs"): an Order in OPEN bound to a table, growing by rounds.

Locks, always in this order so nothing deadlocks:
- opening locks the *table* row (then the order-number counter): two devices opening one empty
  table run one after the other, the second sees the first tab (and the partial unique index
  `order_one_open_tab_per_table` backs it up);
- every other write locks the *tab* row first (merge: both tabs, in id order), then the stock rows
  (by id, inside inventory's stock_reserve / stock_release), then a target table;
- freezing for payment (OPEN → PENDING_PAYMENT) takes the same tab lock as a round, so a round
  either lands before the freeze (and is in the bill) or sees PENDING_PAYMENT and is refused.

A sent round's lines never change: a correction is a void line (negative quantity and amounts,
a reason, a manager) that releases the stock it took. Tabs never expire (the expiry job skips
orders with a table) and count in settlement on the day they are paid.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.carts import selectors as cart_selectors
from apps.core.errors import Conflict, DomainError, Invalid, NotFound
from apps.core.money import vat_split
from apps.discounts.models import Channel
from apps.discounts.pricing import TAXABLE, price_order
from apps.discounts.selectors import pricing_context
from apps.inventory.services import stock_release, stock_reserve
from apps.stores.business_day import business_date_for
from apps.stores.models import Device, StoreMember
from apps.tables.models import Table
from apps.tables.services import table_lock
from apps.tables.versions import floor_touch

from . import events, lifecycle
from .models import Order, OrderEvent, OrderLine, OrderRound, OrderStatus, ServiceType, new_public_id

if TYPE_CHECKING:
    from apps.carts.cart import Cart

    from .services import OrderDraft

S = OrderStatus

MAX_GUESTS = 99
MAX_ROUND_ITEMS = 50
MAX_ITEM_QTY = 99
MAX_NOTE = 100
MAX_MEMO = 200
MAX_REASON = 200
# A tab that is still "on the table": it holds the table until it is paid or closed.
TAB_ACTIVE = (S.OPEN, S.PENDING_PAYMENT)

__all__ = [
    "RoundItem",
    "parse_round_items",
    "tab_for_table",
    "tab_open",
    "tab_round_add",
    "tab_line_void",
    "tab_move",
    "tab_merge",
    "tab_freeze_for_payment",
    "tab_unfreeze",
    "tab_cancel_empty",
    "tab_bill_mark_printed",
    "table_round_send",
    "tab_prepaid_order_place",
    "tab_prepaid_round_land",
    "register_covered_check",
    "register_restamp_hook",
]


# --- input ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoundItem:
    product_id: int
    qty: int
    option_ids: tuple[int, ...] = ()
    note: str = ""


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _bad_items(message: str, index: int | None = None) -> Invalid:
    return Invalid("INVALID_ITEMS", message, details={"index": index} if index is not None else None)


def _clean_text(value, *, max_length: int, code: str, field: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > max_length or "\x00" in value:
        raise Invalid(code, _("%(field)s: %(max)d자 이하의 글자로 입력하세요.") % {"field": field, "max": max_length})
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise Invalid(code, _("입력에 사용할 수 없는 문자가 있습니다.")) from None
    return value.strip()


def parse_round_items(raw) -> list[RoundItem]:
    """`[{"productId", "qty", "optionIds"?, "note"?}]` from the API or a form, or 422 naming the item."""
    if not isinstance(raw, list) or not raw:
        raise _bad_items(_("주문할 상품을 하나 이상 고르세요."))
    if len(raw) > MAX_ROUND_ITEMS:
        raise _bad_items(_("한 번에 %(max)d개 항목까지 주문할 수 있습니다.") % {"max": MAX_ROUND_ITEMS})
    items = []
    for index, entry in enumerate(raw):
        if not isinstance(entry, dict):
            raise _bad_items(_("주문 항목 형식이 올바르지 않습니다."), index)
        product_id, qty = entry.get("productId"), entry.get("qty", 1)
        if not _is_int(product_id) or not 1 <= product_id < 2**63:
            raise _bad_items(_("상품 ID가 올바르지 않습니다."), index)
        if not _is_int(qty) or not 1 <= qty <= MAX_ITEM_QTY:
            raise Invalid(
                "INVALID_QUANTITY",
                _("수량은 1~%(max)d 사이의 정수여야 합니다.") % {"max": MAX_ITEM_QTY},
                details={"index": index},
            )
        option_ids = entry.get("optionIds") or []
        if (
            not isinstance(option_ids, list)
            or len(option_ids) > 50
            or not all(_is_int(v) and 1 <= v < 2**63 for v in option_ids)
            or len(set(option_ids)) != len(option_ids)
        ):
            raise Invalid("INVALID_OPTIONS", _("옵션은 서로 다른 옵션 ID 목록이어야 합니다."), details={"index": index})
        note = _clean_text(entry.get("note"), max_length=MAX_NOTE, code="INVALID_NOTE", field=_("메모"))
        items.append(RoundItem(product_id=product_id, qty=qty, option_ids=tuple(sorted(option_ids)), note=note))
    return items


def _parse_guests(value, *, allow_none: bool = False) -> int | None:
    if value is None and allow_none:
        return None
    if not _is_int(value) or not 1 <= value <= MAX_GUESTS:
        raise Invalid("INVALID_GUESTS", _("인원은 1~%(max)d명이어야 합니다.") % {"max": MAX_GUESTS})
    return value


# --- reads used by the writes ------------------------------------------------------------------


def tab_for_table(table: Table | int) -> Order | None:
    """The table's tab that still holds it (OPEN, or frozen for payment), if any."""
    table_id = table.pk if isinstance(table, Table) else table
    return Order.objects.filter(table_id=table_id, status__in=TAB_ACTIVE).order_by("-id").first()


def _lock_tab(tab: Order | int) -> Order:
    locked = lifecycle.lock(tab)
    if locked.table_id is None:
        raise NotFound("TAB_NOT_FOUND", _("테이블 주문이 아닙니다."))
    return locked


def _require_open(tab: Order) -> None:
    if tab.status == S.PENDING_PAYMENT:
        raise Conflict(
            "TAB_FROZEN",
            _("계산 중인 테이블입니다. 결제가 끝난 뒤 새로 주문하거나, 계산을 취소한 뒤 추가하세요."),
        )
    if tab.status != S.OPEN:
        raise Conflict("TAB_CLOSED", _("이미 계산이 끝난 테이블 주문입니다."))


def _channel_for(device: Device | None) -> str:
    return Channel.TABLE if device is not None and device.kind == Device.Kind.TABLE else Channel.POS


def _net_stock(lines: Iterable[tuple[int | None, int]]) -> list[tuple[int, int]]:
    """Units each listing still holds for the tab (sent quantities minus voids), by listing id."""
    totals: dict[int, int] = {}
    for store_product_id, qty in lines:
        if store_product_id is not None:
            totals[store_product_id] = totals.get(store_product_id, 0) + qty
    return sorted((pk, qty) for pk, qty in totals.items() if qty > 0)


def _recompute_totals(tab: Order) -> None:
    """The tab's totals from its lines (rounds and voids); VAT once over the whole taxable amount."""
    sums = OrderLine.objects.filter(order=tab).aggregate(
        gross=Sum("gross_amount"), discount=Sum("discount_amount"), total=Sum("net_amount")
    )
    taxable = OrderLine.objects.filter(order=tab, tax_type=TAXABLE).aggregate(v=Sum("net_amount"))["v"] or 0
    tab.gross_amount = sums["gross"] or 0
    tab.discount_amount = sums["discount"] or 0
    tab.total_amount = sums["total"] or 0
    tab.taxable_amount = taxable
    tab.tax_free_amount = tab.total_amount - taxable
    tab.supply_amount, tab.vat_amount = vat_split(taxable)
    tab.save(
        update_fields=[
            "gross_amount",
            "discount_amount",
            "total_amount",
            "taxable_amount",
            "tax_free_amount",
            "supply_amount",
            "vat_amount",
            "updated_at",
        ]
    )


# --- open -------------------------------------------------------------------------------------


def tab_open(
    table: Table,
    *,
    guests,
    device: Device | None = None,
    member: StoreMember | None = None,
    now: datetime | None = None,
    channel: str | None = None,
) -> Order:
    """Open the table's tab with a guest count; 409 TABLE_OCCUPIED when it already has one.
    `channel` names the sales channel when no device does (a guest's phone orders as TABLE)."""
    from .services import _lock_counter  # the one order-number counter of the store's day

    guests = _parse_guests(guests)
    now = now or timezone.now()
    if not table.is_active:
        raise NotFound("TABLE_NOT_FOUND", _("테이블을 찾을 수 없습니다."))
    try:
        with transaction.atomic():
            locked_table = table_lock(table.pk)
            if tab_for_table(locked_table) is not None:
                raise Conflict("TABLE_OCCUPIED", _("이미 사용 중인 테이블입니다."))
            store = locked_table.store
            business_date = business_date_for(store, now)
            counter = _lock_counter(store, business_date)
            counter.last_number += 1
            counter.save(update_fields=["last_number"])
            tab = Order.objects.create(
                public_id=new_public_id(),
                store=store,
                device=device,
                staff=member,
                channel=channel or _channel_for(device),
                service_type=ServiceType.DINE_IN,
                status=S.OPEN,
                business_date=business_date,
                order_number=counter.last_number,
                table=locked_table,
                guests=guests,
                placed_at=now,
            )
            OrderEvent.objects.create(order=tab, from_status="", to_status=S.OPEN, note="tab opened")
            floor_touch(store.pk)
    except IntegrityError:
        # The partial unique index: another connection's tab won (the table lock makes this rare).
        raise Conflict("TABLE_OCCUPIED", _("이미 사용 중인 테이블입니다.")) from None
    return tab


# --- rounds -----------------------------------------------------------------------------------


def tab_round_add(
    tab: Order,
    items,
    *,
    device: Device | None = None,
    member: StoreMember | None = None,
    memo: str = "",
    guests=None,
    now: datetime | None = None,
    channel: str | None = None,
) -> OrderRound:
    """Send a round: priced by the pricing engine, stock reserved, lines written and numbered, all
    in one transaction with the tab row locked first."""
    parsed = items if items and all(isinstance(i, RoundItem) for i in items) else parse_round_items(items)
    memo = _clean_text(memo, max_length=MAX_MEMO, code="INVALID_MEMO", field=_("메모"))
    guests = _parse_guests(guests, allow_none=True)
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock_tab(tab)
        _require_open(locked)
        store = locked.store
        lines = [
            {"lineId": f"i{index}", "productId": item.product_id, "qty": item.qty, "optionIds": list(item.option_ids)}
            for index, item in enumerate(parsed)
        ]
        resolved = cart_selectors.cart_lines_resolved(store, lines, strict=True)
        channel = channel or (_channel_for(device) if device else locked.channel)
        context = pricing_context(store, channel=channel, at=now)
        priced = price_order(cart_selectors.pricing_lines(resolved), context)
        stock_reserve(
            store,
            _net_stock((item.listing.store_product_id, item.line["qty"]) for item in resolved),
            reference=locked.public_id,
            member=member,
        )
        number = (OrderRound.objects.filter(order=locked).aggregate(n=Max("number"))["n"] or 0) + 1
        round_ = OrderRound.objects.create(order=locked, number=number, memo=memo, device=device, staff=member)
        from .services import _discount_snapshot, order_lines

        OrderLine.objects.bulk_create(
            order_lines(locked, resolved, priced, notes=[item.note for item in parsed], round_=round_)
        )
        if priced.order_discounts:
            locked.order_discounts = [*locked.order_discounts, *_discount_snapshot(priced.order_discounts)]
            locked.save(update_fields=["order_discounts"])
        if guests is not None:
            locked.guests = guests
            locked.save(update_fields=["guests"])
        _recompute_totals(locked)
        events.tab_round_sent.send(sender=Order, order=locked, round=round_)
        floor_touch(store.pk)
        # A new round makes a printed interim bill outdated: the floor shows "ordering" again.
        transaction.on_commit(lambda: _bill_mark_clear(locked.pk))
    lifecycle.sync(tab, locked)
    return round_


# --- void -------------------------------------------------------------------------------------


def _share(amount: int, part: int, whole: int) -> int:
    # floor(amount × part / whole): voiding every unit one at a time adds up to the whole amount.
    return amount * part // whole


def tab_line_void(
    tab: Order,
    line_id,
    *,
    qty,
    reason: str,
    approver: StoreMember,
    member: StoreMember | None = None,
) -> OrderLine:
    """Void `qty` units of a sent line: a new negative line approved by a manager; stock comes back."""
    reason = _clean_text(reason, max_length=MAX_REASON, code="INVALID_REASON", field=_("사유"))
    if not reason:
        raise Invalid("VOID_REASON_REQUIRED", _("취소 사유를 입력하세요."))
    if approver is None or approver.store_id != tab.store_id or not approver.is_manager or not approver.is_active:
        raise DomainError("MANAGER_REQUIRED", _("매니저 PIN이 필요합니다."), status=403)
    if not _is_int(qty) or not 1 <= qty <= MAX_ITEM_QTY:
        raise Invalid("INVALID_QUANTITY", _("수량은 1~%(max)d 사이의 정수여야 합니다.") % {"max": MAX_ITEM_QTY})
    if not _is_int(line_id):
        raise NotFound("LINE_NOT_FOUND", _("주문 항목을 찾을 수 없습니다."))
    with transaction.atomic():
        locked = _lock_tab(tab)
        _require_open(locked)
        line = OrderLine.objects.filter(order=locked, pk=line_id, void_of__isnull=True).first()
        if line is None:
            raise NotFound("LINE_NOT_FOUND", _("주문 항목을 찾을 수 없습니다."))
        voided = -(line.voids.aggregate(q=Sum("quantity"))["q"] or 0)
        left = line.quantity - voided
        if qty > left:
            raise Invalid(
                "VOID_QTY_EXCEEDS", _("취소할 수 있는 수량은 %(n)d개입니다.") % {"n": left}, details={"left": left}
            )

        def part(amount: int) -> int:
            return _share(amount, voided + qty, line.quantity) - _share(amount, voided, line.quantity)

        void = OrderLine.objects.create(
            order=locked,
            round=line.round,
            store=line.store,
            business_date=line.business_date,
            store_product_id=line.store_product_id,
            product_id=line.product_id,
            name=line.name,
            name_en=line.name_en,
            tax_type=line.tax_type,
            unit_price=line.unit_price,
            quantity=-qty,
            gross_amount=-part(line.gross_amount),
            discount_amount=-part(line.discount_amount),
            net_amount=-part(line.net_amount),
            options=line.options,
            discounts=[],
            void_of=line,
            void_reason=reason,
            void_staff=approver,
        )
        if line.store_product_id is not None:
            stock_release(
                locked.store,
                [(line.store_product_id, qty)],
                reason="CANCEL",
                reference=locked.public_id,
                member=member or approver,
            )
        _recompute_totals(locked)
        floor_touch(locked.store_id)
    lifecycle.sync(tab, locked)
    return void


# --- move and merge ---------------------------------------------------------------------------


def tab_move(tab: Order, to_table: Table) -> Order:
    """Move an open tab to an empty table of the same store; its rounds and reservations go along."""
    if to_table.store_id != tab.store_id or not to_table.is_active:
        raise NotFound("TABLE_NOT_FOUND", _("테이블을 찾을 수 없습니다."))
    try:
        with transaction.atomic():
            locked = _lock_tab(tab)
            _require_open(locked)
            if locked.table_id == to_table.pk:
                return locked
            table_lock(to_table.pk)
            if tab_for_table(to_table) is not None:
                raise Conflict("TABLE_OCCUPIED", _("옮길 테이블이 비어 있지 않습니다. 합석을 사용하세요."))
            from_table_id = locked.table_id
            locked.table = to_table
            locked.save(update_fields=["table", "updated_at"])
            OrderEvent.objects.create(
                order=locked, from_status=S.OPEN, to_status=S.OPEN, note=f"moved from table {from_table_id}"
            )
            floor_touch(locked.store_id)
    except IntegrityError:
        raise Conflict("TABLE_OCCUPIED", _("옮길 테이블이 비어 있지 않습니다. 합석을 사용하세요.")) from None
    lifecycle.sync(tab, locked)
    return tab


def tab_merge(source: Order, target: Order) -> Order:
    """Merge `source` into `target` (both open, same store): rounds, lines, guests and totals move,
    stock reservations stay as they are, the source tab closes and its table frees."""
    if source.pk == target.pk:
        raise Invalid("MERGE_SAME_TAB", _("같은 테이블끼리는 합칠 수 없습니다."))
    if source.store_id != target.store_id:
        raise NotFound("TAB_NOT_FOUND", _("테이블 주문을 찾을 수 없습니다."))
    with transaction.atomic():
        # Both tabs in id order: a merge A→B racing a merge B→A (or a pay) cannot deadlock.
        first, second = sorted((source.pk, target.pk))
        locked = {pk: _lock_tab(pk) for pk in (first, second)}
        src, dst = locked[source.pk], locked[target.pk]
        _require_open(src)
        _require_open(dst)
        offset = OrderRound.objects.filter(order=dst).aggregate(n=Max("number"))["n"] or 0
        # Renumber the moved rounds after the target's, last first so no number is taken twice.
        for round_ in OrderRound.objects.filter(order=src).order_by("-number"):
            round_.order = dst
            round_.number += offset
            round_.save(update_fields=["order", "number"])
        OrderLine.objects.filter(order=src).update(order=dst, business_date=dst.business_date)
        dst.guests = min(dst.guests + src.guests, 32767)
        dst.order_discounts = [*dst.order_discounts, *src.order_discounts]
        dst.save(update_fields=["guests", "order_discounts"])
        _recompute_totals(dst)
        _recompute_totals(src)
        merged = lifecycle.move(src, S.CANCELED, note=f"merged into #{dst.order_number}", canceled_at=timezone.now())
        floor_touch(dst.store_id)
        # Screens follow on commit: the kitchen moves the source's open tickets to the lines' new tab.
        transaction.on_commit(lambda: events.order_canceled.send(sender=Order, order=merged, reason="merged"))
    lifecycle.sync(source, src)
    lifecycle.sync(target, dst)
    return target


# --- bill -------------------------------------------------------------------------------------


def tab_freeze_for_payment(tab: Order, *, now: datetime | None = None) -> Order:
    """OPEN → PENDING_PAYMENT under the tab lock: from here the payment flow takes over unchanged
    and a round sent meanwhile is refused (409 TAB_FROZEN). Freezing a frozen tab is a no-op."""
    with transaction.atomic():
        locked = _lock_tab(tab)
        if locked.status == S.PENDING_PAYMENT:
            lifecycle.sync(tab, locked)
            return tab
        _require_open(locked)
        if locked.total_amount <= 0:
            raise Conflict("TAB_EMPTY", _("계산할 금액이 없습니다. 빈 테이블은 정리하세요."))
        _restamp_business_day(locked, now or timezone.now())
        frozen = lifecycle.move(tab, S.PENDING_PAYMENT, note="bill")
        if any(check(frozen) for check in _covered_checks):
            # Every round was paid from the phones (pay first): nothing is left to take, so the
            # bill is the payment; the table frees and its QR generation advances with it.
            from .services import order_mark_paid

            order_mark_paid(tab)
        floor_touch(locked.store_id)
    return tab


# Payments sit above orders and register here (tableorder does, in its AppConfig.ready) the check
# "completed payments already cover this tab": a tab of pay-first rounds only owes nothing.
_covered_checks: list[Callable[[Order], bool]] = []


def register_covered_check(check: Callable[[Order], bool]) -> None:
    if check not in _covered_checks:
        _covered_checks.append(check)


# Called when a tab that crossed the business-day cutoff takes the day of its bill: tableorder
# registers the restamp of the pay-first payments already on the tab (payments cannot be written
# from here), so the whole tab, payments included, counts on the day it is paid.
_restamp_hooks: list[Callable[[Order, object], None]] = []


def register_restamp_hook(hook: Callable[[Order, object], None]) -> None:
    if hook not in _restamp_hooks:
        _restamp_hooks.append(hook)


def _restamp_business_day(locked: Order, now: datetime) -> None:
    """A tab counts in settlement on the business day it is paid, not the one it was opened on:
    a tab that crossed the cutoff takes the current day (and that day's next order number) when
    its bill is taken, before any payment copies the date. Lock order: tab → counter."""
    from .services import _lock_counter

    today = business_date_for(locked.store, now)
    if today == locked.business_date:
        return
    counter = _lock_counter(locked.store, today)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    locked.business_date, locked.order_number = today, counter.last_number
    locked.save(update_fields=["business_date", "order_number", "updated_at"])
    OrderLine.objects.filter(order=locked).update(business_date=today)
    for hook in _restamp_hooks:
        hook(locked, today)  # payments already on the tab (pay-first rounds) take the day too


def tab_unfreeze(tab: Order) -> Order:
    """Back to OPEN (the guests ordered more, or the bill was a mistake) while nothing is paid or
    being paid; once a part is paid, the rest is paid on the frozen tab."""
    from .services import _expiry_guards  # payments' "a payment is in flight or done" check

    with transaction.atomic():
        locked = _lock_tab(tab)
        if locked.status == S.OPEN:
            lifecycle.sync(tab, locked)
            return tab
        if locked.status != S.PENDING_PAYMENT:
            raise Conflict("TAB_CLOSED", _("이미 계산이 끝난 테이블 주문입니다."))
        if any(guard(locked) for guard in _expiry_guards):
            raise Conflict("TAB_PAYMENT_STARTED", _("결제가 이미 시작되어 계산을 취소할 수 없습니다."))
        lifecycle.move(tab, S.OPEN, note="bill reopened")
        floor_touch(locked.store_id)
    return tab


def tab_cancel_empty(tab: Order, *, reason: str = "empty tab closed") -> Order:
    """Close a tab with nothing to pay (no rounds, or every line voided); any stock still held goes back."""
    with transaction.atomic():
        locked = _lock_tab(tab)
        _require_open(locked)
        if locked.total_amount != 0:
            raise Conflict("TAB_NOT_EMPTY", _("계산할 금액이 남아 있는 테이블입니다."))
        held = _net_stock(locked.lines.values_list("store_product_id", "quantity"))
        if held:
            stock_release(locked.store, held, reason="CANCEL", reference=locked.public_id)
        lifecycle.move(tab, S.CANCELED, note=reason[:200], canceled_at=timezone.now())
        floor_touch(locked.store_id)
    return tab


def _bill_mark_clear(order_id: int) -> None:
    from apps.core.redis import get_redis

    from .selectors import TAB_BILL_KEY

    get_redis().delete(TAB_BILL_KEY.format(order_id=order_id))


def tab_bill_mark_printed(tab: Order) -> None:
    """The interim bill (중간계산서) was printed: the floor shows the table as "bill printed"."""
    from apps.core.redis import get_redis

    from .selectors import TAB_BILL_KEY

    # Kept for a day: a tab lasts an evening, and the mark means nothing once the tab is closed.
    get_redis().set(TAB_BILL_KEY.format(order_id=tab.pk), "1", ex=24 * 3600)
    floor_touch(tab.store_id)


def table_round_send(
    table: Table,
    items,
    *,
    guests=None,
    device: Device | None = None,
    member: StoreMember | None = None,
    memo: str = "",
    channel: str | None = None,
) -> OrderRound:
    """A round for a table, opening its tab first when it has none (the tablet's first order, or
    the API's): `guests` is the guest count of a new tab (1 when not given)."""
    parsed = parse_round_items(items)
    guests = _parse_guests(guests, allow_none=True)
    # One transaction: a round that fails (sold out, unknown product) leaves no empty tab behind.
    with transaction.atomic():
        tab = tab_for_table(table)
        if tab is None:
            try:
                tab = tab_open(table, guests=guests or 1, device=device, member=member, channel=channel)
                guests = None  # already counted on the new tab
            except Conflict as err:
                # Another device opened it a moment ago: send onto that tab.
                if err.code != "TABLE_OCCUPIED":
                    raise
                tab = tab_for_table(table)
                if tab is None:
                    raise
        return tab_round_add(tab, parsed, device=device, member=member, memo=memo, guests=guests, channel=channel)


# --- pay-first rounds (a guest's phone pays before the round is sent) ----------------------------


def tab_prepaid_order_place(table: Table, cart_id: str, *, now: datetime | None = None) -> tuple[Order, bool]:
    """The order a pay-first round is paid on, priced from the phone's cart like a kiosk order:
    PENDING_PAYMENT, stock reserved, and *no table*. Without a table it is not the table's tab, a
    round sent meanwhile is not refused, and its payment cannot advance the table's QR generation;
    an abandoned one expires like a kiosk order and gives its stock back. The cart moves to CHECKOUT,
    so a second tap (or a retried request) gets the same order back: one cart, one pending order.
    Placed by order_place's own frame (services._place), so it locks as a kiosk placement does:
    cart → the cart's order → stock → counter. Returns (order, created)."""
    from .services import _place

    store = table.store

    def get_cart() -> Cart:
        cart = cart_selectors.cart_by_id(cart_id)
        if cart is None or cart.store_id != store.pk:
            raise NotFound("CART_NOT_FOUND", _("장바구니를 찾을 수 없습니다."))
        return cart

    return _place(
        cart_id, store=store, now=now or timezone.now(), get_cart=get_cart, draft=_prepaid_draft, pay_first=True
    )


def _prepaid_draft(cart: Cart) -> OrderDraft:
    """A pay-first order: the phone's basket re-read as a round (its notes and limits), priced for
    the table channel, dine-in, with no device, member, coupon or manual discount."""
    from .services import OrderDraft

    parsed = parse_round_items(
        [
            {
                "productId": line.get("productId"),
                "qty": line.get("qty"),
                "optionIds": line.get("optionIds") or [],
                "note": line.get("note") or "",
            }
            for line in cart.lines
        ]
    )
    return OrderDraft(
        lines=[
            {"lineId": f"i{index}", "productId": item.product_id, "qty": item.qty, "optionIds": list(item.option_ids)}
            for index, item in enumerate(parsed)
        ],
        notes=[item.note for item in parsed],
        channel=Channel.TABLE,
        service_type=ServiceType.DINE_IN,
        event_note="prepaid round placed",
    )


def tab_prepaid_round_land(
    paid: Order | int, table: Table, *, guests: int | None, memo: str = ""
) -> tuple[Order, OrderRound]:
    """A paid pay-first order becomes the next round of the table's tab (opened when the table has
    none): its lines move onto the tab under a new round number and the tab's totals grow by them.
    The caller moves the order's payment onto the tab in the same transaction, so the tab's amount
    due does not change and closing it charges only the rest.

    Never refused for the tab's state: the guest has paid. A tab frozen for its bill still takes
    the round (its line and its payment arrive together, so the amount being paid is unchanged);
    a tab paid meanwhile is followed by a new one. Locks as a tablet round does: the tab first, or
    the table when it has no tab; then the paid order. Returns (tab, round)."""
    with transaction.atomic():
        tab = tab_for_table(table)
        if tab is None:
            tab = _tab_open_for_prepaid(table, guests=guests or 1)
            guests = None
        locked = lifecycle.lock(tab)
        paid_locked = lifecycle.lock(paid)
        if paid_locked.status != S.PAID:
            raise Conflict("ORDER_NOT_PAID", _("결제가 끝나지 않은 주문입니다."))
        number = (OrderRound.objects.filter(order=locked).aggregate(n=Max("number"))["n"] or 0) + 1
        round_ = OrderRound.objects.create(order=locked, number=number, memo=memo)
        OrderLine.objects.filter(order=paid_locked).update(
            order=locked, round=round_, business_date=locked.business_date
        )
        if paid_locked.order_discounts:
            locked.order_discounts = [*locked.order_discounts, *paid_locked.order_discounts]
            locked.save(update_fields=["order_discounts"])
        if guests is not None and guests > locked.guests:
            locked.guests = min(guests, MAX_GUESTS)
            locked.save(update_fields=["guests"])
        _recompute_totals(locked)
        _recompute_totals(paid_locked)
        landed = _landed_close(paid_locked, note=f"landed on tab #{locked.order_number} round {number}")
        floor_touch(locked.store_id)
        transaction.on_commit(lambda: _bill_mark_clear(locked.pk))
        # As after a merge: the kitchen's tickets (made when the order was paid) follow its lines.
        transaction.on_commit(lambda: events.order_canceled.send(sender=Order, order=landed, reason="landed"))
    return locked, round_


def _landed_close(paid: Order, *, note: str) -> Order:
    """PAID → CANCELED for a pay-first order whose lines and payment now live on the tab, like the
    source of a merge. Deliberately not in lifecycle's table: PAID → CANCELED is no move for any
    other order (it would drop a payment), so it is made only here, under the row lock, and only
    for an order left with no line; nothing of it is a sale any more, so it must not count as one."""
    if paid.lines.exists():
        raise Conflict("ORDER_NOT_EMPTY", _("주문에 남은 항목이 있습니다."))
    now = timezone.now()
    Order.objects.filter(pk=paid.pk, status=S.PAID).update(status=S.CANCELED, canceled_at=now, updated_at=now)
    OrderEvent.objects.create(order=paid, from_status=S.PAID, to_status=S.CANCELED, note=note[:200])
    paid.status, paid.canceled_at = S.CANCELED, now
    return paid


def _tab_open_for_prepaid(table: Table, *, guests: int) -> Order:
    try:
        with transaction.atomic():
            return tab_open(_any_state(table), guests=guests, channel=Channel.TABLE)
    except Conflict as err:
        # Another phone or the POS opened it a moment ago: the round goes onto that tab.
        tab = tab_for_table(table)
        if err.code != "TABLE_OCCUPIED" or tab is None:
            raise
        return tab


def _any_state(table: Table) -> Table:
    # A paid round still lands when the owner switched the table off meanwhile: the food is paid for.
    return Table(pk=table.pk, store_id=table.store_id, is_active=True)
