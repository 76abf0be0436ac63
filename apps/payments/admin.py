from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.core.errors import DomainError
from apps.core.money import format_won
from apps.stores.admin_base import OwnerScopedAdmin, OwnerScopedInline
from apps.stores.admin_labels import readonly_fields_for

from . import selectors, services
from .models import (
    CashReceipt,
    CashReceiptSettings,
    Payment,
    PaymentEvent,
    PaymentMethod,
    PaymentStatus,
    Refund,
    WebhookEvent,
)


@admin.register(PaymentMethod)
class PaymentMethodAdmin(OwnerScopedAdmin):
    list_display = ["name", "name_en", "store", "kind", "channels", "fee_rate_bp", "is_active", "sort_order"]
    list_filter = ["kind", "is_active"]
    list_editable = ["is_active", "sort_order"]


class ReadOnlyInlineMixin:
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        # Whoever may view the payment sees its log and refunds (rows are owner-scoped anyway).
        return request.user.has_perm("payments.view_payment")


class PaymentEventInline(ReadOnlyInlineMixin, OwnerScopedInline, admin.TabularInline):
    model = PaymentEvent
    verbose_name = _("결제사 기록")
    verbose_name_plural = _("결제사 기록")
    fields = ["created_at", "operation", "direction", "http_status", "payload"]
    readonly_fields = fields


class RefundInline(ReadOnlyInlineMixin, OwnerScopedInline, admin.TabularInline):
    model = Refund
    fields = readonly_fields = readonly_fields_for(
        Refund, ["created_at", "amount", "reason", "status", "provider_transaction_key", "restock"]
    )


@admin.register(Payment)
class PaymentAdmin(OwnerScopedAdmin):
    owner_permissions = ("view",)
    list_display = ["public_id", "order", "kind", "amount", "canceled_amount", "status", "is_simulated", "created_at"]
    list_filter = ["status", "kind", "is_simulated"]
    search_fields = ["public_id", "provider_ref", "order__public_id", "approval_number"]
    inlines = [RefundInline, PaymentEventInline]
    actions = ["refund_remaining"]

    def get_readonly_fields(self, request, obj=None):
        return readonly_fields_for(self.model, [f.name for f in self.model._meta.fields])

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("선택한 결제의 남은 금액 환불"))
    def refund_remaining(self, request, queryset):
        for payment in queryset.filter(status__in=[PaymentStatus.DONE, PaymentStatus.PARTIAL_CANCELED]):
            try:
                refund = services.payment_cancel(payment, reason=gettext("관리자 환불"), user=request.user)
            except DomainError as err:
                self.message_user(request, f"{payment.public_id}: {err.message}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    gettext("%(id)s: %(amount)s 환불") % {"id": payment.public_id, "amount": format_won(refund.amount)},
                )


class RefundAttentionFilter(admin.SimpleListFilter):
    """Refunds a person should look at: not settled yet (the beat retries them) or refused."""

    title = _("확인 필요")
    parameter_name = "attention"

    def lookups(self, request, model_admin):
        return [("yes", _("확인이 필요한 환불"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(pk__in=selectors.refunds_needing_attention().values("pk"))
        return queryset


@admin.register(Refund)
class RefundAdmin(OwnerScopedAdmin):
    owner_permissions = ("view",)
    list_display = ["id", "payment", "amount", "reason", "status", "restock", "created_at", "updated_at"]
    list_filter = [RefundAttentionFilter, "status"]
    actions = ["reconcile_now"]

    @admin.action(description=_("선택한 환불을 결제사에서 다시 확인"))
    def reconcile_now(self, request, queryset):
        for refund in queryset.filter(pk__in=selectors.refunds_needing_attention().values("pk")):
            status = services.refund_reconcile(refund.pk)
            self.message_user(request, gettext("환불 %(id)s: %(status)s") % {"id": refund.pk, "status": status})

    def get_readonly_fields(self, request, obj=None):
        return readonly_fields_for(self.model, [f.name for f in self.model._meta.fields])

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # The model has no name of its own for owners ("Refund object (1)").
        refund = self.get_object(request, unquote(object_id))
        title = ""
        if refund is not None:
            title = gettext("환불 #%(id)s · %(amount)s") % {"id": refund.pk, "amount": format_won(refund.amount)}
        return super().change_view(
            request, object_id, form_url, {"subtitle": title, "object_title": title, **(extra_context or {})}
        )


@admin.register(CashReceiptSettings)
class CashReceiptSettingsAdmin(OwnerScopedAdmin):
    list_display = ["store", "mandatory_issue"]


@admin.register(CashReceipt)
class CashReceiptAdmin(OwnerScopedAdmin):
    """Read-only: receipts are issued at the POS; identity numbers appear masked only."""

    owner_permissions = ("view",)
    list_display = ["id", "payment", "purpose", "identity_masked", "amount", "status", "is_simulated", "issued_at"]
    list_filter = ["status", "purpose", "is_simulated", "self_issued"]
    exclude = ["identity_sealed"]

    def get_readonly_fields(self, request, obj=None):
        return readonly_fields_for(self.model, [f.name for f in self.model._meta.fields if f.name != "identity_sealed"])

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WebhookEvent)
class WebhookEventAdmin(admin.ModelAdmin):
    """Raw provider traffic of every store: superusers only."""

    list_display = ["received_at", "provider", "event_type", "status", "attempts", "dedup_key"]
    list_filter = ["provider", "status", "event_type"]
    readonly_fields = ["provider", "dedup_key", "event_type", "payload", "status", "attempts", "last_error"]

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False
