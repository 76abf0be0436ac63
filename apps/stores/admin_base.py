"""The admin base class every store-owned model uses: scoped to the logged-in owner's stores.

A model says how it reaches its owner with a class attribute `OWNER_LOOKUP` (a queryset lookup path
ending at the owning User, e.g. "store__owner" or "owner"). Querysets, foreign-key and many-to-many
choices are filtered through it; another owner's object is a 404 (never a redirect or a 403 that
would tell that it exists). Superusers see everything.
"""

from __future__ import annotations

import zoneinfo
from functools import wraps

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import TO_FIELD_VAR
from django.contrib.admin.utils import NotRelationField, get_fields_from_path, unquote
from django.core.cache import cache
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.errors import DomainError
from apps.core.parsers import check_text

from .admin_labels import (
    labelled_column,
    labelled_filter,
    labels_for,
    localized_name_column,
    money_field_names,
    readonly_fields_for,
    won_field_names,
)


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


class OwnerScopedObjectsMixin:
    """Another owner's object is a 404 on every object URL (change, delete, history), whatever the
    owner's permissions on the model.

    Django's admin checks permissions before it notices that the scoped queryset has no such
    object, so on a view-only model a POST to change/ or any delete/ of another owner's row would
    answer 403 and tell that the row exists. The object is therefore looked up in the owner's
    queryset first. A model without `OWNER_LOOKUP` (users, groups, raw webhooks, allauth's tables)
    has no rows for a non-superuser at all.
    """

    def get_queryset(self, request):
        return scope_to_owner(super().get_queryset(request), request.user)

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404

    def _owner_object_or_404(self, request, object_id, *, to_field: str | None = None) -> None:
        if request.user.is_superuser:
            return
        if to_field and not self.to_field_allowed(request, to_field):
            to_field = None  # Django's own view refuses that field with a 400 right after
        if self.get_object(request, unquote(object_id), to_field) is None:
            raise Http404

    def change_view(self, request, object_id, form_url="", extra_context=None):
        to_field = request.POST.get(TO_FIELD_VAR, request.GET.get(TO_FIELD_VAR))
        self._owner_object_or_404(request, object_id, to_field=to_field)
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        to_field = request.POST.get(TO_FIELD_VAR, request.GET.get(TO_FIELD_VAR))
        self._owner_object_or_404(request, object_id, to_field=to_field)
        return super().delete_view(request, object_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self._owner_object_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def response_action(self, request, queryset):
        # Django filters an action's queryset by the posted ids unchecked: a NUL or a word among
        # them raises while the filter is built (a 500). Such a selection names nothing; no action runs.
        try:
            for value in request.POST.getlist(ACTION_CHECKBOX_NAME):
                self.model._meta.pk.to_python(check_text(value))
        except (DomainError, ValidationError):
            self.message_user(request, _("선택한 항목이 올바르지 않습니다."), messages.WARNING)
            return None
        return super().response_action(request, queryset)


def owner_scoped_admin_class(admin_class: type[admin.ModelAdmin]) -> type[admin.ModelAdmin]:
    """`admin_class` with the 404 rule mixed in (itself when it already has it)."""
    if issubclass(admin_class, OwnerScopedObjectsMixin):
        return admin_class
    return type(admin_class.__name__, (OwnerScopedObjectsMixin, admin_class), {"__module__": admin_class.__module__})


class OwnerScopedAdminSite(admin.AdminSite):
    """The project's admin site (see apps/stores/admin_config.py): every model registered on it,
    ours or a third party's (users, groups, allauth's), gets the owner scoping and the 404 rule,
    so a new registration cannot forget them."""

    site_header = gettext_lazy("CloudPOS 관리")
    site_title = gettext_lazy("CloudPOS")
    index_title = gettext_lazy("오늘")
    index_template = "admin/cloudpos_index.html"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Apps above stores (settlement) add the home's "today" figures through these hooks: this
        # module sits low in the layers and may not import them.
        self.home_hooks: list = []

    # The owner's sections in the order a shop is run, not alphabetically; others follow.
    APP_ORDER = (
        "stores",
        "catalog",
        "inventory",
        "discounts",
        "orders",
        "payments",
        "settlement",
        "tables",
        "kitchen",
        "bridge",
    )

    def admin_view(self, view, cacheable=False):
        """Every admin page in the owner's stores' timezone (when they share one): times of
        orders, payments and the ledger read as the shop's clock, not the server's."""
        wrapped = super().admin_view(view, cacheable)

        @wraps(wrapped)
        def in_store_timezone(request, *args, **kwargs):
            zone = _owner_timezone(request)
            if zone is None:
                return wrapped(request, *args, **kwargs)
            with timezone.override(zone):
                response = wrapped(request, *args, **kwargs)
                # A TemplateResponse renders after the view returns: render it inside the zone.
                if hasattr(response, "render") and not response.is_rendered:
                    response.render()
            return response

        return in_store_timezone

    def get_app_list(self, request, app_label=None):
        apps = super().get_app_list(request, app_label)
        rank = {label: i for i, label in enumerate(self.APP_ORDER)}
        return sorted(apps, key=lambda app: (rank.get(app["app_label"], len(rank)), str(app["name"])))

    def index(self, request, extra_context=None):
        context = {}
        for hook in self.home_hooks:
            context.update(hook(request))
        return super().index(request, {**context, **(extra_context or {})})

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = owner_scoped_admin_class(admin_class or admin.ModelAdmin)
        super().register(model_or_iterable, admin_class, **options)


OWNER_TIMEZONES_CACHE_SECONDS = 60


def _owner_timezone(request) -> zoneinfo.ZoneInfo | None:
    """The one timezone of the owner's stores, or None (several zones, none, or not an owner)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.is_superuser:
        return None
    from .models import Store

    # Kept a minute in the cache: every admin page asks, and a store's timezone rarely changes.
    zones = cache.get_or_set(
        f"cloudpos:admin-timezones:{user.pk}",
        lambda: sorted(set(Store.objects.filter(owner=user).values_list("timezone", flat=True))),
        OWNER_TIMEZONES_CACHE_SECONDS,
    )
    if len(zones) != 1:
        return None
    try:
        return zoneinfo.ZoneInfo(zones[0])
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


class OwnerScopedAdmin(OwnerScopedChoicesMixin, OwnerScopedObjectsMixin, admin.ModelAdmin):
    # Owners get add/change/delete/view on models registered with this class, unless narrowed here
    # (e.g. orders are read-only: ("view",)). Synced into the Owners group after every migrate.
    owner_permissions: tuple[str, ...] = ("add", "change", "delete", "view")
    # Korean labels for fields whose model gives none (see admin_labels.py); merged over the defaults.
    field_labels: dict[str, str] = {}

    def get_list_filter(self, request):
        """A plain related-field filter lists every row of the related table, which would show
        other owners' store names in the sidebar; offer only the related rows this owner has."""
        filters = list(super().get_list_filter(request))
        if not request.user.is_superuser:
            filters = [_owner_safe_filter(self.model, item) for item in filters]
        return [labelled_filter(self.model, item, self.field_labels) for item in filters]

    def get_list_display(self, request):
        keep = {*(self.list_editable or ()), *(self.list_display_links or ())}
        return [self._list_column(item, keep) for item in super().get_list_display(request)]

    def _list_column(self, item, keep):
        # A `name` with an English twin reads in the admin's language, links included
        # (get_list_display_links names the same callable); an editable name stays the field.
        name_column = localized_name_column(self.model, item, self.field_labels)
        if name_column is not None and item not in (self.list_editable or ()):
            return name_column
        return item if item in keep else labelled_column(self.model, item, self.field_labels)

    def get_list_display_links(self, request, list_display):
        links = super().get_list_display_links(request, list_display)
        if not links:
            return links
        return [
            item
            if item in (self.list_editable or ())
            else localized_name_column(self.model, item, self.field_labels) or item
            for item in links
        ]

    def get_readonly_fields(self, request, obj=None):
        """Amounts shown read-only read as won; on a page the owner may only view (no change
        permission), every amount of the model is shown that way."""
        fields = readonly_fields_for(self.model, list(super().get_readonly_fields(request, obj)))
        if obj is not None and not self.has_change_permission(request, obj):
            shown = set(won_field_names(fields))
            amounts = readonly_fields_for(self.model, money_field_names(self.model))
            fields += [item for item in amounts if item.won_field not in shown]
        return fields

    def get_exclude(self, request, obj=None):
        won = won_field_names(self.get_readonly_fields(request, obj))
        excluded = super().get_exclude(request, obj)
        return [*(excluded or []), *won] if won else excluded

    def get_form(self, request, obj=None, **kwargs):
        kwargs["labels"] = {**labels_for(self.model, self.field_labels), **(kwargs.get("labels") or {})}
        return super().get_form(request, obj, **kwargs)

    def get_changelist_formset(self, request, **kwargs):
        kwargs["labels"] = {**labels_for(self.model, self.field_labels), **(kwargs.get("labels") or {})}
        return super().get_changelist_formset(request, **kwargs)


class OwnerScopedInline(OwnerScopedChoicesMixin):
    """Mixin for inlines: use as `class LineInline(OwnerScopedInline, admin.TabularInline)`."""

    field_labels: dict[str, str] = {}

    def get_queryset(self, request):
        return scope_to_owner(super().get_queryset(request), request.user)

    def get_formset(self, request, obj=None, **kwargs):
        kwargs["labels"] = {**labels_for(self.model, self.field_labels), **(kwargs.get("labels") or {})}
        return super().get_formset(request, obj, **kwargs)


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
