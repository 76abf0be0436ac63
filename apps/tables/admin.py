"""Owner set-up of areas and tables, scoped to the owner's stores."""

from django.contrib import admin

from apps.stores.admin_base import OwnerScopedAdmin, OwnerScopedInline

from .models import Area, Table


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
