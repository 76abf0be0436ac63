"""How settlement reads the facts: the one definition of "a sale", "a collected payment" and "a refund
of day D", shared by the rollup build, the live dashboard and the business-day close.

- A sale is an order that was paid (PAID, PARTIALLY_REFUNDED, REFUNDED) counted on its business_date.
- A collected payment is one that took money in (DONE, PARTIAL_CANCELED, CANCELED) on a sold order;
  a cancellation later shows up as a Refund, so sales minus refunds is what stayed with the store.
- A refund is a DONE Refund counted on the business date of its completed_at (created_at when
  missing) in the store's timezone and cutoff, whatever the date of the order it refunds.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Exists, F, OuterRef, QuerySet
from django.db.models.functions import Coalesce

from apps.orders.models import Order, OrderLine, OrderStatus
from apps.payments.models import Payment, PaymentMethod, Refund
from apps.payments.state import COMPLETED
from apps.stores.business_day import business_date_for, business_day_bounds
from apps.stores.models import Store

SOLD_STATUSES = (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED)
COLLECTED_STATUSES = tuple(sorted(COMPLETED))  # payments' own set, in a fixed order for the SQL


def sold_orders(store_ids: list[int], start: date, end: date) -> QuerySet[Order]:
    return Order.objects.filter(
        store_id__in=store_ids, business_date__gte=start, business_date__lte=end, status__in=SOLD_STATUSES
    )


def _order_not_sold(start: date, end: date) -> Exists:
    """The fact row's order (of those days) is not a sale. Lines and payments carry their order's
    store and business date, so selecting the sold ones needs only this anti-join against the few
    unsold orders of the days, not a join of every row to its order."""
    return Exists(
        Order.objects.filter(pk=OuterRef("order_id"), business_date__gte=start, business_date__lte=end).exclude(
            status__in=SOLD_STATUSES
        )
    )


def sold_lines(store_ids: list[int], start: date, end: date) -> QuerySet[OrderLine]:
    return OrderLine.objects.filter(
        ~_order_not_sold(start, end), store_id__in=store_ids, business_date__gte=start, business_date__lte=end
    )


def collected_payments(store_ids: list[int], start: date, end: date) -> QuerySet[Payment]:
    return Payment.objects.filter(
        ~_order_not_sold(start, end),
        # A semi-join against the stores' few methods, not a join of every payment to its method.
        method__in=PaymentMethod.objects.filter(store_id__in=store_ids),
        business_date__gte=start,
        business_date__lte=end,
        status__in=COLLECTED_STATUSES,
    )


@dataclass
class RefundFact:
    refund_id: int
    business_date: date
    amount: int
    method_id: int
    method_kind: str
    # (product_id, name, quantity, amount) per refunded line; empty for an amount-only refund.
    lines: list[tuple[int | None, str, int, int]] = field(default_factory=list)


def refund_facts(store: Store, start: date, end: date) -> list[RefundFact]:
    return refund_facts_for_stores([store], start, end)[store.pk]


def refund_facts_for_stores(stores: list[Store], start: date, end: date) -> dict[int, list[RefundFact]]:
    """The stores' completed refunds whose business date is in [start, end], by store.

    Refunds are read into Python rather than aggregated in SQL: they are a small fraction of
    sales, their refunded lines live in a JSON list, and the business date of a timestamp must
    follow each store's timezone and cutoff exactly (DST included), which `business_date_for`
    already does.

    One refund request spread over several payments (a split order) is one Refund row per payment,
    each carrying the request's whole line list; the lines count once, on the request's first row.
    They do not count at all when a row of the request did not complete: the order then records
    the money only, not the lines (payments.services), and so do the rollups.
    """
    by_id = {store.pk: store for store in stores}
    out: dict[int, list[RefundFact]] = {pk: [] for pk in by_id}
    if not stores:
        return out
    # The union of every store's window; each refund is then placed by its own store's rules.
    lo = min(business_day_bounds(store, start)[0] for store in stores)
    hi = max(business_day_bounds(store, end)[1] for store in stores)
    refunds = Refund.objects.filter(payment__order__store_id__in=list(by_id))
    rows = list(
        refunds.filter(status=Refund.Status.DONE)
        .annotate(
            at=Coalesce("completed_at", "created_at"),
            method=F("payment__method_id"),
            pkind=F("payment__kind"),
            store=F("payment__order__store_id"),
        )
        .filter(at__gte=lo, at__lt=hi)
        .values_list("id", "amount", "lines", "method", "pkind", "at", "store")
        .order_by("id")
    )
    # A request's rows are created together, so an unfinished sibling was created within the window
    # (a day's margin for a provider that answered late).
    unfinished = {
        item.get("request")
        for lines in refunds.exclude(status=Refund.Status.DONE)
        .filter(created_at__gte=lo - timedelta(days=1), created_at__lt=hi)
        .values_list("lines", flat=True)
        for item in _items(lines)
    }
    # Refunds made by the payments app name the product in each line; older rows are looked up.
    line_ids = {item["line_id"] for row in rows for item in _items(row[2]) if "name" not in item}
    line_info = {
        pk: (store_id, product_id, name)
        for pk, store_id, product_id, name in OrderLine.objects.filter(pk__in=line_ids).values_list(
            "pk", "store_id", "product_id", "name"
        )
    }
    counted_requests: set[str] = set()
    for refund_id, amount, lines, method_id, kind, at, store_id in rows:
        day = business_date_for(by_id[store_id], at)
        if not start <= day <= end:
            continue
        fact = RefundFact(refund_id, day, int(amount), method_id, kind)
        items = _items(lines)
        for item in items:
            request = item.get("request")
            if request is not None and (request in unfinished or request in counted_requests):
                continue
            if "name" in item:
                info = (store_id, item.get("product_id"), item["name"])
            else:
                info = line_info.get(item["line_id"])
            if info is None or info[0] != store_id:  # a line of another store's order is not this refund's
                continue
            fact.lines.append((info[1], info[2], int(item.get("quantity") or 0), int(item.get("amount") or 0)))
        counted_requests.update(item["request"] for item in items if item.get("request") is not None)
        out[store_id].append(fact)
    return out


def _items(lines) -> list[dict]:
    """A refund's well-formed line items, line_id as int."""
    items = []
    for item in lines or []:
        if isinstance(item, dict) and item.get("line_id") is not None:
            items.append({**item, "line_id": int(item["line_id"])})
    return items


