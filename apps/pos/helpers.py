"""Rendering rules shared by the POS views: htmx gets a partial, a plain request the full page;
a DomainError becomes a 4xx with a clear message (a fragment for htmx, a page otherwise)."""

from __future__ import annotations

import functools

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from apps.core.errors import DomainError
from apps.core.fields import path_id, path_token
from apps.stores import services as store_services
from apps.stores.models import StoreMember

__all__ = [
    "page_or_partial",
    "error_response",
    "domain_errors",
    "redirect_after_post",
    "manager_approval",
    "path_id",
    "path_token",
]


def page_or_partial(request: HttpRequest, page: str, partial: str, context: dict, status: int = 200) -> HttpResponse:
    context.setdefault("store", request.device.store)
    context.setdefault("member", getattr(request, "member", None))
    return render(request, partial if request.htmx else page, context, status=status)


def error_response(request: HttpRequest, err: DomainError) -> HttpResponse:
    if request.htmx:
        response = render(request, "pos/partials/error.html", {"error": err}, status=err.status)
        # The message goes to the page's message area, whatever the form targeted.
        response["HX-Retarget"] = "#messages"
        response["HX-Reswap"] = "innerHTML"
        return response
    back = request.META.get("HTTP_REFERER") or ""
    return render(
        request,
        "pos/error_page.html",
        {"error": err, "back": back, "store": request.device.store, "member": getattr(request, "member", None)},
        status=err.status,
    )


def domain_errors(view):
    """Turn a DomainError raised below into the 4xx answer above."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except DomainError as err:
            return error_response(request, err)

    return wrapper


def redirect_after_post(request: HttpRequest, to: str) -> HttpResponse:
    """Post/redirect/get for plain forms; htmx follows with a client redirect."""
    if request.htmx:
        return HttpResponseClientRedirect(to)
    return redirect(to)


def manager_approval(request: HttpRequest, pin: str) -> StoreMember:
    """The manager approving an action: the logged-in member if a manager, else the PIN's owner,
    who must be a manager. Throttled per device like the login."""
    member = getattr(request, "member", None)
    if member is not None and member.is_manager and not pin:
        return member
    if not pin:
        raise DomainError("MANAGER_PIN_REQUIRED", _("매니저 PIN이 필요합니다."), status=403)
    approver = store_services.member_authenticate(
        request.device.store, pin, throttle_key=f"manager:{request.device.pk}"
    )
    if not approver.is_manager:
        raise DomainError("MANAGER_REQUIRED", _("매니저 권한이 있는 PIN이 아닙니다."), status=403)
    return approver
