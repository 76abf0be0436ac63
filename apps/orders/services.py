"""Order writes: placing an order from a cart, and every later move of its lifecycle.

Placing is one DB transaction (re-price from the database, reserve stock, take the next order
number, write the snapshot); the cart's move to CHECKOUT in Redis happens *after* the commit:

- A transaction-level advisory lock on the cart id is taken first, so a second start-payment for
  the same cart waits, then finds the first one's order; placements of *other* carts of the store
  do not wait on it.
- The store's order-number counter row of the day is the last lock taken: the order, its lines and
  its event are written unnumbered and one statement then takes the number and writes it onto the
  order, just before the COMMIT (issue 18: every placement of a store queues on that row, so it is
  held for one statement and the commit; taken first, then before the order's insert, it held the
  queue through the pricing, the stock and the writes). Numbers stay gapless (a rolled-back
  placement also rolls back its number).
  Lock order is always cart → the cart's orders → stock rows (by id, inside stock_reserve) →
  counter. The table's pay-first placement (tabs.tab_prepaid_order_place) is the same frame
  (`_place`, `_create_order`) placing another kind of order (`OrderDraft`), so it takes the same
  locks in the same order: no deadlocks.
- If the process dies between the commit and the Redis move, nothing is lost: the order waits as
  PENDING_PAYMENT with `cart_version = cart.version + 1`, the next start-payment for the unchanged
  cart finds and returns it (and makes the move), and otherwise the expiry task releases its stock.
- If the Redis move loses (the cart changed in between), the just-placed order is canceled at
  once (stock released) and the caller gets 409 CART_CHANGED; a retry prices the new cart.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.carts import selectors as cart_selectors
from apps.carts import services as cart_services
from apps.carts.cart import Cart, CartState
from apps.core.errors import Conflict, DomainError, Invalid
from apps.discounts.pricing import COUPON_APPLIED, price_order
from apps.discounts.selectors import pricing_context
from apps.discounts.services import coupon_redeem, coupon_release
from apps.inventory.services import stock_release, stock_reserve
from apps.stores.business_day import business_date_for
from apps.stores.models import Device, Store, StoreMember
from apps.tables.services import table_generation_advance
from apps.tables.versions import floor_touch

from . import events, lifecycle
from .models import Order, OrderEvent, OrderLine, OrderNumberCounter, OrderStatus, ServiceType, new_public_id

logger = logging.getLogger(__name__)

S = OrderStatus

__all__ = [
    "order_place",
    "order_mark_paid",
    "order_record_refund",
    "order_cancel",
    "order_payment_failed",
    "order_expire",
    "orders_expire_stale",
    "order_kitchen_advance",
    "register_expiry_guard",
]


# --- placing ----------------------------------------------------------------------------------


def _lock_counter(store: Store, business_date) -> OrderNumberCounter:
    # One round trip: INSERT … ON CONFLICT DO UPDATE creates the day's counter or, when it exists,
    # takes its row lock (the no-op update waits for a concurrent placement exactly like SELECT …
    # FOR UPDATE did, and returns the row as that one committed it); two first orders of the day
    # cannot both create it.
    table = connection.ops.quote_name(OrderNumberCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (store_id, business_date, last_number) VALUES (%s, %s, 0) "
            f"ON CONFLICT (store_id, business_date) DO UPDATE SET last_number = {table}.last_number "
            "RETURNING id, last_number",
            [store.pk, business_date],
        )
        pk, last_number = cursor.fetchone()
    counter = OrderNumberCounter(pk=pk, store=store, business_date=business_date, last_number=last_number)
    counter._state.adding, counter._state.db = False, connection.alias  # a row that exists, as if read
    return counter


# First key of the two-key advisory locks on a cart id (the second is the id's hash): tells them
# apart from any other advisory lock. A hash collision only makes two carts wait on each other.
CART_LOCK_KEY = 180_001


def _lock_cart(cart_id: str) -> None:
    """Serializes the placements of one cart until the transaction ends (there may be no row to lock
    yet: the cart lives in Redis and its first order is still to be inserted)."""
    if connection.vendor != "postgresql":
        # The embedded default (SQLite, `make run`) has no advisory locks and one writer at a time;
        # the one-pending-order-per-cart constraint still refuses a second order for the cart.
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [CART_LOCK_KEY, cart_id])


def _take_number(order: Order) -> None:
    """Give the just-written `order` the day's next number, in one statement that creates the
    counter (number 1) or increments it and writes the number onto the order. The counter's row
    lock is held until the transaction ends, so this is the placement's last statement before the
    COMMIT: the order, its lines and its event are written first, unnumbered (issue 18)."""
    counter = connection.ops.quote_name(OrderNumberCounter._meta.db_table)
    orders = connection.ops.quote_name(Order._meta.db_table)
    if connection.vendor != "postgresql":
        # SQLite (the embedded default) has no INSERT inside WITH: the same in two statements.
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {counter} (store_id, business_date, last_number) VALUES (%s, %s, 1) "
                f"ON CONFLICT (store_id, business_date) DO UPDATE SET last_number = {counter}.last_number + 1 "
                "RETURNING last_number",
                [order.store_id, order.business_date],
            )
            order.order_number = cursor.fetchone()[0]
        Order.objects.filter(pk=order.pk).update(order_number=order.order_number)
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH counter AS (INSERT INTO {counter} (store_id, business_date, last_number) VALUES (%s, %s, 1) "
            f"ON CONFLICT (store_id, business_date) DO UPDATE SET last_number = {counter}.last_number + 1 "
            f"RETURNING last_number) "
            f"UPDATE {orders} SET order_number = counter.last_number FROM counter WHERE {orders}.id = %s "
            "RETURNING counter.last_number",
            [order.store_id, order.business_date, order.pk],
        )
        order.order_number = cursor.fetchone()[0]


def _pending_for_cart(cart_id: str) -> Order | None:
    return Order.objects.select_for_update().filter(cart_id=cart_id, status=S.PENDING_PAYMENT).first()


def _stock_items(lines) -> list[tuple[int, int]]:
    # Signed sums: a tab's void lines (negative) already gave their units back.
    quantities: dict[int, int] = {}
    for store_product_id, qty in lines:
        if store_product_id is not None:
            quantities[store_product_id] = quantities.get(store_product_id, 0) + qty
    return sorted((pk, qty) for pk, qty in quantities.items() if qty > 0)


def _member_for(store: Store, member: StoreMember | None, meta: dict) -> StoreMember | None:
    if member is not None:
        return member
    member_id = meta.get("member_id")
    if member_id:
        return StoreMember.objects.filter(store=store, pk=member_id, is_active=True).first()
    return None


def _discount_snapshot(discounts) -> list[dict]:
    return [
        {
            "name": d.name,
            "amount": int(d.amount),
            "source": d.source,
            **({"discountId": d.discount_id} if d.discount_id is not None else {}),
            **({"reason": d.reason} if d.reason else {}),
        }
        for d in discounts
    ]


def _cart_orders_locked(cart_id: str) -> tuple[Order | None, list[Order]]:
    """The cart's order waiting for payment and its canceled ones (newest first), locked: the
    canceled ones hold the number a changed order takes back (see _reusable_number)."""
    # Nearly every placement is a cart's first and finds nothing: the locking read asks for ids
    # alone, and the rows are read whole only when there are some. Building the full row's
    # SELECT for nothing was 3.6% of a checkout's instructions (issue 18, counted with callgrind).
    mine = Order.objects.filter(cart_id=cart_id, status__in=(S.PENDING_PAYMENT, S.CANCELED))
    # Locked in no particular order (no ORDER BY to compile and sort): only a placement of this
    # cart, which holds the cart's lock, ever locks more than one of these rows.
    ids = list(mine.select_for_update().order_by().values_list("pk", flat=True))
    rows = list(Order.objects.filter(pk__in=ids).order_by("-created_at", "-id")) if ids else []
    pending = next((order for order in rows if order.status == S.PENDING_PAYMENT), None)
    return pending, [order for order in rows if order.status == S.CANCELED]


def _reusable_number(store: Store, business_date, canceled: list[Order]) -> int | None:
    """The number of the cart's latest canceled order of this business day (sent back to be
    changed: the POS's "주문 수정", or replaced after a failed payment) when no live order holds
    it: the changed order takes it back, so changing an order does not use up numbers. Called
    under the day's counter lock."""
    number = next((o.order_number for o in canceled if o.business_date == business_date), None)
    if number is None:
        return None
    live = Order.objects.filter(store=store, business_date=business_date, order_number=number)
    return None if live.exclude(status=S.CANCELED).exists() else number


