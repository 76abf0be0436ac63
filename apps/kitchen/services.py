"""Kitchen writes: tickets made inside the transaction that makes the work real, bumps, undo and
the hand-over at the counter. Ticket moves go through `_ticket_move` only (TICKET_TRANSITIONS).

Lock order everywhere: the order row first, then its tickets. A bump, a new table round and a
hand-over of the same order therefore run one after the other and never deadlock.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.core.cache import cache
from django.db import transaction
from django.db.models import Prefetch, Q, prefetch_related_objects
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.catalog.models import Category
from apps.core.errors import Conflict, NotFound
from apps.discounts.models import Channel
from apps.orders import lifecycle
from apps.orders.models import KitchenStatus, Order, OrderLine, OrderRound, OrderStatus
from apps.stores.models import Device, Store

from .models import UNDO_WINDOW, KitchenSettings, Station, StationScreen, Ticket, TicketLine, TicketStatus
from .routing import (
    CLAIMS_CACHE_SECONDS,
    LOCAL_CATEGORY_ROUTES,
    category_routes_key,
    makes_before_payment,
    routing_bump,
    routing_tokens,
    station_claims,
)
from .versions import kitchen_touch

T = TicketStatus
K = KitchenStatus

# READY → NEW is the undo, allowed only within UNDO_WINDOW of the bump (checked in _ticket_move).
TICKET_TRANSITIONS: dict[str, frozenset[str]] = {
    T.NEW: frozenset({T.READY, T.CANCELED}),
    T.READY: frozenset({T.DONE, T.NEW, T.CANCELED}),
    T.DONE: frozenset(),
    T.CANCELED: frozenset(),
}
DEFAULT_STATION_NAME = "주방"
# Orders whose kitchen status the kitchen may move (orders.lifecycle.kitchen_move refuses the rest).
KITCHEN_ORDER_STATUSES = (OrderStatus.OPEN, OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED)


# --- settings and stations ----------------------------------------------------------------------


def kitchen_settings_for(store: Store | int) -> KitchenSettings:
    store_id = store.pk if isinstance(store, Store) else store
    settings_row = KitchenSettings.objects.filter(store_id=store_id).first()
    if settings_row is None:
        # ignore_conflicts: two first requests at once both insert; one row wins, both read it.
        KitchenSettings.objects.bulk_create([KitchenSettings(store_id=store_id)], ignore_conflicts=True)
        settings_row = KitchenSettings.objects.get(store_id=store_id)
    return settings_row


def station_default(store: Store | int) -> Station:
    """The store's default station, made on first use (safe when orders race to make it)."""
    store_id = store.pk if isinstance(store, Store) else store
    station = Station.objects.filter(store_id=store_id, is_default=True).first()
    if station is None:
        name = DEFAULT_STATION_NAME
        if Station.objects.filter(store_id=store_id, name=name).exists():
            name = f"{DEFAULT_STATION_NAME} ({_('기본')})"
        Station.objects.bulk_create([Station(store_id=store_id, name=name, is_default=True)], ignore_conflicts=True)
        station = Station.objects.get(store_id=store_id, is_default=True)
        routing_bump(store_id)  # bulk_create sends no post_save: the cached claims learn the default
    return station


def station_assign_screen(device: Device, station_id: int) -> StationScreen:
    """A kitchen display picks the station it shows; another store's station is a 404."""
    station = Station.objects.filter(store_id=device.store_id, pk=station_id).first()
    if station is None:
        raise NotFound("STATION_NOT_FOUND", _("스테이션을 찾을 수 없습니다."))
    screen, _created = StationScreen.objects.update_or_create(device=device, defaults={"station": station})
    return screen


# --- routing lines to stations ------------------------------------------------------------------


