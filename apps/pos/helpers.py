"""Rendering rules shared by the POS views: htmx gets a partial, a plain request the full page;
a DomainError becomes a 4xx with a clear message (a fragment for htmx, a page otherwise)."""

from __future__ import annotations

import functools

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from apps.core.errors import DomainError
from apps.core.fields import path_id, path_token
from apps.core.htmx import redirect_htmx_aware, render_domain_error, render_page_or_partial
from apps.stores import services as store_services
from apps.stores.models import StoreMember

from .cart_view import cart_context, current_cart

__all__ = [
    "page_or_partial",
    "error_response",
    "domain_errors",
    "redirect_after_post",
    "manager_approval",
    "path_id",
    "path_token",
]


# A cart action refused because the screen showed another cart (a second tab changed it, it went on
# to checkout): the answer carries the cart as it is now, so the stale screen catches up and a
# retry works.
STALE_CART_CODES = frozenset({"CART_CHANGED", "CART_VERSION_CONFLICT", "CART_NOT_ACTIVE", "LINE_NOT_FOUND"})


def page_or_partial(request: HttpRequest, page: str, partial: str, context: dict, status: int = 200) -> HttpResponse:
    context.setdefault("store", request.device.store)
    context.setdefault("member", getattr(request, "member", None))
    return render_page_or_partial(request, page, partial, context, status=status)


def error_response(request: HttpRequest, err: DomainError) -> HttpResponse:
    if request.htmx:
        context = {}
        if err.code in STALE_CART_CODES and getattr(request, "member", None) is not None:
            context = {**cart_context(request, current_cart(request)), "cart_oob": True}
        return render_domain_error(request, err, "pos/partials/error.html", context)
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
    return redirect_htmx_aware(request, to)


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
