"""Reads of the settlement app. Statistics and settlements read the rollups (small, pre-summed);
only "today so far" and the business-day close read the facts, because today is not built yet."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import NamedTuple

from django.db.models import Count, Max, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from apps.orders import selectors as order_selectors
from apps.payments.models import Shift
from apps.payments.shifts import shift_expected_cash
from apps.stores.business_day import business_date_for
from apps.stores.models import Store

from . import facts as f
from .models import (
    DailySummary,
    PaymentMethodDaily,
    ProductSalesDaily,
    ProductSalesMonthly,
    Settlement,
    average_ticket,
)

PERIODS = ("daily", "weekly", "monthly")


def _ids(stores: Store | Iterable) -> list[int]:
    if isinstance(stores, Store):
        return [stores.pk]
    return [s.pk if isinstance(s, Store) else int(s) for s in stores]


# --- periods ----------------------------------------------------------------------------------


def week_bounds(day: date) -> tuple[date, date]:
    """Monday..Sunday of the week containing `day`."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def month_bounds(day: date) -> tuple[date, date]:
    last = calendar.monthrange(day.year, day.month)[1]
    return day.replace(day=1), day.replace(day=last)


def month_starts(start: date, end: date) -> list[date]:
    """The first day of every calendar month overlapping start..end."""
    month, out = start.replace(day=1), []
    while month <= end:
        out.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return out


def period_bounds(period: str, day: date) -> tuple[date, date]:
    if period == "weekly":
        return week_bounds(day)
    if period == "monthly":
        return month_bounds(day)
    return day, day


# --- product statistics -----------------------------------------------------------------------


class ProductRow(NamedTuple):
    """A named tuple: a month of 100 stores is ~4,000 rows, built cheaper than frozen dataclasses."""

    product_id: int | None
    name: str
    quantity: int
    gross_amount: int
    discount_amount: int
    net_amount: int
    refunded_quantity: int
    refunded_amount: int
    store_id: int | None = None

    @property
    def net_after_refunds(self) -> int:
        return self.net_amount - self.refunded_amount


_PRODUCT_SUMS = {
    "quantity": Sum("quantity"),
    "gross_amount": Sum("gross_amount"),
    "discount_amount": Sum("discount_amount"),
    "net_amount": Sum("net_amount"),
    "refunded_quantity": Sum("refunded_quantity"),
    "refunded_amount": Sum("refunded_amount"),
}


def product_sales(
    stores, start: date, end: date, *, per_store: bool = False, limit: int | None = None
) -> list[ProductRow]:
    """Product sales of business dates start..end, best sellers (by net sales) first. A product
    renamed within the range appears once per name. Whole calendar months inside the range are read
    from ProductSalesMonthly (one row per product and month), the days around them from
    ProductSalesDaily: a month of statistics reads ~30× fewer rows than its daily rows."""
    ids = _ids(stores)
    keys = ["store_id", "product_id", "name"] if per_store else ["product_id", "name"]
    full = [m for m in month_starts(start, end) if m >= start and month_bounds(m)[1] <= end]
    if not full:
        qs = (
            ProductSalesDaily.objects.filter(store_id__in=ids, business_date__gte=start, business_date__lte=end)
            .values(*keys)
            .annotate(**_PRODUCT_SUMS)
            .order_by("-net_amount", "-quantity", "name")
        )
        if limit:
            qs = qs[:limit]
        return [ProductRow(**row) for row in qs]
    monthly = ProductSalesMonthly.objects.filter(store_id__in=ids, month__in=full)
    last_day = month_bounds(full[-1])[1]
    if len(full) == 1 and start == full[0] and end == last_day and (per_store or len(ids) == 1):
        # Exactly one calendar month of one store, or per store: the month's rows are the answer as
        # stored (the build writes one row per store, product and name), in ProductRow's order.
        columns = [*ProductSalesMonthly.FIELDS, "store_id"] if per_store else ProductSalesMonthly.FIELDS
        qs = monthly.values_list(*columns).order_by("-net_amount", "-quantity", "name")
        rows = qs[:limit] if limit else qs
        return [ProductRow(*row) for row in rows]
    sources = [monthly]
    if start < full[0]:
        sources.append(
            ProductSalesDaily.objects.filter(store_id__in=ids, business_date__gte=start, business_date__lt=full[0])
        )
    if end > last_day:
        sources.append(
            ProductSalesDaily.objects.filter(store_id__in=ids, business_date__gt=last_day, business_date__lte=end)
        )
    merged: dict[tuple, list[int]] = {}
    for qs in sources:
        for row in qs.values_list(*keys).annotate(**_PRODUCT_SUMS).order_by():
            key, values = row[: len(keys)], row[len(keys) :]
            total = merged.get(key)
            if total is None:
                merged[key] = list(values)
            else:
                for i, value in enumerate(values):
                    total[i] += value
    if per_store:
        rows = [ProductRow(key[1], key[2], *values, key[0]) for key, values in merged.items()]
    else:
        rows = [ProductRow(*key, *values) for key, values in merged.items()]
    rows.sort(key=lambda r: (-r.net_amount, -r.quantity, r.name))
    return rows[:limit] if limit else rows


