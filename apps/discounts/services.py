"""Writes of discounts and coupons: the seed/create service and coupon redemption."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.catalog.models import Category, Product
from apps.core.errors import Conflict, Invalid, NotFound
from apps.core.parsers import datetime_bounds
from apps.stores.models import Store

from .models import Coupon, CouponRedemption, Discount

NAME_MAX = Discount._meta.get_field("name").max_length


def discount_create(
    store: Store,
    *,
    name: str,
    kind: str,
    value: int,
    product: Product | None = None,
    category: Category | None = None,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    max_discount: int | None = None,
    min_order_amount: int = 0,
    channel: str = Discount.ChannelScope.ALL,
    coupon_only: bool = False,
) -> Discount:
    """A discount for `store`: on `product`, on `category`, or (neither) on the whole order.

    Product and category must belong to the store's owner (the caller resolves them tenancy-safe).
    """
    name = (name or "").strip()
    if not name or len(name) > NAME_MAX:
        raise Invalid("INVALID_NAME", _("할인명은 1~%(max)d자로 입력하세요.") % {"max": NAME_MAX})
    if kind not in Discount.Kind.values:
        raise Invalid("INVALID_KIND", _("종류는 PERCENT 또는 AMOUNT여야 합니다."))
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise Invalid("INVALID_VALUE", _("할인 값은 1 이상의 정수여야 합니다."))
    if kind == Discount.Kind.PERCENT and value > 100:
        raise Invalid("INVALID_VALUE", _("정률 할인은 100%를 넘을 수 없습니다."))
    if product is not None and category is not None:
        raise Invalid("INVALID_SCOPE", _("상품과 카테고리 중 하나만 지정하세요."))
    if max_discount is not None and (
        isinstance(max_discount, bool) or not isinstance(max_discount, int) or max_discount <= 0
    ):
        raise Invalid("INVALID_VALUE", _("최대 할인액은 1원 이상의 정수여야 합니다."))
    if isinstance(min_order_amount, bool) or not isinstance(min_order_amount, int) or min_order_amount < 0:
        raise Invalid("INVALID_VALUE", _("최소 주문 금액은 0원 이상의 정수여야 합니다."))
    if channel not in Discount.ChannelScope.values:
        raise Invalid("INVALID_CHANNEL", _("알 수 없는 채널입니다."))
    lower, upper = datetime_bounds(store.timezone)
    for instant in (starts_at, ends_at):
        # An instant outside 2000-2100 cannot be a sale period, and one before year 1 in UTC is
        # stored by PostgreSQL but cannot be read back into Python (DataError on every later read).
        if instant is not None and (timezone.is_naive(instant) or not lower <= instant <= upper):
            raise Invalid("INVALID_PERIOD", _("할인 기간은 2000-01-01부터 2100-12-31 사이여야 합니다."))
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        raise Invalid("INVALID_PERIOD", _("종료 시각은 시작 시각보다 뒤여야 합니다."))
    if product is not None:
        scope = Discount.Scope.PRODUCT
    elif category is not None:
        scope = Discount.Scope.CATEGORY
    else:
        scope = Discount.Scope.ORDER
    return Discount.objects.create(
        store=store,
        name=name,
        scope=scope,
        product=product,
        category=category,
        kind=kind,
        value=value,
        max_discount=max_discount,
        min_order_amount=min_order_amount,
        valid_from=starts_at,
        valid_to=ends_at,
        channel=channel,
        coupon_only=coupon_only,
    )


def coupon_create(
    store: Store,
    *,
    code: str,
    discount: Discount,
    usage_limit: int | None = None,
    valid_from: datetime | None = None,
    valid_to: datetime | None = None,
) -> Coupon:
    code = (code or "").strip()
    if not code or len(code) > Coupon._meta.get_field("code").max_length:
        raise Invalid("INVALID_CODE", _("쿠폰 코드를 입력하세요 (40자 이내)."))
    if discount.store_id != store.pk:
        raise NotFound("DISCOUNT_NOT_FOUND", _("할인을 찾을 수 없습니다."))
    if Coupon.objects.filter(store=store, code__iexact=code).exists():
        raise Conflict("COUPON_CODE_TAKEN", _("이 매장에 같은 쿠폰 코드가 이미 있습니다."))
    return Coupon.objects.create(
        store=store, code=code, discount=discount, usage_limit=usage_limit, valid_from=valid_from, valid_to=valid_to
    )


def coupon_redeem(coupon_id: int, order_ref: str) -> CouponRedemption:
    """Record one use of the coupon by the order `order_ref` (called when the order is paid).

    Runs inside the caller's transaction (a savepoint here). The coupon row is locked first, so
    concurrent payments queue on it and each sees the count the previous one committed: the
    limit holds under any concurrency. The same order redeeming again gets its existing
    redemption back (a retried payment callback must not use the coupon twice).

    Validity period and `is_active` were checked when the order was priced; a coupon that expires
    while its customer is paying is still honoured — only the usage limit is final here.
    """
    order_ref = str(order_ref)
    with transaction.atomic():
        # The period is not needed here, and a stored out-of-range one would not load (DataError).
        coupon = Coupon.objects.select_for_update().defer("valid_from", "valid_to").filter(pk=coupon_id).first()
        if coupon is None:
            raise NotFound("COUPON_NOT_FOUND", _("쿠폰을 찾을 수 없습니다."))
        existing = CouponRedemption.objects.filter(coupon=coupon, order_ref=order_ref, released_at__isnull=True).first()
        if existing is not None:
            return existing
        if coupon.usage_limit is not None and coupon.used_count >= coupon.usage_limit:
            raise Conflict("COUPON_LIMIT_REACHED", _("쿠폰 사용 한도가 모두 소진되었습니다."))
        Coupon.objects.filter(pk=coupon.pk).update(used_count=F("used_count") + 1, updated_at=timezone.now())
        return CouponRedemption.objects.create(coupon=coupon, order_ref=order_ref)


def coupon_release(order_ref: str) -> int:
    """Give back the coupon use(s) of `order_ref` (order canceled or fully refunded).

    Exactly once: a released redemption keeps its `released_at` and is never counted down again.
    Locks coupons before redemptions — the same order as `coupon_redeem` — so the two cannot
    deadlock. Returns how many redemptions were released (0 when there was nothing to release).
    """
    order_ref = str(order_ref)
    with transaction.atomic():
        coupon_ids = sorted(
            set(
                CouponRedemption.objects.filter(order_ref=order_ref, released_at__isnull=True).values_list(
                    "coupon_id", flat=True
                )
            )
        )
        if not coupon_ids:
            return 0
        list(Coupon.objects.select_for_update().filter(pk__in=coupon_ids).order_by("pk").values_list("pk", flat=True))
        released = 0
        now = timezone.now()
        # Re-read under the coupon locks: a concurrent release of the same order already finished.
        for redemption in CouponRedemption.objects.select_for_update().filter(
            order_ref=order_ref, released_at__isnull=True, coupon_id__in=coupon_ids
        ):
            CouponRedemption.objects.filter(pk=redemption.pk).update(released_at=now)
            Coupon.objects.filter(pk=redemption.coupon_id, used_count__gt=0).update(
                used_count=F("used_count") - 1, updated_at=now
            )
            released += 1
        return released
