"""pricing_context: which discounts are in force for a store, a channel and a moment; coupons."""

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from apps.core.errors import Invalid
from apps.discounts.pricing import PricingLine, price_order
from apps.discounts.selectors import pricing_context

from .factories import CouponFactory, DiscountFactory, make_category, make_product

SEOUL = ZoneInfo("Asia/Seoul")
FRIDAY_1430 = datetime(2024, 3, 1, 14, 30, tzinfo=SEOUL)
FRIDAY_1800 = datetime(2024, 3, 1, 18, 0, tzinfo=SEOUL)


@pytest.fixture
def happy_hour(store, owner):
    coffee = make_category(owner, "커피")
    return DiscountFactory(
        store=store,
        name="해피아워",
        scope="CATEGORY",
        category=coffee,
        kind="PERCENT",
        value=10,
        weekdays=[1, 2, 3, 4, 5],
        time_start=time(14),
        time_end=time(17),
    )


@pytest.mark.django_db
def test_happy_hour_in_force_only_in_its_window(store, happy_hour):
    assert [r.id for r in pricing_context(store, channel="POS", at=FRIDAY_1430).discounts] == [happy_hour.pk]
    assert pricing_context(store, channel="POS", at=FRIDAY_1800).discounts == ()


@pytest.mark.django_db
def test_window_is_read_in_the_store_timezone(store, happy_hour):
    # given the store moves to New York: 14:30 Seoul is 00:30 in New York
    store.timezone = "America/New_York"
    store.save()
    assert pricing_context(store, channel="POS", at=FRIDAY_1430).discounts == ()
    # 19:30 UTC Friday = 14:30 Friday in New York
    assert pricing_context(store, channel="POS", at=datetime(2024, 3, 1, 19, 30, tzinfo=UTC)).discounts


@pytest.mark.django_db
def test_channel_period_active_and_coupon_only_filters(store):
    at = FRIDAY_1430
    DiscountFactory(store=store, name="kiosk", channel="KIOSK")
    DiscountFactory(store=store, name="off", is_active=False)
    DiscountFactory(store=store, name="future", valid_from=datetime(2024, 3, 2, tzinfo=SEOUL))
    DiscountFactory(store=store, name="past", valid_to=datetime(2024, 3, 1, 14, 30, tzinfo=SEOUL))
    DiscountFactory(store=store, name="coupon only", coupon_only=True)
    DiscountFactory(name="other store")
    DiscountFactory(store=store, name="all")
    assert [r.name for r in pricing_context(store, channel="POS", at=at).discounts] == ["all"]
    assert sorted(r.name for r in pricing_context(store, channel="KIOSK", at=at).discounts) == ["all", "kiosk"]


@pytest.mark.django_db
def test_category_discount_covers_sub_categories(store, owner, django_assert_max_num_queries):
    # given a discount on 음료 and a product only in its sub-category 커피
    drinks = make_category(owner, "음료")
    coffee = make_category(owner, "커피", parent=drinks)
    latte = make_category(owner, "라떼", parent=coffee)
    DiscountFactory(store=store, scope="CATEGORY", category=drinks, kind="AMOUNT", value=500)
    DiscountFactory(store=store, scope="ORDER", kind="AMOUNT", value=100)
    with django_assert_max_num_queries(2):
        ctx = pricing_context(store, channel="POS", at=FRIDAY_1430)
    line = PricingLine("l", 1, frozenset({latte.pk}), 5_000, 0, 1, "TAXABLE")
    assert price_order([line], ctx).lines[0].discount == 600


@pytest.mark.django_db
def test_coupon_code_is_case_insensitive_and_builds_the_coupon_rule(store):
    coupon = CouponFactory(store=store, code="Welcome1000")
    ctx = pricing_context(store, channel="KIOSK", at=FRIDAY_1430, coupon_code="  wELCOME1000 ")
    assert (ctx.coupon.id, ctx.coupon.coupon_id, ctx.coupon.coupon_code) == (
        coupon.discount_id,
        coupon.pk,
        "Welcome1000",
    )
    # the coupon-only discount is not applied automatically, only through the coupon
    assert ctx.discounts == ()
    priced = price_order([PricingLine("l", 1, frozenset(), 5_000, 0, 1, "TAXABLE")], ctx)
    assert priced.total == 4_000


@pytest.mark.django_db
@pytest.mark.parametrize(
    "make",
    [
        lambda store: None,  # unknown code
        lambda store: CouponFactory(store=store, code="X", is_active=False),
        lambda store: CouponFactory(store=store, code="X", valid_to=datetime(2024, 3, 1, tzinfo=SEOUL)),
        lambda store: CouponFactory(store=store, code="X", valid_from=datetime(2024, 3, 2, tzinfo=SEOUL)),
        lambda store: CouponFactory(store=store, code="X", usage_limit=2, used_count=2),
        lambda store: CouponFactory(store=store, code="X", discount__is_active=False),
        lambda store: CouponFactory(store=store, code="X", discount__channel="TABLE"),
        lambda store: CouponFactory(code="X"),  # another store's coupon
    ],
)
def test_invalid_coupon_is_422(store, make):
    make(store)
    with pytest.raises(Invalid) as err:
        pricing_context(store, channel="POS", at=FRIDAY_1430, coupon_code="x")
    assert err.value.code == "COUPON_INVALID"
    assert err.value.status == 422


@pytest.mark.django_db
def test_product_discount_end_to_end(store, owner):
    americano = make_product(owner)
    DiscountFactory(store=store, scope="PRODUCT", product=americano, kind="AMOUNT", value=1_000)
    ctx = pricing_context(store, channel="POS", at=FRIDAY_1430, coupon_code="")
    lines = [
        PricingLine("a", americano.pk, frozenset(), 4_500, 0, 2, "TAXABLE"),
        PricingLine("b", americano.pk + 1000, frozenset(), 3_000, 0, 1, "TAX_FREE"),
    ]
    priced = price_order(lines, ctx)
    assert (priced.total, priced.taxable, priced.tax_free, priced.vat) == (10_000, 7_000, 3_000, 636)


@pytest.mark.django_db
def test_in_force_now_helpers_for_the_admin(store, happy_hour):
    from apps.discounts.selectors import coupon_in_force, discount_in_force

    assert discount_in_force(happy_hour, at=FRIDAY_1430)
    assert not discount_in_force(happy_hour, at=FRIDAY_1800)
    happy_hour.is_active = False
    assert not discount_in_force(happy_hour, at=FRIDAY_1430)
    coupon = CouponFactory(store=store, usage_limit=1)
    assert coupon_in_force(coupon, at=FRIDAY_1800)
    coupon.used_count = 1
    assert not coupon_in_force(coupon, at=FRIDAY_1800)
