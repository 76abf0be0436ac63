"""Demo listings for `manage.py seed_demo`: every demo product on the store's menu, bakery stock
tracked (one item nearly gone, one sold out), a few recommendations and a store price."""

from __future__ import annotations

from apps.catalog.models import Product

from . import services
from .models import StoreProduct

TRACKED_STOCK = {"버터 크루아상": 12, "소금빵": 3, "블루베리 스콘": 8, "초코 머핀": 0}
RECOMMENDED = ["아메리카노", "바닐라 라떼", "바스크 치즈케이크"]
STORE_PRICES = {"마카롱": 3000}


def seed(store, stdout) -> None:
    if StoreProduct.objects.filter(store=store).exists():
        stdout.write("  Menu: already listed.")
        return
    products = Product.objects.filter(owner=store.owner, is_active=True).order_by("id")
    for order, product in enumerate(products):
        tracked = product.name in TRACKED_STOCK
        services.listing_create(
            store,
            product,
            display_order=order,
            track_stock=tracked,
            stock_quantity=TRACKED_STOCK.get(product.name, 0),
            low_stock_threshold=3 if tracked else 0,
            price_override=STORE_PRICES.get(product.name),
        )
    by_name = {
        listing.product.name: listing.pk
        for listing in StoreProduct.objects.filter(store=store).select_related("product")
    }
    services.listings_recommend(store, [by_name[name] for name in RECOMMENDED if name in by_name])
    stdout.write(f"  Menu: {len(by_name)} products listed, {len(RECOMMENDED)} recommended, bakery stock tracked.")
