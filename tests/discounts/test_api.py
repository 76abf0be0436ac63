"""POST /api/discounts/owner/create: the owner seeds a discount; errors are JSON 4xx."""

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client

from apps.discounts.models import Discount
from tests.factories import OwnerFactory, StoreFactory

from .factories import make_category, make_product

URL = "/api/discounts/owner/create"
NO_STORE_BODY = {"name": "x", "kind": "PERCENT", "value": 10}


def post(client, body, **extra):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(URL, data=data, content_type="application/json", **extra)


@pytest.mark.django_db
def test_create_order_discount(owner_client, store):
    response = post(owner_client, {"storeId": store.pk, "name": "오픈 기념", "kind": "PERCENT", "value": 10})
    assert response.status_code == 201
    discount = Discount.objects.get(pk=response.json()["discountId"])
    assert (discount.store, discount.scope, discount.kind, discount.value) == (store, "ORDER", "PERCENT", 10)


@pytest.mark.django_db
def test_create_product_and_category_discounts_with_period(owner_client, store, owner):
    product = make_product(owner)
    category = make_category(owner)
    r1 = post(
        owner_client,
        {
            "storeId": store.pk,
            "productId": product.pk,
            "name": "아메리카노 천원 할인",
            "kind": "AMOUNT",
            "value": 1000,
            "startsAt": "2024-03-01T09:00:00",  # no offset: the store's wall clock
            "endsAt": "2024-03-31T15:00:00Z",
        },
    )
    r2 = post(
        owner_client, {"storeId": store.pk, "categoryId": category.pk, "name": "커피", "kind": "percent", "value": 5}
    )
    assert (r1.status_code, r2.status_code) == (201, 201)
    d1 = Discount.objects.get(pk=r1.json()["discountId"])
    assert (d1.scope, d1.product_id) == ("PRODUCT", product.pk)
    assert d1.valid_from == datetime(2024, 3, 1, 9, tzinfo=ZoneInfo("Asia/Seoul"))
    assert d1.valid_to == datetime(2024, 3, 31, 15, tzinfo=ZoneInfo("UTC"))
    assert Discount.objects.get(pk=r2.json()["discountId"]).scope == "CATEGORY"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (NO_STORE_BODY, 422, "INVALID_INPUT"),
        ({"name": "", "kind": "PERCENT", "value": 10}, 422, "INVALID_NAME"),
        ({"name": "x" * 101, "kind": "PERCENT", "value": 10}, 422, "INVALID_NAME"),
        ({"kind": "PERCENT", "value": 10}, 422, "INVALID_NAME"),
        ({"name": "x", "kind": "FREE", "value": 10}, 422, "INVALID_KIND"),
        ({"name": "x", "kind": 3, "value": 10}, 422, "INVALID_KIND"),
        ({"name": "x", "kind": "PERCENT", "value": 101}, 422, "INVALID_VALUE"),
        ({"name": "x", "kind": "AMOUNT", "value": 0}, 422, "INVALID_VALUE"),
        ({"name": "x", "kind": "AMOUNT", "value": -5}, 422, "INVALID_VALUE"),
        ({"name": "x", "kind": "AMOUNT", "value": 10.5}, 422, "INVALID_INPUT"),
        ({"name": "x", "kind": "AMOUNT", "value": "1000"}, 422, "INVALID_INPUT"),
        ({"name": "x", "kind": "AMOUNT"}, 422, "INVALID_INPUT"),
        ({"name": "x", "kind": "AMOUNT", "value": 1, "startsAt": "tomorrow"}, 422, "INVALID_INPUT"),
        (
            {"name": "x", "kind": "AMOUNT", "value": 1, "startsAt": "2024-03-02T00:00", "endsAt": "2024-03-01T00:00"},
            422,
            "INVALID_PERIOD",
        ),
        ({"name": "x", "kind": "AMOUNT", "value": 1, "productId": 99999999}, 404, "PRODUCT_NOT_FOUND"),
        ({"name": "x", "kind": "AMOUNT", "value": 1, "categoryId": 99999999}, 404, "CATEGORY_NOT_FOUND"),
    ],
)
def test_bad_values_are_json_4xx_and_write_nothing(owner_client, store, body, status, code):
    # every case but the first names the owner's own store
    if body is not NO_STORE_BODY:
        body = {"storeId": store.pk, **body}
    response = post(owner_client, body)
    assert response.status_code == status, response.content
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["message"]
    assert not Discount.objects.exists()


@pytest.mark.django_db
def test_both_product_and_category_is_422(owner_client, store, owner):
    body = {
        "storeId": store.pk,
        "productId": make_product(owner).pk,
        "categoryId": make_category(owner).pk,
        "name": "x",
        "kind": "AMOUNT",
        "value": 1,
    }
    response = post(owner_client, body)
    assert (response.status_code, response.json()["error"]["code"]) == (422, "INVALID_SCOPE")


@pytest.mark.django_db
@pytest.mark.parametrize("raw", ["{not json", "[1, 2]", b"\xff\xfe"])
def test_malformed_json_is_400(owner_client, store, raw):
    response = post(owner_client, raw)
    assert (response.status_code, response.json()["error"]["code"]) == (400, "MALFORMED_JSON")


@pytest.mark.django_db
def test_anonymous_is_401_json(client, store):
    response = post(client, {"storeId": store.pk, "name": "x", "kind": "AMOUNT", "value": 1})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "UNAUTHENTICATED"  # the owner API's one code (stores.decorators)
    assert not Discount.objects.exists()


@pytest.mark.django_db
def test_get_is_405(owner_client):
    assert owner_client.get(URL).status_code == 405


@pytest.mark.django_db
def test_tenancy_another_owners_store_product_category_are_404(owner_client, store):
    # given owner B's store, product and category
    other = OwnerFactory()
    other_store = StoreFactory(owner=other)
    other_product = make_product(other)
    other_category = make_category(other)
    base = {"name": "x", "kind": "AMOUNT", "value": 1}
    cases = [
        ({**base, "storeId": other_store.pk}, "STORE_NOT_FOUND"),
        ({**base, "storeId": store.pk, "productId": other_product.pk}, "PRODUCT_NOT_FOUND"),
        ({**base, "storeId": store.pk, "categoryId": other_category.pk}, "CATEGORY_NOT_FOUND"),
    ]
    for body, code in cases:
        response = post(owner_client, body)
        # then each looks exactly like a missing one
        assert (response.status_code, response.json()["error"]["code"]) == (404, code)
    assert not Discount.objects.exists()


@pytest.mark.django_db
def test_csrf_is_enforced_for_the_session(owner, store):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    body = {"storeId": store.pk, "name": "x", "kind": "AMOUNT", "value": 1}
    assert post(client, body).status_code == 403
    token = "a" * 32  # a CSRF secret, as the browser would hold it in its cookie
    client.cookies[settings.CSRF_COOKIE_NAME] = token
    assert post(client, body, HTTP_X_CSRFTOKEN=token).status_code == 201
