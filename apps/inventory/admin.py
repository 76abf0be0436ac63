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
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.catalog.admin import ProductAdmin
from apps.catalog.models import Product
from apps.core.errors import DomainError
from apps.core.fields import WonField
from apps.core.korean import with_particle
from apps.core.money import format_won
from apps.stores.admin_base import OwnerScopedAdmin
from apps.stores.business_day import store_tz
from apps.stores.selectors import stores_for_owner

from . import services
from .models import StockMovement, StoreOptionStatus, StoreProduct
from .selectors import Unavailable, listing_unavailable_reason

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


def _still_unsellable_message(listing: StoreProduct, reason: str):
    """Why a listing still cannot be sold after "판매 재개", and a link to what fixes it."""
    name = with_particle(f"'{listing.product.name}' ({listing.store.name})", "은/는")
    listing_url = reverse("admin:inventory_storeproduct_change", args=[listing.pk])
    if reason == Unavailable.OUT_OF_STOCK:
        text, url, fix = (
            _("%(name)s 재고가 0개라 아직 판매할 수 없습니다."),
            f"{listing_url}#id_stock_quantity",
            _("재고 입력하기"),
        )
    elif reason == Unavailable.NOT_LISTED:
        text, url, fix = (
            _("%(name)s 이 매장에 진열되어 있지 않아 판매할 수 없습니다."),
            f"{listing_url}#id_is_listed",
            _("진열하기"),
        )
    elif reason == Unavailable.ARCHIVED:
        text = _("%(name)s 보관된 상품이라 판매할 수 없습니다.")
        url, fix = reverse("admin:catalog_product_change", args=[listing.product_id]), _("상품 판매 켜기")
    else:
        text, url, fix = _("%(name)s 아직 판매할 수 없습니다."), listing_url, _("매장 상품 열기")
    return format_html('{} <a href="{}">{}</a>', text % {"name": name}, url, fix)


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
        return format_won(price)

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
        # Lifting "sold out" does not make every listing sellable (no stock, not listed, archived):
        # say why for each, with the form that fixes it, instead of claiming success.
        now, sellable = timezone.now(), 0
        for listing in queryset.select_related("product", "store"):
            reason = listing_unavailable_reason(listing, listing.product, now)
            if not reason:
                sellable += 1
                continue
            messages.warning(request, _still_unsellable_message(listing, reason))
        if sellable:
            messages.success(request, _("%(n)d개 상품을 다시 판매합니다.") % {"n": sellable})

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


class ProductWithListingsForm(ProductAdmin.form):
    """The product form plus where it is sold: the owner's stores (all, for a new product) and an
    optional price per store. Saved by the admin right after the product (one form, one save)."""

    stores_for_listing: list = []

    @classmethod
    def for_stores(cls, stores: list) -> type[ProductWithListingsForm]:
        """The form with a "sell here" box and a price field per store (declared on the class, so
        the admin's fieldsets may name them)."""
        attrs: dict = {"stores_for_listing": stores}
        for store in stores:
            attrs[f"sell_in_{store.pk}"] = forms.BooleanField(
                label=_("%(store)s에서 판매") % {"store": store.name}, required=False
            )
            attrs[f"price_in_{store.pk}"] = WonField(
                label=_("%(store)s 가격(원)") % {"store": store.name},
                required=False,
                max_value=100_000_000,
                help_text=_("비워 두면 기본 가격으로 팝니다."),
            )
        return type(cls.__name__, (cls,), attrs)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        listed: dict[int, StoreProduct] = {}
        if self.instance.pk:
            listed = {row.store_id: row for row in StoreProduct.objects.filter(product=self.instance)}
        for store in self.stores_for_listing:
            row = listed.get(store.pk)
            # A new product is sold in every store unless the owner unticks one.
            self.fields[f"sell_in_{store.pk}"].initial = row.is_listed if row is not None else not self.instance.pk
            self.fields[f"price_in_{store.pk}"].initial = row.price_override if row is not None else None

    def listing_prices(self) -> dict[int, int | None]:
        return {
            store.pk: self.cleaned_data.get(f"price_in_{store.pk}")
            for store in self.stores_for_listing
            if self.cleaned_data.get(f"sell_in_{store.pk}")
        }


class ProductWithListingsAdmin(ProductAdmin):
    """The catalog's product admin with the per-store listing in the same form and each store's
    sale state on the change list (registered from inventory: catalog may not import listings)."""

    list_display = [*ProductAdmin.list_display, "sale_state"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("listings__store")

    def _stores(self, request):
        return list(stores_for_owner(request.user).order_by("name", "pk")[:50])

    def get_form(self, request, obj=None, **kwargs):
        kwargs.setdefault("form", ProductWithListingsForm.for_stores(self._stores(request)))
        return super().get_form(request, obj, **kwargs)

    def get_fieldsets(self, request, obj=None):
        listing = []
        for store in self._stores(request):
            listing += [(f"sell_in_{store.pk}", f"price_in_{store.pk}")]
        flat = {name for pair in listing for name in pair}
        fieldsets = super().get_fieldsets(request, obj)
        base = [
            (title, {**options, "fields": [f for f in options["fields"] if f not in flat]})
            for title, options in fieldsets
        ]
        if not listing:
            return base
        return [*base, (_("매장에서 판매"), {"fields": listing})]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not isinstance(form, ProductWithListingsForm):
            return
        try:
            services.product_listings_set(
                form.instance, form.stores_for_listing, form.listing_prices(), user=request.user
            )
        except DomainError as err:
            messages.error(request, err.message)

    @admin.display(description=gettext_lazy("매장별 판매"))
    def sale_state(self, obj):
        states = []
        for listing in obj.listings.all():
            price = listing.price_override if listing.price_override is not None else obj.base_price
            if not listing.is_listed:
                css, label = "off", _("미진열")
            elif listing.is_sold_out or (listing.track_stock and listing.stock_quantity <= 0):
                css, label = "soldout", _("품절")
            else:
                css, label = "on", format_won(price)
            states.append((css, listing.store.name, label))
        if not states:
            return format_html('<span class="cp-listing-state off">{}</span>', _("어느 매장에도 없음"))
        return format_html_join(
            "", '<span class="cp-listing-state {}">{} · {}</span>', sorted(states, key=lambda s: s[1])
        )


admin.site.unregister(Product)
admin.site.register(Product, ProductWithListingsAdmin)
