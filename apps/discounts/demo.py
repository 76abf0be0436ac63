"""Demo data for `manage.py seed_demo`: a weekday happy hour on coffee and a welcome coupon."""

from __future__ import annotations

from datetime import time

from apps.catalog.selectors import categories_for_owner
from apps.stores.models import Store

from .models import Coupon, Discount

WEEKDAYS = [1, 2, 3, 4, 5]


def seed(store: Store, stdout) -> None:
    coffee = categories_for_owner(store.owner).filter(name="커피").order_by("pk").first()
    if coffee is None:
        stdout.write("  discounts: no '커피' category yet, happy hour skipped")
    else:
        Discount.objects.get_or_create(
            store=store,
            name="해피아워 커피 10%",
            defaults={
                "scope": Discount.Scope.CATEGORY,
                "category": coffee,
                "kind": Discount.Kind.PERCENT,
                "value": 10,
                "weekdays": WEEKDAYS,
                "time_start": time(14),
                "time_end": time(17),
            },
        )
        stdout.write("  discounts: 해피아워 커피 10% (평일 14:00~17:00)")

    welcome, _ = Discount.objects.get_or_create(
        store=store,
        name="첫 방문 1,000원 할인",
        defaults={
            "scope": Discount.Scope.ORDER,
            "kind": Discount.Kind.AMOUNT,
            "value": 1_000,
            "min_order_amount": 5_000,
            "coupon_only": True,
        },
    )
    if not Coupon.objects.filter(store=store, code__iexact="WELCOME1000").exists():
        Coupon.objects.create(store=store, code="WELCOME1000", discount=welcome, usage_limit=100)
    stdout.write("  discounts: coupon WELCOME1000 (1,000원, 5,000원 이상, 100회)")
