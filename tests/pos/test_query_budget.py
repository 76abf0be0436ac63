"""Query budget of the POS page with a full cart (issue 18): the menu, the device and the cart's
listings and discounts come from their caches, so ten lines cost what one does."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.catalog.factories import ProductFactory
from tests.inventory.factories import StoreProductFactory

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def _add(client, product):
    response = client.post(reverse("pos:cart_add"), {"product_id": product.pk}, **HX)
    assert response.status_code == 200, response.content.decode()[:500]


def _products(store, count):
    products = [ProductFactory(owner=store.owner, name=f"상품{n}", base_price=1000 + n) for n in range(count)]
    for product in products:
        StoreProductFactory(store=store, product=product)
    return products


def test_pos_page_with_a_ten_line_cart_within_ten_queries(pos_client, store, shift, django_assert_max_num_queries):
    # given a cart of ten lines
    for product in _products(store, 10):
        _add(pos_client, product)
    pos_client.get("/pos/")  # a worker that has drawn the page once
    # when / then
    with django_assert_max_num_queries(4):
        response = pos_client.get("/pos/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "상품0" in html and "상품9" in html


def test_pos_page_cost_does_not_grow_with_the_cart(pos_client, store, shift):
    products = _products(store, 10)
    _add(pos_client, products[0])
    pos_client.get("/pos/")
    with CaptureQueriesContext(connection) as one_line:
        pos_client.get("/pos/")
    for product in products[1:]:
        _add(pos_client, product)
    with CaptureQueriesContext(connection) as ten_lines:
        pos_client.get("/pos/")
    assert len(ten_lines) == len(one_line)
