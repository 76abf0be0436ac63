"""The demo seed: happy hour on 커피 (when the category exists) and the WELCOME1000 coupon."""

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from apps.discounts import demo
from apps.discounts.models import Coupon, Discount
from apps.discounts.selectors import pricing_context

from .factories import make_category


@pytest.mark.django_db
def test_seed_with_and_without_coffee_category_is_idempotent(store, owner):
    out = io.StringIO()
    demo.seed(store, out)
    assert not Discount.objects.filter(scope="CATEGORY").exists()
    make_category(owner, "커피")
    demo.seed(store, out)
    demo.seed(store, out)
    assert Discount.objects.filter(store=store).count() == 2
    assert Coupon.objects.get(store=store).code == "WELCOME1000"
    # Friday 15:00 in Seoul: the happy hour is on and the coupon works in any case
    ctx = pricing_context(
        store, channel="KIOSK", at=datetime(2024, 3, 1, 15, tzinfo=ZoneInfo("Asia/Seoul")), coupon_code="welcome1000"
    )
    assert [r.name for r in ctx.discounts] == ["해피아워 커피 10%"]
    assert ctx.coupon.value == 1_000
