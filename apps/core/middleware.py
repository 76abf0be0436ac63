"""Request hygiene in front of every view, and the JSON error shape for every 4xx under the API.

- A NUL in the URL path or the query string (`GET /payments/%00`) is refused with a 400 here, and
  a cookie holding one is ignored: otherwise it would reach PostgreSQL (which refuses NUL in text,
  a 500) or Redis. Django decodes the path, query string and cookies as UTF-8 with invalid bytes
  re-percent-encoded or replaced, so a lone surrogate cannot arrive that way; NUL is the one
  character that can.
- Under the JSON API paths a 4xx that Django or a decorator rendered as HTML (no URL matched,
  a disallowed method, a body too large, a suspicious request) becomes `{"error": {"code",
  "message"}}`, so an API client always gets the documented shape.

And `LocaleMiddleware`: Django's, without its look for a language prefix in every path.
"""

from __future__ import annotations

from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from .api import error_response

# The payment pages under /payments/ are HTML for a browser; the rest of /payments is the JSON API.
_HTML_UNDER_PAYMENTS = (
    "/payments/toss/checkout/",
    "/payments/portone/checkout/",
    "/payments/simulated/checkout/",
    "/payments/return/",
)

_CODE_BY_STATUS = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
}


def is_json_api_path(path: str) -> bool:
    if path.startswith("/api/"):
        return True
    if path == "/payments" or path.startswith("/payments/"):
        return not path.startswith(_HTML_UNDER_PAYMENTS)
    return False


def _default_message(status: int) -> str:
    messages = {
        400: _("요청이 올바르지 않습니다."),
        401: _("인증이 필요합니다."),
        403: _("이 요청을 처리할 권한이 없습니다."),
        404: _("요청한 주소를 찾을 수 없습니다."),
        405: _("허용되지 않은 메서드입니다."),
        413: _("요청 본문이 너무 큽니다."),
        415: _("요청 본문은 JSON(application/json)이어야 합니다."),
    }
    return messages.get(status, _("요청을 처리할 수 없습니다."))


def _query_has_nul(request: HttpRequest) -> bool:
    # The raw query string carries NUL percent-encoded; decoding it the way QueryDict does is what
    # a view would see. Malformed encodings decode to U+FFFD and are harmless.
    raw = request.META.get("QUERY_STRING", "")
    if "%00" not in raw and "\x00" not in raw:
        return False
    from urllib.parse import unquote

    return "\x00" in unquote(raw.replace("+", " "), errors="replace")


class RequestHygieneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        api = is_json_api_path(request.path_info)
        if "\x00" in request.path_info or _query_has_nul(request):
            message = _("주소에 사용할 수 없는 문자가 있습니다.")
            if api:
                return error_response("INVALID_URL", message, 400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        # A cookie with a NUL (a forged session id) would reach the session table: ignore it, as
        # if it had not been sent (the request then simply has no session).
        for name in [n for n, v in request.COOKIES.items() if "\x00" in n or "\x00" in v]:
            del request.COOKIES[name]
        response = self.get_response(request)
        if api and 400 <= response.status_code < 500 and "json" not in response.get("Content-Type", ""):
            status = response.status_code
            converted = error_response(_CODE_BY_STATUS.get(status, "CLIENT_ERROR"), _default_message(status), status)
            for header in ("Allow", "WWW-Authenticate", "Retry-After"):
                if header in response:
                    converted[header] = response[header]
            return converted
        return response


class LocaleMiddleware(DjangoLocaleMiddleware):
    """The request's language from its cookie or Accept-Language, as Django's LocaleMiddleware
    finds it for URLs without a language prefix. Django's also looks for a language code at the
    start of the path, twice a request, though it only uses one under i18n_patterns: every
    `/api/…` path is looked up as the language "api" and fails, which is not cached (issue 18:
    0.8 % of a checkout's instructions). Under i18n_patterns, Django's own runs."""

    @staticmethod
    def _prefixed_urls(request: HttpRequest) -> bool:
        return is_language_prefix_patterns_used(getattr(request, "urlconf", settings.ROOT_URLCONF))[0]

    def process_request(self, request: HttpRequest) -> None:
        if self._prefixed_urls(request):
            return super().process_request(request)
        translation.activate(translation.get_language_from_request(request))
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if self._prefixed_urls(request):
            return super().process_response(request, response)
        patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
