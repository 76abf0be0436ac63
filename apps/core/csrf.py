"""settings.CSRF_FAILURE_VIEW: the JSON error shape under the JSON API paths, Django's page elsewhere.

Django's CSRF middleware rejects a request before any view or API decorator runs, with an HTML
page; an API client (an owner's script, a device using its cookie) must get `{"error": {"code",
"message"}}` like every other API error.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.csrf import csrf_failure as django_csrf_failure

from .api import error_response
from .middleware import is_json_api_path


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    if is_json_api_path(request.path_info):
        message = _("보안 토큰이 없거나 맞지 않습니다. 화면을 새로 고쳐 주세요.")
        return error_response("CSRF_FAILED", message, 403, {"reason": reason} if reason else None)
    return django_csrf_failure(request, reason=reason)
