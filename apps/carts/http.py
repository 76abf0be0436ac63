"""JSON endpoint plumbing shared by the cart and start-payment API (orders imports it too).

CSRF: a request authenticated by `Authorization: Device <token>` carries no ambient credential —
a foreign page cannot make a browser send that header cross-site without a CORS preflight we never
grant — so CSRF protection adds nothing there and the view is exempt. A request authenticated by
the device *cookie* is exactly what CSRF attacks ride on, so for those the normal Django CSRF
check still runs (the POS/kiosk pages send the `X-CSRFToken` header from the csrftoken cookie).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.middleware.csrf import CsrfViewMiddleware
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from apps.core.api import api_methods, api_view, error_response
from apps.stores.decorators import api_device_required

SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")


def _uses_device_header(request) -> bool:
    return request.headers.get("Authorization", "").startswith("Device ")


def _csrf_failure(request):
    """Run Django's own CSRF check for cookie-authenticated requests; a 403 JSON body if it fails."""
    checker = CsrfViewMiddleware(lambda req: None)
    checker.process_request(request)
    rejected = checker.process_view(request, None, (), {})
    if rejected is None:
        return None
    return error_response("CSRF_FAILED", _("보안 토큰이 없거나 맞지 않습니다. 화면을 새로 고쳐 주세요."), 403)


def device_api(*methods: str, kinds: tuple[str, ...] = ("POS", "KIOSK")) -> Callable:
    """A JSON view for paired terminals: allowed methods, device auth (401/403), CSRF for cookie auth,
    DomainError → its 4xx JSON body."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def checked(request, *args, **kwargs):
            if request.method not in SAFE_METHODS and not _uses_device_header(request):
                failure = _csrf_failure(request)
                if failure is not None:
                    return failure
            return view(request, *args, **kwargs)

        wrapped = api_device_required(*kinds)(checked)
        return csrf_exempt(api_methods(*methods)(api_view(wrapped)))

    return decorator