def _number(order: Order, canceled: list[Order]) -> None:
    """Number the just-written order, as the placement's last lock (see the module docstring): the
    cart's canceled number of the day when it is free, else the next one."""
    if any(o.business_date == order.business_date for o in canceled):
        # The rare changed order: check the old number under the counter lock, as before.
        _lock_counter(order.store, order.business_date)
        number = _reusable_number(order.store, order.business_date, canceled)
        if number is not None:
            Order.objects.filter(pk=order.pk).update(order_number=number)
            order.order_number = number
            return
    _take_number(order)


@dataclass(frozen=True)
class OrderDraft:
    """What a cart becomes, read from it under its lock: everything in which a kiosk/POS order
    (`_kiosk_draft`) and a table's pay-first order (`tabs._prepaid_draft`) differ. Both are placed
    by the one frame below (`_place`, `_create_order`)."""

    lines: list[dict]  # the lines to resolve and price, each with lineId, productId, qty, optionIds
    notes: list[str]  # each line's note, in the order of `lines`
    channel: str  # the order's channel, and the one its discounts are chosen for
    service_type: str
    event_note: str  # the order's first history entry
    device: Device | None = None
    member: StoreMember | None = None
    coupon_code: str | None = None
    manual_discounts: tuple = ()


def _kiosk_draft(cart: Cart, *, store: Store, device: Device, member: StoreMember | None) -> OrderDraft:
    if not cart.lines:
        raise Invalid("CART_EMPTY", _("장바구니가 비어 있습니다."))
    return OrderDraft(
        lines=cart.lines,
        notes=[line.get("note", "")[:200] for line in cart.lines],
        channel=cart.channel,
        service_type=cart.meta.get("service_type") or ServiceType.TAKEOUT,
        event_note=_placed_note(cart.meta),
        device=device,
        member=_member_for(store, member, cart.meta),
        coupon_code=cart.meta.get("coupon_code") or None,
        manual_discounts=cart_selectors.manual_discounts(cart.meta),
    )


