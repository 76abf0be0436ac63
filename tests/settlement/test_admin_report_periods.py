"""Every report period the owner may type is valid or answered with a clear Korean message (the
`?period=day` of issue 20 was a bare "day 이/가 선택가능항목에 없습니다"); reports are one click
from the admin's header; the CSV export stays."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import StoreFactory

from . import factories as fx

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("typed", "period"), [("day", "daily"), ("week", "weekly"), ("month", "monthly")])
def test_a_short_period_name_is_the_same_report(clock, owner_client, store, typed, period):
    fx.sale(store, clock, [(fx.product(store), 2, 4500, 0)])
    url = reverse("admin:settlement_products", args=[store.pk])
    response = owner_client.get(url, {"period": typed, "date": "2026-12-07"})
    assert response.status_code == 200
    assert response.context["period"] == period
    assert [r.quantity for r in response.context["rows"]] == [2]


def test_an_unknown_period_is_a_clear_korean_form_error(owner_client, store):
    url = reverse("admin:settlement_products", args=[store.pk])
    response = owner_client.get(url, {"period": "yearly"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "기간은 일별, 주별(월~일), 월별 중 하나를 고르세요." in html
    assert "선택가능항목" not in html and "이/가" not in html
    # the page is the report page with its form, not a bare error
    assert 'name="period"' in html and "상품별 매출" in html


def test_a_date_that_is_not_a_date_says_how_to_write_it(owner_client, store):
    response = owner_client.get(reverse("admin:settlement_close", args=[store.pk]), {"date": "어제"})
    assert response.status_code == 400
    assert "영업일은 2026-11-30처럼 연-월-일로 입력하세요." in response.content.decode()


def test_the_csv_export_is_kept(clock, owner_client, store):
    fx.sale(store, clock, [(fx.product(store, "라떼"), 1, 4500, 0)])
    url = reverse("admin:settlement_products", args=[store.pk])
    response = owner_client.get(url, {"period": "week", "date": "2026-12-07", "format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "라떼" in response.content.decode("utf-8-sig")


def test_reports_are_one_click_from_the_header(owner_client, store):
    # the header links the reports on every admin page
    html = owner_client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:settlement_reports") in html
    # and an owner with one store lands on that store's report at once
    response = owner_client.get(reverse("admin:settlement_reports"))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:settlement_dashboard", args=[store.pk])


def test_an_owner_with_several_stores_picks_one(owner_client, store):
    other = StoreFactory(owner=store.owner, name="2호점")
    response = owner_client.get(reverse("admin:settlement_reports"))
    html = response.content.decode()
    assert response.status_code == 200
    assert reverse("admin:settlement_dashboard", args=[store.pk]) in html
    assert reverse("admin:settlement_dashboard", args=[other.pk]) in html