def _category_ancestors(category_ids: set[int]) -> dict[int, list[int]]:
    """Each category with its ancestors, nearest first (a station on "음료" makes "음료 > 커피")."""
    parents: dict[int, int | None] = {}
    frontier = set(category_ids)
    while frontier:
        rows = Category.objects.filter(pk__in=frontier).values_list("pk", "parent_id")
        frontier = set()
        for pk, parent_id in rows:
            parents[pk] = parent_id
            if parent_id is not None and parent_id not in parents:
                frontier.add(parent_id)
    chains: dict[int, list[int]] = {}
    for pk in category_ids:
        chain, current, seen = [], pk, set()
        while current is not None and current not in seen:
            seen.add(current)
            chain.append(current)
            current = parents.get(current)
        chains[pk] = chain
    return chains


def _category_stations_read(product_ids: set[int], by_category: dict[int, int]) -> dict[int, int | None]:
    """Each product's nearest category station (lowest sort order on a tie), None without one."""
    product_categories: dict[int, list[int]] = {}
    for product_id, category_id in Category.products.through.objects.filter(product_id__in=product_ids).values_list(
        "product_id", "category_id"
    ):
        product_categories.setdefault(product_id, []).append(category_id)
    chains = _category_ancestors({c for cs in product_categories.values() for c in cs}) if product_categories else {}
    found: dict[int, int | None] = {}
    for product_id in product_ids:
        best: tuple[int, int] | None = None
        for category_id in sorted(product_categories.get(product_id, ())):
            for depth, ancestor in enumerate(chains.get(category_id, [])):
                if ancestor in by_category and (best is None or depth < best[0]):
                    best = (depth, by_category[ancestor])
                    break
        found[product_id] = best[1] if best else None
    return found


def _category_stations(
    store_id: int, product_ids: set[int], by_category: dict[int, int], *, routing: str, catalog: str | None
) -> dict[int, int | None]:
    """`_category_stations_read`, cached per product under the routing and catalog versions
    (routing.category_routes_key) when the owner's catalog version is known: a warm checkout reads
    no category, and none from Redis once this worker has routed the products."""
    if catalog is None:
        return _category_stations_read(product_ids, by_category)
    key = category_routes_key(store_id, routing, catalog)
    known: dict[int, int | None] | None = LOCAL_CATEGORY_ROUTES.get(key)
    if known is None or not product_ids <= known.keys():
        known = cache.get(key) or {}
        missing = product_ids - known.keys()
        if missing:
            known = {**known, **_category_stations_read(missing, by_category)}
            cache.set(key, known, CLAIMS_CACHE_SECONDS)
        LOCAL_CATEGORY_ROUTES.put(key, known)
    return {product_id: known[product_id] for product_id in product_ids}


def _route(store_id: int, lines: list[OrderLine], *, owner_id: int | None = None) -> dict[int, list[OrderLine]]:
    """Station id → the lines it makes: a product station first, then the nearest category
    station (lowest sort order on a tie), else the default station."""
    # The stations' claims and the category routes, cached under the store's routing version and
    # the owner's catalog version (routing.py), both read at once: no SQL warm, one Redis read.
    routing, catalog = routing_tokens(store_id, owner_id)
    by_product, by_category, loaded_default = station_claims(store_id, routing=routing)
    unclaimed = {line.product_id for line in lines if line.product_id and line.product_id not in by_product}
    by_categories = (
        _category_stations(store_id, unclaimed, by_category, routing=routing, catalog=catalog)
        if by_category and unclaimed
        else {}
    )
    routed: dict[int, list[OrderLine]] = {}
    default_id: int | None = None
    for line in lines:
        station_id = by_product.get(line.product_id) if line.product_id else None
        if station_id is None and line.product_id:
            station_id = by_categories.get(line.product_id)
        if station_id is None:
            if default_id is None:
                # Known from the claims; read (or made) here only when the store has none yet.
                default_id = loaded_default if loaded_default is not None else station_default(store_id).pk
            station_id = default_id
        routed.setdefault(station_id, []).append(line)
    return routed


def _option_names(options) -> list[str]:
    if not isinstance(options, list):
        return []
    return [str(option.get("name", ""))[:100] for option in options if isinstance(option, dict) and option.get("name")]


