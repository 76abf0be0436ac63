"""The POS forms: every value a cashier's screen posts (or puts in a query string) is read here,
through the shared fields (apps.core.fields → apps.core.parsers), never with int() or isdigit() in
a view. A refused form becomes a 4xx with the field's code and a message the cashier can act on
(apps.core.fields.clean_or_raise), before any service is called."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.carts.services import MAX_NOTE, MAX_QTY
from apps.core.fields import IdField, IdListField, QuantityField, SafeChoiceField, SafeTextField, WonField
from apps.discounts import pricing
from apps.orders.tabs import MAX_GUESTS, MAX_ITEM_QTY
from apps.orders.tabs import MAX_MEMO as MAX_TAB_MEMO
from apps.orders.tabs import MAX_REASON as MAX_TAB_REASON
from apps.payments.models import CashMovement
from apps.payments.shifts import DENOMINATIONS, MAX_CASH_AMOUNT

# Redis keys, form keys, line and call ids are short tokens; anything longer is not one of ours.
MAX_TOKEN = 64
MAX_PIN = 12
MAX_DISCOUNT_AMOUNT = 10_000_000
MAX_DENOMINATION_COUNT = 100_000
# Free text the POS keeps (a held sale's label, a discount's reason) is cut to fit where it is
# shown; these bounds only refuse what no cashier types.
MAX_LABEL_INPUT = 200
MAX_REASON = 200

PERCENT = pricing.PERCENT
AMOUNT = pricing.AMOUNT


class PinForm(forms.Form):
    pin = SafeTextField(max_length=MAX_PIN, message=_("PIN이 올바르지 않습니다."), code="WRONG_PIN")


class MenuQueryForm(forms.Form):
    """The grid's category tab and search box (menu.menu_context falls back to the first tab)."""

    category = SafeTextField(max_length=MAX_TOKEN)
    q = SafeTextField(max_length=200)


class CartAddForm(forms.Form):
    product_id = IdField(message=_("상품을 선택하세요."), code="INVALID_PRODUCT_ID")
    qty = QuantityField(
        required=False, min_value=1, max_value=MAX_QTY, message=_("수량은 1~99 사이여야 합니다."), code="INVALID_QTY"
    )
    option = IdListField(message=_("옵션 선택이 올바르지 않습니다."), code="INVALID_OPTIONS")
    note = SafeTextField(max_length=MAX_NOTE, message=_("메모는 200자 이하로 입력하세요."), code="INVALID_NOTE")
    tap = SafeTextField(max_length=MAX_TOKEN)

    def clean_qty(self):
        return self.cleaned_data.get("qty") or 1


class BarcodeForm(forms.Form):
    code = SafeTextField(
        max_length=MAX_TOKEN, required=True, message=_("바코드를 입력하세요."), code="BARCODE_REQUIRED"
    )


class LineQtyForm(forms.Form):
    """+1 / -1 buttons post a delta; the number pad posts the new quantity (0 removes the line)."""

    delta = QuantityField(
        required=False,
        min_value=-MAX_QTY,
        max_value=MAX_QTY,
        message=_("수량 변경이 올바르지 않습니다."),
        code="INVALID_QTY",
    )
    qty = QuantityField(
        required=False, min_value=0, max_value=MAX_QTY, message=_("수량은 0~99 사이여야 합니다."), code="INVALID_QTY"
    )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if "delta" in self.data:
            # A delta wins over a quantity sent with it (the +/- buttons sit inside the pad's form).
            data["qty"] = None
            if data.get("delta") is None:
                self.add_error("delta", forms.ValidationError(_("수량 변경이 올바르지 않습니다."), code="INVALID_QTY"))
        elif data.get("qty") is None:
            self.add_error("qty", forms.ValidationError(_("수량은 0~99 사이여야 합니다."), code="INVALID_QTY"))
        return data


class LineNoteForm(forms.Form):
    note = SafeTextField(max_length=MAX_NOTE, message=_("메모는 200자 이하로 입력하세요."), code="INVALID_NOTE")


class CouponForm(forms.Form):
    code = SafeTextField(max_length=40, message=_("쿠폰 코드가 올바르지 않습니다."), code="COUPON_INVALID")
    remove = SafeTextField(max_length=MAX_TOKEN)

    def clean(self):
        data = super().clean()
        if data.get("remove"):
            data["code"] = ""  # the "해제" button: the same form, no code
        return data


class PollForm(forms.Form):
    """A screen's poll carries the version it shows (a 204 while it is still current)."""

    v = SafeTextField(max_length=MAX_TOKEN)


class DiscountDialogForm(forms.Form):
    """The discount dialog opened from a line (?line=…) or for the whole order."""

    line = SafeTextField(max_length=MAX_TOKEN)


class ReceiptQueryForm(forms.Form):
    """?print=1 opens the receipt with the print dialog."""

    print = SafeTextField(max_length=1)

    def clean(self):
        data = super().clean()
        data["auto_print"] = data.get("print") == "1"
        return data