def _create_order(
    *,
    store: Store,
    cart: Cart,
    draft: OrderDraft,
    business_date,
    now: datetime,
    canceled: list[Order],
    pay_first: bool,
) -> Order:
    # Prices and options from the menu-version cache. The kiosk's stock is not read here because
    # stock_reserve below locks the rows and checks it (the authoritative check); the pay-first
    # path has always read it fresh too (one more read), so a listing counted down to 0 behind the
    # cache is SOLD_OUT to the guest rather than OUT_OF_STOCK: kept, the phone's refusals unchanged.
    resolved = cart_selectors.cart_lines_resolved(store, draft.lines, strict=True, fresh_stock=pay_first)
    context = pricing_context(store, channel=draft.channel, at=now, coupon_code=draft.coupon_code)
    priced = price_order(cart_selectors.pricing_lines(resolved), context, draft.manual_discounts)
    public_id = new_public_id()
    stock_reserve(
        store,
        _stock_items((item.listing.store_product_id, item.line["qty"]) for item in resolved),
        reference=public_id,
        member=draft.member,
    )
    coupon_id = None
    if context.coupon is not None and priced.coupon_status == COUPON_APPLIED:
        coupon_id = context.coupon.coupon_id
    order = Order.objects.create(
        public_id=public_id,
        store=store,
        device=draft.device,
        staff=draft.member,
        channel=draft.channel,
        service_type=draft.service_type,
        status=S.PENDING_PAYMENT,
        business_date=business_date,
        order_number=None,  # numbered last, below
        cart_id=cart.id,
        cart_version=cart.version + 1,  # the version our CHECKOUT move will produce
        coupon_id=coupon_id,
        gross_amount=priced.gross,
        discount_amount=priced.discount,
        total_amount=priced.total,
        taxable_amount=priced.taxable,
        tax_free_amount=priced.tax_free,
        supply_amount=priced.supply,
        vat_amount=priced.vat,
        order_discounts=_discount_snapshot(priced.order_discounts),
        placed_at=now,
    )
    OrderLine.objects.bulk_create(order_lines(order, resolved, priced, notes=draft.notes))
    OrderEvent.objects.create(order=order, from_status="", to_status=S.PENDING_PAYMENT, note=draft.event_note)
    _number(order, canceled)  # the last lock: held only to the commit
    if not pay_first:
        # A pay-first order is announced when it is paid (the kitchen's tickets come with the
        # payment), and ops counts it as no kiosk/POS checkout started.
        events.order_placed_in_transaction.send(sender=Order, order=order)
        transaction.on_commit(lambda: events.order_placed.send(sender=Order, order=order))
    return order