def _make_tickets(
    order: Order, lines: Iterable[OrderLine], *, round_: OrderRound | None, already_made: bool | None = None
) -> list[Ticket]:
    """`already_made`: whether the order's tickets of this round exist, when the caller has read it
    (None: read here)."""
    lines = [line for line in lines if line.void_of_id is None and line.quantity > 0]
    if not lines:
        return []
    round_number = round_.number if round_ is not None else 0
    if already_made is None:
        already_made = Ticket.objects.filter(order=order, round_number=round_number).exists()
    if already_made:
        return []  # already made (a "make before payment" order being paid, or a replayed hook)
    made = []
    # The owner (for the cached category routes) when the caller's order has its store loaded.
    owner_id = order.store.owner_id if Order.store.is_cached(order) else None
    for station_id, station_lines in _route(order.store_id, lines, owner_id=owner_id).items():
        ticket = Ticket.objects.create(
            store_id=order.store_id, station_id=station_id, order=order, round=round_, round_number=round_number
        )
        TicketLine.objects.bulk_create(
            TicketLine(
                ticket=ticket,
                order_line=line,
                name=line.name,
                name_en=line.name_en,
                quantity=line.quantity,
                options=_option_names(line.options),
                note=line.note,
            )
            for line in station_lines
        )
        made.append(ticket)
    kitchen_touch(order.store_id)
    return made


def _require_atomic() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("kitchen tickets are made inside the transaction that makes the work real")


# Whether the line's order has its tickets of round 0 (made before payment), as an annotation of the
# order's lines. Written out rather than as Exists(Ticket.objects.filter(order_id=OuterRef(...))):
# the same SQL, but compiling that subquery on every payment was 2.5 % of a checkout's instructions.
_TICKET, _LINE = Ticket._meta.db_table, OrderLine._meta.db_table
_MADE_BEFORE_PAYMENT = (
    f'EXISTS (SELECT 1 FROM "{_TICKET}" WHERE "{_TICKET}"."order_id" = "{_LINE}"."order_id"'
    f' AND "{_TICKET}"."round_number" = 0)'
)


def tickets_for_paid_order(order: Order) -> list[Ticket]:
    """Orders' hook, inside the payment's transaction (the order row is locked and PAID)."""
    _require_atomic()
    if order.table_id:
        return []  # a tab's tickets were made round by round
    # Prefetched onto the caller's instance: the bridge's receipt hook (after the commit, with the
    # same instance) lists them from there instead of reading them again. Each line also says
    # whether the order's tickets were made before payment, so that is not a query of its own
    # (issue 18: the cash payment's budget).
    made_before = RawSQL(_MADE_BEFORE_PAYMENT, ())
    prefetch_related_objects([order], Prefetch("lines", queryset=OrderLine.objects.annotate(ticketed=made_before)))
    lines = order.lines.all()
    # (Lines an earlier prefetch left on the instance lack the flag: then it is read.)
    already_made = next((line.ticketed for line in lines if hasattr(line, "ticketed")), None)
    made = _make_tickets(order, lines, round_=None, already_made=already_made)
    if made and order.kitchen_status == K.NEW:
        # Fresh tickets only (none existed: made before payment), all NEW with nothing ready, on an
        # order whose kitchen status is NEW: that is what the tickets say, so nothing to sync.
        return made
    _sync_order(order.pk)
    return made


def _makes_before_payment(order: Order) -> bool:
    pos, kiosk = makes_before_payment(order.store_id)  # cached: no SQL on a warm placement
    return (order.channel == Channel.POS and pos) or (order.channel == Channel.KIOSK and kiosk)


def tickets_for_placed_order(order: Order) -> list[Ticket]:
    """Orders' hook, inside the placement's transaction: tickets now only for the channels the
    owner marks "make before payment" (the order waits for payment at the counter meanwhile)."""
    _require_atomic()
    if order.table_id or not _makes_before_payment(order):
        return []
    return _make_tickets(order, order.lines.all(), round_=None)


