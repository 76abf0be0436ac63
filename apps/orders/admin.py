"""Orders in the owner's admin: read-only (an order is a financial record; changes go through
POS refunds / services), scoped to the owner's stores."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from apps.stores.admin_base import OwnerScopedAdmin, OwnerScopedInline
from apps.stores.admin_labels import readonly_fields_for

from .models import Order, OrderEvent, OrderLine


class _ReadOnlyInline(OwnerScopedInline):
    extra = 0
    can_delete = False

    # Lines and events have no admin of their own, so owners hold no permission on them: seeing
    # them follows from seeing the order.
    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("orders.view_order")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class OrderLineInline(_ReadOnlyInline, admin.TabularInline):
    model = OrderLine
    fields = [
        "name",
        "unit_price",
        "quantity",
        "gross_amount",
        "discount_amount",
        "net_amount",
        "options",
        "discounts",
        "tax_type",
        "refunded_quantity",
        "note",
        "round",
        "void_of",
        "void_reason",
    ]
    fields = readonly_fields = readonly_fields_for(OrderLine, fields)


class OrderEventInline(_ReadOnlyInline, admin.TabularInline):
    model = OrderEvent
    verbose_name = _("주문 기록")
    verbose_name_plural = _("주문 기록")
    fields = ["created_at", "from_status", "to_status", "note"]
    readonly_fields = fields


@admin.register(Order)
class OrderAdmin(OwnerScopedAdmin):
    owner_permissions = ("view",)
    list_display = [
        "order_number",
        "business_date",
        "store",
        "channel",
        "status",
        "kitchen_status",
        "total_amount",
        "refunded_amount",
        "placed_at",
    ]
    # RelatedOnlyFieldListFilter lists only stores present in the (owner-scoped) queryset, so one
    # owner never sees another owner's store names in the filter.
    list_filter = [("store", admin.RelatedOnlyFieldListFilter), "business_date", "status", "channel"]
    search_fields = ["public_id", "=order_number"]
    date_hierarchy = "business_date"
    list_select_related = ["store"]
    inlines = [OrderLineInline, OrderEventInline]
    ordering = ["-business_date", "-order_number"]

    def get_readonly_fields(self, request, obj=None):
        return readonly_fields_for(self.model, [f.name for f in self.model._meta.fields])

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
