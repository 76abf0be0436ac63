"""Helpers for the JSON API: one error shape, parsed bodies, DomainError → 4xx."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _

from .errors import DomainError


def error_response(code: str, message: str, status: int, details: dict | None = None) -> JsonResponse:
    body: dict = {"code": code, "message": str(message)}
    if details:
        body["details"] = details
    return JsonResponse({"error": body}, status=status, json_dumps_params={"ensure_ascii": False})


def json_response(data: dict, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


def parse_json_body(request: HttpRequest) -> dict:
    """The request body as a JSON object, or a 400 DomainError a client can act on."""
    if not request.body:
        return {}
    try:
        data = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise DomainError("MALFORMED_JSON", _("요청 본문이 올바른 JSON이 아닙니다."), status=400) from None
    if not isinstance(data, dict):
        raise DomainError("MALFORMED_JSON", _("요청 본문은 JSON 객체여야 합니다."), status=400)
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
