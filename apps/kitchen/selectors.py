"""Kitchen reads: a station's feed, its completed list, the board and an order's progress."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Max, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from apps.core.errors import NotFound
from apps.orders.models import KitchenStatus, Order, OrderLine, OrderStatus, ServiceType
from apps.stores.models import Device, Store

from .models import UNDO_WINDOW, KitchenSettings, Station, StationScreen, Ticket, TicketLine, TicketStatus

# The board and the hand-over list look back this far: older orders are no one's queue any more.
LOOKBACK = timedelta(hours=12)
COMPLETED_LIMIT = 20
# A canceled, expired or fully refunded order is nobody's to wait for on the board or at the counter.
LIVE_ORDER_STATUSES = [OrderStatus.PENDING_PAYMENT, OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED]


def stations_for(store: Store):
    return Station.objects.filter(store=store)


def station_for_screen(device: Device) -> Station | None:
    screen = StationScreen.objects.filter(device=device).select_related("station").first()
    return screen.station if screen and screen.station.store_id == device.store_id else None


def settings_for(store: Store) -> KitchenSettings:
    return KitchenSettings.objects.filter(store=store).first() or KitchenSettings(store=store)


def ticket_for_store(store: Store, ticket_id: int) -> Ticket:
    ticket = _with_lines(Ticket.objects.filter(store=store, pk=ticket_id)).first()
    if ticket is None:
        raise NotFound("TICKET_NOT_FOUND", "ticket not found")
    return ticket


@dataclass
class LineView:
    line: TicketLine
    left: int  # quantity still to make after voids
    voided: bool  # voided to nothing: shown struck through


@dataclass
class TicketView:
    ticket: Ticket
    lines: list[LineView] = field(default_factory=list)
    age_minutes: int = 0
    age_class: str = "fresh"  # fresh | warn | late
    undoable: bool = False  # its last bump is less than 30 s old

    @property
    def number(self) -> int:
        return self.ticket.order.order_number

    @property
    def where(self) -> str:
        order = self.ticket.order
        if order.table_id:
            return order.table.name
        return ""

    @property
    def channel_label(self) -> str:
        order = self.ticket.order
        if order.table_id:
            return _("테이블")
        return ServiceType(order.service_type).label if order.service_type in ServiceType.values else ""


def _with_lines(queryset):
    return queryset.select_related("order", "order__table", "station").prefetch_related(
        Prefetch(
            "lines",
            queryset=TicketLine.objects.select_related("order_line").prefetch_related(
                Prefetch("order_line__voids", queryset=OrderLine.objects.only("id", "quantity", "void_of_id"))
            ),
        )
    )


def ticket_view(ticket: Ticket, *, settings_row: KitchenSettings, now: datetime) -> TicketView:
    view = TicketView(ticket=ticket)
    for line in ticket.lines.all():
        voided = -sum(v.quantity for v in line.order_line.voids.all())
        left = max(line.quantity - voided, 0)
        view.lines.append(LineView(line=line, left=left, voided=left == 0))
    last_bump = ticket.ready_at if ticket.status == TicketStatus.READY else None
    if ticket.status == TicketStatus.NEW:
        last_bump = max((line.ready_at for line in ticket.lines.all() if line.ready_at), default=None)
    view.undoable = last_bump is not None and now - last_bump <= UNDO_WINDOW
    view.age_minutes = max(int((now - ticket.created_at).total_seconds() // 60), 0)
    if view.age_minutes >= settings_row.late_after_minutes:
        view.age_class = "late"
    elif view.age_minutes >= settings_row.warn_after_minutes:
        view.age_class = "warn"
    return view


def station_feed(station: Station, *, now: datetime | None = None) -> list[TicketView]:
    """Tickets still to make, oldest first."""
    now = now or timezone.now()
    settings_row = settings_for(station.store)
    tickets = (
        _with_lines(Ticket.objects.filter(station=station, status=TicketStatus.NEW))
        # Refunded in full, or a counter order canceled before it was made: nothing left to make,
        # even if the on-commit clean-up (services.tickets_follow_canceled_order) never ran. A
        # canceled table tab stays: a merged tab's food is still wanted.
        .exclude(order__status=OrderStatus.REFUNDED)
        .exclude(order__table__isnull=True, order__status__in=[OrderStatus.CANCELED, OrderStatus.EXPIRED])
        .order_by("created_at", "id")
    )
    return [ticket_view(t, settings_row=settings_row, now=now) for t in tickets]


def station_completed(station: Station, *, now: datetime | None = None) -> list[TicketView]:
    """The last completed tickets, newest first (to recall one)."""
    now = now or timezone.now()
    settings_row = settings_for(station.store)
    tickets = _with_lines(
        Ticket.objects.filter(station=station, status__in=[TicketStatus.READY, TicketStatus.DONE])
    ).order_by("-ready_at", "-id")[:COMPLETED_LIMIT]
    return [ticket_view(t, settings_row=settings_row, now=now) for t in tickets]


@dataclass
class Board:
    preparing: list[int]
    ready: list[int]


def _counter_orders(store: Store, now: datetime):
    return Order.objects.filter(
        store=store,
        table__isnull=True,
        placed_at__gte=now - LOOKBACK,
        kitchen_tickets__isnull=False,
        status__in=LIVE_ORDER_STATUSES,
    ).distinct()


def board(store: Store, *, now: datetime | None = None) -> Board:
    """Counter and kiosk numbers being made, and the ready ones until picked up or the owner's time."""
    now = now or timezone.now()
    settings_row = settings_for(store)
    orders = _counter_orders(store, now)
    preparing = list(
        orders.filter(kitchen_status__in=[KitchenStatus.NEW, KitchenStatus.PREPARING])
        .order_by("placed_at", "id")
        .values_list("order_number", flat=True)
    )
    ready = list(
        orders.filter(kitchen_status=KitchenStatus.READY)
        .annotate(ready_at=Max("kitchen_tickets__ready_at"))
        .filter(ready_at__gte=now - timedelta(minutes=settings_row.board_ready_minutes))
        .order_by("-ready_at", "-id")
        .values_list("order_number", flat=True)
    )
    return Board(preparing=preparing, ready=ready)


def ready_for_hand_over(store: Store, *, now: datetime | None = None) -> list[Order]:
    """Ready counter and kiosk orders not yet handed over, oldest ready first (the POS list)."""
    now = now or timezone.now()
    return list(
        _counter_orders(store, now)
        .filter(kitchen_status=KitchenStatus.READY)
        .annotate(ready_at=Max("kitchen_tickets__ready_at"))
        .order_by("ready_at", "id")
    )


def order_has_tickets(order: Order) -> bool:
    return Ticket.objects.filter(order=order).exists()


def order_progress(order: Order) -> dict:
    """접수 → 준비 중 → 완료 for the customer's receipt page."""
    status = order.kitchen_status
    reached = {KitchenStatus.NEW: 0, KitchenStatus.PREPARING: 1, KitchenStatus.READY: 2, KitchenStatus.DONE: 2}[status]
    labels = [_("접수"), _("준비 중"), pgettext("status", "완료")]  # "완료" alone is the bump button
    steps = [
        {"label": label, "state": "done" if index < reached else "current" if index == reached else "todo"}
        for index, label in enumerate(labels)
    ]
    return {
        "order": order,
        "steps": steps,
        "ready": status in (KitchenStatus.READY, KitchenStatus.DONE),
        "picked_up": status == KitchenStatus.DONE,
        "in_kitchen": order_has_tickets(order),
    }
