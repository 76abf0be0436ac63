"""Access rules for terminals: a page needs a paired device of the right kind; the API answers 401."""

from __future__ import annotations

import functools
from urllib.parse import urlencode

from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from apps.core.api import error_response

from .middleware import current_device

__all__ = ["current_device", "device_required", "api_device_required", "owner_api_required"]


def device_required(*kinds: str):
    """Page views: without a paired device of one of `kinds`, go to /pair/ and come back after."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            device = current_device(request)
            if device is None or (kinds and device.kind not in kinds):
                query = urlencode({"next": request.get_full_path(), "kind": ",".join(kinds)})
                return redirect(f"{reverse('stores:pair')}?{query}")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def api_device_required(*kinds: str):
    """JSON views: 401 with a JSON body without a valid device token; 403 for the wrong kind."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            device = current_device(request)
            if device is None:
                response = error_response(
                    "DEVICE_UNAUTHORIZED", _("연결된 기기가 아닙니다. 기기를 다시 연결하세요."), 401
                )
                response["WWW-Authenticate"] = "Device"
                return response
            if kinds and device.kind not in kinds:
                return error_response("DEVICE_KIND_FORBIDDEN", _("이 기기에서는 사용할 수 없는 기능입니다."), 403)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def _is_owner(user) -> bool:
    return user.is_superuser or user.is_owner


def owner_api_required(view):
    """Owner JSON views (admin session), all answers in JSON: 401 without a live session (none,
    expired or logged out), 403 for a signed-in user who is not an owner, then the CSRF check
    (403 CSRF_FAILED from settings.CSRF_FAILURE_VIEW). CSRF runs here rather than in the middleware
    so that a client without a session is told to log in, not that its token is missing."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return error_response("UNAUTHENTICATED", _("로그인이 필요합니다."), 401)
        if not _is_owner(user):
            return error_response("OWNER_REQUIRED", _("점주 계정으로 로그인하세요."), 403)
        rejection = CsrfViewMiddleware(_no_response).process_view(request, None, (), {})
        if rejection is not None:
            return rejection
        return view(request, *args, **kwargs)

    wrapper.csrf_exempt = True  # checked above, after the session
    return wrapper


def _no_response(request):  # CsrfViewMiddleware wants a get_response; only process_view is used
    return None