@dataclass
class RefundTotals:
    """refund facts summed by day, by (day, method) and by (day, product, name)."""

    by_day: dict[date, list[int]]  # [count, amount]
    by_method: dict[tuple[date, int], list[int]]  # [count, amount]
    by_product: dict[tuple[date, int | None, str], list[int]]  # [quantity, amount]
    method_kinds: dict[int, str]


def refund_totals(facts: list[RefundFact]) -> RefundTotals:
    by_day: dict = defaultdict(lambda: [0, 0])
    by_method: dict = defaultdict(lambda: [0, 0])
    by_product: dict = defaultdict(lambda: [0, 0])
    kinds: dict[int, str] = {}
    for fact in facts:
        by_day[fact.business_date][0] += 1
        by_day[fact.business_date][1] += fact.amount
        by_method[(fact.business_date, fact.method_id)][0] += 1
        by_method[(fact.business_date, fact.method_id)][1] += fact.amount
        kinds[fact.method_id] = fact.method_kind
        for product_id, name, quantity, amount in fact.lines:
            by_product[(fact.business_date, product_id, name)][0] += quantity
            by_product[(fact.business_date, product_id, name)][1] += amount
    return RefundTotals(dict(by_day), dict(by_method), dict(by_product), kinds)


def methods_by_id(method_ids) -> dict[int, PaymentMethod]:
    return {m.pk: m for m in PaymentMethod.objects.filter(pk__in=set(method_ids))}
