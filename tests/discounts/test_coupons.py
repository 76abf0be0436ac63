"""Coupon redemption: usage limit (also under a threaded race), idempotency, release exactly once."""

import pytest
from django.db import transaction

from apps.core.errors import Conflict
from apps.discounts.models import Coupon, CouponRedemption
from apps.discounts.services import coupon_redeem, coupon_release
from tests.concurrency import outcomes, run_together

from .factories import CouponFactory


@pytest.mark.django_db
def test_redeem_counts_and_limit(store):
    coupon = CouponFactory(store=store, usage_limit=2)
    coupon_redeem(coupon.pk, "order-1")
    coupon_redeem(coupon.pk, "order-2")
    with pytest.raises(Conflict) as err:
        coupon_redeem(coupon.pk, "order-3")
    assert err.value.code == "COUPON_LIMIT_REACHED"
    coupon.refresh_from_db()
    assert coupon.used_count == 2
    assert CouponRedemption.objects.filter(coupon=coupon).count() == 2


@pytest.mark.django_db
def test_redeem_is_idempotent_per_order(store):
    coupon = CouponFactory(store=store, usage_limit=1)
    first = coupon_redeem(coupon.pk, "order-1")
    # a retried payment callback for the same order gets the same redemption, even at the limit
    assert coupon_redeem(coupon.pk, "order-1").pk == first.pk
    coupon.refresh_from_db()
    assert coupon.used_count == 1


@pytest.mark.django_db
def test_unlimited_coupon(store):
    coupon = CouponFactory(store=store, usage_limit=None)
    for i in range(5):
        coupon_redeem(coupon.pk, f"o{i}")
    coupon.refresh_from_db()
    assert coupon.used_count == 5


@pytest.mark.django_db
def test_release_gives_the_use_back_exactly_once(store):
    coupon = CouponFactory(store=store, usage_limit=1)
    coupon_redeem(coupon.pk, "order-1")
    assert coupon_release("order-1") == 1
    assert coupon_release("order-1") == 0  # a second cancel/refund does not count down again
    coupon.refresh_from_db()
    assert coupon.used_count == 0
    assert CouponRedemption.objects.get(order_ref="order-1").released_at is not None
    # the freed use can be taken by another order
    coupon_redeem(coupon.pk, "order-2")
    coupon.refresh_from_db()
    assert coupon.used_count == 1


@pytest.mark.django_db
def test_release_of_unknown_order_is_a_no_op(store):
    assert coupon_release("nothing-here") == 0


@pytest.mark.django_db
def test_redeem_rolls_back_with_the_callers_transaction(store):
    coupon = CouponFactory(store=store, usage_limit=1)
    with pytest.raises(RuntimeError), transaction.atomic():
        coupon_redeem(coupon.pk, "order-1")
        raise RuntimeError("payment failed after redeem")
    coupon.refresh_from_db()
    assert coupon.used_count == 0
    assert not CouponRedemption.objects.exists()


def _redeem_in_transaction(coupon_id: int, order_ref: str) -> None:
    with transaction.atomic():  # the caller's (payment's) transaction
        coupon_redeem(coupon_id, order_ref)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_usage_limit_holds_under_a_threaded_race():
    # given a coupon with 3 uses left and 12 payments redeeming it at the same moment
    coupon = CouponFactory(usage_limit=3)
    results = outcomes(run_together([lambda i=i: _redeem_in_transaction(coupon.pk, f"order-{i}") for i in range(12)]))
    # then exactly three win, the rest are told the limit is reached, and the count is exact
    assert results.count("ok") == 3
    assert results.count("COUPON_LIMIT_REACHED") == 9
    coupon.refresh_from_db()
    assert coupon.used_count == 3
    assert CouponRedemption.objects.filter(coupon=coupon, released_at__isnull=True).count() == 3


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_same_order_redeemed_concurrently_counts_once():
    coupon = CouponFactory(usage_limit=5)
    results = run_together([lambda: _redeem_in_transaction(coupon.pk, "order-same") for _ in range(6)])
    assert outcomes(results) == ["ok"] * 6
    coupon.refresh_from_db()
    assert coupon.used_count == 1
    assert Coupon.objects.get(pk=coupon.pk).redemptions.count() == 1
