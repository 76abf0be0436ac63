"""Owner admin for store listings: quick edits in the list, bulk sold-out/recommend, stock adjustments.

Stock is never written by a plain form save: a changed quantity goes through `stock_set` /
`stock_adjust`, so it is locked, kept ≥ 0 and recorded in the ledger like a sale is.
"""

from __future__ import annotations

from collections import defaultdict

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.errors import DomainError
from apps.stores.admin_base import OwnerScopedAdmin
from apps.stores.business_day import store_tz

from . import services
from .models import StockMovement, StoreOptionStatus, StoreProduct

EDITABLE_FIELDS = services.LISTING_EDITABLE_FIELDS


class StockAdjustForm(forms.Form):
    quantity = forms.IntegerField(
        label=gettext_lazy("수량 변화"), help_text=gettext_lazy("입고는 양수, 폐기·분실은 음수로 입력합니다.")
    )
    reason = forms.ChoiceField(
        label=gettext_lazy("사유"),
        choices=[
            (StockMovement.Reason.RECEIVE, gettext_lazy("입고")),
            (StockMovement.Reason.ADJUST, gettext_lazy("조정")),
        ],
    )
    note = forms.CharField(label=gettext_lazy("메모"), max_length=200)

    def clean(self):
        cleaned = super().clean()
        quantity, reason = cleaned.get("quantity"), cleaned.get("reason")
        if quantity == 0:
            self.add_error("quantity", _("0이 아닌 수량을 입력하세요."))
        elif quantity is not None and reason == StockMovement.Reason.RECEIVE and quantity < 0:
            self.add_error("quantity", _("입고 수량은 0보다 커야 합니다."))
        return cleaned


def _by_store(queryset):
    groups = defaultdict(list)
    for listing in queryset.select_related("store"):
        groups[listing.store].append(listing.pk)
    return groups.items()


