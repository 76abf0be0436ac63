"""Django form fields built on the shared field parsers (apps.core.parsers), for the HTML forms of
the POS and the kiosk: the same value is accepted or refused whether it comes in a JSON body or a
form post.

Each field turns the parser's DomainError into a ValidationError that keeps the parser's machine
code, so a view can answer a refused form with the same `{"code", "message"}` a service would.
A field may carry its own message (what the cashier or customer reads) instead of the parser's
generic one.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .errors import DomainError, Invalid, NotFound
from .parsers import (
    MAX_AMOUNT,
    MAX_ID_LIST,
    is_clean_text,
    parse_amount,
    parse_id,
    parse_id_list,
    parse_quantity,
    parse_text,
)

__all__ = [
    "IdField",
    "IdListField",
    "QuantityField",
    "WonField",
    "SafeTextField",
    "SafeChoiceField",
    "form_error",
    "clean_or_raise",
    "path_token",
    "path_id",
]


class ParsedField(forms.Field):
    """A field whose `to_python` is one shared parser. Empty values are left to `required`."""

    def __init__(self, *, message: str | None = None, code: str | None = None, **kwargs):
        self.message = message
        self.code = code
        super().__init__(**kwargs)
        if message is not None:
            self.error_messages["required"] = message

    def parse(self, value):
        raise NotImplementedError

    def _label(self) -> str:
        return str(self.label or "")

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip()
        if value in self.empty_values:
            return None
        try:
            return self.parse(value)
        except DomainError as err:
            raise ValidationError(self.message or err.message, code=self.code or err.code) from None


class IdField(ParsedField):
    """A database id: ASCII digits, 1 … 2^63-1."""

    def parse(self, value) -> int:
        return parse_id(value, self._label(), code=self.code)


class QuantityField(ParsedField):
    """A whole number in [min_value, max_value] (a quantity, a count, an index or a signed delta)."""

    def __init__(self, *, min_value: int = 1, max_value: int = 99, **kwargs):
        self.min_value = min_value
        self.max_value = max_value
        super().__init__(**kwargs)

    def parse(self, value) -> int:
        return parse_quantity(value, self._label(), min=self.min_value, max=self.max_value, code=self.code)


class WonField(ParsedField):
    """A whole-won amount as a cashier types it ("12300" or "12,300"), in [min_value, max_value]."""

    def __init__(self, *, min_value: int = 0, max_value: int = MAX_AMOUNT, **kwargs):
        self.min_value = min_value
        self.max_value = max_value
        super().__init__(**kwargs)

    def parse(self, value) -> int:
        amount = parse_amount(value, self._label(), code=self.code)
        if not self.min_value <= amount <= self.max_value:
            raise Invalid(self.code or "INVALID_AMOUNT", self.message or _amount_message(self))
        return amount


def _amount_message(field: WonField) -> str:
    return _("%(field)s 값은 %(min)s원 이상 %(max)s원 이하여야 합니다.") % {
        "field": field._label(),
        "min": f"{field.min_value:,}",
        "max": f"{field.max_value:,}",
    }


class IdListField(ParsedField):
    """Repeated ids from a multi-select or checkboxes (`getlist`); blank entries are skipped."""

    widget = forms.MultipleHiddenInput

    def __init__(self, *, max_items: int = MAX_ID_LIST, **kwargs):
        self.max_items = max_items
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return []
        if not isinstance(value, list | tuple):
            value = [value]
        items = [v.strip() if isinstance(v, str) else v for v in value]
        try:
            return parse_id_list([v for v in items if v != ""], self._label(), max_items=self.max_items, code=self.code)
        except DomainError as err:
            raise ValidationError(self.message or err.message, code=self.code or err.code) from None


class SafeTextField(forms.CharField):
    """Free text without NUL or unpaired surrogates, at most `max_length` characters (stripped)."""

    def __init__(self, *, max_length: int, message: str | None = None, code: str | None = None, **kwargs):
        self.message = message
        self.code = code
        kwargs.setdefault("required", False)
        super().__init__(max_length=max_length, **kwargs)
        if message is not None:
            self.error_messages["required"] = message
            self.error_messages["max_length"] = message
        # CharField's own MaxLengthValidator would answer in its own words; parse_text checks length.
        self.validators = []

    def to_python(self, value):
        if value in self.empty_values:
            return ""
        if isinstance(value, str) and not is_clean_text(value):
            # Not the field's own message ("enter a reason"): the text is there, one character is not.
            raise ValidationError(_("입력에 사용할 수 없는 문자가 있습니다."), code=self.code or "INVALID_FIELD")
        try:
            return parse_text(
                value, self._label(), max_length=self.max_length, required=False, code=self.code, strip=self.strip
            )
        except DomainError as err:
            raise ValidationError(self.message or err.message, code=self.code or err.code) from None

    def _label(self) -> str:
        return str(self.label or "")


class SafeChoiceField(forms.ChoiceField):
    """A ChoiceField whose refusal keeps a machine code and a human message of the caller's (a NUL
    or a surrogate is simply not one of the choices)."""

    def __init__(self, *, message: str | None = None, code: str | None = None, **kwargs):
        self.code = code
        self.message = message
        super().__init__(**kwargs)

    def validate(self, value):
        try:
            super().validate(value)
        except ValidationError:
            if self.message is None:
                raise
            # Raised without params: the caller's message may hold a literal "%" ("% 또는 원").
            raise ValidationError(self.message, code=self.code or "invalid_choice") from None


# --- from a refused form to a DomainError ------------------------------------------------------------

DEFAULT_FORM_CODE = "INVALID_FORM"


def form_error(form: forms.Form, *, code: str | None = None, status: int = 422) -> DomainError:
    """The first error of a refused form as a DomainError, for views that answer a 4xx partial
    rather than re-rendering the form. Its code: `code` if given, else the parser's (upper-case)
    code, else the field's own, else INVALID_FORM."""
    for name, errors in form.errors.as_data().items():
        field = form.fields.get(name)
        for error in errors:
            message = error.messages[0] if error.messages else _("입력값이 올바르지 않습니다.")
            error_code = (
                code
                or (error.code if error.code and error.code.isupper() else None)
                or getattr(field, "code", None)
                or DEFAULT_FORM_CODE
            )
            return DomainError(error_code, message, status=status)
    return DomainError(code or DEFAULT_FORM_CODE, _("입력값이 올바르지 않습니다."), status=status)


def clean_or_raise(form: forms.Form, *, code: str | None = None, status: int = 422) -> dict:
    """`form.cleaned_data`, or the form's first error raised as a DomainError."""
    if not form.is_valid():
        raise form_error(form, code=code, status=status)
    return form.cleaned_data


# --- values from the URL path ---------------------------------------------------------------------

# Order public ids, cart ids, line ids and call ids are short url-safe tokens.
MAX_PATH_TOKEN = 64


def path_token(value: str, *, code: str = "NOT_FOUND") -> str:
    """A token from the URL (an order's public id, a cart, line or call id), or a 404: a NUL, a
    lone surrogate or a kilobyte of text names nothing, and must not reach PostgreSQL or Redis."""
    if not isinstance(value, str) or not value or len(value) > MAX_PATH_TOKEN or not is_clean_text(value):
        raise NotFound(code, _("찾을 수 없습니다."))
    return value


def path_id(value, *, code: str = "NOT_FOUND", message: str = "") -> int:
    """A database id from the URL (an `<int:>` converter lets any number of digits through), or a 404."""
    try:
        return parse_id(value, "id")
    except DomainError:
        raise NotFound(code, message or _("찾을 수 없습니다.")) from None
