"""Owner reports in the admin: dashboard, product table + CSV, settlements, close, rebuild;
another owner's store is a 404; query counts stay bounded as data grows."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.catalog.models import Product
from apps.payments.models import PaymentMethod
from apps.settlement.models import DailySummary, ProductSalesDaily, Settlement
from apps.settlement.services import rollups_build, settlement_refresh
from apps.stores.business_day import business_date_for

from . import factories as fx

SEOUL = ZoneInfo("Asia/Seoul")


def _noon(day):
    return datetime.combine(day, datetime.min.time(), tzinfo=SEOUL) + timedelta(hours=12)


@pytest.fixture
def sales(clock, store):
    """Sales on each of the last 10 business days and today, built up to yesterday (at the pinned
    clock: a Monday unless the test picks other instants)."""
    today = business_date_for(store, timezone.now())
    cash = fx.method(store, PaymentMethod.Kind.CASH, 0, "현금")
    card = fx.method(store, PaymentMethod.Kind.CARD_TERMINAL, 150, "카드")
    products = [fx.product(store, f"메뉴{i}") for i in range(6)]
    for back in range(0, 11):
        day = today - timedelta(days=back)
        for i, prod in enumerate(products):
            fx.sale(store, _noon(day), [(prod, i + 1, 1000 * (i + 1), 0)], [(cash, 500), (card, None)])
    rollups_build(store, today - timedelta(days=40), today - timedelta(days=1))
    return today


# (instant, its business date, sale days in this week so far, in this month so far); sales run
# on today and the 10 business days before it.
DASHBOARD_CASES = [
    ("monday", date(2026, 12, 7), 1, 7),
    ("sunday-late", date(2026, 12, 6), 7, 6),
    ("first-of-month", date(2026, 12, 1), 2, 1),
    ("leap-day", date(2028, 2, 29), 2, 11),
    ("year-end", date(2027, 12, 31), 5, 11),
    ("before-cutoff", date(2027, 2, 28), 7, 11),
    ("at-cutoff", date(2027, 3, 1), 1, 1),
]


# The instants every report runs at besides the dashboard's (see conftest.REPORT_INSTANTS).
REPORT_DAYS = ["monday", "first-of-month", "leap-day", "before-cutoff", "at-cutoff"]


def _top(rows, name="메뉴5"):
    return next((r.quantity, r.net_amount) for r in rows if r.name == name)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("clock", "today", "week_days", "month_days"),
    DASHBOARD_CASES,
    indirect=["clock"],
    ids=[c[0] for c in DASHBOARD_CASES],
)
def test_dashboard_shows_today_live_chart_data_and_top_products(
    clock, owner_client, store, sales, today, week_days, month_days
):
    # given sales on today (the store's business date) and the 10 days before, built up to yesterday
    assert sales == today
    # when the owner opens the dashboard
    url = reverse("admin:settlement_dashboard", args=[store.pk])
    response = owner_client.get(url)
    # then today is live: 6 orders of 1·1000 + 2·2000 + ... + 6·6000 = 91,000원 (not built)
    assert response.status_code == 200
    body = response.content.decode()
    assert response.context["today"] == today
    assert response.context["today_figures"].net_amount == 91_000
    assert "91,000원" in body
    assert "vendor/chartjs/chart.umd.min.js" in body and 'id="sales-chart-data"' in body
    assert len(response.context["chart"]["net"]) == 30 and response.context["chart"]["net"][-2] == 91_000
    assert response.context["chart"]["labels"][-1] == today.strftime("%m-%d")
    # and this week and this month include today's live sales (메뉴5: 6 a day, 36,000원)
    assert [r.name for r in response.context["top_week"]][:1] == ["메뉴5"]
    assert _top(response.context["top_week"]) == (6 * week_days, 36_000 * week_days)
    assert [r.name for r in response.context["top_month"]][:1] == ["메뉴5"]
    assert _top(response.context["top_month"]) == (6 * month_days, 36_000 * month_days)
    assert not DailySummary.objects.filter(store=store, business_date=sales).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("clock", "today", "week_days", "month_days"),
    DASHBOARD_CASES,
    indirect=["clock"],
    ids=[c[0] for c in DASHBOARD_CASES],
)
def test_dashboard_counts_today_once_after_a_rebuild_of_today(
    clock, owner_client, store, sales, today, week_days, month_days
):
    # given the owner rebuilt today by hand (a snapshot of today so far)
    rollups_build(store, today, today)
    assert DailySummary.objects.filter(store=store, business_date=today).exists()
    # and one more 메뉴5 sells after the rebuild
    menu5 = Product.objects.get(owner=store.owner, name="메뉴5")
    fx.sale(store, timezone.now(), [(menu5, 1, 6000, 0)], [(PaymentMethod.objects.filter(store=store).first(), None)])
    # when the dashboard is read
    response = owner_client.get(reverse("admin:settlement_dashboard", args=[store.pk]))
    # then today counts once, live (the rebuilt rollup of today is not added on top of it)
    assert response.context["today_figures"].net_amount == 97_000
    assert response.context["chart"]["net"][-1] == 97_000
    assert _top(response.context["top_week"]) == (6 * week_days + 1, 36_000 * week_days + 6000)
    assert _top(response.context["top_month"]) == (6 * month_days + 1, 36_000 * month_days + 6000)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("clock", "today", "week_days", "month_days"),
    DASHBOARD_CASES,
    indirect=["clock"],
    ids=[c[0] for c in DASHBOARD_CASES],
)
def test_dashboard_reads_yesterday_live_until_the_close_builds_it(
    clock, owner_client, store, sales, today, week_days, month_days
):
    # given the cutoff has passed but the beat close has not built yesterday yet
    yesterday = today - timedelta(days=1)
    for model in (DailySummary, ProductSalesDaily):
        model.objects.filter(store=store, business_date=yesterday).delete()
    # when the dashboard is read
    response = owner_client.get(reverse("admin:settlement_dashboard", args=[store.pk]))
    # then the chart shows yesterday's sales (live), not a zero
    assert response.context["chart"]["net"][-2] == 91_000
    # and this week's and this month's figures still hold every sale day, yesterday from the facts
    assert _top(response.context["top_week"]) == (6 * week_days, 36_000 * week_days)
    assert _top(response.context["top_month"]) == (6 * month_days, 36_000 * month_days)


@pytest.mark.django_db
def test_reports_of_another_owners_store_are_404(owner_client, other_owner_store):
    settlement = Settlement.objects.create(
        store=other_owner_store, period_start=date(2025, 1, 2), period_end=date(2025, 2, 1)
    )
    for name, args in [
        ("admin:settlement_dashboard", [other_owner_store.pk]),
        ("admin:settlement_products", [other_owner_store.pk]),
        ("admin:settlement_list", [other_owner_store.pk]),
        ("admin:settlement_settlement_detail", [other_owner_store.pk, settlement.pk]),
        ("admin:settlement_close", [other_owner_store.pk]),
        ("admin:settlement_rebuild", [other_owner_store.pk]),
    ]:
        assert owner_client.get(reverse(name, args=args)).status_code == 404, name
    assert (
        owner_client.post(
            reverse("admin:settlement_rebuild", args=[other_owner_store.pk]),
            {"start": "2025-01-01", "end": "2025-01-02"},
        ).status_code
        == 404
    )


@pytest.mark.django_db
def test_another_stores_settlement_id_under_my_store_is_404(owner_client, store, other_owner_store):
    theirs = Settlement.objects.create(
        store=other_owner_store, period_start=date(2025, 1, 2), period_end=date(2025, 2, 1)
    )
    url = reverse("admin:settlement_settlement_detail", args=[store.pk, theirs.pk])
    assert owner_client.get(url).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("period", ["daily", "weekly", "monthly"])
@pytest.mark.parametrize("clock", REPORT_DAYS, indirect=True)
def test_product_sales_table_and_csv(clock, owner_client, store, sales, period):
    day = sales - timedelta(days=1)
    url = reverse("admin:settlement_products", args=[store.pk])
    response = owner_client.get(url, {"period": period, "date": day.isoformat()})
    assert response.status_code == 200
    rows = {r.name: r for r in response.context["rows"]}
    start, end = response.context["start"], response.context["end"]
    # sale days are today-10 .. today (built up to yesterday, today live when the period reaches it)
    sold = {sales - timedelta(days=back) for back in range(0, 11)}
    days = sum(1 for n in range((end - start).days + 1) if start + timedelta(days=n) in sold)
    assert rows["메뉴5"].quantity == 6 * days and rows["메뉴0"].net_amount == 1000 * days

    csv_response = owner_client.get(url, {"period": period, "date": day.isoformat(), "format": "csv"})
    assert csv_response["Content-Type"].startswith("text/csv")
    text = csv_response.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("기간 시작")
    assert f"메뉴5,{6 * days},{36_000 * days}" in text


@pytest.mark.django_db
def test_product_sales_bad_input_is_a_400_not_a_500(owner_client, store):
    url = reverse("admin:settlement_products", args=[store.pk])
    assert owner_client.get(url, {"period": "yearly", "date": "nope"}).status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize("clock", REPORT_DAYS, indirect=True)
def test_settlement_list_detail_and_csv(clock, owner_client, store, sales):
    store.settlement_day = 28
    store.save()
    day = sales - timedelta(days=1)
    from apps.settlement.services import settlement_period_for

    _start, end = settlement_period_for(store, day)
    settlement = settlement_refresh(store, end)
    response = owner_client.get(reverse("admin:settlement_list", args=[store.pk]))
    assert response.status_code == 200 and settlement in response.context["settlements"]
    detail = owner_client.get(reverse("admin:settlement_settlement_detail", args=[store.pk, settlement.pk]))
    assert detail.status_code == 200
    assert {line.method_name for line in detail.context["lines"]} == {"현금", "카드"}
    csv_text = owner_client.get(
        reverse("admin:settlement_settlement_detail", args=[store.pk, settlement.pk]), {"format": "csv"}
    ).content.decode("utf-8-sig")
    assert f"합계,,{settlement.payment_count},{settlement.gross_amount}" in csv_text
    assert settlement.net_payout == settlement.gross_amount - settlement.refund_amount - settlement.fee_amount


@pytest.mark.django_db
@pytest.mark.parametrize("clock", REPORT_DAYS, indirect=True)
def test_business_day_close_page(clock, owner_client, store, sales):
    response = owner_client.get(reverse("admin:settlement_close", args=[store.pk]), {"date": sales.isoformat()})
    assert response.status_code == 200 and response.context["report"].figures.net_amount == 91_000
    # without a date it is today's close: the store's business date (before the cutoff, yesterday's)
    report = owner_client.get(reverse("admin:settlement_close", args=[store.pk])).context["report"]
    assert (report.business_date, report.figures.net_amount) == (sales, 91_000)
    assert owner_client.get(reverse("admin:settlement_close", args=[store.pk]), {"date": "x"}).status_code == 400


@pytest.mark.django_db
def test_rebuild_a_date_range_from_the_admin(clock, owner_client, store, sales):
    url = reverse("admin:settlement_rebuild", args=[store.pk])
    DailySummary.objects.filter(store=store).delete()
    response = owner_client.post(url, {"start": (sales - timedelta(days=3)).isoformat(), "end": sales.isoformat()})
    assert response.status_code == 302
    assert DailySummary.objects.filter(store=store).count() == 4
    bad = owner_client.post(url, {"start": sales.isoformat(), "end": (sales - timedelta(days=3)).isoformat()})
    assert bad.status_code == 400 and DailySummary.objects.filter(store=store).count() == 4


@pytest.mark.django_db
def test_daily_summary_admin_action_rebuilds_selected_days(clock, owner_client, store, sales):
    rows = list(DailySummary.objects.filter(store=store).order_by("business_date")[:2])
    DailySummary.objects.filter(pk=rows[0].pk).update(net_amount=1)
    response = owner_client.post(
        reverse("admin:settlement_dailysummary_changelist"),
        {"action": "rebuild_days", "_selected_action": [r.pk for r in rows]},
    )
    assert response.status_code == 302
    assert DailySummary.objects.get(store=store, business_date=rows[0].business_date).net_amount != 1


@pytest.mark.django_db
def test_report_query_counts_stay_bounded(clock, owner_client, store, sales, django_assert_max_num_queries):
    from apps.settlement.services import settlement_period_for

    settlement = settlement_refresh(store, settlement_period_for(store, sales - timedelta(days=1))[1])
    pages = [
        (reverse("admin:settlement_dashboard", args=[store.pk]), {}),
        (reverse("admin:settlement_products", args=[store.pk]), {"period": "monthly"}),
        (reverse("admin:settlement_products", args=[store.pk]), {"period": "monthly", "format": "csv"}),
        (reverse("admin:settlement_list", args=[store.pk]), {}),
        (reverse("admin:settlement_settlement_detail", args=[store.pk, settlement.pk]), {}),
        (reverse("admin:settlement_close", args=[store.pk]), {}),
    ]
    # The admin reads the owner's stores' timezone once a minute (cached): warm it as a browsing
    # owner has, so the budget measures the report pages themselves.
    owner_client.get(reverse("admin:settlement_reports"))
    for url, params in pages:
        with django_assert_max_num_queries(14):
            assert owner_client.get(url, params).status_code == 200
