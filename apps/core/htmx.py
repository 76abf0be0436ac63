"""HTMX helpers, all on django-htmx: one view serves a full page to a plain request and a partial to
htmx; a DomainError goes to the page's message area (`retarget` / `reswap`), and may carry other
fragments out of band. Views set no HX-* header by hand."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django_htmx.http import HttpResponseClientRedirect, push_url, reswap, retarget, trigger_client_event

from .errors import DomainError

__all__ = [
    "render_page_or_partial",
    "render_domain_error",
    "render_into",
    "redirect_htmx_aware",
    "HttpResponseClientRedirect",
    "push_url",
    "reswap",
    "retarget",
    "trigger_client_event",
]

MESSAGES = "#messages"


def render_page_or_partial(
    request: HttpRequest, template: str, partial: str, context: dict, status: int = 200
) -> HttpResponse:
    """Render `partial` (a template or `template#partial-name`) for htmx, else the whole `template`."""
    name = partial if request.htmx else template
    return render(request, name, context, status=status)


def render_domain_error(
    request: HttpRequest, err: DomainError, template: str = "partials/error.html", context: dict | None = None
) -> HttpResponse:
    """A DomainError as a 4xx fragment htmx can swap in (htmx swaps 4xx when configured in base.html),
    into the message area whatever the form targeted. `context` reaches the template (e.g. a fresh
    fragment it sends out of band)."""
    response = render(request, template, {"error": err, **(context or {})}, status=err.status)
    if request.htmx:
        response = reswap(retarget(response, MESSAGES), "innerHTML")
    return response


def render_into(request: HttpRequest, template: str, context: dict, *, target: str, status: int = 200) -> HttpResponse:
    """A fragment swapped into `target` (innerHTML) instead of what the element asked for."""
    return reswap(retarget(render(request, template, context, status=status), target), "innerHTML")


def redirect_htmx_aware(request: HttpRequest, to: str) -> HttpResponse:
    """Post/redirect/get for plain forms; htmx follows with a client redirect."""
    if request.htmx:
        return HttpResponseClientRedirect(to)
    return redirect(to)
