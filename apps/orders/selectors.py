"""Order reads, always scoped to a store (another store's order is a 404)."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from apps.core.errors import NotFound
from apps.stores.models import Store

from .models import Order


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