def tickets_for_round(order: Order, round_: OrderRound) -> list[Ticket]:
    """Orders' hook, inside a tab round's transaction (the tab row is locked)."""
    _require_atomic()
    made = _make_tickets(order, round_.lines.all(), round_=round_)
    _sync_order(order.pk)
    return made


# --- the order's kitchen status, derived from its tickets ----------------------------------------


def _derived_status(order: Order) -> str:
    tickets = list(Ticket.objects.filter(order=order).values_list("status", flat=True))
    if not tickets:
        return order.kitchen_status
    if all(status in (T.READY, T.DONE) for status in tickets):
        return K.DONE if order.kitchen_status == K.DONE or all(s == T.DONE for s in tickets) else K.READY
    started = T.READY in tickets or TicketLine.objects.filter(ticket__order=order, ready_at__isnull=False).exists()
    if started or order.kitchen_status != K.NEW:
        return K.PREPARING
    return K.NEW


def _sync_order(order_id: int) -> Order:
    """Move the order's kitchen status to what its tickets say, through orders.lifecycle (the one
    place that checks kitchen moves). An unpaid "make before payment" order is synced when paid."""
    order = lifecycle.lock(order_id)
    if order.status not in KITCHEN_ORDER_STATUSES:
        return order
    target = _derived_status(order)
    if target != order.kitchen_status:
        order = lifecycle.kitchen_move(order, target)
    return order


# --- bumps --------------------------------------------------------------------------------------


def _ticket_move(ticket: Ticket, to_status: str, *, now: datetime) -> None:
    if to_status not in TICKET_TRANSITIONS.get(ticket.status, frozenset()):
        raise Conflict(
            "TICKET_ILLEGAL_TRANSITION",
            _("티켓을 %(from)s 상태에서 %(to)s 상태로 바꿀 수 없습니다.")
            % {"from": T(ticket.status).label, "to": T(to_status).label if to_status in T.values else to_status},
        )
    undo = ticket.status == T.READY and to_status == T.NEW
    if undo and (ticket.ready_at is None or now - ticket.ready_at > UNDO_WINDOW):
        raise Conflict("UNDO_EXPIRED", _("30초가 지나 되돌릴 수 없습니다."))
    ticket.status = to_status
    if to_status == T.READY:
        ticket.ready_at = now
    elif to_status == T.NEW:
        ticket.ready_at = None
    elif to_status == T.DONE:
        ticket.done_at = now
    ticket.save(update_fields=["status", "ready_at", "done_at"])


def _lock_ticket(store: Store, ticket_id: int) -> tuple[Order, Ticket]:
    order_id = Ticket.objects.filter(store=store, pk=ticket_id).values_list("order_id", flat=True).first()
    if order_id is None:
        raise NotFound("TICKET_NOT_FOUND", _("티켓을 찾을 수 없습니다."))
    order = lifecycle.lock(order_id)
    ticket = Ticket.objects.select_for_update().get(pk=ticket_id)
    return order, ticket


def _live_lines(ticket: Ticket):
    """The lines still to make: a line voided to nothing has nothing left to bump."""
    return [line for line in ticket.lines.select_related("order_line") if _left_quantity(line) > 0]


def _left_quantity(line: TicketLine) -> int:
    voided = -sum(v.quantity for v in line.order_line.voids.all())
    return max(line.quantity - voided, 0)