def _placed_note(meta: dict) -> str:
    """Who gave (and approved) the cart's manual discounts: kept in the order's history, since the
    discount's reason, which the receipt prints, no longer carries the staff's names."""
    given = list(dict.fromkeys(d.get("by") for d in meta.get("manual_discounts") or [] if d.get("by")))
    return f"placed; manual discount: {', '.join(given)}"[:200] if given else "placed"


def order_lines(order: Order, resolved, priced, *, notes: list[str], round_=None) -> list[OrderLine]:
    """Unsaved lines of `order` copied from its resolved cart lines and their priced figures (name,
    unit price, options, discounts, tax type): an order never changes when the catalog does. Used by
    a placement and by a tab's round (`round_`), whose lines take the tab's store and business day."""
    priced_by_key = {line.key: line for line in priced.lines}
    lines = []
    for item, note in zip(resolved, notes, strict=True):
        figures = priced_by_key[item.line["lineId"]]
        lines.append(
            OrderLine(
                order=order,
                round=round_,
                store_id=order.store_id,
                business_date=order.business_date,
                store_product_id=item.listing.store_product_id,
                product_id=item.listing.product_id,
                name=item.listing.name,
                name_en=item.listing.name_en or "",
                tax_type=item.listing.tax_type,
                unit_price=figures.unit_price,
                quantity=item.line["qty"],
                gross_amount=figures.gross,
                discount_amount=figures.discount,
                net_amount=figures.net,
                options=cart_selectors.option_snapshot(item.options),
                discounts=_discount_snapshot(figures.discounts),
                note=note,
            )
        )
    return lines


def order_place(cart_id: str, *, device: Device, member: StoreMember | None = None) -> tuple[Order, bool]:
    """The cart's PENDING_PAYMENT order and whether it was created now (see the module docstring)."""
    store = device.store
    return _place(
        cart_id,
        store=store,
        now=timezone.now(),
        get_cart=lambda: cart_services.cart_get(cart_id, device=device),
        draft=lambda cart: _kiosk_draft(cart, store=store, device=device, member=member),
    )


