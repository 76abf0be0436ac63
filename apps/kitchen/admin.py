"""Owner set-up of stations and kitchen settings, scoped to the owner's stores; tickets read-only."""

from django.contrib import admin

from apps.stores.admin_base import OwnerScopedAdmin, OwnerScopedInline

from .models import KitchenSettings, Station, Ticket, TicketLine


@admin.register(KitchenSettings)
class KitchenSettingsAdmin(OwnerScopedAdmin):
    list_display = [
        "store",
        "warn_after_minutes",
        "late_after_minutes",
        "board_ready_minutes",
        "make_before_payment_pos",
        "make_before_payment_kiosk",
    ]


@admin.register(Station)
class StationAdmin(OwnerScopedAdmin):
    list_display = ["name", "store", "is_default", "sort_order"]
    list_filter = ["store"]
    filter_horizontal = ["categories", "products"]


class TicketLineInline(OwnerScopedInline, admin.TabularInline):
    model = TicketLine
    extra = 0
    can_delete = False
    fields = ["name", "quantity", "options", "note", "ready_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Ticket)
class TicketAdmin(OwnerScopedAdmin):
    list_display = ["order", "station", "round_number", "status", "created_at", "ready_at", "done_at"]
    list_filter = ["status", "station"]
    readonly_fields = ["store", "station", "order", "round", "round_number", "status", "ready_at", "done_at"]
    inlines = [TicketLineInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
