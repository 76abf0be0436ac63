"""The expected rollups, computed in plain Python from the fact rows (a different path from the
SQL build), so the property tests compare two independent computations."""

from __future__ import annotations

from collections import defaultdict

from django.utils import timezone

from apps.orders.models import Order, OrderLine
from apps.payments.models import Payment, Refund
from apps.settlement.fees import fee_for
from apps.stores.business_day import business_date_for, store_tz

SOLD = {"PAID", "PARTIALLY_REFUNDED", "REFUNDED"}
COLLECTED = {"DONE", "PARTIAL_CANCELED", "CANCELED"}


def expected(store):
    orders = {o.pk: o for o in Order.objects.filter(store=store) if o.status in SOLD}
    days = defaultdict(lambda: {"orders": 0, "gross": 0, "discount": 0, "net": 0, "refund_count": 0, "refunds": 0})
    products = defaultdict(lambda: [0, 0, 0, 0, 0, 0])
    methods = defaultdict(lambda: [0, 0, 0, 0, None])
    hours = defaultdict(lambda: [0, 0])
    for order in orders.values():
        d = days[order.business_date]
        d["orders"] += 1
        d["gross"] += order.gross_amount
        d["discount"] += order.discount_amount
        d["net"] += order.total_amount
        hour = timezone.localtime(order.paid_at, store_tz(store)).hour
        hours[(order.business_date, hour)][0] += 1
        hours[(order.business_date, hour)][1] += order.total_amount
    lines = {line.pk: line for line in OrderLine.objects.filter(order__store=store)}
    for line in lines.values():
        if line.order_id in orders:
            key = (orders[line.order_id].business_date, line.product_id, line.name)
            for i, v in enumerate((line.quantity, line.gross_amount, line.discount_amount, line.net_amount)):
                products[key][i] += v
    for payment in Payment.objects.filter(order__store=store).select_related("method"):
        if payment.order_id in orders and payment.status in COLLECTED:
            key = (orders[payment.order_id].business_date, payment.method_id)
            methods[key][0] += 1
            methods[key][1] += payment.amount
            methods[key][4] = payment.method.fee_rate_bp
    counted_requests = set()  # a request spread over several payments lists its lines on each row
    refunds = Refund.objects.filter(payment__order__store=store, status="DONE").select_related("payment__method")
    for refund in refunds.order_by("pk"):
        day = business_date_for(store, refund.completed_at or refund.created_at)
        days[day]["refund_count"] += 1
        days[day]["refunds"] += refund.amount
        key = (day, refund.payment.method_id)
        methods[key][2] += 1
        methods[key][3] += refund.amount
        methods[key][4] = refund.payment.method.fee_rate_bp
        for item in refund.lines:
            if item.get("request") in counted_requests:
                continue
            line = lines[item["line_id"]]
            pkey = (day, line.product_id, line.name)
            products[pkey][4] += item["quantity"]
            products[pkey][5] += item["amount"]
        counted_requests.update(item["request"] for item in refund.lines if item.get("request"))
    method_rows = {
        key: (n, amount, rn, refunds, fee_for(amount - refunds, rate))
        for key, (n, amount, rn, refunds, rate) in methods.items()
    }
    return {
        "days": {k: dict(v) for k, v in days.items()},
        "products": {k: tuple(v) for k, v in products.items()},
        "methods": method_rows,
        "hours": {k: tuple(v) for k, v in hours.items()},
    }


def actual(store):
    from apps.settlement.models import DailySummary, HourlySales, PaymentMethodDaily, ProductSalesDaily

    days = {
        r.business_date: {
            "orders": r.order_count,
            "gross": r.gross_amount,
            "discount": r.discount_amount,
            "net": r.net_amount,
            "refund_count": r.refund_count,
            "refunds": r.refund_amount,
        }
        for r in DailySummary.objects.filter(store=store)
        if r.order_count or r.refund_count  # empty built days have no fact counterpart
    }
    products = {}
    for r in ProductSalesDaily.objects.filter(store=store):
        key = (r.business_date, r.product_id, r.name)
        assert key not in products, f"duplicate product row {key}"
        products[key] = (
            r.quantity,
            r.gross_amount,
            r.discount_amount,
            r.net_amount,
            r.refunded_quantity,
            r.refunded_amount,
        )
    methods = {
        (r.business_date, r.method_id): (r.payment_count, r.amount, r.refund_count, r.refund_amount, r.fee_amount)
        for r in PaymentMethodDaily.objects.filter(store=store)
    }
    hours = {(r.business_date, r.hour): (r.order_count, r.amount) for r in HourlySales.objects.filter(store=store)}
    return {"days": days, "products": products, "methods": methods, "hours": hours}
