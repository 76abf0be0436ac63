"""Reads for the admin's home ("오늘"): for each of the owner's stores, today so far — sales,
orders, average ticket, top products, open tabs and shifts, payments and refunds needing a look,
low stock — and a total across the stores.

Everything is read live from the facts (orders, lines, payments, refunds), never from the
rollups: today is not built until the business day closes, and the home must not stay empty until
then. Each figure is one grouped query over all the stores of a business date (stores with another
timezone or cutoff may be on another date), so the home costs the same queries for 1 store or 30.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from apps.inventory.models import StoreProduct
from apps.orders.models import Order, OrderStatus
from apps.payments.models import Payment, PaymentMethod, PaymentStatus, Shift
from apps.payments.selectors import refunds_needing_attention
from apps.stores.business_day import business_date_for
from apps.stores.models import Device, Store

from . import facts as f
from .models import average_ticket

TOP_PRODUCTS = 3
LOW_STOCK_SHOWN = 5
# A payment a person must look at: the provider's answer is unknown (reconciliation has not settled
# it) or it failed today (a declined card the customer may have walked away from).
ATTENTION_PAYMENT_STATUSES = (PaymentStatus.UNKNOWN, PaymentStatus.FAILED)
OPEN_TAB_STATUSES = (OrderStatus.OPEN,)


@dataclass
class TopProduct:
    name: str
    quantity: int
    net_amount: int


@dataclass
class LowStock:
    listing_id: int
    name: str
    quantity: int
    threshold: int


@dataclass
class StoreToday:
    store: Store
    business_date: date
    order_count: int = 0
    net_amount: int = 0
    refund_count: int = 0
    refund_amount: int = 0
    top_products: list[TopProduct] = field(default_factory=list)
    open_tabs: int = 0
    open_tabs_amount: int = 0
    open_shifts: int = 0
    payments_attention: int = 0
    refunds_attention: int = 0
    low_stock: list[LowStock] = field(default_factory=list)
    low_stock_count: int = 0

    @property
    def average_ticket(self) -> int:
        return average_ticket(self.net_amount, self.order_count)

    @property
    def net_after_refunds(self) -> int:
        return self.net_amount - self.refund_amount

    @property
    def needs_attention(self) -> bool:
        return bool(self.payments_attention or self.refunds_attention)


@dataclass
class SetupSteps:
    """What a new owner still has to do before a customer can order: products listed in a store,
    a way to pay, a paired POS or kiosk."""

    has_listing: bool = True
    has_payment_method: bool = True
    has_device: bool = True

    @property
    def done(self) -> bool:
        return self.has_listing and self.has_payment_method and self.has_device


@dataclass
class HomeToday:
    stores: list[StoreToday]
    setup: SetupSteps = field(default_factory=SetupSteps)

    @property
    def order_count(self) -> int:
        return sum(s.order_count for s in self.stores)

    @property
    def net_amount(self) -> int:
        return sum(s.net_amount for s in self.stores)

    @property
    def refund_amount(self) -> int:
        return sum(s.refund_amount for s in self.stores)

    @property
    def net_after_refunds(self) -> int:
        return self.net_amount - self.refund_amount

    @property
    def average_ticket(self) -> int:
        return average_ticket(self.net_amount, self.order_count)

    @property
    def open_tabs(self) -> int:
        return sum(s.open_tabs for s in self.stores)

    @property
    def open_shifts(self) -> int:
        return sum(s.open_shifts for s in self.stores)

    @property
    def attention(self) -> int:
        return sum(s.payments_attention + s.refunds_attention for s in self.stores)

    @property
    def low_stock_count(self) -> int:
        return sum(s.low_stock_count for s in self.stores)


def home_today(stores, now: datetime | None = None) -> HomeToday:
    """Today of each store (its own business date) and the total; a bounded number of queries."""
    now = now or timezone.now()
    stores = list(stores)
    rows = {store.pk: StoreToday(store, business_date_for(store, now)) for store in stores}
    if not stores:
        return HomeToday([])
    by_day: dict[date, list[int]] = defaultdict(list)
    for row in rows.values():
        by_day[row.business_date].append(row.store.pk)
    for day, ids in by_day.items():
        _sales(rows, ids, day)
        _top_products(rows, ids, day)
        for store_id, facts in f.refund_facts_for_stores([rows[i].store for i in ids], day, day).items():
            rows[store_id].refund_count = len(facts)
            rows[store_id].refund_amount = sum(fact.amount for fact in facts)
    ids = list(rows)
    _open_tabs(rows, ids)
    for item in (
        Shift.objects.filter(store_id__in=ids, status=Shift.Status.OPEN).values("store_id").annotate(n=Count("id"))
    ):
        rows[item["store_id"]].open_shifts = item["n"]
    _attention(rows, ids, by_day)
    _low_stock(rows, ids)
    setup = SetupSteps(
        has_listing=StoreProduct.objects.filter(store_id__in=ids, is_listed=True).exists(),
        has_payment_method=PaymentMethod.objects.filter(store_id__in=ids, is_active=True).exists(),
        has_device=Device.objects.filter(store_id__in=ids, revoked_at__isnull=True).exists(),
    )
    return HomeToday(list(rows.values()), setup)


def _sales(rows: dict[int, StoreToday], ids: list[int], day: date) -> None:
    for item in (
        f.sold_orders(ids, day, day).values("store_id").annotate(n=Count("id"), t=Sum("total_amount")).order_by()
    ):
        rows[item["store_id"]].order_count = item["n"]
        rows[item["store_id"]].net_amount = item["t"] or 0


def _top_products(rows: dict[int, StoreToday], ids: list[int], day: date) -> None:
    sums = (
        f.sold_lines(ids, day, day)
        .values("store_id", "name")
        .annotate(q=Sum("quantity"), n=Sum("net_amount"))
        .order_by("store_id", "-n", "-q", "name")
    )
    for item in sums:
        row = rows[item["store_id"]]
        if len(row.top_products) < TOP_PRODUCTS:
            row.top_products.append(TopProduct(item["name"], item["q"] or 0, item["n"] or 0))


def _open_tabs(rows: dict[int, StoreToday], ids: list[int]) -> None:
    for item in (
        Order.objects.filter(store_id__in=ids, status__in=OPEN_TAB_STATUSES, table__isnull=False)
        .values("store_id")
        .annotate(n=Count("id"), t=Sum("total_amount"))
        .order_by()
    ):
        rows[item["store_id"]].open_tabs = item["n"]
        rows[item["store_id"]].open_tabs_amount = item["t"] or 0


def _attention(rows: dict[int, StoreToday], ids: list[int], by_day: dict[date, list[int]]) -> None:
    today_of = Q()
    for day, day_ids in by_day.items():
        today_of |= Q(order__store_id__in=day_ids, business_date=day)
    payments = Payment.objects.filter(order__store_id__in=ids).filter(
        Q(status=PaymentStatus.UNKNOWN) | (Q(status=PaymentStatus.FAILED) & today_of)
    )
    for item in payments.values("order__store_id").annotate(n=Count("id")).order_by():
        rows[item["order__store_id"]].payments_attention = item["n"]
    refunds = refunds_needing_attention().filter(payment__order__store_id__in=ids)
    for item in refunds.values("payment__order__store_id").annotate(n=Count("id")).order_by():
        rows[item["payment__order__store_id"]].refunds_attention = item["n"]


def _low_stock(rows: dict[int, StoreToday], ids: list[int]) -> None:
    listings = (
        StoreProduct.objects.filter(
            store_id__in=ids, is_listed=True, track_stock=True, stock_quantity__lte=F("low_stock_threshold")
        )
        .values_list("store_id", "pk", "product__name", "stock_quantity", "low_stock_threshold")
        .order_by("store_id", "stock_quantity", "product__name")
    )
    for store_id, pk, name, quantity, threshold in listings:
        row = rows[store_id]
        row.low_stock_count += 1
        if len(row.low_stock) < LOW_STOCK_SHOWN:
            row.low_stock.append(LowStock(pk, name, quantity, threshold))
