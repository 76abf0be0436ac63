"""Fuzz the owner's admin forms of issue 20: the product form with its per-store listing fields
(POST) and the report pages' period and date (GET). 200 hostile requests each: never a 5xx; a
product form that is refused lists nothing."""

from __future__ import annotations

import pytest
from django.test import Client
from hypothesis import given

from apps.inventory.models import StoreProduct
from tests.catalog.factories import OptionGroupFactory
from tests.factories import OwnerFactory, StoreFactory
from tests.fuzz.form_posts import FUZZ, check, form_requests, query_requests

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_setup():
    owner = OwnerFactory(email="fuzz.admin@example.com")
    store = StoreFactory(owner=owner)
    group = OptionGroupFactory(owner=owner)
    client = Client()
    client.force_login(owner)
    return client, store, group


def _product_form(store, group) -> dict:
    return {
        "name": "라떼",
        "name_en": "Latte",
        "description": "",
        "base_price": "4500",
        "tax_type": "TAXABLE",
        "sku": "",
        "barcode": "",
        "is_active": "on",
        "productoptiongroup_set-TOTAL_FORMS": "1",
        "productoptiongroup_set-INITIAL_FORMS": "0",
        "productoptiongroup_set-MIN_NUM_FORMS": "0",
        "productoptiongroup_set-MAX_NUM_FORMS": "1000",
        "productoptiongroup_set-0-group": str(group.pk),
        "productoptiongroup_set-0-sort_order": "0",
        f"sell_in_{store.pk}": "on",
        f"price_in_{store.pk}": "5000",
    }


def test_the_product_form_never_answers_5xx(owner_setup):
    client, store, group = owner_setup

    @FUZZ
    @given(request=form_requests(_product_form(store, group)))
    def run(request):
        listed_before = StoreProduct.objects.count()
        response = check(client, "POST", "/admin/catalog/product/add/", request, endpoint="admin_product_add")
        if response.status_code != 302:
            # a refused form (shown again with its errors) lists the product nowhere
            assert StoreProduct.objects.count() == listed_before

    run()


@pytest.mark.parametrize("page", ["products", "close"])
def test_the_report_pages_never_answer_5xx(owner_setup, page):
    client, store, _group = owner_setup
    path = f"/admin/settlement/settlement/reports/{store.pk}/{page}/"
    valid = {"period": "weekly", "date": "2026-11-30"} if page == "products" else {"date": "2026-11-30"}

    @FUZZ
    @given(request=query_requests(valid))
    def run(request):
        response = check(client, "GET", path, request, endpoint=f"admin_report_{page}")
        assert response.status_code in (200, 302, 400), response.status_code

    run()