def _place(
    cart_id: str,
    *,
    store: Store,
    now: datetime,
    get_cart: Callable[[], Cart],
    draft: Callable[[Cart], OrderDraft],
    pay_first: bool = False,
) -> tuple[Order, bool]:
    """Place the cart `get_cart` reads (a 404 when it is not the caller's) as the order `draft`
    describes; returns (order, created). The one frame of order_place and of the table's pay-first
    placement (`pay_first`: tabs.tab_prepaid_order_place), see the module docstring."""
    business_date = business_date_for(store, now)
    try:
        with transaction.atomic():
            _lock_cart(cart_id)
            cart = get_cart()  # read now that we hold the lock
            if pay_first:
                # A pay-first order never takes a number back: its cart's canceled orders include
                # the paid ones that landed on the tab, whose numbers the kitchen has shown.
                existing, canceled = _pending_for_cart(cart.id), []
            else:
                existing, canceled = _cart_orders_locked(cart.id)
                if cart.state == CartState.CHECKOUT and existing is None:
                    # Stuck in CHECKOUT with no order waiting (its order ended but the cart move
                    # was lost): the cart is handed back, and ordered again below.
                    cart = cart_services.cart_checkout_cancel(cart.id, expected_version=cart.version) or get_cart()
            if cart.state == CartState.CHECKOUT:
                if existing is not None and existing.cart_version == cart.version:
                    return existing, False
                raise Conflict("CART_NOT_ACTIVE", _("이미 결제 중인 장바구니입니다."), details={"state": cart.state})
            if cart.state != CartState.ACTIVE:
                raise Conflict(
                    "CART_NOT_ACTIVE",
                    _("결제 중이거나 끝난 장바구니는 주문할 수 없습니다."),
                    details={"state": cart.state},
                )
            created = True
            if existing is not None and existing.cart_version == cart.version + 1:
                order, created = existing, False  # placed before, the cart move never happened
            else:
                if existing is not None:
                    # The cart changed since that order (a failed payment gave it back): the old
                    # order gives its stock back and a new one is priced from the cart as it is.
                    _cancel_locked(existing, reason="cart changed", to_status=S.CANCELED)
                    if not pay_first:
                        canceled.insert(0, existing)  # its number is the new order's (_number)
                order = _create_order(
                    store=store,
                    cart=cart,
                    draft=draft(cart),
                    business_date=business_date,
                    now=now,
                    canceled=canceled,
                    pay_first=pay_first,
                )
    except IntegrityError:
        # Only the one-pending-order-per-cart constraint can fire here, and only for a writer of
        # the cart's order that does not take our cart lock (both placements take it): the other
        # one won.
        existing = Order.objects.filter(cart_id=cart_id, status=S.PENDING_PAYMENT).first()
        if existing is None:
            raise
        return existing, False

    try:
        cart_services.cart_checkout(cart.id, expected_version=cart.version, read=cart)
    except DomainError:
        fresh = cart_selectors.cart_by_id(cart.id)
        if fresh is None or fresh.state != CartState.CHECKOUT or fresh.version != order.cart_version:
            order_cancel(order, reason="cart changed during checkout", restore_cart=False)
            raise Conflict("CART_CHANGED", _("주문하는 사이에 장바구니가 바뀌었습니다. 다시 시도해 주세요.")) from None
        # else: a concurrent start-payment for the same cart made the move for us.
    return order, created


# --- ending an unpaid order -------------------------------------------------------------------


def _release_stock(order: Order, *, reason: str, items: list[tuple[int, int]], member=None) -> None:
    if items:
        stock_release(order.store, items, reason=reason, reference=order.public_id, member=member)


def _cancel_locked(order: Order, *, reason: str, to_status: str) -> Order:
    """Move a PENDING_PAYMENT (or OPEN) order to CANCELED/EXPIRED and give its stock back; the
    move and the release commit together, and the row lock makes a second caller see it done."""
    locked = lifecycle.move(order, to_status, note=reason, canceled_at=timezone.now())
    lines = list(locked.lines.values_list("store_product_id", "quantity"))
    _release_stock(locked, reason="CANCEL", items=_stock_items(lines))
    transaction.on_commit(lambda: events.order_canceled.send(sender=Order, order=locked, reason=reason))
    return locked


