from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from .selectors import PERIODS
from .services import MAX_BUILD_DAYS

# Words an owner (or an old bookmark) may type for a period: all mean the same report.
PERIOD_ALIASES = {
    "day": "daily",
    "week": "weekly",
    "month": "monthly",
    "일별": "daily",
    "주별": "weekly",
    "월별": "monthly",
}


class DateInput(forms.DateInput):
    input_type = "date"


class ProductSalesForm(forms.Form):
    period = forms.ChoiceField(
        label=_("기간"),
        choices=[("daily", _("일별")), ("weekly", _("주별(월~일)")), ("monthly", _("월별"))],
        required=False,
        error_messages={"invalid_choice": _("기간은 일별, 주별(월~일), 월별 중 하나를 고르세요.")},
    )
    date = forms.DateField(
        label=_("기준일"),
        required=False,
        widget=DateInput,
        error_messages={"invalid": _("기준일은 2026-11-30처럼 연-월-일로 입력하세요.")},
    )

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and data.get("period") in PERIOD_ALIASES:
            data = data.copy()
            data["period"] = PERIOD_ALIASES[data["period"]]
        super().__init__(data, *args, **kwargs)

    def clean_period(self) -> str:
        return self.cleaned_data.get("period") or PERIODS[0]


class DayForm(forms.Form):
    date = forms.DateField(
        label=_("영업일"),
        required=False,
        widget=DateInput,
        error_messages={"invalid": _("영업일은 2026-11-30처럼 연-월-일로 입력하세요.")},
    )


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
