"""The menu selector (bounded queries), availability now, sold-out for today, the menu version."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from apps.catalog.models import Option, OptionGroup, Product, ProductOptionGroup
from apps.inventory import selectors, services
from apps.inventory.models import StoreProduct
from tests.catalog.factories import CategoryFactory, OptionFactory, OptionGroupFactory, ProductFactory
from tests.factories import StoreFactory
from tests.inventory.factories import StoreProductFactory

pytestmark = pytest.mark.django_db

SEOUL = ZoneInfo("Asia/Seoul")


def test_menu_for_300_products_with_3_groups_each_is_at_most_8_queries(store, django_assert_max_num_queries):
    # given 300 listed products, each with its own 3 option groups of 3 options
    owner = store.owner
    categories = [CategoryFactory(owner=owner, name=f"분류{i}") for i in range(5)]
    products = Product.objects.bulk_create(
        Product(owner=owner, name=f"상품{i}", base_price=1000 + i, thumbnail=f"products/thumb/{i}.webp")
        for i in range(300)
    )
    groups = OptionGroup.objects.bulk_create(
        OptionGroup(owner=owner, name=f"그룹{i}", max_choices=2) for i in range(900)
    )
    Option.objects.bulk_create(Option(group=g, name=f"옵션{j}", price_delta=100 * j) for g in groups for j in range(3))
    ProductOptionGroup.objects.bulk_create(
        ProductOptionGroup(product=p, group=groups[3 * i + k], sort_order=k)
        for i, p in enumerate(products)
        for k in range(3)
    )
    Product.categories.through.objects.bulk_create(
        Product.categories.through(product_id=p.pk, category_id=categories[i % 5].pk) for i, p in enumerate(products)
    )
    StoreProduct.objects.bulk_create(
        StoreProduct(store=store, product=p, display_order=i, recommended_rank=1 if i == 250 else None)
        for i, p in enumerate(products)
    )
    # when the POS draws the menu
    with django_assert_max_num_queries(8):
        menu = selectors.menu_for_store(store, channel="POS")
    # then everything is there
    assert len(menu.items) == 300
    assert menu.items[0].name == "상품250"  # the recommendation comes first
    assert all(len(item.listing.option_groups) == 3 for item in menu.items)
    assert all(len(g.options) == 3 for item in menu.items for g in item.listing.option_groups)
    assert [len(c.product_ids) for c in menu.categories] == [60] * 5
    assert menu.items[1].thumbnail_url.endswith("products/thumb/0.webp")


def test_menu_shows_effective_price_availability_and_hides_unlisted(store):
    owner = store.owner
    latte = StoreProductFactory(
        store=store, product=ProductFactory(owner=owner, name="라떼", base_price=5000), price_override=5500
    )
    StoreProductFactory(store=store, product=ProductFactory(owner=owner, name="숨김"), is_listed=False)
    StoreProductFactory(store=store, product=ProductFactory(owner=owner, name="보관", is_active=False))
    sold_out = StoreProductFactory(store=store, product=ProductFactory(owner=owner, name="품절"), is_sold_out=True)
    StoreProductFactory(store=StoreFactory(), product=ProductFactory(name="남의 상품"))
    menu = selectors.menu_for_store(store, channel="KIOSK")
    assert [item.name for item in menu.items] == ["라떼", "품절"]
    assert menu.item(latte.product_id).unit_price == 5500
    assert menu.item(sold_out.product_id).listing.unavailable_reason == "SOLD_OUT"
    listings = selectors.sellable_listings(store, [latte.product_id, sold_out.product_id])
    assert listings[latte.product_id].available and not listings[sold_out.product_id].available


@pytest.mark.parametrize(
    ("tz", "cutoff", "now_local", "expected_local"),
    [
        # evening in Seoul, 04:00 cutoff: ends tomorrow 04:00
        ("Asia/Seoul", 4, datetime(2026, 3, 10, 21, 30), datetime(2026, 3, 11, 4, 0)),
        # after midnight but before the cutoff: still the same business day, ends this morning
        ("Asia/Seoul", 4, datetime(2026, 3, 11, 1, 30), datetime(2026, 3, 11, 4, 0)),
        # a midnight cutoff
        ("Asia/Seoul", 0, datetime(2026, 3, 10, 23, 59), datetime(2026, 3, 11, 0, 0)),
        # another timezone and cutoff hour (DST starts 2026-03-08 in New York)
        ("America/New_York", 6, datetime(2026, 3, 7, 22, 0), datetime(2026, 3, 8, 6, 0)),
    ],
)
def test_sold_out_for_today_ends_at_the_next_cutoff(owner, tz, cutoff, now_local, expected_local):
    # given a store in its own timezone with its own cutoff hour
    store = StoreFactory(owner=owner, timezone=tz, cutoff_hour=cutoff)
    scone = StoreProductFactory(store=store)
    now = now_local.replace(tzinfo=ZoneInfo(tz))
    # when the owner marks the scone sold out for today
    until = services.listings_sold_out_today(store, [scone.pk], at=now)
    # then it ends at the store's next cutoff in its own timezone
    expected = expected_local.replace(tzinfo=ZoneInfo(tz))
    assert until == expected
    scone.refresh_from_db()
    assert scone.sold_out_until == expected
    # and the product is unavailable until then, available again from that moment
    before = selectors.sellable_listings(
        store, [scone.product_id], at=expected.replace(minute=0) - (expected - now) / 2
    )
    assert before[scone.product_id].unavailable_reason == "SOLD_OUT_TODAY"
    after = selectors.sellable_listings(store, [scone.product_id], at=expected)
    assert after[scone.product_id].available


def test_menu_version_changes_with_every_kind_of_change(store):
    owner = store.owner
    listing = StoreProductFactory(store=store, product=ProductFactory(owner=owner))
    group = OptionGroupFactory(owner=owner)
    option = OptionFactory(group=group)
    seen = {selectors.menu_version(store)}

    def changed() -> bool:
        version = selectors.menu_version(store)
        fresh = version not in seen
        seen.add(version)
        return fresh

    assert not changed()  # reading does not change it
    services.listing_update(listing, price_override=3900)
    assert changed()
    services.listings_set_sold_out(store, [listing.pk], sold_out=True)
    assert changed()
    services.listings_set_sold_out(store, [listing.pk], sold_out=False)
    assert changed()
    services.listings_recommend(store, [listing.pk])
    assert changed()
    services.option_set_sold_out(store, option, sold_out=True)
    assert changed()
    option.name = "샷 추가 2"
    option.save()  # a catalog change (e.g. from the admin)
    assert changed()
    listing.product.base_price = 4200
    listing.product.save()
    assert changed()
    services.listing_unlist(store, listing.product_id)
    assert changed()


def test_menu_version_changes_when_a_snooze_expires_by_itself(store):
    scone = StoreProductFactory(store=store)
    now = timezone.localtime(timezone.now(), SEOUL).replace(hour=15, minute=0, second=0, microsecond=0)
    until = services.listings_sold_out_today(store, [scone.pk], at=now)
    during = selectors.menu_version(store, at=now)
    assert selectors.menu_version(store, at=until.replace(hour=3)) == during
    assert selectors.menu_version(store, at=until) != during
    assert not selectors.menu_for_store(store, channel="POS", at=now).items[0].available
    assert selectors.menu_for_store(store, channel="POS", at=until).items[0].available


def test_other_stores_menu_version_is_untouched_by_my_listing_change(store):
    other = StoreFactory()
    listing = StoreProductFactory(store=store)
    before = selectors.menu_version(other)
    services.listings_set_sold_out(store, [listing.pk], sold_out=True)
    assert selectors.menu_version(other) == before


def test_demo_seed_builds_a_believable_cafe_menu(store, django_capture_on_commit_callbacks):
    import io

    from apps.catalog import demo as catalog_demo
    from apps.inventory import demo as inventory_demo

    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        catalog_demo.seed(store, out)
    inventory_demo.seed(store, out)
    menu = selectors.menu_for_store(store, channel="KIOSK")
    assert [c.name for c in menu.categories] == ["커피", "논커피/음료", "티", "베이커리", "디저트"]
    assert len(menu.items) == 30
    assert [item.name for item in menu.recommended] == ["아메리카노", "바닐라 라떼", "바스크 치즈케이크"]
    assert all(item.thumbnail_url and item.image_url for item in menu.items)
    americano = next(i for i in menu.items if i.name == "아메리카노")
    assert [g.name for g in americano.listing.option_groups] == ["사이즈", "샷 추가", "얼음", "시럽"]
    muffin = next(i for i in menu.items if i.name == "초코 머핀")
    assert muffin.listing.unavailable_reason == "OUT_OF_STOCK"
    assert next(i for i in menu.items if i.name == "소금빵").low_stock
