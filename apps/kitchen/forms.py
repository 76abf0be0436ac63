"""Every kitchen form post and query string, read through the shared fields (apps/core/fields.py)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.fields import IdField, SafeChoiceField, SafeTextField

# A version token is two integers joined by "-" (see versions.py); anything longer names nothing.
MAX_VERSION = 64


class PollForm(forms.Form):
    v = SafeTextField(max_length=MAX_VERSION, label=_("버전"), code="INVALID_VERSION")


class StationPickForm(forms.Form):
    station = IdField(label=_("스테이션"), code="INVALID_STATION", message=_("스테이션을 고르세요."), required=True)


class BumpForm(forms.Form):
    line = IdField(label=_("상품"), code="INVALID_LINE", required=False)


class DisplayForm(forms.Form):
    pick = SafeChoiceField(
        choices=[("", ""), ("1", "1")], required=False, code="INVALID_PICK", message=_("알 수 없는 요청입니다.")
    )
