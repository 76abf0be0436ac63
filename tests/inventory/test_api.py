"""The seed's JSON endpoints: owner session, CSRF enforced, JSON errors, tenancy."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client

from apps.catalog.models import Product
from apps.inventory.models import StoreProduct
from apps.stores.models import Store
from tests.catalog.factories import CategoryFactory, OptionFactory, OptionGroupFactory, ProductFactory, image_bytes
from tests.factories import OwnerFactory, StoreFactory
from tests.inventory.factories import StoreProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(owner):
    """A browser-like client: CSRF is enforced and the token sent back as X-CSRFToken."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    token = _get_new_csrf_string()
    client.cookies["csrftoken"] = token
    client.defaults["HTTP_X_CSRFTOKEN"] = token
    return client


def _error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["error"]["code"] == code and body["error"]["message"]
    return body


def test_create_inventory_returns_its_id(api, owner):
    response = api.post(
        "/api/inventories",
        json.dumps({"name": "성수점", "businessNumber": "123-45-67891", "cutoffHour": 5}),
        content_type="application/json",
    )
    assert response.status_code == 201
    store = Store.objects.get(pk=response.json()["inventoryId"])
    assert (store.owner, store.name, store.cutoff_hour) == (owner, "성수점", 5)


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ("not json", 400, "MALFORMED_JSON"),
        ("[1, 2]", 400, "MALFORMED_JSON"),
        (json.dumps({"businessNumber": "123-45-67891"}), 422, "INVALID_FIELD"),
        (json.dumps({"name": "x", "businessNumber": "12"}), 422, "INVALID_FIELD"),
        (json.dumps({"name": "x", "businessNumber": "123-45-67891", "cutoffHour": 30}), 422, "INVALID_FIELD"),
        (json.dumps({"name": "x", "businessNumber": "123-45-67891", "timezone": "Mars/Base"}), 422, "INVALID_FIELD"),
    ],
)
def test_create_inventory_bad_input(api, body, status, code):
    _error(api.post("/api/inventories", body, content_type="application/json"), status, code)
    assert not Store.objects.exists()


def test_unauthenticated_is_401_json(store):
    client = Client(enforce_csrf_checks=True)
    _error(client.post("/api/inventories", "{}", content_type="application/json"), 401, "UNAUTHENTICATED")
    _error(client.get(f"/api/inventories/{store.pk}/products"), 401, "UNAUTHENTICATED")
    _error(client.delete(f"/api/inventories/{store.pk}/products/1"), 401, "UNAUTHENTICATED")


def test_csrf_is_enforced_with_a_json_error(owner, store):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    body = json.dumps({"name": "x", "businessNumber": "123-45-67891"})
    _error(client.post("/api/inventories", body, content_type="application/json"), 403, "CSRF_FAILED")
    _error(client.post(f"/api/inventories/{store.pk}/products", {"data": "{}"}), 403, "CSRF_FAILED")
    listing = StoreProductFactory(store=store)
    _error(client.delete(f"/api/inventories/{store.pk}/products/{listing.product_id}"), 403, "CSRF_FAILED")
    assert Store.objects.count() == 1
    assert StoreProduct.objects.get().is_listed


def test_wrong_method_is_405_json(api, store):
    _error(api.get("/api/inventories"), 405, "METHOD_NOT_ALLOWED")
    _error(api.put(f"/api/inventories/{store.pk}/products"), 405, "METHOD_NOT_ALLOWED")


def test_list_products_of_my_store(api, store):
    latte = StoreProductFactory(store=store, product=ProductFactory(owner=store.owner, name="라떼", base_price=5000))
    StoreProductFactory(store=store, product=ProductFactory(owner=store.owner, name="내린 상품"), is_listed=False)
    response = api.get(f"/api/inventories/{store.pk}/products")
    assert response.status_code == 200
    products = response.json()["products"]
    assert [(p["productId"], p["name"], p["price"], p["available"]) for p in products] == [
        (latte.product_id, "라떼", 5000, True)
    ]


def test_create_product_multipart_with_image(api, store, django_capture_on_commit_callbacks):
    owner = store.owner
    category = CategoryFactory(owner=owner, name="커피")
    size = OptionGroupFactory(owner=owner, name="사이즈", required=True, min_choices=1)
    OptionFactory(group=size, name="레귤러")
    data = {
        "name": "아메리카노",
        "nameEn": "Americano",
        "price": 4500,
        "storePrice": 4800,
        "categoryIds": [category.pk],
        "optionGroupIds": [size.pk],
        "recommendedRank": 1,
    }
    image = SimpleUploadedFile("a.jpg", image_bytes("JPEG", (600, 600)), content_type="image/jpeg")
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/inventories/{store.pk}/products", {"data": json.dumps(data), "image": image})
    assert response.status_code == 201, response.content
    body = response.json()
    product = Product.objects.get(pk=body["productId"])
    assert (product.owner, product.name, product.base_price) == (owner, "아메리카노", 4500)
    assert (body["price"], body["recommendedRank"], body["categoryIds"]) == (4800, 1, [category.pk])
    assert body["optionGroups"][0]["name"] == "사이즈"
    product.refresh_from_db()
    assert product.image_status == "READY" and product.thumbnail.name
    assert StoreProduct.objects.get(store=store, product=product).is_listed


