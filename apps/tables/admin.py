"""Owner set-up of areas and tables, scoped to the owner's stores; the A4 sheet of table QR codes
and the store's QR ordering settings."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from apps.core.errors import DomainError
from apps.core.parsers import parse_id
from apps.core.qr import qr_svg
from apps.stores.admin_base import OwnerScopedAdmin, OwnerScopedInline

from .models import Area, Table, TableOrderSettings
from .selectors import table_sticker_token

# Twelve codes per A4 page (3 × 4), each about 5 cm wide: a phone reads it from a seat's distance.
QR_PER_PAGE = 12


def qr_sheet_response(request, tables):
    """The printable A4 sheet: every given table's QR code (its printed sticker code, which keeps
    working after each paid tab) with the store and table name under it."""
    cards = []
    for table in tables.select_related("area", "store").order_by("store_id", "area__sort_order", "grid_y", "grid_x"):
        url = request.build_absolute_uri(reverse("tableorder:phone_code", args=[table_sticker_token(table)]))
        label = str(table)
        cards.append({"table": table, "label": label, "url": url, "svg": qr_svg(url, label)})
    pages = [cards[i : i + QR_PER_PAGE] for i in range(0, len(cards), QR_PER_PAGE)]
    return render(request, "tables/qr_sheet.html", {"pages": pages, "count": len(cards)})


class TableInline(OwnerScopedInline, admin.TabularInline):
    model = Table
    extra = 1
    fields = ["name", "seats", "grid_x", "grid_y", "tablet", "is_active"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "tablet":
            field.queryset = field.queryset.filter(kind="TABLE")
        return field


@admin.register(Area)
class AreaAdmin(OwnerScopedAdmin):
    list_display = ["name", "store", "sort_order"]
    list_filter = ["store"]
    inlines = [TableInline]

    def save_formset(self, request, form, formset, change):
        # Tables of an area belong to the area's store.
        for instance in formset.save(commit=False):
            instance.store = form.instance.store
            instance.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()


@admin.register(Table)
class TableAdmin(OwnerScopedAdmin):
    list_display = ["name", "area", "store", "seats", "grid_x", "grid_y", "is_active"]
    list_filter = ["store", "area", "is_active"]
    fields = ["store", "area", "name", "seats", "grid_x", "grid_y", "tablet", "is_active"]
    actions = ["print_qr_codes"]
    change_list_template = "tables/table_changelist.html"

    @admin.action(description=_("선택한 테이블의 QR 코드 인쇄 (A4)"))
    def print_qr_codes(self, request, queryset):
        return qr_sheet_response(request, queryset.filter(is_active=True))

    def get_urls(self):
        extra = [path("qr-sheet/", self.admin_site.admin_view(self.qr_sheet_view), name="tables_table_qr_sheet")]
        return extra + super().get_urls()

    def qr_sheet_view(self, request):
        """Every active table of the owner's stores (one store with ?store=<id>)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        tables = self.get_queryset(request).filter(is_active=True)
        if "store" in request.GET:
            try:
                tables = tables.filter(store_id=parse_id(request.GET["store"], "store"))
            except DomainError:
                tables = tables.none()
        return qr_sheet_response(request, tables)


@admin.register(TableOrderSettings)
class TableOrderSettingsAdmin(OwnerScopedAdmin):
    list_display = ["store", "qr_ordering", "max_items_per_round", "confirm_first_round", "pay_first"]
    fields = ["store", "qr_ordering", "max_items_per_round", "confirm_first_round", "pay_first"]