class DiscountForm(forms.Form):
    """A manual discount: % or won, a reason, an optional line, a manager PIN above the limit."""

    kind = SafeChoiceField(
        choices=[(PERCENT, "%"), (AMOUNT, "원")],
        message=_("할인 방식(% 또는 원)을 선택하세요."),
        code="INVALID_DISCOUNT_KIND",
    )
    value = WonField(
        min_value=1, max_value=MAX_DISCOUNT_AMOUNT, message=_("할인 값이 올바르지 않습니다."), code="INVALID_VALUE"
    )
    reason = SafeTextField(
        max_length=MAX_REASON, required=True, message=_("할인 사유를 입력하세요."), code="REASON_REQUIRED"
    )
    line_id = SafeTextField(max_length=MAX_TOKEN, message=_("장바구니에 그 상품 줄이 없습니다."), code="LINE_NOT_FOUND")
    manager_pin = SafeTextField(max_length=MAX_PIN, message=_("PIN이 올바르지 않습니다."), code="WRONG_PIN")

    def clean(self):
        data = super().clean()
        if data.get("kind") == PERCENT and (data.get("value") or 0) > 100:
            self.add_error("value", forms.ValidationError(_("할인 값이 올바르지 않습니다."), code="INVALID_VALUE"))
        return data


class DiscountRemoveForm(forms.Form):
    index = QuantityField(
        min_value=0, max_value=MAX_TOKEN, message=_("할인을 찾을 수 없습니다."), code="INVALID_DISCOUNT"
    )


class HoldForm(forms.Form):
    label = SafeTextField(max_length=MAX_LABEL_INPUT, message=_("보류 이름이 너무 깁니다."), code="INVALID_LABEL")


class CheckoutForm(forms.Form):
    cart_version = QuantityField(
        required=False,
        min_value=0,
        max_value=2**31,
        message=_("장바구니가 바뀌었습니다. 확인 후 다시 결제하세요."),
        code="CART_CHANGED",
    )


class PayKeyForm(forms.Form):
    """The one-time key of a payment form, read before anything else (see views_pay.pay)."""

    form_key = SafeTextField(max_length=MAX_TOKEN)


class PayForm(forms.Form):
    method_id = IdField(message=_("결제 수단을 찾을 수 없습니다."), code="PAYMENT_METHOD_NOT_FOUND")
    amount = WonField(
        required=False, message=_("결제 금액은 1원 이상, 남은 금액 이하여야 합니다."), code="INVALID_AMOUNT"
    )
    tendered = SafeTextField(max_length=MAX_TOKEN, message=_("받은 금액을 숫자로 입력하세요."), code="INVALID_TENDERED")
    quick_tendered = SafeTextField(
        max_length=MAX_TOKEN, message=_("받은 금액을 숫자로 입력하세요."), code="INVALID_TENDERED"
    )
    approval_number = SafeTextField(max_length=100, message=_("승인 번호가 너무 깁니다."), code="INVALID_APPROVAL")
    card_company = SafeTextField(max_length=100, message=_("카드사 이름이 너무 깁니다."), code="INVALID_CARD_COMPANY")

    EXACT = "exact"

    def clean(self):
        data = super().clean()
        raw = data.get("quick_tendered") or data.get("tendered") or ""
        if raw in ("", self.EXACT):
            data["tendered_amount"] = None  # exactly the amount
        else:
            field = WonField(
                max_value=MAX_CASH_AMOUNT, message=_("받은 금액을 숫자로 입력하세요."), code="INVALID_TENDERED"
            )
            try:
                data["tendered_amount"] = field.clean(raw)
            except forms.ValidationError as err:
                self.add_error("tendered", err)
        return data


class RefundForm(forms.Form):
    """Refund the whole order or chosen quantities per line (fields qty_<line id>, one per line)."""

    ALL = "all"
    LINES = "lines"

    reason = SafeTextField(
        max_length=MAX_REASON, required=True, message=_("환불 사유를 입력하세요."), code="REASON_REQUIRED"
    )
    mode = SafeChoiceField(
        choices=[(ALL, ALL), (LINES, LINES)],
        required=False,
        message=_("전체 환불 또는 상품별 환불을 고르세요."),
        code="REFUND_INVALID_MODE",
    )
    manager_pin = SafeTextField(max_length=MAX_PIN, message=_("PIN이 올바르지 않습니다."), code="WRONG_PIN")
    restock = SafeTextField(max_length=MAX_TOKEN)

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = list(lines)
        for line in self.lines:
            self.fields[f"qty_{line.pk}"] = QuantityField(
                required=False,
                min_value=0,
                max_value=max(0, line.quantity - line.refunded_quantity),
                message=_("환불 수량이 올바르지 않습니다."),
                code="REFUND_INVALID_LINES",
            )

    def clean(self):
        data = super().clean()
        data["mode"] = data.get("mode") or self.ALL
        data["restock"] = data.get("restock") in ("1", "on", "true")
        data["line_quantities"] = None
        if data["mode"] == self.LINES and not self.errors:
            quantities = {line.pk: data.get(f"qty_{line.pk}") or 0 for line in self.lines}
            data["line_quantities"] = {pk: qty for pk, qty in quantities.items() if qty}
            if not data["line_quantities"]:
                raise forms.ValidationError(_("환불할 상품과 수량을 고르세요."), code="REFUND_NO_LINES")
        return data


