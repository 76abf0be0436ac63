from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.catalog.models import Category, Product
from apps.core.models import TimeStampedModel
from apps.core.parsers import datetime_bounds
from apps.stores.models import Store


class Channel(models.TextChoices):
    POS = "POS", _("POS")
    KIOSK = "KIOSK", _("키오스크")
    TABLE = "TABLE", _("테이블")


def _check_period(instance) -> None:
    """The admin's check of valid_from / valid_to (the API checks in discount_create): a bound
    outside 2000-01-01 … 2100-12-31 is no sale period, and one before year 1 in UTC is stored by
    PostgreSQL but cannot be read back by Python (selectors.with_safe_period copes with old rows)."""
    zone = instance.store.timezone if instance.store_id else None
    lower, upper = datetime_bounds(zone)
    errors = {}
    for field in ("valid_from", "valid_to"):
        value = getattr(instance, field)
        if value is None:
            continue
        try:
            aware = timezone.make_aware(value, lower.tzinfo) if timezone.is_naive(value) else value
            in_range = lower <= aware <= upper
        except (ValueError, OverflowError):
            in_range = False
        if not in_range:
            errors[field] = _("기간은 2000-01-01부터 2100-12-31 사이여야 합니다.")
    if errors:
        raise ValidationError(errors)


class Discount(TimeStampedModel):
    OWNER_LOOKUP = "store__owner"

    class Scope(models.TextChoices):
        ORDER = "ORDER", _("주문 전체")
        PRODUCT = "PRODUCT", _("상품")
        CATEGORY = "CATEGORY", _("카테고리")

    class Kind(models.TextChoices):
        PERCENT = "PERCENT", _("정률(%)")
        AMOUNT = "AMOUNT", _("정액(원)")

    class ChannelScope(models.TextChoices):
        ALL = "ALL", _("전체")
        POS = "POS", _("POS")
        KIOSK = "KIOSK", _("키오스크")
        TABLE = "TABLE", _("테이블")

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="discounts")
    name = models.CharField(_("할인명"), max_length=100)
    scope = models.CharField(_("적용 범위"), max_length=10, choices=Scope.choices, default=Scope.ORDER)
    product = models.ForeignKey(Product, on_delete=models.CASCADE, null=True, blank=True, related_name="discounts")
    category = models.ForeignKey(Category, on_delete=models.CASCADE, null=True, blank=True, related_name="discounts")
    kind = models.CharField(_("종류"), max_length=10, choices=Kind.choices)
    value = models.BigIntegerField(_("값"), help_text=_("정률이면 %, 정액이면 원"))
    max_discount = models.BigIntegerField(_("최대 할인액(원)"), null=True, blank=True)
    min_order_amount = models.BigIntegerField(_("최소 주문 금액(원)"), default=0)
    valid_from = models.DateTimeField(_("시작"), null=True, blank=True)
    valid_to = models.DateTimeField(_("종료"), null=True, blank=True)
    # ISO weekdays 1 (Mon) … 7 (Sun) the discount runs on; empty means every day.
    weekdays = models.JSONField(_("요일"), default=list, blank=True)
    time_start = models.TimeField(_("시작 시각"), null=True, blank=True)
    time_end = models.TimeField(_("종료 시각"), null=True, blank=True)
    channel = models.CharField(_("채널"), max_length=10, choices=ChannelScope.choices, default=ChannelScope.ALL)
    coupon_only = models.BooleanField(_("쿠폰 전용"), default=False, help_text=_("쿠폰을 입력해야만 적용됩니다."))
    is_active = models.BooleanField(_("사용"), default=True)

    class Meta:
        verbose_name = _("할인")
        verbose_name_plural = _("할인")
        constraints = [
            models.CheckConstraint(condition=models.Q(value__gt=0), name="discount_value_gt_0"),
            models.CheckConstraint(
                condition=~models.Q(kind="PERCENT") | models.Q(value__lte=100), name="discount_percent_lte_100"
            ),
            models.CheckConstraint(condition=models.Q(min_order_amount__gte=0), name="discount_min_order_gte_0"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        _check_period(self)


class Coupon(TimeStampedModel):
    OWNER_LOOKUP = "store__owner"

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="coupons")
    code = models.CharField(_("쿠폰 코드"), max_length=40)
    discount = models.ForeignKey(Discount, on_delete=models.PROTECT, related_name="coupons")
    valid_from = models.DateTimeField(_("시작"), null=True, blank=True)
    valid_to = models.DateTimeField(_("종료"), null=True, blank=True)
    usage_limit = models.PositiveIntegerField(_("총 사용 한도"), null=True, blank=True)
    used_count = models.PositiveIntegerField(_("사용 횟수"), default=0, editable=False)
    is_active = models.BooleanField(_("사용"), default=True)

    class Meta:
        verbose_name = _("쿠폰")
        verbose_name_plural = _("쿠폰")
        constraints = [
            models.UniqueConstraint(Lower("code"), "store", name="coupon_unique_code_per_store_ci"),
        ]

    def __str__(self) -> str:
        return self.code

    def clean(self) -> None:
        super().clean()
        _check_period(self)


class CouponRedemption(models.Model):
    """One use of a coupon by one order. `order_ref` is the order's public id (orders sit above
    discounts in the dependency order, so no foreign key)."""

    OWNER_LOOKUP = "coupon__store__owner"

    coupon = models.ForeignKey(Coupon, on_delete=models.PROTECT, related_name="redemptions")
    order_ref = models.CharField(max_length=64)
    redeemed_at = models.DateTimeField(auto_now_add=True)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["coupon", "order_ref"],
                condition=models.Q(released_at__isnull=True),
                name="couponredemption_one_live_per_order",
            )
        ]
