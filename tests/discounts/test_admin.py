"""Admin for discounts and coupons: scoped to the owner, "in force now" column, scoped choices."""

from datetime import time

import pytest
from django.urls import reverse

from apps.discounts.models import Coupon, Discount
from tests.factories import OwnerFactory, StoreFactory

from .factories import CouponFactory, DiscountFactory, make_category, make_product


@pytest.fixture
def other_owner_data(db):
    other = OwnerFactory()
    other_store = StoreFactory(owner=other, name="남의 가게")
    discount = DiscountFactory(store=other_store, name="남의 할인")
    coupon = CouponFactory(store=other_store, code="OTHERCODE")
    return other, other_store, discount, coupon


@pytest.mark.django_db
def test_other_owners_discount_and_coupon_change_pages_are_404(owner_client, other_owner_data):
    _, _, discount, coupon = other_owner_data
    assert owner_client.get(reverse("admin:discounts_discount_change", args=[discount.pk])).status_code == 404
    assert owner_client.get(reverse("admin:discounts_coupon_change", args=[coupon.pk])).status_code == 404
    assert (
        owner_client.post(reverse("admin:discounts_discount_delete", args=[discount.pk]), {"post": "yes"}).status_code
        == 404
    )
    assert Discount.objects.filter(pk=discount.pk).exists()


@pytest.mark.django_db
def test_changelist_is_scoped_and_shows_in_force_now(
    owner_client, store, other_owner_data, django_assert_max_num_queries
):
    DiscountFactory(store=store, name="상시 할인")
    DiscountFactory(store=store, name="꺼진 할인", is_active=False)
    for i in range(5):
        DiscountFactory(store=store, name=f"새벽 할인{i}", time_start=time(3), time_end=time(3, 1))
    with django_assert_max_num_queries(12):
        response = owner_client.get(reverse("admin:discounts_discount_changelist"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "상시 할인" in body and "남의 할인" not in body
    assert "지금 적용 중" in body
    # the store filter lists only the owner's stores
    assert "남의 가게" not in body


@pytest.mark.django_db
def test_filters_work(owner_client, store):
    DiscountFactory(store=store, name="정률", kind="PERCENT")
    DiscountFactory(store=store, name="정액", kind="AMOUNT", value=500)
    url = reverse("admin:discounts_discount_changelist")
    body = owner_client.get(url, {"kind__exact": "AMOUNT", "store": store.pk, "is_active__exact": 1}).content.decode()
    assert "정액" in body and ">정률<" not in body


@pytest.mark.django_db
def test_coupon_changelist_scoped(owner_client, store, other_owner_data, django_assert_max_num_queries):
    CouponFactory(store=store, code="MYCODE", usage_limit=100)
    for i in range(5):
        CouponFactory(store=store, code=f"MORE{i}")
    with django_assert_max_num_queries(12):
        body = owner_client.get(reverse("admin:discounts_coupon_changelist")).content.decode()
    assert "MYCODE" in body and "OTHERCODE" not in body


@pytest.mark.django_db
def test_add_form_choices_are_scoped(owner_client, owner, store, other_owner_data):
    other, _, other_discount, _ = other_owner_data
    make_product(owner, "내 상품")
    make_product(other, "남의 상품")
    make_category(other, "남의 카테고리")
    body = owner_client.get(reverse("admin:discounts_discount_add")).content.decode()
    assert "내 상품" in body
    assert "남의 상품" not in body and "남의 카테고리" not in body and "남의 가게" not in body
    coupon_body = owner_client.get(reverse("admin:discounts_coupon_add")).content.decode()
    assert "남의 할인" not in coupon_body


@pytest.mark.django_db
def test_add_discount_and_coupon_through_admin(owner_client, owner, store):
    coffee = make_category(owner, "커피")
    response = owner_client.post(
        reverse("admin:discounts_discount_add"),
        {
            "store": store.pk,
            "name": "해피아워",
            "scope": "CATEGORY",
            "category": coffee.pk,
            "kind": "PERCENT",
            "value": 10,
            "min_order_amount": 0,
            "weekdays": ["1", "2", "5"],
            "time_start": "22:00",
            "time_end": "02:00",
            "channel": "ALL",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    discount = Discount.objects.get(name="해피아워")
    assert discount.weekdays == [1, 2, 5]

    add_coupon = reverse("admin:discounts_coupon_add")
    data = {"store": store.pk, "code": "Welcome", "discount": discount.pk, "usage_limit": 10, "is_active": "on"}
    data.update({"redemptions-TOTAL_FORMS": 0, "redemptions-INITIAL_FORMS": 0})
    assert owner_client.post(add_coupon, data).status_code == 302
    # the same code in another case is refused with a readable message
    response = owner_client.post(add_coupon, {**data, "code": "WELCOME"})
    assert response.status_code == 200
    assert "같은 쿠폰 코드" in response.content.decode()
    assert Coupon.objects.count() == 1


@pytest.mark.django_db
def test_scope_without_target_is_a_form_error(owner_client, store):
    response = owner_client.post(
        reverse("admin:discounts_discount_add"),
        {
            "store": store.pk,
            "name": "x",
            "scope": "PRODUCT",
            "kind": "PERCENT",
            "value": 150,
            "min_order_amount": 0,
            "channel": "ALL",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "상품 할인에는 상품이 필요합니다" in body
    assert not Discount.objects.exists()
