from django import forms
from django.contrib import admin, messages
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
        label=_("PIN (4~6자리 숫자)"), required=False, max_length=6, help_text=_("비워 두면 기존 PIN을 유지합니다.")
    )

    class Meta:
        model = StoreMember
        fields = ["store", "display_name", "role", "is_active"]

    def clean(self):
        cleaned = super().clean()
        pin = cleaned.get("pin")
        if not self.instance.pk and not pin:
            self.add_error("pin", _("새 직원에게는 PIN이 필요합니다."))
        if pin and not (pin.isdigit() and 4 <= len(pin) <= 6):
            self.add_error("pin", _("PIN은 4~6자리 숫자여야 합니다."))
        if pin and cleaned.get("store"):
            taken = StoreMember.objects.filter(
                store=cleaned["store"], pin_digest=services.pin_digest(cleaned["store"], pin)
            ).exclude(pk=self.instance.pk)
            if taken.exists():
                self.add_error("pin", _("이 매장의 다른 직원이 이미 쓰는 PIN입니다."))
        return cleaned


@admin.register(StoreMember)
class StoreMemberAdmin(OwnerScopedAdmin):
    form = StoreMemberForm
    list_display = ["display_name", "store", "role", "is_active"]
    list_filter = ["role", "is_active", "store"]
    search_fields = ["display_name"]

    def save_model(self, request, obj, form, change):
        pin = form.cleaned_data.get("pin")
        if pin:
            obj.pin_digest = services.pin_digest(obj.store, pin)
        super().save_model(request, obj, form, change)


@admin.register(Device)
class DeviceAdmin(OwnerScopedAdmin):
    list_display = ["name", "store", "kind", "paired_at", "last_seen_at", "revoked_at"]
    list_filter = ["kind", "store"]
    readonly_fields = ["paired_at", "last_seen_at", "revoked_at"]
    actions = ["issue_pairing_code", "revoke"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            self._announce_code(request, obj, services.device_issue_pairing_code(obj))

    def _announce_code(self, request, device, code):
        messages.success(
            request,
            _("'%(name)s' 연결 코드: %(code)s — 10분 안에 기기의 /pair/ 화면에 입력하세요.")
            % {"name": device.name, "code": code},
        )

    @admin.action(description=_("새 연결 코드 발급"))
    def issue_pairing_code(self, request, queryset):
        for device in queryset:
            self._announce_code(request, device, services.device_issue_pairing_code(device))

    @admin.action(description=_("연결 해제 (기기 차단)"))
    def revoke(self, request, queryset):
        for device in queryset:
            services.device_revoke(device)
        messages.success(request, _("%(n)d대의 기기 연결을 해제했습니다.") % {"n": queryset.count()})
