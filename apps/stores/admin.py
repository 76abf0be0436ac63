from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import services
from .admin_base import OwnerScopedAdmin
from .models import Device, Store, StoreMember


@admin.register(Store)
class StoreAdmin(OwnerScopedAdmin):
    list_display = ["name", "business_number", "phone", "timezone", "cutoff_hour", "settlement_day"]
    search_fields = ["name", "business_number"]

    def get_exclude(self, request, obj=None):
        return [] if request.user.is_superuser else ["owner"]

    def save_model(self, request, obj, form, change):
        if not change and not request.user.is_superuser:
            obj.owner = request.user
        super().save_model(request, obj, form, change)


class StoreMemberForm(forms.ModelForm):
    pin = forms.CharField(
        label=_("PIN (4~6자리 숫자)"),
        required=False,
        max_length=6,
        help_text=_("비워 두면 기존 PIN을 유지합니다."),
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "new-password"}),
    )

    class Meta:
        model = StoreMember
        fields = ["store", "display_name", "role", "is_active"]

    def clean(self):
        cleaned = super().clean()
        pin = cleaned.get("pin")
        store = cleaned.get("store")
        if not self.instance.pk and not pin:
            self.add_error("pin", _("새 직원에게는 PIN이 필요합니다."))
        # The stored digest is keyed by the store, so a member moved to another store needs a new PIN.
        elif self.instance.pk and store and store.pk != self.instance.store_id and not pin:
            self.add_error("pin", _("다른 매장으로 옮기는 직원에게는 새 PIN이 필요합니다."))
        if pin and not (pin.isdigit() and 4 <= len(pin) <= 6):
            self.add_error("pin", _("PIN은 4~6자리 숫자여야 합니다."))
        elif pin and store:
            taken = StoreMember.objects.filter(store=store, pin_digest=services.pin_digest(store, pin)).exclude(
                pk=self.instance.pk
            )
            if taken.exists():
                self.add_error("pin", _("이 매장의 다른 직원이 이미 쓰는 PIN입니다."))
        return cleaned


@admin.register(StoreMember)
class StoreMemberAdmin(OwnerScopedAdmin):
    form = StoreMemberForm
    list_display = ["display_name", "store", "role", "is_active"]
    list_filter = ["role", "is_active", "store"]
    search_fields = ["display_name"]
    list_select_related = ["store"]

    def save_model(self, request, obj, form, change):
        pin = form.cleaned_data.get("pin")
        if pin:
            obj.pin_digest = services.pin_digest(obj.store, pin)
        # The form already refused a PIN in use; the unique constraint still guards a simultaneous save.
        super().save_model(request, obj, form, change)


@admin.register(Device)
class DeviceAdmin(OwnerScopedAdmin):
    list_display = ["name", "store", "kind", "status", "paired_at", "last_seen_at"]
    list_filter = ["kind", "store"]
    list_select_related = ["store"]
    readonly_fields = ["status", "paired_at", "last_seen_at", "revoked_at"]
    actions = ["issue_pairing_code", "revoke"]

    @admin.display(description=_("상태"))
    def status(self, obj: Device) -> str:
        if obj.revoked_at:
            label, css = _("연결 해제됨"), "revoked"
        elif obj.is_paired:
            label, css = _("연결됨"), "paired"
        elif obj.pk and obj.pairing_code_expires_at:
            label, css = _("코드 대기 중"), "waiting"
        else:
            label, css = _("연결 안 됨"), "unpaired"
        return format_html('<span class="device-status device-status-{}">{}</span>', css, label)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            self._announce_code(request, obj, services.device_issue_pairing_code(obj))

    def _announce_code(self, request, device, code):
        # Shown once: only the code's digest is stored, so it cannot be displayed again later.
        messages.success(
            request,
            format_html(
                gettext(
                    "'{name}' 연결 코드: <strong class=\"pairing-code\">{code}</strong>"
                    " — 10분 안에 기기의 /pair/ 화면에 입력하세요."
                ),
                name=device.name,
                code=code,
            ),
        )

    @admin.action(description=_("새 연결 코드 발급"))
    def issue_pairing_code(self, request, queryset):
        for device in queryset:
            self._announce_code(request, device, services.device_issue_pairing_code(device))

    @admin.action(description=_("연결 해제 (기기 차단)"))
    def revoke(self, request, queryset):
        devices = list(queryset)
        for device in devices:
            services.device_revoke(device)
        messages.success(request, _("%(n)d대의 기기 연결을 해제했습니다.") % {"n": len(devices)})
