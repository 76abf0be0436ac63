"""Helpers for the JSON API: one error shape, parsed bodies, DomainError → 4xx."""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, JsonResponse, RawPostDataException, UnreadablePostError
from django.utils.translation import gettext as _

from .errors import DomainError
from .parsers import is_clean_text


def error_response(code: str, message: str, status: int, details: dict | None = None) -> JsonResponse:
    body: dict = {"code": code, "message": str(message)}
    if details:
        body["details"] = details
    return JsonResponse({"error": body}, status=status, json_dumps_params={"ensure_ascii": False})


def json_response(data: dict, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


# A JSON body is a few fields; product images travel as multipart, never as JSON. Deeper nesting
# than this serves no endpoint and only invites a RecursionError further down (jsonb, logging).
MAX_JSON_BODY_BYTES = 1024 * 1024
MAX_JSON_DEPTH = 32
# No id or amount has more digits; a longer literal is refused before Python builds the int.
_MAX_INT_DIGITS = 24
FORM_CONTENT_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


def _malformed(message: str, status: int = 400) -> DomainError:
    return DomainError("MALFORMED_JSON", message, status=status)


def _too_large() -> DomainError:
    return DomainError("PAYLOAD_TOO_LARGE", _("요청 본문이 너무 큽니다."), status=413)


def _reject_constant(token: str):
    # NaN, Infinity and -Infinity are not JSON (jsonb and every other client refuse them).
    raise ValueError(f"{token} is not a JSON number")


def _parse_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e999999
        raise ValueError("number out of range")
    return value


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > _MAX_INT_DIGITS:
        raise ValueError("integer too long")
    return int(text)


def _check_tree(data) -> None:
    """Depth limit, and no NUL or unpaired surrogate in any key or string (PostgreSQL text and
    jsonb refuse NUL; a lone surrogate cannot be encoded for the database, Redis or the answer).
    Iterative, so the check itself cannot overflow the stack."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise _malformed(_("요청 본문의 중첩이 너무 깊습니다."))
        if isinstance(value, dict):
            for key, item in value.items():
                if not is_clean_text(key):
                    raise _malformed(_("요청 본문에 사용할 수 없는 문자가 있습니다."))
                stack.append((item, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, str) and not is_clean_text(value):
            raise _malformed(_("요청 본문에 사용할 수 없는 문자가 있습니다."))


def parse_json_body(request: HttpRequest) -> dict:
    """The request body as a JSON object, or a 4xx DomainError a client can act on: 415 for a form
    or multipart body, 413 above MAX_JSON_BODY_BYTES, 400 for anything else that is not a clean
    JSON object (invalid UTF-8, NaN/Infinity, huge numbers, deep nesting, NUL, lone surrogates)."""
    if request.content_type in FORM_CONTENT_TYPES:
        raise DomainError("UNSUPPORTED_MEDIA_TYPE", _("요청 본문은 JSON(application/json)이어야 합니다."), status=415)
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_JSON_BODY_BYTES:
        raise _too_large()
    try:
        raw = request.body
    except RawPostDataException:
        # the body was already read as a form (multipart): it was never JSON
        raise DomainError(
            "UNSUPPORTED_MEDIA_TYPE", _("요청 본문은 JSON(application/json)이어야 합니다."), status=415
        ) from None
    except (RequestDataTooBig, UnreadablePostError):
        raise _too_large() from None
    if not raw:
        return {}
    if len(raw) > MAX_JSON_BODY_BYTES:
        raise _too_large()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _malformed(_("요청 본문이 올바른 JSON이 아닙니다.")) from None
    return parse_json_object(text)


def parse_json_object(text: str) -> dict:
    """`text` as a clean JSON object (the rules of `parse_json_body`), else a 400 DomainError.
    Also for JSON carried inside a form field (the product API's multipart `data`)."""
    if len(text) > MAX_JSON_BODY_BYTES:
        raise _too_large()
    try:
        data = json.loads(text, parse_constant=_reject_constant, parse_float=_parse_float, parse_int=_parse_int)
    except (ValueError, RecursionError):
        # ValueError covers JSONDecodeError and the number hooks above; RecursionError deep nesting
        raise _malformed(_("요청 본문이 올바른 JSON이 아닙니다.")) from None
    if not isinstance(data, dict):
        raise _malformed(_("요청 본문은 JSON 객체여야 합니다."))
    _check_tree(data)
    return data


def api_view(view: Callable) -> Callable:
    """Wrap a JSON view so a DomainError raised anywhere below becomes its 4xx JSON body."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except DomainError as err:
            return error_response(err.code, err.message, err.status, err.details)

    return wrapper


def api_methods(*allowed: str):
    """Like require_http_methods, but a wrong method gets the API's JSON error body."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method not in allowed:
                response = error_response("METHOD_NOT_ALLOWED", _("허용되지 않은 메서드입니다."), 405)
                response["Allow"] = ", ".join(allowed)
                return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