def ticket_bump(store: Store, ticket_id: int, *, line_id: int | None = None, now: datetime | None = None) -> Ticket:
    """A line or the whole ticket is ready. Bumping what is already ready changes nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        order, ticket = _lock_ticket(store, ticket_id)
        if ticket.status != T.NEW:
            return ticket  # a double tap, or two screens bumping at once
        if line_id is not None:
            line = ticket.lines.filter(pk=line_id).first()
            if line is None:
                raise NotFound("TICKET_LINE_NOT_FOUND", _("티켓 상품을 찾을 수 없습니다."))
            if line.ready_at is None:
                line.ready_at = now
                line.save(update_fields=["ready_at"])
            if any(item.ready_at is None for item in _live_lines(ticket)):
                kitchen_touch(store.pk)
                _sync_order(order.pk)
                return ticket
        else:
            ticket.lines.filter(ready_at__isnull=True).update(ready_at=now)
        _ticket_move(ticket, T.READY, now=now)
        kitchen_touch(store.pk)
        _sync_order(order.pk)
    return ticket


def ticket_undo(store: Store, ticket_id: int, *, now: datetime | None = None) -> Ticket:
    """Undo the ticket's last bump within 30 s: a ready ticket comes back (with the lines that
    bump marked), or else the last bumped line."""
    now = now or timezone.now()
    with transaction.atomic():
        order, ticket = _lock_ticket(store, ticket_id)
        if ticket.status == T.READY:
            bumped_at = ticket.ready_at
            _ticket_move(ticket, T.NEW, now=now)
            ticket.lines.filter(ready_at=bumped_at).update(ready_at=None)
        elif ticket.status == T.NEW:
            line = ticket.lines.filter(ready_at__isnull=False).order_by("-ready_at", "-id").first()
            if line is None:
                raise Conflict("NOTHING_TO_UNDO", _("되돌릴 완료 표시가 없습니다."))
            if now - line.ready_at > UNDO_WINDOW:
                raise Conflict("UNDO_EXPIRED", _("30초가 지나 되돌릴 수 없습니다."))
            line.ready_at = None
            line.save(update_fields=["ready_at"])
        else:
            _ticket_move(ticket, T.NEW, now=now)  # DONE: refused with the illegal-move message
        kitchen_touch(store.pk)
        _sync_order(order.pk)
    return ticket


def order_hand_over(store: Store, public_id: str, *, now: datetime | None = None) -> Order:
    """The counter handed a ready order over: its tickets and its kitchen status become DONE, and
    the number leaves the board. Handing over twice is harmless."""
    now = now or timezone.now()
    with transaction.atomic():
        order_id = Order.objects.filter(store=store, public_id=public_id).values_list("pk", flat=True).first()
        if order_id is None:
            raise NotFound("ORDER_NOT_FOUND", _("주문을 찾을 수 없습니다."))
        order = lifecycle.lock(order_id)
        if order.kitchen_status == K.DONE:
            return order
        if order.kitchen_status != K.READY:
            raise Conflict("ORDER_NOT_READY", _("아직 준비되지 않은 주문입니다."))
        for ticket in Ticket.objects.select_for_update().filter(order=order).filter(~Q(status=T.DONE)):
            _ticket_move(ticket, T.DONE, now=now)
        order = lifecycle.kitchen_move(order, K.DONE)
        kitchen_touch(store.pk)
    return order


def tickets_follow_canceled_order(order: Order, *, now: datetime | None = None) -> list[Ticket]:
    """After an order is canceled or expires (orders' `order_canceled`, on commit: redoable).

    A canceled order takes its open tickets off the screens; a ticket whose lines now belong to
    another order (a merged tab) follows them there instead, since the food is still wanted. A
    missed signal leaves a ticket a cook can still bump away."""
    now = now or timezone.now()
    moved = []
    with transaction.atomic():
        lifecycle.lock(order.pk)
        for ticket in Ticket.objects.select_for_update().filter(order_id=order.pk, status__in=[T.NEW, T.READY]):
            line = ticket.lines.select_related("order_line", "order_line__round").first()
            target_id = line.order_line.order_id if line is not None else order.pk
            if target_id != order.pk:
                ticket.order_id = target_id
                round_ = line.order_line.round
                ticket.round = round_
                ticket.round_number = round_.number if round_ is not None else ticket.round_number
                ticket.save(update_fields=["order", "round", "round_number"])
                moved.append(ticket)
            else:
                _ticket_move(ticket, T.CANCELED, now=now)
        kitchen_touch(order.store_id)
    for target_id in {ticket.order_id for ticket in moved}:
        with transaction.atomic():
            _sync_order(target_id)
    return moved
