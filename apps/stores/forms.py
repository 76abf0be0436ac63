from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Store
from .validators import normalize_business_number


class PairForm(forms.Form):
    code = forms.CharField(
        label=_("연결 코드"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}),
    )


class StoreForm(forms.ModelForm):
    class Meta:
        model = Store
        fields = ["name", "business_number", "address", "phone", "timezone", "cutoff_hour", "settlement_day"]

    def clean_business_number(self):
        return normalize_business_number(self.cleaned_data["business_number"])
