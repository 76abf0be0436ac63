"""The cash-receipt (현금영수증) prompt after a cash payment, also reachable later from the order
history: 소득공제 (phone number), 지출증빙 (business number) or none."""

from __future__ import annotations

from django import forms
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from apps.core.fields import SafeChoiceField, SafeTextField, clean_or_raise
from apps.payments import services as payment_services
from apps.payments.models import CashReceipt

from .auth import staff_required
from .constants import pos_constants
from .helpers import domain_errors, path_token


class CashReceiptForm(forms.Form):
    choice = SafeChoiceField(
        choices=[
            *CashReceipt.Purpose.choices,
            (payment_services.NO_RECEIPT, _("발급 안 함")),
        ],
        code="INVALID_CHOICE",
        message=_("현금영수증 발급 방법을 선택하세요."),
    )
    identity = SafeTextField(max_length=20, label=_("휴대폰 번호 또는 사업자등록번호"), code="INVALID_IDENTITY")


@require_POST
@staff_required
@domain_errors
def cash_receipt(request, payment_id: str):
    """Issue (or decline) the cash receipt of one cash payment of this store; a 4xx on a bad
    number, a second receipt or another store's payment."""
    payment = payment_services.cash_receipt_payment_for_store(
        request.device.store, path_token(payment_id, code="PAYMENT_NOT_FOUND")
    )
    data = clean_or_raise(CashReceiptForm(request.POST), code=None)
    receipt = payment_services.cash_receipt_request(payment, choice=data["choice"], identity=data["identity"])
    if not request.htmx:
        return redirect("pos:order_detail", payment.order.public_id)
    context = {"p": payment, "declined": receipt is None, **pos_constants()}
    return render(request, "pos/partials/cash_receipt.html", context)