def _live_product_sums(store: Store, days: list[date]) -> dict[tuple, list[int]]:
    """(business_date, product_id, name) → the six ProductRow figures of the given business dates,
    straight from the facts: the same sums the build writes into ProductSalesDaily (sold lines, and
    the lines refunded on those days)."""
    lo, hi = min(days), max(days)
    lines = f.sold_lines([store.pk], lo, hi)
    if len(days) < (hi - lo).days + 1:
        lines = lines.filter(business_date__in=days)
    sums: dict[tuple, list[int]] = {}
    for day, product_id, name, *values in (
        lines.values_list("business_date", "product_id", "name")
        .annotate(Sum("quantity"), Sum("gross_amount"), Sum("discount_amount"), Sum("net_amount"))
        .order_by()
    ):
        sums[(day, product_id, name)] = [*values, 0, 0]
    wanted = set(days)
    for key, (quantity, amount) in f.refund_totals(f.refund_facts(store, lo, hi)).by_product.items():
        if key[0] in wanted:
            total = sums.setdefault(key, [0] * 6)
            total[4] += quantity
            total[5] += amount
    return sums


def products_to_date(
    store: Store, ranges: list[tuple[date, date]], *, today: date | None = None, limit: int | None = None
) -> list[list[ProductRow]]:
    """product_sales of each range of business dates as of now (e.g. this week and this month):
    the store's current business date (`today`, by its timezone and cutoff, not the calendar date)
    and any earlier day not built yet are read live from the facts, the built days from the
    rollups. So this week's and this month's figures include today's sales as they happen, on a
    Monday and on the 1st too, and exactly once: a rollup of today (a manual rebuild) is never read,
    as the next sale makes it stale. Days after today have no sales yet. The live days of all the
    ranges are read together (one query for lines, one for refunds)."""
    today = today or business_date_for(store, timezone.now())
    yesterday = today - timedelta(days=1)
    ranges = [(start, min(end, today)) for start, end in ranges]
    wanted = [(start, end) for start, end in ranges if start <= end]
    if not wanted:
        return [[] for _ in ranges]
    lo, hi = min(start for start, _ in wanted), max(end for _, end in wanted)
    built = set(
        DailySummary.objects.filter(store=store, business_date__gte=lo, business_date__lte=min(hi, yesterday))
        .values_list("business_date", flat=True)
        .order_by()
    )
    days = [lo + timedelta(days=n) for n in range((hi - lo).days + 1)]
    live_days = [day for day in days if day not in built and any(s <= day <= e for s, e in wanted)]
    live = _live_product_sums(store, live_days) if live_days else {}
    out = []
    for start, end in ranges:
        built_end = min(end, yesterday)
        if start > end:
            out.append([])
        elif not any(start <= day <= end for day in live_days):
            out.append(product_sales(store, start, built_end, limit=limit))
        else:
            # Built days from the rollups (an unbuilt day has no rollup rows; today is after built_end).
            rolled = product_sales(store, start, built_end) if start <= built_end else []
            merged = {(r.product_id, r.name): list(r[2:8]) for r in rolled}
            for (day, product_id, name), values in live.items():
                if start <= day <= end:
                    total = merged.setdefault((product_id, name), [0] * 6)
                    for i, value in enumerate(values):
                        total[i] += value
            rows = [ProductRow(*key, *values) for key, values in merged.items()]
            rows.sort(key=lambda r: (-r.net_amount, -r.quantity, r.name))
            out.append(rows[:limit] if limit else rows)
    return out


def product_sales_to_date(
    store: Store, start: date, end: date, *, today: date | None = None, limit: int | None = None
) -> list[ProductRow]:
    """products_to_date of one range."""
    return products_to_date(store, [(start, end)], today=today, limit=limit)[0]


def product_sales_for_period(
    store: Store, period: str, day: date, *, today: date | None = None
) -> tuple[date, date, list[ProductRow]]:
    """A period's product sales; a period reaching today includes today's live sales."""
    start, end = period_bounds(period, day)
    today = today or business_date_for(store, timezone.now())
    if end >= today:
        return start, end, product_sales_to_date(store, start, end, today=today)
    return start, end, product_sales(store, start, end)


# --- daily series and live figures ------------------------------------------------------------


