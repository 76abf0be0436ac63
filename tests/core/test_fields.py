"""The form fields on the shared parsers: what a POS or kiosk form accepts, what it refuses, and
the code and message a refused form turns into."""

import pytest
from django import forms

from apps.core.errors import DomainError, NotFound
from apps.core.fields import (
    IdField,
    IdListField,
    QuantityField,
    SafeChoiceField,
    SafeTextField,
    WonField,
    clean_or_raise,
    form_error,
    path_id,
    path_token,
)


class SaleForm(forms.Form):
    product_id = IdField(message="상품을 선택하세요.", code="INVALID_PRODUCT_ID")
    qty = QuantityField(required=False, min_value=1, max_value=99, code="INVALID_QTY")
    option = IdListField(code="INVALID_OPTIONS")
    note = SafeTextField(max_length=10, code="INVALID_NOTE")
    paid = WonField(required=False, min_value=1, max_value=100_000, code="INVALID_AMOUNT")
    kind = SafeChoiceField(choices=[("IN", "IN"), ("OUT", "OUT")], required=False, code="INVALID_KIND")


def clean(**data):
    form = SaleForm(data)
    return form.is_valid(), form


def test_a_well_formed_post_is_read_into_python_values():
    # given what a cashier's screen posts, with a comma in the amount and spaces around the note
    ok, form = clean(product_id="12", qty="3", option=["4", "", "5"], note="  포장  ", paid="12,300", kind="IN")

    # then
    assert ok, form.errors
    assert form.cleaned_data == {
        "product_id": 12,
        "qty": 3,
        "option": [4, 5],
        "note": "포장",
        "paid": 12_300,
        "kind": "IN",
    }


@pytest.mark.parametrize(
    "field, value, code",
    [
        ("product_id", "²", "INVALID_PRODUCT_ID"),  # "²".isdigit() is True; int("²") raises
        ("product_id", "١٢", "INVALID_PRODUCT_ID"),  # Arabic-Indic digits: int() would accept them
        ("product_id", "１２", "INVALID_PRODUCT_ID"),
        ("product_id", "9" * 30, "INVALID_PRODUCT_ID"),  # beyond a bigint
        ("product_id", "1" * 5000, "INVALID_PRODUCT_ID"),  # beyond int()'s digit limit
        ("product_id", "0", "INVALID_PRODUCT_ID"),
        ("product_id", "-3", "INVALID_PRODUCT_ID"),
        ("product_id", "1e3", "INVALID_PRODUCT_ID"),
        ("product_id", "NaN", "INVALID_PRODUCT_ID"),
        ("qty", "100", "INVALID_QTY"),
        ("qty", "1.5", "INVALID_QTY"),
        ("option", "x", "INVALID_OPTIONS"),
        ("note", "a\x00b", "INVALID_NOTE"),
        ("note", "x\ud800", "INVALID_NOTE"),
        ("note", "가" * 11, "INVALID_NOTE"),
        ("paid", "0", "INVALID_AMOUNT"),
        ("paid", "100,001", "INVALID_AMOUNT"),
        ("paid", "1,23", "INVALID_AMOUNT"),
        ("paid", "Infinity", "INVALID_AMOUNT"),
        ("kind", "IN\x00", "INVALID_KIND"),
    ],
)
def test_hostile_values_are_refused_with_the_fields_code(field, value, code):
    # given a valid post with one hostile value
    data = {"product_id": "1", field: [value] if field == "option" else value}

    # when
    ok, form = clean(**data)

    # then the form refuses it, and the refusal becomes a 422 with the field's code
    assert not ok
    err = form_error(form)
    assert (err.code, err.status) == (code, 422)
    assert err.message


def test_a_missing_required_field_gets_its_own_message():
    ok, form = clean(qty="2")
    assert not ok
    with pytest.raises(DomainError) as raised:
        clean_or_raise(form)
    assert (raised.value.code, raised.value.message) == ("INVALID_PRODUCT_ID", "상품을 선택하세요.")


def test_form_errors_without_a_code_fall_back_to_invalid_form():
    class Plain(forms.Form):
        name = forms.CharField()

    form = Plain({})
    assert not form.is_valid()
    assert form_error(form).code == "INVALID_FORM"
    assert form_error(form, status=403).status == 403


@pytest.mark.parametrize("value", ["ord_abc-DEF_123", "a" * 64])
def test_path_tokens_pass_through(value):
    assert path_token(value) == value


@pytest.mark.parametrize("value", ["", "a\x00", "\udc80", "a" * 65])
def test_malformed_path_tokens_are_404(value):
    with pytest.raises(NotFound):
        path_token(value, code="ORDER_NOT_FOUND")


@pytest.mark.parametrize("value", [0, -1, 2**63, 10**40, "x"])
def test_path_ids_beyond_a_bigint_are_404(value):
    with pytest.raises(NotFound):
        path_id(value)
    assert path_id(2**63 - 1) == 2**63 - 1


def test_a_choice_message_may_hold_a_percent_sign():
    class KindForm(forms.Form):
        kind = SafeChoiceField(
            choices=[("PERCENT", "%")], message="할인 방식(% 또는 원)을 선택하세요.", code="BAD_KIND"
        )

    form = KindForm({"kind": "HALF"})
    assert not form.is_valid()
    assert (form_error(form).code, form_error(form).message) == ("BAD_KIND", "할인 방식(% 또는 원)을 선택하세요.")