def _return_cart_after_commit(order: Order) -> None:
    if order.cart_id:
        cart_id, version = order.cart_id, order.cart_version
        transaction.on_commit(lambda: cart_services.cart_checkout_cancel(cart_id, expected_version=version))


def order_cancel(order: Order, *, reason: str = "", restore_cart: bool = True) -> Order:
    """Cancel an unpaid order: stock released, the cart back to ACTIVE with its lines. A table tab
    frozen for payment is not canceled but reopened: the guests are still at the table."""
    if order.table_id is not None:
        from .tabs import tab_unfreeze

        return tab_unfreeze(order)
    with transaction.atomic():
        locked = _cancel_locked(order, reason=reason or "canceled", to_status=S.CANCELED)
        if restore_cart:
            _return_cart_after_commit(locked)
    return order


def order_payment_failed(order: Order) -> Order:
    """The payment failed or was abandoned: the customer gets the cart back (CHECKOUT → ACTIVE);
    the order stays PENDING_PAYMENT until it is paid again, replaced, canceled or expires."""
    if order.status != S.PENDING_PAYMENT:
        return order
    _return_cart_after_commit(order)  # runs at once when called outside a transaction
    return order


# --- expiry -----------------------------------------------------------------------------------

# Orders cannot import payments (it sits above): payments registers a guard here (in its
# AppConfig.ready) that says "this order has a payment in flight" (IN_PROGRESS/UNKNOWN/DONE).
# Such an order is not expired; payments' reconciliation settles it. Independently of any guard,
# `order_mark_paid` refuses an EXPIRED/CANCELED order with 409 ORDER_NOT_PAYABLE so that payments
# cancels (refunds) a capture that arrives too late.
_expiry_guards: list[Callable[[Order], bool]] = []


def register_expiry_guard(guard: Callable[[Order], bool]) -> None:
    if guard not in _expiry_guards:
        _expiry_guards.append(guard)


