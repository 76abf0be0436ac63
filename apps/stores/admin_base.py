"""The admin base class every store-owned model uses: scoped to the logged-in owner's stores.

A model says how it reaches its owner with a class attribute `OWNER_LOOKUP` (a queryset lookup path
ending at the owning User, e.g. "store__owner" or "owner"). Querysets, foreign-key and many-to-many
choices are filtered through it; another owner's object is a 404 (never a redirect or a 403 that
would tell that it exists). Superusers see everything.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.utils import NotRelationField, get_fields_from_path
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model, QuerySet
from django.http import Http404


def owner_lookup(model: type[Model]) -> str | None:
    return getattr(model, "OWNER_LOOKUP", None)


def scope_to_owner(queryset: QuerySet, user) -> QuerySet:
    if user.is_superuser:
        return queryset
    lookup = owner_lookup(queryset.model)
    if lookup is None:
        return queryset.none()
    return queryset.filter(**{lookup: user})


class OwnerScopedChoicesMixin:
    """Foreign-key and many-to-many choices limited to the owner's rows (admins and inlines)."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.remote_field.model
        if not request.user.is_superuser and owner_lookup(related) is not None:
            kwargs["queryset"] = scope_to_owner(related._default_manager.all(), request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        related = db_field.remote_field.model
        if not request.user.is_superuser and owner_lookup(related) is not None:
            kwargs["queryset"] = scope_to_owner(related._default_manager.all(), request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class OwnerScopedAdmin(OwnerScopedChoicesMixin, admin.ModelAdmin):
    # Owners get add/change/delete/view on models registered with this class, unless narrowed here
    # (e.g. orders are read-only: ("view",)). Synced into the Owners group after every migrate.
    owner_permissions: tuple[str, ...] = ("add", "change", "delete", "view")

    def get_queryset(self, request):
        return scope_to_owner(super().get_queryset(request), request.user)

    def get_list_filter(self, request):
        """A plain related-field filter lists every row of the related table, which would show
        other owners' store names in the sidebar; offer only the related rows this owner has."""
        filters = list(super().get_list_filter(request))
        if request.user.is_superuser:
            return filters
        return [_owner_safe_filter(self.model, item) for item in filters]

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404


class OwnerScopedInline(OwnerScopedChoicesMixin):
    """Mixin for inlines: use as `class LineInline(OwnerScopedInline, admin.TabularInline)`."""

    def get_queryset(self, request):
        return scope_to_owner(super().get_queryset(request), request.user)


def _owner_safe_filter(model: type[Model], item):
    if not isinstance(item, str):
        return item
    try:
        field = get_fields_from_path(model, item)[-1]
    except (FieldDoesNotExist, NotRelationField):
        return item
    if field.is_relation and owner_lookup(field.related_model) is not None:
        return (item, admin.RelatedOnlyFieldListFilter)
    return item
