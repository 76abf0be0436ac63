"""Owner set-up of the bridge's printers and card terminals, scoped to the owner's stores; jobs are
read-only (a reprint is a new job, queued from the POS)."""

from django.contrib import admin

from apps.stores.admin_base import OwnerScopedAdmin

from .models import Printer, PrintJob, Terminal, TerminalJob


@admin.register(Printer)
class PrinterAdmin(OwnerScopedAdmin):
    list_display = ["name", "store", "bridge", "role", "station", "transport", "address", "paper_width", "status"]
    list_filter = ["store", "role"]
    readonly_fields = ["status", "status_at"]


@admin.register(Terminal)
class TerminalAdmin(OwnerScopedAdmin):
    list_display = ["name", "store", "bridge", "driver", "address", "is_active"]
    list_filter = ["store"]


class _ReadOnly(OwnerScopedAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PrintJob)
class PrintJobAdmin(_ReadOnly):
    list_display = ["id", "kind", "printer", "status", "attempts", "created_at", "finished_at", "error"]
    list_filter = ["store", "status", "kind"]


@admin.register(TerminalJob)
class TerminalJobAdmin(_ReadOnly):
    list_display = ["id", "kind", "terminal", "amount", "status", "outcome", "payment", "created_at"]
    list_filter = ["store", "status", "kind"]
