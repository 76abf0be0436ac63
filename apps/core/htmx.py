"""HTMX helpers: one view serves a full page to a plain request and a partial to htmx."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event

from .errors import DomainError

__all__ = ["render_page_or_partial", "render_domain_error", "HttpResponseClientRedirect", "trigger_client_event"]


def render_page_or_partial(
    request: HttpRequest, template: str, partial: str, context: dict, status: int = 200
) -> HttpResponse:
    """Render `partial` (a template or `template#partial-name`) for htmx, else the whole `template`."""
    name = partial if request.htmx else template
    return render(request, name, context, status=status)


def render_domain_error(request: HttpRequest, err: DomainError, template: str = "partials/error.html") -> HttpResponse:
    """A DomainError as a 4xx fragment htmx can swap in (htmx swaps 4xx when configured in base.html)."""
    response = render(request, template, {"error": err}, status=err.status)
    if request.htmx:
        response["HX-Retarget"] = "#messages"
        response["HX-Reswap"] = "innerHTML"
    return response
