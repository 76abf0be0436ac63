from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.money import format_won
from apps.stores.admin_base import OwnerScopedAdmin, OwnerScopedInline
from apps.stores.selectors import stores_for_owner

from .models import Coupon, CouponRedemption, Discount
from .selectors import coupon_in_force, discount_in_force

WEEKDAY_CHOICES = [
    (1, _("월")),
    (2, _("화")),
    (3, _("수")),
    (4, _("목")),
    (5, _("금")),
    (6, _("토")),
    (7, _("일")),
]


class OwnerStoreFilter(admin.SimpleListFilter):
    """Store filter listing only the owner's stores (the stock related filter would list every
    store in the database, leaking other owners' store names)."""

    title = _("매장")
    parameter_name = "store"

    def lookups(self, request, model_admin):
        return [(str(s.pk), s.name) for s in stores_for_owner(request.user).order_by("name")]

    def queryset(self, request, queryset):
        if self.value():
            try:
                return queryset.filter(store_id=int(self.value()))
            except ValueError:
                return queryset.none()
        return queryset


class DiscountForm(forms.ModelForm):
    weekdays = forms.TypedMultipleChoiceField(
        label=_("요일"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("비워 두면 매일 적용됩니다. 자정을 넘는 시간대(예: 22:00~02:00)는 시작한 요일에 속합니다."),
    )

    class Meta:
        model = Discount
        fields = [
            "store",
            "name",
            "scope",
            "product",
            "category",
            "kind",
            "value",
            "max_discount",
            "min_order_amount",
            "valid_from",
            "valid_to",
            "weekdays",
            "time_start",
            "time_end",
            "channel",
            "coupon_only",
            "is_active",
        ]

    def clean_weekdays(self):
        return sorted(set(self.cleaned_data.get("weekdays") or []))

    def clean(self):
        cleaned = super().clean()
        scope, product, category = cleaned.get("scope"), cleaned.get("product"), cleaned.get("category")
        if scope == Discount.Scope.PRODUCT and product is None:
            self.add_error("product", _("상품 할인에는 상품이 필요합니다."))
        if scope == Discount.Scope.CATEGORY and category is None:
            self.add_error("category", _("카테고리 할인에는 카테고리가 필요합니다."))
        if scope != Discount.Scope.PRODUCT and product is not None:
            self.add_error("product", _("상품 할인일 때만 상품을 지정하세요."))
        if scope != Discount.Scope.CATEGORY and category is not None:
            self.add_error("category", _("카테고리 할인일 때만 카테고리를 지정하세요."))
        store = cleaned.get("store")
        for field, obj in (("product", product), ("category", category)):
            if store is not None and obj is not None and obj.owner_id != store.owner_id:
                self.add_error(field, _("이 매장 점주의 항목만 선택할 수 있습니다."))
        if cleaned.get("kind") == Discount.Kind.PERCENT and (cleaned.get("value") or 0) > 100:
            self.add_error("value", _("정률 할인은 100%를 넘을 수 없습니다."))
        if (cleaned.get("value") or 0) <= 0 and "value" in cleaned:
            self.add_error("value", _("할인 값은 1 이상이어야 합니다."))
        max_discount = cleaned.get("max_discount")
        if max_discount is not None and max_discount <= 0:
            self.add_error("max_discount", _("최대 할인액은 1원 이상이어야 합니다."))
        if (cleaned.get("min_order_amount") or 0) < 0:
            self.add_error("min_order_amount", _("최소 주문 금액은 0원 이상이어야 합니다."))
        start, end = cleaned.get("valid_from"), cleaned.get("valid_to")
        if start and end and end <= start:
            self.add_error("valid_to", _("종료는 시작보다 뒤여야 합니다."))
        return cleaned


@admin.register(Discount)
class DiscountAdmin(OwnerScopedAdmin):
    form = DiscountForm
    list_display = [
        "name",
        "store",
        "scope",
        "kind",
        "value_shown",
        "channel",
        "coupon_only",
        "is_active",
        "in_force_now",
    ]
    list_filter = [OwnerStoreFilter, "kind", "scope", "is_active", "channel", "coupon_only"]
    search_fields = ["name"]
    list_select_related = ["store"]

    @admin.display(boolean=True, description=_("지금 적용 중"))
    def in_force_now(self, obj: Discount) -> bool:
        return discount_in_force(obj, at=timezone.now())

    @admin.display(description=_("할인"), ordering="value")
    def value_shown(self, obj: Discount) -> str:
        # A percent is a percent; everything else is won.
        return f"{obj.value}%" if obj.kind == Discount.Kind.PERCENT else format_won(obj.value)


class CouponForm(forms.ModelForm):
    class Meta:
        model = Coupon
        fields = ["store", "code", "discount", "valid_from", "valid_to", "usage_limit", "is_active"]

    def clean_code(self):
        return (self.cleaned_data.get("code") or "").strip()

    def clean(self):
        cleaned = super().clean()
        store, code, discount = cleaned.get("store"), cleaned.get("code"), cleaned.get("discount")
        if store is not None and code:
            taken = Coupon.objects.filter(store=store, code__iexact=code).exclude(pk=self.instance.pk)
            if taken.exists():
                self.add_error("code", _("이 매장에 같은 쿠폰 코드가 이미 있습니다 (대소문자 구분 없음)."))
        if store is not None and discount is not None and discount.store_id != store.pk:
            self.add_error("discount", _("같은 매장의 할인만 선택할 수 있습니다."))
        start, end = cleaned.get("valid_from"), cleaned.get("valid_to")
        if start and end and end <= start:
            self.add_error("valid_to", _("종료는 시작보다 뒤여야 합니다."))
        return cleaned


class RedemptionInline(OwnerScopedInline, admin.TabularInline):
    model = CouponRedemption
    extra = 0
    can_delete = False
    fields = ["order_ref", "redeemed_at", "released_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Coupon)
class CouponAdmin(OwnerScopedAdmin):
    form = CouponForm
    inlines = [RedemptionInline]
    list_display = ["code", "store", "discount", "used_count", "usage_limit", "is_active", "in_force_now"]
    list_filter = [OwnerStoreFilter, "discount__kind", "discount__scope", "is_active"]
    search_fields = ["code"]
    readonly_fields = ["used_count"]
    list_select_related = ["store", "discount", "discount__store"]

    @admin.display(boolean=True, description=_("지금 적용 중"))
    def in_force_now(self, obj: Coupon) -> bool:
        return coupon_in_force(obj, at=timezone.now())
