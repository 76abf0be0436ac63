"""Field parsers: the one place where a value from a client (JSON body, form post, query string, URL)
becomes a Python value, or a DomainError naming the field.

Why one module: every hostile value that ever gave a 500 came through a hand-rolled check somewhere
(`"²".isdigit()` is True, `int(1e999999)` raises OverflowError, `int(5000 digits)` raises ValueError,
a lone surrogate or a NUL reaches PostgreSQL). Each parser accepts exactly one well-defined shape and
refuses everything else with `Invalid` (422) — a well-formed request with a bad field. Each takes an
optional `code` so an endpoint keeps the error code its clients already know.

Numbers are accepted as JSON integers or as strings of ASCII digits (forms and query strings only
carry strings); never bools, floats, NaN/Infinity, or non-ASCII digits.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils import timezone
from django.utils.dateparse import parse_datetime as django_parse_datetime
from django.utils.translation import gettext as _

from .errors import Invalid

INVALID_FIELD = "INVALID_FIELD"

# Primary keys are BigAutoField (signed 64-bit in PostgreSQL): a larger number can match nothing.
MAX_ID = 2**63 - 1
MAX_AMOUNT = 10**12
DEFAULT_MAX_QUANTITY = 999
MAX_ID_LIST = 100
DATETIME_MIN_YEAR = 2000
DATETIME_MAX_YEAR = 2100
# The longest ISO 8601 timestamp we accept ("2026-11-30T10:00:00.123456+09:00" is 32 characters).
_MAX_DATETIME_LENGTH = 40

_ASCII_DIGITS = re.compile(r"[0-9]{1,19}")
# "12,300" as a cashier types it into a form: thousands separators only in the right places.
_GROUPED_DIGITS = re.compile(r"[0-9]{1,3}(?:,[0-9]{3}){1,6}")


def _invalid(code: str | None, message: str, field: str) -> Invalid:
    return Invalid(code or INVALID_FIELD, message, details={"field": field})


def check_text(value: str) -> str:
    """`value` unchanged, or a 422 if it holds a NUL (PostgreSQL text refuses it) or an unpaired
    surrogate (it cannot be encoded as UTF-8 for the database, Redis or a response)."""
    if "\x00" in value:
        raise Invalid(INVALID_FIELD, _("입력에 사용할 수 없는 문자(NUL)가 있습니다."))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise Invalid(INVALID_FIELD, _("입력에 사용할 수 없는 문자가 있습니다.")) from None
    return value


def is_clean_text(value: str) -> bool:
    """True when `check_text` would accept `value`."""
    try:
        check_text(value)
    except Invalid:
        return False
    return True


def _parse_int(value, *, grouped: bool = False, strict: bool = False) -> int | None:
    """An int from a JSON integer or (unless `strict`) an ASCII-digit string, else None (never raises)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and not strict:
        text = value.strip()
        negative = text.startswith("-")
        if negative:
            text = text[1:]
        if _ASCII_DIGITS.fullmatch(text):
            number = int(text)
        elif grouped and _GROUPED_DIGITS.fullmatch(text):
            number = int(text.replace(",", ""))
        else:
            return None
        return -number if negative else number
    return None


def parse_id(value, field: str, *, code: str | None = None, strict: bool = False) -> int:
    """A positive database id (1 … 2^63-1). `strict`: a JSON integer only, not a digit string."""
    number = _parse_int(value, strict=strict)
    if number is None or not 1 <= number <= MAX_ID:
        raise _invalid(code, _("%(field)s 값은 올바른 번호여야 합니다.") % {"field": field}, field)
    return number


def parse_quantity(
    value,
    field: str,
    *,
    max: int = DEFAULT_MAX_QUANTITY,
    min: int = 1,
    code: str | None = None,
    strict: bool = False,
) -> int:
    """A whole quantity in [min, max] (min is 1 unless a caller allows 0 or a negative delta).
    `strict`: a JSON integer only, not a digit string."""
    number = _parse_int(value, strict=strict)
    if number is None or not min <= number <= max:
        raise _invalid(
            code,
            _("%(field)s 값은 %(min)d 이상 %(max)d 이하의 정수여야 합니다.") % {"field": field, "min": min, "max": max},
            field,
        )
    return number


def parse_integer(
    value, field: str, *, min: int = -MAX_AMOUNT, max: int = MAX_AMOUNT, code: str | None = None, strict: bool = False
) -> int:
    """Any whole number in [min, max], for a field whose business rules the service checks
    (a sign, a percentage ceiling) with its own error code."""
    number = _parse_int(value, strict=strict)
    if number is None or not min <= number <= max:
        raise _invalid(code, _("%(field)s 값은 정수여야 합니다.") % {"field": field}, field)
    return number


