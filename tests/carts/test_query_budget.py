"""Query budgets of the cart API's hot path (issue 18), and that its caches never serve stale data.

Warm: the device, the store's listings and discount rules are cached under their versions after the
first request, as in a long-running worker. Cold: the first request after a change reads the
database again and must see the change.
"""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.catalog import services as catalog_services
from apps.catalog.models import Category
from apps.discounts.models import Discount
from apps.inventory import services as inventory
from apps.stores.services import device_revoke
from tests.carts.factories import coffee_with_options, listed_product

pytestmark = pytest.mark.django_db


class Api:
    def __init__(self, client, device):
        self.client = client
        self.auth = {"HTTP_AUTHORIZATION": f"Device {device.raw_token}"}

    def post(self, url, body=None):
        return self.client.post(url, data=json.dumps(body or {}), content_type="application/json", **self.auth)

    def get(self, url):
        return self.client.get(url, **self.auth)

    def new_cart(self) -> str:
        response = self.post("/api/carts")
        assert response.status_code == 201, response.content
        return response.json()["cartId"]

    def add(self, cart_id, product_id, **body):
        response = self.post(f"/api/carts/{cart_id}/items", {"productId": product_id, **body})
        assert response.status_code == 201, response.content
        return response.json()


@pytest.fixture
def api(client, kiosk_device):
    return Api(client, kiosk_device)


@pytest.fixture
def menu(store):
    """Ten products, one with options and one that tracks stock, and an automatic discount."""
    products = [listed_product(store, f"메뉴 {n}", 1000 + n * 100) for n in range(8)]
    products.append(coffee_with_options(store))
    products.append(listed_product(store, "한정 케이크", 6000, track_stock=True, stock=50))
    Discount.objects.create(store=store, name="상시 100원", scope="ORDER", kind="AMOUNT", value=100)
    return products


def _line_body(item):
    if item.options:
        return {"optionIds": [item.options["R"].pk]}
    return {}


def test_create_cart_within_two_queries(api, menu, django_assert_max_num_queries):
    # given a warm worker (one request made)
    api.new_cart()
    # when / then
    with django_assert_max_num_queries(2):
        api.new_cart()


@pytest.mark.parametrize("lines_before", [0, 9])
def test_add_item_within_four_queries_whatever_the_cart_length(api, menu, lines_before, django_assert_max_num_queries):
    # given a cart with 0 or 9 lines (10 after the add), every product read once
    cart_id = api.new_cart()
    for item in menu[:lines_before]:
        api.add(cart_id, item.product.pk, **_line_body(item))
    warm = api.new_cart()
    api.add(warm, menu[-1].product.pk)
    target = menu[lines_before]
    # when
    with django_assert_max_num_queries(4):
        body = api.add(cart_id, target.product.pk, **_line_body(target))
    # then
    assert len(body["lines"]) == lines_before + 1
    assert body["totals"]["discount"] == 100


def test_add_item_cost_does_not_grow_with_the_cart(api, menu):
    # given a warm worker
    cart_id = api.new_cart()
    api.add(cart_id, menu[0].product.pk)
    counts = []
    # when each of the other products that do not track stock is added
    for item in menu[1:9]:
        with CaptureQueriesContext(connection) as captured:
            api.add(cart_id, item.product.pk, **_line_body(item))
        counts.append(len(captured))
    # then the 2nd line costs what the 9th does (a product that tracks stock adds one stock read)
    assert len(set(counts)) == 1, counts


def test_cold_path_prices_like_the_warm_one(api, menu):
    # given nothing cached yet
    cart_id = api.new_cart()
    # when the same cart is read cold and warm
    cold = api.add(cart_id, menu[8].product.pk, optionIds=[menu[8].options["L"].pk])
    warm = api.get(f"/api/carts/{cart_id}").json()
    # then both show the option's price and the discount
    assert cold["lines"] == warm["lines"]
    assert cold["totals"] == warm["totals"] == {**cold["totals"], "gross": 5500, "discount": 100, "total": 5400}


def test_a_price_edit_is_seen_on_the_next_request(api, menu):
    # given a warm cart with a product
    cart_id = api.new_cart()
    api.add(cart_id, menu[0].product.pk)
    # when the owner changes the product's price (the admin saves the model)
    product = menu[0].product
    product.base_price = 9900
    product.save()
    # then
    assert api.get(f"/api/carts/{cart_id}").json()["lines"][0]["unitPrice"] == 9900


def test_a_store_price_override_is_seen_on_the_next_request(api, menu, store):
    cart_id = api.new_cart()
    api.add(cart_id, menu[0].product.pk)
    # when the store overrides the price through the service
    inventory.listing_update(menu[0].listing, price_override=700)
    # then
    assert api.get(f"/api/carts/{cart_id}").json()["lines"][0]["unitPrice"] == 700