@pytest.mark.parametrize(
    ("data", "image", "status", "code"),
    [
        (None, None, 422, "MISSING_DATA"),
        ("{oops", None, 400, "MALFORMED_JSON"),
        (json.dumps({"price": 1000}), None, 422, "INVALID_FIELD"),  # no name
        (json.dumps({"name": "x"}), None, 422, "INVALID_FIELD"),  # no price
        (json.dumps({"name": "x", "price": -1}), None, 422, "INVALID_FIELD"),
        (json.dumps({"name": "x", "price": 10.5}), None, 422, "INVALID_FIELD"),
        (json.dumps({"name": "x", "price": "1000"}), None, 422, "INVALID_FIELD"),
        (json.dumps({"name": "x", "price": 1000, "taxType": "VAT"}), None, 422, "INVALID_FIELD"),
        (json.dumps({"name": "x", "price": 1000, "storePrice": -5}), None, 422, "INVALID_FIELD"),
        (json.dumps({"name": "x", "price": 1000, "stock": -1, "trackStock": True}), None, 422, "INVALID_QUANTITY"),
        (json.dumps({"name": "x", "price": 1000, "categoryIds": [999999]}), None, 422, "INVALID_FIELD"),
        (json.dumps({"name": "x", "price": 1000}), ("x.png", b"not an image"), 422, "INVALID_IMAGE"),
        (json.dumps({"name": "x", "price": 1000}), ("x.gif", image_bytes("GIF")), 422, "INVALID_IMAGE"),
    ],
)
def test_create_product_bad_input_leaves_nothing_behind(api, store, data, image, status, code):
    payload = {}
    if data is not None:
        payload["data"] = data
    if image is not None:
        payload["image"] = SimpleUploadedFile(image[0], image[1])
    _error(api.post(f"/api/inventories/{store.pk}/products", payload), status, code)
    assert not Product.objects.exists() and not StoreProduct.objects.exists()


def test_duplicate_sku_is_409(api, store):
    ProductFactory(owner=store.owner, sku="AMR-1")
    data = json.dumps({"name": "x", "price": 1000, "sku": "AMR-1"})
    _error(api.post(f"/api/inventories/{store.pk}/products", {"data": data}), 409, "DUPLICATE_SKU")


def test_categories_of_another_owner_are_refused(api, store):
    foreign = CategoryFactory()
    data = json.dumps({"name": "x", "price": 1000, "categoryIds": [foreign.pk]})
    _error(api.post(f"/api/inventories/{store.pk}/products", {"data": data}), 422, "INVALID_FIELD")


def test_delete_unlists_only(api, store):
    listing = StoreProductFactory(store=store)
    response = api.delete(f"/api/inventories/{store.pk}/products/{listing.product_id}")
    assert response.status_code == 200 and response.json()["listed"] is False
    listing.refresh_from_db()
    assert listing.is_listed is False
    assert Product.objects.filter(pk=listing.product_id).exists()
    assert api.get(f"/api/inventories/{store.pk}/products").json()["products"] == []
    # unlisting again, or an unknown product, is a 404
    _error(api.delete(f"/api/inventories/{store.pk}/products/{listing.product_id}"), 404, "PRODUCT_NOT_FOUND")
    _error(api.delete(f"/api/inventories/{store.pk}/products/987654"), 404, "PRODUCT_NOT_FOUND")
    # and it can be listed again by id
    response = api.post(
        f"/api/inventories/{store.pk}/products", {"data": json.dumps({"productId": listing.product_id})}
    )
    assert response.status_code == 200
    listing.refresh_from_db()
    assert listing.is_listed


def test_another_owners_store_is_404_on_every_endpoint(api):
    stranger_store = StoreFactory(owner=OwnerFactory())
    listing = StoreProductFactory(store=stranger_store)
    base = f"/api/inventories/{stranger_store.pk}/products"
    _error(api.get(base), 404, "NOT_FOUND")
    _error(api.post(base, {"data": json.dumps({"name": "x", "price": 1})}), 404, "NOT_FOUND")
    _error(api.delete(f"{base}/{listing.product_id}"), 404, "NOT_FOUND")
    _error(api.get("/api/inventories/999999/products"), 404, "NOT_FOUND")
    listing.refresh_from_db()
    assert listing.is_listed
    assert not Product.objects.filter(name="x").exists()


def test_relisting_a_product_of_another_owner_is_404(api, store):
    foreign = ProductFactory()
    response = api.post(f"/api/inventories/{store.pk}/products", {"data": json.dumps({"productId": foreign.pk})})
    _error(response, 404, "PRODUCT_NOT_FOUND")
    assert not StoreProduct.objects.exists()
