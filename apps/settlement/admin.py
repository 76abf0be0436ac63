from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from apps.core.errors import DomainError
from apps.stores.admin_base import OwnerScopedAdmin
from apps.stores.admin_labels import readonly_fields_for
from apps.stores.selectors import store_for_owner, stores_for_owner

from . import admin_views, home, services
from .models import DailySummary, Settlement, SettlementLine


class SettlementLineInline(admin.TabularInline):
    model = SettlementLine
    extra = 0
    can_delete = False
    fields = [
        "method_name",
        "kind",
        "payment_count",
        "gross_amount",
        "refund_count",
        "refund_amount",
        "fee_amount",
        "net_payout",
    ]
    fields = readonly_fields = readonly_fields_for(SettlementLine, fields)

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Settlement)
class SettlementAdmin(OwnerScopedAdmin):
    """Settlements (read-only) plus the owner's sales reports, mounted under this admin's URLs."""

    owner_permissions = ("view",)
    list_display = [
        "store",
        "period_start",
        "period_end",
        "status",
        "gross_amount",
        "refund_amount",
        "fee_amount",
        "net_payout",
        "report_link",
    ]
    list_filter = ["status", "store"]
    inlines = [SettlementLineInline]
    readonly_fields = readonly_fields_for(
        Settlement,
        [
            "store",
            "period_start",
            "period_end",
            "status",
            "payment_count",
            "gross_amount",
            "refund_count",
            "refund_amount",
            "fee_amount",
            "net_payout",
            "computed_at",
            "confirmed_at",
        ],
    )
    change_list_template = "admin/settlement/settlement/change_list.html"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("보고서"))
    def report_link(self, obj):
        url = reverse("admin:settlement_settlement_detail", args=[obj.store_id, obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("보기"))

    def get_urls(self):
        def scoped(view):
            def wrapper(request, store_id, *args, **kwargs):
                if not self.has_view_permission(request):
                    raise PermissionDenied
                store = store_for_owner(request.user, store_id)  # another owner's store: 404
                return view(request, self._context(request), store, *args, **kwargs)

            return self.admin_site.admin_view(wrapper)

        def index(request):
            if not self.has_view_permission(request):
                raise PermissionDenied
            stores = list(stores_for_owner(request.user).order_by("name", "pk"))
            return admin_views.store_index(request, self._context(request), stores)

        return [
            path("reports/", self.admin_site.admin_view(index), name="settlement_reports"),
            path("reports/<int:store_id>/", scoped(admin_views.dashboard), name="settlement_dashboard"),
            path("reports/<int:store_id>/products/", scoped(admin_views.product_sales), name="settlement_products"),
            path("reports/<int:store_id>/settlements/", scoped(admin_views.settlement_list), name="settlement_list"),
            path(
                "reports/<int:store_id>/settlements/<int:settlement_id>/",
                scoped(admin_views.settlement_detail),
                name="settlement_settlement_detail",
            ),
            path("reports/<int:store_id>/close/", scoped(admin_views.business_day_close), name="settlement_close"),
            path("reports/<int:store_id>/rebuild/", scoped(admin_views.rebuild), name="settlement_rebuild"),
            *super().get_urls(),
        ]

    def _context(self, request) -> dict:
        return {**self.admin_site.each_context(request), "opts": self.model._meta}


@admin.register(DailySummary)
class DailySummaryAdmin(OwnerScopedAdmin):
    owner_permissions = ("view",)
    list_display = [
        "business_date",
        "store",
        "order_count",
        "gross_amount",
        "discount_amount",
        "net_amount",
        "refund_amount",
        "built_at",
    ]
    list_filter = ["store"]
    date_hierarchy = "business_date"
    actions = ["rebuild_days"]

    def get_readonly_fields(self, request, obj=None):
        return readonly_fields_for(self.model, [f.name for f in self.model._meta.fields])

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        # Rebuilding is allowed to whoever may view the days (it only recomputes from facts).
        actions = super().get_actions(request)
        if not self.has_view_permission(request):
            actions.pop("rebuild_days", None)
        return actions

    @admin.action(description=_("선택한 영업일 다시 집계"), permissions=["view"])
    def rebuild_days(self, request, queryset):
        spans: dict = {}
        for store, day in queryset.values_list("store", "business_date"):
            low, high = spans.get(store, (day, day))
            spans[store] = (min(low, day), max(high, day))
        for store in stores_for_owner(request.user).filter(pk__in=spans):
            try:
                services.rollups_rebuild_range(store, *spans[store.pk])
            except DomainError as exc:
                messages.error(request, exc.message)
                return
        messages.success(request, _("선택한 영업일을 다시 집계했습니다."))


# Superusers see every store; the home shows the first of them rather than the whole database.
HOME_STORES_FOR_SUPERUSER = 20


def home_context(request) -> dict:
    """The admin home's "today" (OwnerScopedAdminSite.index calls this for every home visit)."""
    stores = stores_for_owner(request.user).order_by("name", "pk")
    if request.user.is_superuser:
        stores = stores[:HOME_STORES_FOR_SUPERUSER]
    return {"home": home.home_today(stores)}


admin.site.home_hooks.append(home_context)