def _expiry_cutoff(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(minutes=settings.ORDER_PENDING_EXPIRY_MINUTES)


def order_expire(order_id: int, *, now: datetime | None = None) -> bool:
    """Expire one stale PENDING_PAYMENT order; False when it is not (or no longer) stale.

    The row lock plus the re-check of status and age under it make a second, concurrent run skip
    the order, so its stock is released exactly once."""
    cutoff = _expiry_cutoff(now)
    with transaction.atomic():
        order = (
            Order.objects.select_for_update()
            # A table tab frozen for payment never expires: the guests are still at the table.
            .filter(pk=order_id, status=S.PENDING_PAYMENT, placed_at__lt=cutoff, table__isnull=True)
            .select_related("store")
            .first()
        )
        if order is None or any(guard(order) for guard in _expiry_guards):
            return False
        _cancel_locked(order, reason="payment not completed in time", to_status=S.EXPIRED)
        # The cart goes back to ACTIVE (the customer may still be there); an idle kiosk cart then
        # ends on its own short TTL. A cart already gone needs nothing.
        _return_cart_after_commit(order)
    return True


def orders_expire_stale(*, now: datetime | None = None, limit: int = 500) -> int:
    ids = list(
        Order.objects.filter(status=S.PENDING_PAYMENT, placed_at__lt=_expiry_cutoff(now), table__isnull=True)
        .order_by("placed_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for order_id in ids if order_expire(order_id, now=now))


# --- paid and refunded ------------------------------------------------------------------------


def order_mark_paid(order: Order, *, locked: bool = False) -> Order:
    """PENDING_PAYMENT → PAID; called by payments inside its own transaction (locks the row, unless
    `locked`: the caller read `order` with the same row lock in this transaction and has not
    changed it since — a cash payment, which locks the order first — so it is moved as it is).

    Already PAID is a no-op (a webhook and the browser may both report the same payment). An
    EXPIRED/CANCELED order is refused with 409 ORDER_NOT_PAYABLE: the caller must cancel the
    capture. A coupon is redeemed in the same transaction (409 COUPON_LIMIT_REACHED aborts it)."""
    # No savepoint (issue 18: two statements on every payment): the callers run inside their own
    # transaction and let every error here abort it, so there is nothing to roll back to.
    with transaction.atomic(savepoint=False):
        # Locked once: the move below reuses the fresh row instead of locking it again.
        current = order if locked else lifecycle.lock(order)
        if current.status == S.PAID:
            lifecycle.sync(order, current)
            return order
        if current.status != S.PENDING_PAYMENT:
            raise lifecycle.illegal_move(current.status, S.PAID, code="ORDER_NOT_PAYABLE")
        locked = lifecycle.move_locked(current, S.PAID, note="paid", paid_at=timezone.now())
        lifecycle.sync(order, locked)
        events.order_paid_in_transaction.send(sender=Order, order=locked)
        if locked.coupon_id:
            coupon_redeem(locked.coupon_id, locked.public_id)
        if locked.table_id:
            # The table frees with this commit; its old QR codes stop working.
            table_generation_advance(locked.table_id)
            floor_touch(locked.store_id)
        transaction.on_commit(lambda: events.order_paid.send(sender=Order, order=locked))
    return order


def order_record_refund(
    order: Order,
    *,
    amount: int,
    line_quantities: dict[int, int] | None,
    restock: bool,
    member: StoreMember | None = None,
) -> Order:
    """Record a refund the payments app has made (inside its transaction): refunded amount and
    quantities, PARTIALLY_REFUNDED / REFUNDED, stock back when `restock`, coupon back when full."""
    if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
        raise Invalid("REFUND_INVALID_AMOUNT", _("환불 금액이 올바르지 않습니다."))
    with transaction.atomic():
        current = lifecycle.lock(order)
        if current.status not in (S.PAID, S.PARTIALLY_REFUNDED):
            raise lifecycle.illegal_move(current.status, S.REFUNDED, code="ORDER_NOT_REFUNDABLE")
        remaining = current.total_amount - current.refunded_amount
        if amount > remaining or (amount == 0 and not line_quantities):
            raise Invalid(
                "REFUND_INVALID_AMOUNT",
                _("환불할 수 있는 금액은 %(left)s원입니다.") % {"left": f"{remaining:,}"},
            )
        restock_items: list[tuple[int, int]] = []
        if line_quantities:
            lines = {line.pk: line for line in current.lines.select_for_update()}
            # A tab's voided units were never paid: only what is left of a line can be refunded.
            voided: dict[int, int] = {}
            for line in lines.values():
                if line.void_of_id is not None:
                    voided[line.void_of_id] = voided.get(line.void_of_id, 0) - line.quantity
            for line_id, qty in line_quantities.items():
                line = lines.get(line_id)
                if (
                    line is None
                    or line.void_of_id is not None
                    or not isinstance(qty, int)
                    or qty < 1
                    or line.refunded_quantity + qty > line.quantity - voided.get(line.pk, 0)
                ):
                    raise Invalid("REFUND_INVALID_LINES", _("환불할 상품 수량이 올바르지 않습니다."))
                line.refunded_quantity += qty
                line.save(update_fields=["refunded_quantity"])
                restock_items.append((line.store_product_id, qty))
        refunded = current.refunded_amount + amount
        full = refunded == current.total_amount
        to_status = S.REFUNDED if full else S.PARTIALLY_REFUNDED
        locked = lifecycle.move(order, to_status, note=f"refund {amount}", refunded_amount=refunded)
        if restock and restock_items:
            _release_stock(locked, reason="REFUND", items=_stock_items(restock_items), member=member)
        if full and locked.coupon_id:
            coupon_release(locked.public_id)
    return order


# --- kitchen ----------------------------------------------------------------------------------


def order_kitchen_advance(order: Order, to_status: str) -> Order:
    with transaction.atomic():
        lifecycle.kitchen_move(order, to_status)
    return order
