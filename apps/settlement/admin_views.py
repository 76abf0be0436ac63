"""Owner reports inside the admin (registered by SettlementAdmin.get_urls). Every view receives a
store already scoped to the logged-in owner: another owner's store never reaches these functions."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.errors import DomainError
from apps.stores.business_day import business_date_for

from . import exports, selectors, services
from .forms import DayForm, ProductSalesForm, RebuildForm

CHART_DAYS = 30
TOP_PRODUCTS = 5


def _csv_response(body: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def store_index(request, context: dict, stores):
    # One click from anywhere: an owner with one store goes straight to its report.
    if len(stores) == 1:
        return redirect("admin:settlement_dashboard", store_id=stores[0].pk)
    return render(request, "admin/settlement/store_index.html", {**context, "stores": stores})


def dashboard(request, context: dict, store):
    now = timezone.now()
    today = business_date_for(store, now)  # the store's business date: before its cutoff, still yesterday
    today_figures, today_methods = selectors.today_live(store, now)
    series = selectors.daily_series_to_date(store, today - timedelta(days=CHART_DAYS - 1), today)
    series.append(today_figures)
    week_start, _week_end = selectors.week_bounds(today)
    month_start, _month_end = selectors.month_bounds(today)
    # Both include today live (and any day the close has not built yet), read together.
    top_week, top_month = selectors.products_to_date(
        store, [(week_start, today), (month_start, today)], today=today, limit=TOP_PRODUCTS
    )
    chart = {
        "labels": [d.business_date.strftime("%m-%d") for d in series],
        "net": [d.net_amount for d in series],
        "refunds": [d.refund_amount for d in series],
        "orders": [d.order_count for d in series],
    }
    return render(
        request,
        "admin/settlement/dashboard.html",
        {
            **context,
            "store": store,
            "today": today,
            "today_figures": today_figures,
            "today_methods": today_methods,
            "series": series,
            "chart": chart,
            "top_week": top_week,
            "top_month": top_month,
            "week_start": week_start,
            "month_start": month_start,
        },
    )


def product_sales(request, context: dict, store):
    form = ProductSalesForm(request.GET or None)
    today = business_date_for(store, timezone.now())
    period, day = "daily", today - timedelta(days=1)
    if form.is_bound:
        if not form.is_valid():
            return render(
                request,
                "admin/settlement/product_sales.html",
                {**context, "store": store, "form": form, "rows": []},
                status=400,
            )
        period = form.cleaned_data["period"]
        day = form.cleaned_data.get("date") or day
    start, end, rows = selectors.product_sales_for_period(store, period, day, today=today)
    if request.GET.get("format") == "csv":
        return _csv_response(
            exports.product_sales_csv(start, end, rows), f"product-sales-{store.pk}-{period}-{start}.csv"
        )
    return render(
        request,
        "admin/settlement/product_sales.html",
        {
            **context,
            "store": store,
            "form": form if form.is_bound else ProductSalesForm(initial={"period": period, "date": day}),
            "period": period,
            "day": day,
            "start": start,
            "end": end,
            "rows": rows,
            "totals": {
                name: sum(getattr(r, name) for r in rows)
                for name in (
                    "quantity",
                    "gross_amount",
                    "discount_amount",
                    "net_amount",
                    "refunded_quantity",
                    "refunded_amount",
                    "net_after_refunds",
                )
            },
        },
    )


def settlement_list(request, context: dict, store):
    today = business_date_for(store, timezone.now())
    start, end = services.settlement_period_for(store, today)
    return render(
        request,
        "admin/settlement/settlement_list.html",
        {
            **context,
            "store": store,
            "settlements": selectors.settlements_for_store(store),
            "current": selectors.settlement_compute(store, start, end),
        },
    )


def settlement_detail(request, context: dict, store, settlement_id):
    settlement = selectors.settlement_for_store(store, settlement_id)
    if request.GET.get("format") == "csv":
        return _csv_response(exports.settlement_csv(settlement), f"settlement-{store.pk}-{settlement.period_end}.csv")
    return render(
        request,
        "admin/settlement/settlement_detail.html",
        {**context, "store": store, "settlement": settlement, "lines": list(settlement.lines.all())},
    )


def business_day_close(request, context: dict, store):
    form = DayForm(request.GET or None)
    day = business_date_for(store, timezone.now())
    status = 200
    if form.is_bound:
        if form.is_valid():
            day = form.cleaned_data.get("date") or day
        else:
            status = 400
    report = selectors.business_day_close(store, day)
    return render(
        request,
        "admin/settlement/business_day_close.html",
        {
            **context,
            "store": store,
            "form": form if form.is_bound else DayForm(initial={"date": day}),
            "report": report,
        },
        status=status,
    )


def rebuild(request, context: dict, store):
    form = RebuildForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.rollups_rebuild_range(store, form.cleaned_data["start"], form.cleaned_data["end"])
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("%(start)s ~ %(end)s (%(days)d일)을 다시 집계했습니다.")
                % {"start": result.start, "end": result.end, "days": result.days},
            )
            return redirect("admin:settlement_dashboard", store_id=store.pk)
    return render(
        request,
        "admin/settlement/rebuild.html",
        {**context, "store": store, "form": form},
        status=400 if form.errors else 200,
    )