@admin.register(StoreProduct)
class StoreProductAdmin(OwnerScopedAdmin):
    list_display = [
        "product",
        "store",
        "effective_price",
        "price_override",
        "is_sold_out",
        "sold_out_today",
        "track_stock",
        "stock_quantity",
        "recommended_rank",
        "is_listed",
    ]
    list_editable = ["price_override", "is_sold_out", "stock_quantity", "recommended_rank"]
    list_filter = [
        ("store", admin.RelatedOnlyFieldListFilter),
        "is_listed",
        "is_sold_out",
        "track_stock",
        ("product__categories", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["product__name", "product__name_en", "product__sku", "product__barcode"]
    list_select_related = ["product", "store"]
    actions = [
        "mark_sold_out",
        "mark_available",
        "mark_sold_out_today",
        "recommend",
        "unrecommend",
        "adjust_stock",
    ]

    def get_readonly_fields(self, request, obj=None):
        # Moving a listing to another store/product would rewrite its sales history.
        return ["store", "product"] if obj else []

    @admin.display(description=gettext_lazy("판매가"))
    def effective_price(self, obj):
        price = obj.price_override if obj.price_override is not None else obj.product.base_price
        return f"{price:,}원"

    @admin.display(description=gettext_lazy("오늘만 품절"), boolean=True)
    def sold_out_today(self, obj):
        return bool(obj.sold_out_until and obj.sold_out_until > timezone.now())

    def save_model(self, request, obj, form, change):
        try:
            if change:
                changes = {name: getattr(obj, name) for name in form.changed_data if name in EDITABLE_FIELDS}
                listing = StoreProduct.objects.get(pk=obj.pk)
                services.listing_update(listing, user=request.user, **changes)
            else:
                listing = services.listing_create(
                    obj.store,
                    obj.product,
                    price_override=obj.price_override,
                    track_stock=obj.track_stock,
                    stock_quantity=obj.stock_quantity,
                    recommended_rank=obj.recommended_rank,
                    display_order=obj.display_order,
                    low_stock_threshold=obj.low_stock_threshold,
                    user=request.user,
                )
                extra = {
                    name: getattr(obj, name)
                    for name in ("is_listed", "is_sold_out", "sold_out_until")
                    if getattr(obj, name) != getattr(listing, name)
                }
                if extra:
                    services.listing_update(listing, user=request.user, **extra)
                obj.pk = listing.pk
        except DomainError as err:
            # Shown on the next page; the failed field keeps its stored value.
            messages.error(request, f"{obj.product}: {err.message}")
        obj.refresh_from_db()

    # --- bulk actions ---

    @admin.action(description=gettext_lazy("품절 처리"))
    def mark_sold_out(self, request, queryset):
        for store, ids in _by_store(queryset):
            services.listings_set_sold_out(store, ids, sold_out=True)
        messages.success(request, _("선택한 상품을 품절 처리했습니다."))

    @admin.action(description=gettext_lazy("판매 재개 (품절 해제)"))
    def mark_available(self, request, queryset):
        for store, ids in _by_store(queryset):
            services.listings_set_sold_out(store, ids, sold_out=False)
        messages.success(request, _("선택한 상품의 품절을 해제했습니다."))

    @admin.action(description=gettext_lazy("오늘만 품절 (다음 영업일 마감 시각까지)"))
    def mark_sold_out_today(self, request, queryset):
        for store, ids in _by_store(queryset):
            until = services.listings_sold_out_today(store, ids)
            messages.success(
                request,
                _("%(store)s: %(until)s까지 품절입니다.")
                % {"store": store.name, "until": timezone.localtime(until, store_tz(store)).strftime("%m/%d %H:%M")},
            )

    @admin.action(description=gettext_lazy("추천 상품으로 지정"))
    def recommend(self, request, queryset):
        for store, ids in _by_store(queryset.order_by("display_order", "id")):
            services.listings_recommend(store, ids)
        messages.success(request, _("선택한 상품을 추천 상품으로 지정했습니다."))

    @admin.action(description=gettext_lazy("추천 해제"))
    def unrecommend(self, request, queryset):
        for store, ids in _by_store(queryset):
            services.listings_unrecommend(store, ids)
        messages.success(request, _("추천을 해제했습니다."))

    @admin.action(description=gettext_lazy("재고 조정 (입고/폐기)"))
    def adjust_stock(self, request, queryset):
        form = StockAdjustForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            done = 0
            for listing in queryset.select_related("store", "product"):
                try:
                    services.stock_adjust(
                        listing,
                        form.cleaned_data["quantity"],
                        reason=form.cleaned_data["reason"],
                        note=form.cleaned_data["note"],
                        user=request.user,
                    )
                    done += 1
                except DomainError as err:
                    messages.error(request, f"{listing.product}: {err.message}")
            if done:
                messages.success(request, _("%(n)d개 상품의 재고를 조정했습니다.") % {"n": done})
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("재고 조정"),
            "opts": self.model._meta,
            "listings": queryset.select_related("product", "store"),
            "form": form,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return render(
            request,
            "admin/inventory/storeproduct/stock_adjust.html",
            context,
            status=422 if form.is_bound and form.errors else 200,
        )


@admin.register(StockMovement)
class StockMovementAdmin(OwnerScopedAdmin):
    owner_permissions = ("view",)  # the ledger is append-only: owners read it, services write it
    list_display = [
        "created_at",
        "store_product",
        "reason",
        "quantity",
        "quantity_after",
        "reference",
        "note",
        "created_by",
        "member",
    ]
    list_filter = ["reason", ("store_product__store", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["store_product__product__name", "reference", "note"]
    list_select_related = ["store_product__product", "store_product__store", "created_by", "member"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StoreOptionStatus)
class StoreOptionStatusAdmin(OwnerScopedAdmin):
    list_display = ["option", "option_group", "store", "is_sold_out", "updated_at"]
    list_editable = ["is_sold_out"]
    list_filter = [("store", admin.RelatedOnlyFieldListFilter), "is_sold_out"]
    search_fields = ["option__name", "option__group__name"]
    list_select_related = ["option__group", "store"]

    @admin.display(description=gettext_lazy("옵션 그룹"))
    def option_group(self, obj):
        return obj.option.group