class DenominationsForm(forms.Form):
    """Counts per bill and coin (fields d50000 … d10), as the drawer count screens post them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for value in DENOMINATIONS:
            self.fields[f"d{value}"] = QuantityField(
                required=False,
                min_value=0,
                max_value=MAX_DENOMINATION_COUNT,
                message=_("권종별 수량은 0 이상의 숫자여야 합니다."),
                code="INVALID_DENOMINATIONS",
            )

    def clean(self):
        data = super().clean()
        data["denominations"] = {
            value: data[f"d{value}"] for value in DENOMINATIONS if data.get(f"d{value}") is not None
        }
        return data


class ShiftOpenForm(DenominationsForm):
    opening_float = WonField(
        required=False,
        max_value=MAX_CASH_AMOUNT,
        message=_("시재금은 0 이상의 금액이어야 합니다."),
        code="INVALID_AMOUNT",
    )

    def clean(self):
        data = super().clean()
        if data.get("opening_float") is None and not data.get("denominations") and not self.errors:
            self.add_error(
                "opening_float",
                forms.ValidationError(_("시재금은 0 이상의 금액이어야 합니다."), code="INVALID_AMOUNT"),
            )
        return data


class CashMoveForm(forms.Form):
    kind = SafeChoiceField(
        choices=CashMovement.Kind.choices, message=_("입금 또는 출금을 선택하세요."), code="INVALID_CASH_MOVE_KIND"
    )
    amount = WonField(
        min_value=1, max_value=MAX_CASH_AMOUNT, message=_("금액은 1원 이상이어야 합니다."), code="INVALID_AMOUNT"
    )
    reason = SafeTextField(
        max_length=MAX_REASON, required=True, message=_("사유를 입력하세요."), code="REASON_REQUIRED"
    )


class ShiftCloseForm(DenominationsForm):
    counted_cash = WonField(
        required=False,
        max_value=MAX_CASH_AMOUNT,
        message=_("실제 현금은 0 이상의 금액이어야 합니다."),
        code="INVALID_AMOUNT",
    )

    def clean(self):
        data = super().clean()
        if data.get("counted_cash") is None and not data.get("denominations") and not self.errors:
            self.add_error(
                "counted_cash", forms.ValidationError(_("실제 현금을 입력하세요."), code="COUNTED_CASH_REQUIRED")
            )
        return data


class OrderSearchForm(forms.Form):
    """Today's orders by number ("#12" or "12") or by amount ("4,400")."""

    number = SafeTextField(max_length=MAX_TOKEN, message=_("주문 번호는 숫자로 입력하세요."), code="INVALID_NUMBER")
    amount = WonField(required=False, message=_("금액은 숫자로 입력하세요."), code="INVALID_AMOUNT")

    def clean_number(self):
        raw = self.cleaned_data.get("number", "").lstrip("#")
        if not raw:
            return None
        return QuantityField(
            min_value=1, max_value=2**31 - 1, message=_("주문 번호는 숫자로 입력하세요."), code="INVALID_NUMBER"
        ).clean(raw)


# --- tables and tabs ----------------------------------------------------------------------------------


class TabOpenForm(forms.Form):
    guests = QuantityField(
        min_value=1, max_value=MAX_GUESTS, message=_("손님 수는 1~99명이어야 합니다."), code="INVALID_GUESTS"
    )


class RoundMemoForm(forms.Form):
    memo = SafeTextField(max_length=MAX_TAB_MEMO, message=_("메모는 200자 이하로 입력하세요."), code="INVALID_MEMO")


class VoidForm(forms.Form):
    """A void of a sent line: a manager's PIN, how many, and why."""

    pin = SafeTextField(
        max_length=MAX_PIN, required=True, message=_("매니저 PIN이 필요합니다."), code="MANAGER_PIN_REQUIRED"
    )
    qty = QuantityField(
        min_value=1, max_value=MAX_ITEM_QTY, message=_("수량은 1~99 사이여야 합니다."), code="INVALID_QUANTITY"
    )
    reason = SafeTextField(
        max_length=MAX_TAB_REASON, required=True, message=_("취소 사유를 입력하세요."), code="VOID_REASON_REQUIRED"
    )


class TableMoveForm(forms.Form):
    to_table = IdField(message=_("테이블을 찾을 수 없습니다."), code="TABLE_NOT_FOUND")


class TableMergeForm(forms.Form):
    from_table = IdField(message=_("테이블을 찾을 수 없습니다."), code="TABLE_NOT_FOUND")
