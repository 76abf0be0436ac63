"""Guided product setup: one product form adds the product with its option groups inline and lists
it in the owner's stores (all or chosen) with an optional price per store; the change list shows
each store's sale state; "판매 재개" on a tracked product with no stock says why instead of
claiming success."""

from __future__ import annotations

import html

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from apps.catalog.models import Product, ProductOptionGroup
from apps.inventory.models import StoreProduct
from apps.inventory.selectors import menu_for_store
from tests.catalog.factories import OptionFactory, OptionGroupFactory
from tests.factories import OwnerFactory, StoreFactory
from tests.inventory.factories import StoreProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(client):
    owner = OwnerFactory(email="setup.owner@example.com")
    client.force_login(owner)
    client.cookies["django_language"] = "ko"
    return owner


@pytest.fixture
def stores(owner):
    return StoreFactory(owner=owner, name="강남점"), StoreFactory(owner=owner, name="홍대점")


@pytest.fixture
def size(owner):
    group = OptionGroupFactory(owner=owner, name="사이즈", min_choices=1, max_choices=1, required=True)
    OptionFactory(group=group, name="톨", price_delta=0)
    OptionFactory(group=group, name="그란데", price_delta=500)
    return group


def _product_form(**extra) -> dict:
    data = {
        "name": "카페라떼",
        "name_en": "Cafe latte",
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
        "productoptiongroup_set-0-group": "",
        "productoptiongroup_set-0-sort_order": "0",
    }
    data.update(extra)
    return data


def test_a_new_product_is_offered_to_every_store_of_the_owner(client, owner, stores):
    response = client.get(reverse("admin:catalog_product_add"))
    form = response.context["adminform"].form
    for store in stores:
        assert form[f"sell_in_{store.pk}"].initial is True
        assert form[f"price_in_{store.pk}"].initial is None
    page = response.content.decode()
    assert "강남점에서 판매" in page and "홍대점 가격(원)" in page


def test_one_save_adds_the_product_with_its_size_option_and_lists_it_in_the_chosen_store(client, owner, stores, size):
    gangnam, hongdae = stores
    # when the owner fills in one form: a size option group, sold in 강남점 at 5,000원, not in 홍대점
    response = client.post(
        reverse("admin:catalog_product_add"),
        _product_form(
            **{
                "productoptiongroup_set-0-group": str(size.pk),
                f"sell_in_{gangnam.pk}": "on",
                f"price_in_{gangnam.pk}": "5000",
                f"price_in_{hongdae.pk}": "",
            }
        ),
    )
    # then the product, its option group and the listing are saved together
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    product = Product.objects.get(owner=owner, name="카페라떼")
    assert list(ProductOptionGroup.objects.filter(product=product).values_list("group__name", flat=True)) == ["사이즈"]
    listing = StoreProduct.objects.get(product=product)
    assert (listing.store, listing.price_override, listing.is_listed) == (gangnam, 5000, True)
    # and it is on 강남점's kiosk menu at once, with its sizes; not on 홍대점's
    item = menu_for_store(gangnam, channel="KIOSK").item(product.pk)
    assert item is not None and item.listing.unit_price == 5000
    assert [o.name for g in item.listing.option_groups for o in g.options] == ["톨", "그란데"]
    assert menu_for_store(hongdae, channel="KIOSK").item(product.pk) is None


def test_the_same_form_moves_the_product_between_stores_and_keeps_the_base_price_when_empty(client, owner, stores):
    gangnam, hongdae = stores
    product = Product.objects.create(owner=owner, name="스콘", base_price=3000)
    StoreProductFactory(store=gangnam, product=product, price_override=3500)
    data = _product_form(name="스콘", base_price="3000", **{f"sell_in_{hongdae.pk}": "on"})
    response = client.post(reverse("admin:catalog_product_change", args=[product.pk]), data)
    assert response.status_code == 302
    rows = {row.store: row for row in StoreProduct.objects.filter(product=product)}
    assert rows[gangnam].is_listed is False
    assert rows[hongdae].is_listed is True and rows[hongdae].price_override is None


def test_the_change_list_shows_each_stores_sale_state(client, owner, stores):
    gangnam, hongdae = stores
    product = Product.objects.create(owner=owner, name="아메리카노", base_price=4000)
    StoreProductFactory(store=gangnam, product=product, price_override=4500)
    StoreProductFactory(store=hongdae, product=product, is_sold_out=True)
    page = client.get(reverse("admin:catalog_product_changelist")).content.decode()
    assert "강남점 · 4,500원" in page
    assert "홍대점 · 품절" in page
    assert "4,000원" in page  # the base price column in won


def test_resuming_sale_of_a_tracked_product_with_no_stock_says_why_and_offers_the_stock_form(client, owner, stores):
    gangnam, _hongdae = stores
    product = Product.objects.create(owner=owner, name="케이크", base_price=6000)
    listing = StoreProductFactory(store=gangnam, product=product, is_sold_out=True, track_stock=True, stock_quantity=0)
    # when the owner picks "판매 재개" on it
    response = client.post(
        reverse("admin:inventory_storeproduct_changelist"),
        {"action": "mark_available", "_selected_action": [listing.pk], "index": 0},
    )
    # then no success is claimed: the message says it still cannot be sold and links the stock form
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert not any("해제했습니다" in t or "다시 판매합니다" in t for t in texts), texts
    warning = html.unescape(next(t for t in texts if "재고가 0개" in t))
    assert "'케이크' (강남점)은 재고가 0개라 아직 판매할 수 없습니다." in warning
    assert reverse("admin:inventory_storeproduct_change", args=[listing.pk]) + "#id_stock_quantity" in warning


@pytest.mark.parametrize(
    ("listing_kwargs", "product_active", "says", "fix"),
    [
        ({"is_listed": False}, True, "진열되어 있지 않아 판매할 수 없습니다.", "#id_is_listed"),
        ({}, False, "보관된 상품이라 판매할 수 없습니다.", "/admin/catalog/product/"),
    ],
    ids=["not-listed", "archived"],
)
def test_resuming_sale_of_something_else_unsellable_says_why(
    client, owner, stores, listing_kwargs, product_active, says, fix
):
    gangnam, _hongdae = stores
    product = Product.objects.create(owner=owner, name="머핀", base_price=3500, is_active=product_active)
    listing = StoreProductFactory(store=gangnam, product=product, is_sold_out=True, **listing_kwargs)
    response = client.post(
        reverse("admin:inventory_storeproduct_changelist"),
        {"action": "mark_available", "_selected_action": [listing.pk], "index": 0},
    )
    texts = [html.unescape(str(m)) for m in get_messages(response.wsgi_request)]
    assert not any("다시 판매합니다" in t for t in texts), texts
    assert any(says in t and fix in t for t in texts), texts


def test_resuming_sale_of_a_sellable_listing_says_so(client, owner, stores):
    gangnam, _hongdae = stores
    product = Product.objects.create(owner=owner, name="쿠키", base_price=2000)
    listing = StoreProductFactory(store=gangnam, product=product, is_sold_out=True)
    response = client.post(
        reverse("admin:inventory_storeproduct_changelist"),
        {"action": "mark_available", "_selected_action": [listing.pk], "index": 0},
    )
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["1개 상품을 다시 판매합니다."]
    listing.refresh_from_db()
    assert listing.is_sold_out is False
