"""Where to send a browser back to: the one `next` check every view uses."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

from .parsers import is_clean_text


def safe_next_url(request: HttpRequest, default: str = "") -> str:
    """The request's `next` (form field, else query string) when it is a path on this site, else
    `default`.

    Only a path starting with one "/" passes: "//evil.example" and "/\\evil.example" (browsers read
    both as another host), "https://evil.example", "javascript:…", and anything with control
    characters or NUL fall back. A bare word would also break `redirect()`, which tries to reverse
    anything without a "/" ("now", "NaN") as a URL name and fails with a 500.
    """
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not target.startswith("/") or not is_clean_text(target):
        return default
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default
