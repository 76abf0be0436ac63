from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.fields import IdField, SafeChoiceField, SafeTextField, WonField

MAX_PIN = 6


class DrawerForm(forms.Form):
    manager_pin = SafeTextField(
        max_length=MAX_PIN, required=False, message=_("PIN이 올바르지 않습니다."), code="WRONG_PIN"
    )


class PrintForm(forms.Form):
    RECEIPT, BILL = "receipt", "bill"
    kind = SafeChoiceField(choices=[(RECEIPT, _("영수증")), (BILL, _("중간 계산서"))])


class TerminalChargeForm(forms.Form):
    method = IdField()
    terminal = IdField(required=False)
    amount = WonField(required=False)


class OrderToolsForm(forms.Form):
    """Which of the bridge's buttons an order's POS screen asks for (loaded by htmx after the page)."""

    PAY, ORDER, TAB = "pay", "order", "tab"
    place = SafeChoiceField(choices=[(PAY, _("결제")), (ORDER, _("주문")), (TAB, _("테이블"))])
    method = IdField(required=False)
    amount = WonField(required=False)