@dataclass(frozen=True)
class DayFigures:
    business_date: date
    order_count: int = 0
    gross_amount: int = 0
    discount_amount: int = 0
    net_amount: int = 0
    refund_count: int = 0
    refund_amount: int = 0
    built: bool = True

    @property
    def average_ticket(self) -> int:
        return average_ticket(self.net_amount, self.order_count)

    @property
    def net_after_refunds(self) -> int:
        return self.net_amount - self.refund_amount


def daily_series(store: Store, start: date, end: date) -> list[DayFigures]:
    """One entry per business date start..end from DailySummary (one query); days not built yet
    are zeros with built=False."""
    rows = {
        row.business_date: row
        for row in DailySummary.objects.filter(store=store, business_date__gte=start, business_date__lte=end)
    }
    out = []
    day = start
    while day <= end:
        row = rows.get(day)
        if row is None:
            out.append(DayFigures(day, built=False))
        else:
            out.append(
                DayFigures(
                    day,
                    row.order_count,
                    row.gross_amount,
                    row.discount_amount,
                    row.net_amount,
                    row.refund_count,
                    row.refund_amount,
                )
            )
        day += timedelta(days=1)
    return out


@dataclass(frozen=True)
class MethodFigures:
    method_id: int
    method_name: str
    kind: str
    payment_count: int
    amount: int
    refund_count: int
    refund_amount: int

    @property
    def net_amount(self) -> int:
        return self.amount - self.refund_amount


def _live_methods(store: Store, day: date, refunds: f.RefundTotals) -> list[MethodFigures]:
    sales = {
        row["method_id"]: row
        for row in f.collected_payments([store.pk], day, day)
        .values("method_id", "method__name", "method__kind")
        .annotate(n=Count("id"), s=Sum("amount"))
        .order_by()
    }
    refunded = {method_id: v for (d, method_id), v in refunds.by_method.items() if d == day}
    missing = f.methods_by_id(m for m in refunded if m not in sales)
    out = []
    for method_id in sorted(set(sales) | set(refunded)):
        row = sales.get(method_id)
        if row is not None:
            name, kind, n, s = row["method__name"], row["method__kind"], row["n"], row["s"] or 0
        else:
            name, kind, n, s = missing[method_id].name, missing[method_id].kind, 0, 0
        count, amount = refunded.get(method_id, (0, 0))
        out.append(MethodFigures(method_id, name, kind, n, s, count, amount))
    return out


def day_figures_live(store: Store, day: date) -> tuple[DayFigures, list[MethodFigures]]:
    """A business day's totals straight from the facts (for today, before it is built)."""
    totals = f.sold_orders([store.pk], day, day).aggregate(
        n=Count("id"),
        g=Coalesce(Sum("gross_amount"), 0),
        d=Coalesce(Sum("discount_amount"), 0),
        t=Coalesce(Sum("total_amount"), 0),
    )
    refunds = f.refund_totals(f.refund_facts(store, day, day))
    count, amount = refunds.by_day.get(day, (0, 0))
    figures = DayFigures(day, totals["n"], totals["g"], totals["d"], totals["t"], count, amount)
    return figures, _live_methods(store, day, refunds)


def days_figures_live(store: Store, days: list[date]) -> dict[date, DayFigures]:
    """day_figures_live of several business dates at once (two queries), without the methods: for
    the days of a chart that the close has not built yet. `built` stays False: they are live."""
    if not days:
        return {}
    lo, hi = min(days), max(days)
    totals = {
        row["business_date"]: row
        for row in f.sold_orders([store.pk], lo, hi)
        .filter(business_date__in=days)
        .values("business_date")
        .annotate(n=Count("id"), g=Sum("gross_amount"), d=Sum("discount_amount"), t=Sum("total_amount"))
        .order_by()
    }
    refunds = f.refund_totals(f.refund_facts(store, lo, hi)).by_day
    out = {}
    for day in days:
        row = totals.get(day) or {"n": 0, "g": 0, "d": 0, "t": 0}
        count, amount = refunds.get(day, (0, 0))
        out[day] = DayFigures(day, row["n"], row["g"], row["d"], row["t"], count, amount, built=False)
    return out


def daily_series_to_date(store: Store, start: date, today: date) -> list[DayFigures]:
    """daily_series of start..yesterday with the days not built yet (e.g. yesterday between the
    cutoff and the beat close) read live, so a chart never shows a sold day as zero."""
    series = daily_series(store, start, today - timedelta(days=1))
    live = days_figures_live(store, [d.business_date for d in series if not d.built])
    return [live.get(d.business_date, d) for d in series]


def today_live(store: Store, now=None) -> tuple[DayFigures, list[MethodFigures]]:
    return day_figures_live(store, business_date_for(store, now or timezone.now()))


