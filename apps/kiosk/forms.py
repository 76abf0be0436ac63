"""The kiosk's forms: numbers through the shared fields (ASCII digits only, bounded), choices
checked against what this kiosk offers."""

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.fields import QuantityField
from apps.orders.models import ServiceType

from .services import LineAction
from .session import MODES

MAX_LINE_QTY = 20


class ServiceTypeForm(forms.Form):
    service_type = forms.ChoiceField(choices=ServiceType.choices)


class AddToCartForm(forms.Form):
    qty = QuantityField(
        min_value=1,
        max_value=MAX_LINE_QTY,
        initial=1,
        message=_("수량은 1~20개까지 고를 수 있습니다."),
        code="INVALID_QTY",
    )
    # Which options are allowed (and min/max per group) is the carts service's call, not the form's.
    option = forms.TypedMultipleChoiceField(coerce=int, required=False, choices=())

    def __init__(self, *args, option_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["option"].choices = [(i, i) for i in option_ids]
        self.fields["option"].error_messages["invalid_choice"] = _("선택할 수 없는 옵션입니다.")


class LineChangeForm(forms.Form):
    action = forms.ChoiceField(
        choices=[(LineAction.INC, "+"), (LineAction.DEC, "-"), (LineAction.REMOVE, "x"), (LineAction.SET, "=")]
    )
    qty = QuantityField(
        min_value=1,
        max_value=MAX_LINE_QTY,
        required=False,
        message=_("수량은 1~20개까지 고를 수 있습니다."),
        code="INVALID_QTY",
    )

    def clean(self):
        data = super().clean()
        if data.get("action") == LineAction.SET and not data.get("qty"):
            raise forms.ValidationError(_("수량을 입력해 주세요."))
        return data


class PayForm(forms.Form):
    method = forms.TypedChoiceField(coerce=int, choices=())

    def __init__(self, *args, methods=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["method"].choices = [(m.pk, m.name) for m in methods]
        self.fields["method"].error_messages["invalid_choice"] = _("이 키오스크에서 쓸 수 없는 결제 수단입니다.")


class ConfirmForm(forms.Form):
    """A POST that carries nothing but its intent (the CSRF token): remove the sold-out lines, take
    the cart back after a failed card, call staff. Extra fields are ignored, never trusted."""


class ModeForm(forms.Form):
    mode = forms.ChoiceField(choices=[(m, m) for m in MODES])