def test_a_sold_out_listing_is_refused_on_the_next_request(api, menu, store):
    cart_id = api.new_cart()
    api.add(cart_id, menu[1].product.pk)
    # when the cashier marks it sold out
    inventory.listings_set_sold_out(store, [menu[1].listing.pk], sold_out=True)
    # then adding it again is refused and the line shows as unavailable
    response = api.post(f"/api/carts/{cart_id}/items", {"productId": menu[1].product.pk})
    assert response.status_code == 409 and response.json()["error"]["code"] == "SOLD_OUT"
    assert api.get(f"/api/carts/{cart_id}").json()["lines"][0]["available"] is False


def test_an_option_sold_out_in_the_store_is_refused_on_the_next_request(api, menu, store):
    latte = menu[8]
    cart_id = api.new_cart()
    api.add(cart_id, latte.product.pk, optionIds=[latte.options["R"].pk, latte.options["샷"].pk])
    # when the shot runs out in this store
    inventory.option_set_sold_out(store, latte.options["샷"], sold_out=True)
    # then
    response = api.post(
        f"/api/carts/{cart_id}/items",
        {"productId": latte.product.pk, "optionIds": [latte.options["L"].pk, latte.options["샷"].pk]},
    )
    assert response.status_code == 409 and response.json()["error"]["code"] == "OPTION_SOLD_OUT"


def test_a_new_option_price_is_seen_on_the_next_request(api, menu):
    latte = menu[8]
    cart_id = api.new_cart()
    api.add(cart_id, latte.product.pk, optionIds=[latte.options["L"].pk])
    # when the owner edits the option
    option = latte.options["L"]
    option.price_delta = 800
    option.save()
    # then
    assert api.get(f"/api/carts/{cart_id}").json()["totals"]["gross"] == 5800


def test_stock_is_read_fresh_not_from_the_cache(api, menu, store):
    cake = menu[9]
    cart_id = api.new_cart()
    api.add(cart_id, cake.product.pk)
    # when stock drops without crossing zero (no menu version change)
    inventory.stock_set(cake.listing, 2)
    # then asking for more than is left is refused at once
    response = api.post(f"/api/carts/{cart_id}/items", {"productId": cake.product.pk, "qty": 2})
    assert response.status_code == 409 and response.json()["error"]["code"] == "OUT_OF_STOCK"


def test_a_new_or_ended_discount_is_seen_on_the_next_request(api, menu, store):
    cart_id = api.new_cart()
    api.add(cart_id, menu[0].product.pk)
    # when a product discount is added
    discount = Discount.objects.create(
        store=store, name="메뉴0 300원", scope="PRODUCT", kind="AMOUNT", value=300, product=menu[0].product
    )
    assert api.get(f"/api/carts/{cart_id}").json()["totals"]["discount"] == 400
    # and then switched off
    discount.is_active = False
    discount.save()
    assert api.get(f"/api/carts/{cart_id}").json()["totals"]["discount"] == 100
    # and the order discount deleted
    Discount.objects.filter(store=store, scope="ORDER").delete()
    assert api.get(f"/api/carts/{cart_id}").json()["totals"]["discount"] == 0


def test_a_category_moved_under_a_discounted_one_is_seen(api, menu, store, owner):
    # given a category discount on "음료" and a product in "커피", not yet under it
    drinks = Category.objects.create(owner=owner, name="음료")
    coffee = Category.objects.create(owner=owner, name="커피")
    menu[0].product.categories.add(coffee)
    Discount.objects.create(store=store, name="음료 10%", scope="CATEGORY", kind="PERCENT", value=10, category=drinks)
    cart_id = api.new_cart()
    api.add(cart_id, menu[0].product.pk)
    assert api.get(f"/api/carts/{cart_id}").json()["totals"]["discount"] == 100
    # when "커피" moves under "음료"
    coffee.parent = drinks
    coffee.save()
    # then the category discount applies (10% of 1,000원 + the 100원 order discount)
    assert api.get(f"/api/carts/{cart_id}").json()["totals"]["discount"] == 200


def test_a_newly_listed_or_archived_product_is_seen_on_the_next_request(api, menu, store):
    cart_id = api.new_cart()
    api.add(cart_id, menu[0].product.pk)
    # when the owner lists a new product
    scone = listed_product(store, "스콘", 3200)
    # then it can be added at once
    assert api.add(cart_id, scone.product.pk)["lines"][-1]["unitPrice"] == 3200
    # and when the first product is archived, adding it is refused
    catalog_services.product_archive(menu[0].product)
    response = api.post(f"/api/carts/{cart_id}/items", {"productId": menu[0].product.pk})
    assert response.status_code == 409 and response.json()["error"]["code"] == "SOLD_OUT"


def test_a_revoked_device_is_refused_on_the_next_request(api, kiosk_device):
    api.new_cart()
    # when the owner revokes the kiosk
    device_revoke(kiosk_device)
    # then its token no longer works, though the device was cached
    assert api.post("/api/carts").status_code == 401


def test_a_device_moved_to_another_kind_is_seen(api, kiosk_device, store):
    cart_id = api.new_cart()
    # when the store's timezone changes (the device's store is cached with it)
    store.name = "새 이름"
    store.save()
    kiosk_device.kind = "KITCHEN"
    kiosk_device.save()
    # then the cart API refuses a kitchen display
    assert api.get(f"/api/carts/{cart_id}").status_code == 403
