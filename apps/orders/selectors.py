"""Order reads, always scoped to a store (another store's order is a 404)."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from apps.core.errors import NotFound
from apps.stores.models import Store

from .models import Order, OrderStatus


def orders_for_store(store: Store) -> QuerySet[Order]:
    return Order.objects.filter(store=store)


def order_for_store(store: Store, public_id: str) -> Order:
    order = orders_for_store(store).select_related("store", "device", "staff").filter(public_id=public_id).first()
    if order is None:
        raise NotFound("ORDER_NOT_FOUND", _("주문을 찾을 수 없습니다."))
    return order


def orders_for_business_day(store: Store, day: date) -> QuerySet[Order]:
    """The day's orders with their lines (two queries however many orders)."""
    return (
        orders_for_store(store)
        .filter(business_date=day)
        .select_related("staff", "device")
        .prefetch_related("lines")
        .order_by("order_number")
    )


def order_for_cart(cart_id: str) -> Order | None:
    """The newest order placed from a cart (any status)."""
    return Order.objects.filter(cart_id=cart_id).order_by("-created_at").first()


# --- table tabs -------------------------------------------------------------------------------

TAB_BILL_KEY = "cloudpos:tab:bill:{order_id}"


def tabs_by_table(store: Store) -> dict[int, Order]:
    """The store's tabs still holding a table (OPEN or frozen for payment), by table id, each with
    `first_round_at` (None before the first round) and `bill_printed`."""
    from django.db.models import Min

    from apps.core.redis import get_redis

    tabs = list(
        orders_for_store(store)
        .filter(table__isnull=False, status__in=[OrderStatus.OPEN, OrderStatus.PENDING_PAYMENT])
        .annotate(first_round_at=Min("rounds__created_at"))
    )
    printed = get_redis().mget([TAB_BILL_KEY.format(order_id=tab.pk) for tab in tabs]) if tabs else []
    for tab, mark in zip(tabs, printed, strict=True):
        tab.bill_printed = bool(mark)
    return {tab.table_id: tab for tab in tabs}


def tab_for_store_table(store: Store, table_id: int) -> Order:
    """The open (or frozen) tab of the store's table; 404 TAB_NOT_FOUND when the table has none."""
    tab = (
        orders_for_store(store)
        .filter(table_id=table_id, status__in=[OrderStatus.OPEN, OrderStatus.PENDING_PAYMENT])
        .select_related("store", "table")
        .order_by("-id")
        .first()
    )
    if tab is None:
        raise NotFound("TAB_NOT_FOUND", _("이 테이블에는 진행 중인 주문이 없습니다."))
    return tab


def tab_rounds(tab: Order) -> list:
    """The tab's rounds, each with its lines (voids included, right after the line they void)."""
    rounds = list(tab.rounds.prefetch_related("lines").order_by("number"))
    for round_ in rounds:
        lines = sorted(round_.lines.all(), key=lambda line: (line.void_of_id or line.pk, line.pk))
        round_.bill_lines = lines
    return rounds