# --- business-day close (마감정산) -------------------------------------------------------------


@dataclass(frozen=True)
class ShiftCash:
    shift: Shift
    expected_cash: int
    counted_cash: int | None

    @property
    def difference(self) -> int | None:
        return None if self.counted_cash is None else self.counted_cash - self.expected_cash


@dataclass(frozen=True)
class BusinessDayClose:
    store: Store
    business_date: date
    figures: DayFigures
    methods: list[MethodFigures]
    shifts: list[ShiftCash] = field(default_factory=list)
    # Table tabs still open (or frozen for payment) at the time of the report: money not yet taken.
    open_tabs: list = field(default_factory=list)

    @property
    def expected_cash(self) -> int:
        return sum(s.expected_cash for s in self.shifts)

    @property
    def counted_cash(self) -> int | None:
        if not self.shifts or any(s.counted_cash is None for s in self.shifts):
            return None
        return sum(s.counted_cash for s in self.shifts)

    @property
    def cash_difference(self) -> int | None:
        counted = self.counted_cash
        return None if counted is None else counted - self.expected_cash


def business_day_close(store: Store, day: date) -> BusinessDayClose:
    """Totals by method, refunds, discounts, order count and average ticket of the business day,
    and each of the day's drawer shifts' expected vs counted cash. Expected cash is the one the
    shift stored when it closed; for a shift still open it is derived now (opening float + cash
    sales − cash refunds + cash in − cash out), by the payments app's single definition of it."""
    figures, methods = day_figures_live(store, day)
    shifts = []
    for shift in Shift.objects.filter(store=store, business_date=day).select_related("device").order_by("opened_at"):
        expected = shift.expected_cash if shift.expected_cash is not None else shift_expected_cash(shift)
        shifts.append(ShiftCash(shift, expected, shift.counted_cash))
    open_tabs = sorted(order_selectors.tabs_by_table(store).values(), key=lambda tab: (tab.business_date, tab.pk))
    return BusinessDayClose(store, day, figures, methods, shifts, open_tabs)


# --- settlements ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SettlementLineFigures:
    method_id: int
    method_name: str
    kind: str
    payment_count: int
    gross_amount: int
    refund_count: int
    refund_amount: int
    fee_amount: int

    @property
    def net_payout(self) -> int:
        return self.gross_amount - self.refund_amount - self.fee_amount


@dataclass(frozen=True)
class SettlementFigures:
    start: date
    end: date
    lines: list[SettlementLineFigures]

    def _sum(self, name: str) -> int:
        return sum(getattr(line, name) for line in self.lines)

    payment_count = property(lambda self: self._sum("payment_count"))
    gross_amount = property(lambda self: self._sum("gross_amount"))
    refund_count = property(lambda self: self._sum("refund_count"))
    refund_amount = property(lambda self: self._sum("refund_amount"))
    fee_amount = property(lambda self: self._sum("fee_amount"))
    net_payout = property(lambda self: self._sum("net_payout"))


def settlements_compute(stores, start: date, end: date) -> dict[int, SettlementFigures]:
    """Gross by method, refunds, fees and net payout of business dates start..end for many stores
    at once, from PaymentMethodDaily (one query)."""
    ids = _ids(stores)
    rows = (
        PaymentMethodDaily.objects.filter(store_id__in=ids, business_date__gte=start, business_date__lte=end)
        .values("store_id", "method_id")
        .annotate(
            name=Max("method_name"),
            k=Max("kind"),
            n=Sum("payment_count"),
            g=Sum("amount"),
            rn=Sum("refund_count"),
            r=Sum("refund_amount"),
            fee=Sum("fee_amount"),
        )
        .order_by("store_id", "name", "method_id")
    )
    out: dict[int, SettlementFigures] = {pk: SettlementFigures(start, end, []) for pk in ids}
    for row in rows:
        out[row["store_id"]].lines.append(
            SettlementLineFigures(
                row["method_id"], row["name"], row["k"], row["n"], row["g"], row["rn"], row["r"], row["fee"]
            )
        )
    return out


def settlement_compute(store: Store, start: date, end: date) -> SettlementFigures:
    return settlements_compute([store.pk], start, end)[store.pk]


def settlements_for_store(store: Store, *, limit: int = 36) -> list[Settlement]:
    return list(Settlement.objects.filter(store=store).order_by("-period_end")[:limit])


def settlement_for_store(store: Store, settlement_id) -> Settlement:
    try:
        return Settlement.objects.prefetch_related("lines").get(store=store, pk=int(settlement_id))
    except (Settlement.DoesNotExist, TypeError, ValueError):
        raise Http404("settlement") from None