def parse_amount(value, field: str, *, code: str | None = None, strict: bool = False) -> int:
    """A whole-won amount in [0, 10^12]; a form may write it "12,300" (not when `strict`)."""
    number = _parse_int(value, grouped=True, strict=strict)
    if number is None or not 0 <= number <= MAX_AMOUNT:
        raise _invalid(code, _("%(field)s 값은 0 이상의 정수(원)여야 합니다.") % {"field": field}, field)
    return number


def _as_tzinfo(tz: tzinfo | str | None) -> tzinfo:
    if tz is None:
        return timezone.get_current_timezone()
    if isinstance(tz, str):
        try:
            return ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            return timezone.get_current_timezone()
    return tz


def datetime_bounds(tz: tzinfo | str | None = None) -> tuple[datetime, datetime]:
    """The accepted range: from 2000-01-01 00:00 to the end of 2100-12-31, in `tz`."""
    zone = _as_tzinfo(tz)
    return (
        datetime(DATETIME_MIN_YEAR, 1, 1, tzinfo=zone),
        datetime(DATETIME_MAX_YEAR + 1, 1, 1, tzinfo=zone) - timedelta(microseconds=1),
    )


def parse_datetime(value, field: str, tz: tzinfo | str | None = None, *, code: str | None = None) -> datetime:
    """An aware datetime from an ISO 8601 string; a naive one is read in `tz` (the store's zone).

    Refuses impossible dates (2026-02-30, T25:00), offsets of a day or more (+99:00), and anything
    outside 2000-01-01 … 2100-12-31: years like 0001 or 9999 overflow as soon as anything adds a
    day or converts the zone, and no store sells in them.
    """
    message = _("%(field)s 값은 2000-01-01부터 2100-12-31 사이의 올바른 날짜와 시각이어야 합니다.") % {"field": field}
    if not isinstance(value, str) or not value.isascii() or len(value) > _MAX_DATETIME_LENGTH:
        raise _invalid(code, message, field)
    try:
        parsed = django_parse_datetime(value.strip())
    except (ValueError, OverflowError):
        parsed = None
    if parsed is None:
        raise _invalid(code, message, field)
    # Check the written year before any arithmetic: make_aware/astimezone on year 1 or 9999 overflow.
    if not DATETIME_MIN_YEAR - 1 <= parsed.year <= DATETIME_MAX_YEAR + 1:
        raise _invalid(code, message, field)
    zone = _as_tzinfo(tz)
    try:
        if timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed, zone)
        lower, upper = datetime_bounds(zone)
        in_range = lower <= parsed <= upper
    except (ValueError, OverflowError):
        in_range = False
    if not in_range:
        raise _invalid(code, message, field)
    return parsed


def parse_text(
    value, field: str, *, max_length: int, required: bool = True, code: str | None = None, strip: bool = True
) -> str:
    """A string of at most `max_length` characters, without NUL or unpaired surrogates.
    Missing (None) or blank is "" when not required, a 422 when required."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise _invalid(code, _("%(field)s 값은 문자열이어야 합니다.") % {"field": field}, field)
    if not is_clean_text(value):
        raise _invalid(code, _("%(field)s 값에 사용할 수 없는 문자가 있습니다.") % {"field": field}, field)
    text = value.strip() if strip else value
    if required and not text.strip():
        raise _invalid(code, _("%(field)s 값은 필수입니다.") % {"field": field}, field)
    if len(text) > max_length:
        raise _invalid(code, _("%(field)s 값은 %(n)d자 이하여야 합니다.") % {"field": field, "n": max_length}, field)
    return text


def parse_id_list(
    value, field: str, *, max_items: int = MAX_ID_LIST, code: str | None = None, strict: bool = False
) -> list[int]:
    """A list of positive ids (order kept); None is the empty list."""
    if value is None:
        return []
    message = _("%(field)s 값은 번호 목록이어야 합니다.") % {"field": field}
    if not isinstance(value, list | tuple) or len(value) > max_items:
        raise _invalid(code, message, field)
    ids = []
    for item in value:
        number = _parse_int(item, strict=strict)
        if number is None or not 1 <= number <= MAX_ID:
            raise _invalid(code, message, field)
        ids.append(number)
    return ids


def parse_bool(value, field: str, *, code: str | None = None) -> bool:
    """A JSON true/false (forms: "true"/"false"/"on"/"1"/"0")."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "false", "on", "off", "1", "0"}:
        return value.strip().lower() in {"true", "on", "1"}
    raise _invalid(code, _("%(field)s 값은 true/false여야 합니다.") % {"field": field}, field)


def parse_choice(value, field: str, choices, *, code: str | None = None, message: str | None = None) -> str:
    """One of `choices` (exact string match); `message` replaces the generic one."""
    if isinstance(value, str) and value in choices:
        return value
    raise _invalid(code, message or _("%(field)s 값이 올바르지 않습니다.") % {"field": field}, field)
