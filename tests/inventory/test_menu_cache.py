"""The menu read cached under the store's menu version (issue 18): warm it costs at most the one
query for the fresh stock; every kind of edit is seen on the next read; what the clock and the
stock decide is never frozen in the cache."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.catalog import services as catalog_services
from apps.catalog.models import Option, Product, ProductOptionGroup
from apps.core.redis import get_redis
from apps.inventory import selectors, services
from apps.inventory.models import StockMovement, StoreProduct
from apps.inventory.selectors import Unavailable
from tests.carts.factories import listed_product
from tests.catalog.factories import CategoryFactory, OptionGroupFactory

pytestmark = pytest.mark.django_db

SEOUL = ZoneInfo("Asia/Seoul")
NOW = datetime(2026, 11, 30, 15, 0, tzinfo=SEOUL)  # a Monday afternoon


@pytest.fixture(autouse=True)
def _monday_afternoon():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def cafe(store):
    """A latte with a size group in the 커피 category, and a tracked scone (5 left, low at 3)."""
    category = CategoryFactory(owner=store.owner, name="커피", sort_order=1)
    latte = listed_product(
        store,
        "라떼",
        5000,
        groups=[{"name": "사이즈", "min": 1, "max": 1, "options": [("R", 0, False), ("L", 500, False)]}],
    )
    latte.product.categories.add(category)
    scone = listed_product(store, "스콘", 3000, track_stock=True, stock=5)
    StoreProduct.objects.filter(pk=scone.listing.pk).update(low_stock_threshold=3)
    scone.listing.refresh_from_db()
    return {"category": category, "latte": latte, "scone": scone}


def _read(store, channel="KIOSK", **kwargs):
    with CaptureQueriesContext(connection) as queries:
        menu = selectors.menu_for_store(store, channel=channel, **kwargs)
    return menu, [query["sql"] for query in queries.captured_queries]


def _picture(menu) -> list:
    """What a screen draws, in its order."""
    return [
        (
            item.name,
            item.unit_price,
            item.available,
            item.listing.unavailable_reason,
            item.listing.stock,
            item.low_stock,
            item.sold_out_until,
            item.image_url,
            [(g.name, [(o.name, o.price_delta, o.available) for o in g.options]) for g in item.listing.option_groups],
        )
        for item in menu.items
    ] + [(c.name, c.product_ids) for c in menu.categories]


def test_a_warm_menu_read_is_one_query_the_fresh_stock(store, cafe):
    # given a cold cache: the menu is built from PostgreSQL (6 queries) plus the stock
    cold, cold_sql = _read(store)
    assert 1 <= len(cold_sql) <= 7
    # when the next screen asks for it
    warm, warm_sql = _read(store)
    # then exactly one query: the stock of the tracked listings, nothing else
    assert len(warm_sql) == 1
    assert 'FROM "inventory_storeproduct"' in warm_sql[0] and '"stock_quantity"' in warm_sql[0]
    assert _picture(warm) == _picture(cold)
    assert warm.version == cold.version
    scone = warm.item(cafe["scone"].product.pk)
    assert (scone.listing.stock, scone.low_stock) == (5, False)


def test_a_warm_menu_without_tracked_stock_reads_no_sql(store, cafe):
    StoreProduct.objects.filter(pk=cafe["scone"].listing.pk).delete()  # a signal bumps the version
    selectors.menu_for_store(store, channel="POS")
    menu, sql = _read(store, channel="POS")
    assert sql == []
    assert [item.name for item in menu.items] == ["라떼"]


def test_a_flushed_redis_rebuilds_the_same_menu(store, cafe):
    before, _sql = _read(store)
    get_redis().flushdb()  # a restarted Redis: no version token, no cached menu
    after, sql = _read(store)
    assert len(sql) >= 6  # built again, never served from this worker's copy of an old token
    assert _picture(after) == _picture(before)
    assert after.version != before.version


def test_one_cached_menu_serves_the_kiosk_and_the_pos_their_own_images(store, cafe):
    Product.objects.filter(pk=cafe["latte"].product.pk).update(
        thumbnail="products/thumb/latte.webp", image_large="products/large/latte.webp"
    )
    services.listing_update(cafe["latte"].listing, display_order=1)  # bump: the images are new
    kiosk, _sql = _read(store, channel="KIOSK")
    pos, sql = _read(store, channel="POS")
    assert len(sql) == 1
    latte = cafe["latte"].product.pk
    assert kiosk.item(latte).image_url.endswith("products/large/latte.webp")
    assert pos.item(latte).image_url.endswith("products/thumb/latte.webp")
    assert kiosk.item(latte).thumbnail_url == pos.item(latte).thumbnail_url


# --- every edit is seen on the next read ---------------------------------------------------------


def _item(menu, menu_product):
    return menu.item(menu_product.product.pk)


def _store_price(store, cafe):
    services.listing_update(cafe["latte"].listing, price_override=5500)
    return lambda menu: _item(menu, cafe["latte"]).unit_price == 5500


def _sold_out(store, cafe):
    services.listings_set_sold_out(store, [cafe["latte"].listing.pk], sold_out=True)
    return lambda menu: _item(menu, cafe["latte"]).listing.unavailable_reason == Unavailable.SOLD_OUT


def _sold_out_in_the_admin(store, cafe):
    listing = cafe["latte"].listing
    listing.is_sold_out = True
    listing.save()
    return lambda menu: _item(menu, cafe["latte"]).is_sold_out and not _item(menu, cafe["latte"]).available


def _back_on_sale(store, cafe):
    services.listings_set_sold_out(store, [cafe["latte"].listing.pk], sold_out=True)
    assert not _item(selectors.menu_for_store(store, channel="KIOSK"), cafe["latte"]).available
    services.listings_set_sold_out(store, [cafe["latte"].listing.pk], sold_out=False)
    return lambda menu: _item(menu, cafe["latte"]).available


def _sold_out_for_today(store, cafe):
    until = services.listings_sold_out_today(store, [cafe["latte"].listing.pk])
    item = lambda menu: _item(menu, cafe["latte"])  # noqa: E731
    return lambda menu: (
        (item(menu).listing.unavailable_reason, item(menu).sold_out_until)
        == (
            Unavailable.SOLD_OUT_TODAY,
            until,
        )
    )


def _recommended(store, cafe):
    services.listings_recommend(store, [cafe["scone"].listing.pk])
    return lambda menu: menu.items[0].name == "스콘" and [i.name for i in menu.recommended] == ["스콘"]


def _unlisted(store, cafe):
    services.listing_unlist(store, cafe["latte"].product.pk)
    return lambda menu: _item(menu, cafe["latte"]) is None and menu.categories == ()


def _archived(store, cafe):
    catalog_services.product_archive(cafe["latte"].product)
    return lambda menu: _item(menu, cafe["latte"]) is None


def _renamed_in_the_admin(store, cafe):
    product = cafe["latte"].product
    product.name, product.base_price, product.description = "카페 라떼", 5200, "우유 듬뿍"
    product.save()
    item = lambda menu: _item(menu, cafe["latte"])  # noqa: E731
    return lambda menu: (
        (item(menu).name, item(menu).unit_price, item(menu).description)
        == (
            "카페 라떼",
            5200,
            "우유 듬뿍",
        )
    )


def _imported_from_csv(store, cafe):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from apps.catalog.admin import product_import_csv

    rows = f"id,name,base_price,categories\n{cafe['latte'].product.pk},라떼,5900,커피\n"
    assert product_import_csv(store.owner, SimpleUploadedFile("menu.csv", rows.encode())) == (0, 1)
    return lambda menu: _item(menu, cafe["latte"]).unit_price == 5900


def _listed_from_the_product_form(store, cafe):
    # the product admin's per-store prices: off the menu, then back at a store price
    services.product_listings_set(cafe["latte"].product, [store], {})
    assert _item(selectors.menu_for_store(store, channel="KIOSK"), cafe["latte"]) is None
    services.product_listings_set(cafe["latte"].product, [store], {store.pk: 4800})
    return lambda menu: _item(menu, cafe["latte"]).unit_price == 4800


def _option_sold_out_in_the_store(store, cafe):
    services.option_set_sold_out(store, cafe["latte"].options["L"], sold_out=True)
    return lambda menu: (
        [o.available for o in _item(menu, cafe["latte"]).listing.option_groups[0].options]
        == [
            True,
            False,
        ]
    )


def _option_sold_out_everywhere_in_the_admin(store, cafe):
    option = cafe["latte"].options["R"]
    option.is_sold_out = True
    option.save()
    return lambda menu: not _item(menu, cafe["latte"]).listing.option_groups[0].options[0].available


def _option_added(store, cafe):
    Option.objects.create(group=cafe["latte"].groups["사이즈"], name="XL", price_delta=1000, sort_order=5)
    return lambda menu: (
        [o.name for o in _item(menu, cafe["latte"]).listing.option_groups[0].options]
        == [
            "R",
            "L",
            "XL",
        ]
    )


def _option_group_linked(store, cafe):
    group = OptionGroupFactory(owner=store.owner, name="시럽")
    Option.objects.create(group=group, name="바닐라", price_delta=300)
    ProductOptionGroup.objects.create(product=cafe["scone"].product, group=group)
    return lambda menu: [g.name for g in _item(menu, cafe["scone"]).listing.option_groups] == ["시럽"]


def _category_renamed(store, cafe):
    category = cafe["category"]
    category.name = "에스프레소 음료"
    category.save()
    return lambda menu: [c.name for c in menu.categories] == ["에스프레소 음료"]


def _put_in_a_category(store, cafe):
    bakery = CategoryFactory(owner=store.owner, name="베이커리", sort_order=2)
    cafe["scone"].product.categories.add(bakery)
    return lambda menu: (
        [(c.name, c.product_ids) for c in menu.categories]
        == [
            ("커피", (cafe["latte"].product.pk,)),
            ("베이커리", (cafe["scone"].product.pk,)),
        ]
    )


def _low_stock_threshold_raised(store, cafe):
    services.listing_update(cafe["scone"].listing, low_stock_threshold=5)
    return lambda menu: _item(menu, cafe["scone"]).low_stock


def _stock_counted_down(store, cafe):
    # 5 → 2 crosses no zero, so the version does not move: the stock must come fresh anyway
    version = selectors.menu_version(store)
    services.stock_set(cafe["scone"].listing, 2)
    assert selectors.menu_version(store) == version
    item = lambda menu: _item(menu, cafe["scone"])  # noqa: E731
    return lambda menu: (item(menu).listing.stock, item(menu).low_stock, item(menu).available) == (2, True, True)


def _sold_by_stock(store, cafe):
    services.stock_reserve(store, [(cafe["scone"].listing.pk, 5)], reference="A-1")
    return lambda menu: _item(menu, cafe["scone"]).listing.unavailable_reason == Unavailable.OUT_OF_STOCK


def _stock_received(store, cafe):
    services.stock_reserve(store, [(cafe["scone"].listing.pk, 5)], reference="A-1")
    selectors.menu_for_store(store, channel="KIOSK")
    services.stock_adjust(cafe["scone"].listing, 10, reason=StockMovement.Reason.RECEIVE)
    return lambda menu: _item(menu, cafe["scone"]).available and _item(menu, cafe["scone"]).listing.stock == 10


def _images_processed_by_the_task(store, cafe):
    from django.core.files.base import ContentFile

    from tests.catalog.factories import image_bytes

    product = cafe["latte"].product
    name = product.image.storage.save("products/original/latte.png", ContentFile(image_bytes("PNG", (400, 400))))
    Product.objects.filter(pk=product.pk).update(image=name)  # as the upload left it, before the task
    selectors.menu_for_store(store, channel="KIOSK")
    catalog_services.product_images_build(product.pk)  # what the Celery task runs
    product.refresh_from_db()
    return lambda menu: (
        _item(menu, cafe["latte"]).image_url.endswith(product.image_large.name)
        and "/products/large/" in _item(menu, cafe["latte"]).image_url
    )


EDITS = [
    _store_price,
    _sold_out,
    _sold_out_in_the_admin,
    _back_on_sale,
    _sold_out_for_today,
    _recommended,
    _unlisted,
    _archived,
    _renamed_in_the_admin,
    _imported_from_csv,
    _listed_from_the_product_form,
    _option_sold_out_in_the_store,
    _option_sold_out_everywhere_in_the_admin,
    _option_added,
    _option_group_linked,
    _category_renamed,
    _put_in_a_category,
    _low_stock_threshold_raised,
    _stock_counted_down,
    _sold_by_stock,
    _stock_received,
    _images_processed_by_the_task,
]


@pytest.mark.parametrize("edit", EDITS, ids=[edit.__name__.strip("_") for edit in EDITS])
def test_every_edit_is_seen_on_the_next_read(store, cafe, edit):
    # given a screen has drawn the menu (the cache is warm, here and in Redis)
    before = selectors.menu_for_store(store, channel="KIOSK")
    assert not before.recommended and before.item(cafe["scone"].product.pk).listing.stock == 5
    # when the owner, a sale or the image task changes it
    seen = edit(store, cafe)
    # then the very next read shows it
    after = selectors.menu_for_store(store, channel="KIOSK")
    assert seen(after)
    if edit is not _back_on_sale:  # the one edit that ends where it began (checked on its way)
        assert not seen(before)


def test_a_snooze_ends_by_the_clock_without_a_rebuild(store, cafe):
    # given the latte sold out for today (until the 04:00 cutoff) and the menu cached
    until = services.listings_sold_out_today(store, [cafe["latte"].listing.pk])
    during, _sql = _read(store)
    assert not during.item(cafe["latte"].product.pk).available
    # when the cutoff passes, with nothing written
    after, sql = _read(store, at=until)
    # then the latte is back at once, from the same cached menu (only the stock is read)
    latte = after.item(cafe["latte"].product.pk)
    assert latte.available and latte.sold_out_until is None
    assert len(sql) == 1
    assert after.version != during.version  # screens still redraw
    # and a read at a moment before the end still sees it sold out (the clock is never cached)
    assert not selectors.menu_for_store(store, channel="KIOSK", at=NOW).item(cafe["latte"].product.pk).available


def test_a_change_in_another_store_of_the_owner_leaves_my_menu_cached(store, cafe):
    from tests.factories import StoreFactory

    other = StoreFactory(owner=store.owner)
    selectors.menu_for_store(store, channel="KIOSK")
    services.listing_create(other, cafe["latte"].product, price_override=9000)
    menu, sql = _read(store)
    assert len(sql) == 1
    assert menu.item(cafe["latte"].product.pk).unit_price == 5000


@pytest.mark.django_db(transaction=True)
def test_a_menu_read_during_a_change_is_never_kept_after_its_commit(store, cafe):
    import threading

    from django.db import transaction

    from tests.concurrency import run_together

    latte = cafe["latte"]
    bumped, read = threading.Event(), threading.Event()

    def owner():
        # the price change bumps the version inside its transaction, then commits
        with transaction.atomic():
            services.listing_update(StoreProduct.objects.get(pk=latte.listing.pk), price_override=5500)
            bumped.set()
            assert read.wait(30)
        return "committed"

    def screen():
        # a screen reads between the bump and the commit: the new token, the old row
        assert bumped.wait(30)
        price = selectors.menu_for_store(store, channel="KIOSK").item(latte.product.pk).unit_price
        read.set()
        return price

    assert run_together([owner, screen]) == ["committed", 5000]
    # the bump on commit makes the next screen build the committed menu, not keep the one read
    assert selectors.menu_for_store(store, channel="KIOSK").item(latte.product.pk).unit_price == 5500
