from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from .selectors import PERIODS
from .services import MAX_BUILD_DAYS


class ProductSalesForm(forms.Form):
    period = forms.ChoiceField(
        label=_("기간"),
        choices=[("daily", _("일별")), ("weekly", _("주별(월~일)")), ("monthly", _("월별"))],
        required=False,
    )
    date = forms.DateField(label=_("기준일"), required=False)

    def clean_period(self) -> str:
        return self.cleaned_data.get("period") or PERIODS[0]


class DayForm(forms.Form):
    date = forms.DateField(label=_("영업일"), required=False)


class RebuildForm(forms.Form):
    start = forms.DateField(label=_("시작일"))
    end = forms.DateField(label=_("종료일"))

    def clean(self):
        cleaned = super().clean()
        start: date | None = cleaned.get("start")
        end: date | None = cleaned.get("end")
        if start and end:
            if start > end:
                raise forms.ValidationError(_("시작일이 종료일보다 늦습니다."))
            if (end - start).days + 1 > MAX_BUILD_DAYS:
                raise forms.ValidationError(
                    _("한 번에 최대 %(n)d일까지 다시 집계할 수 있습니다.") % {"n": MAX_BUILD_DAYS}
                )
        return cleaned
