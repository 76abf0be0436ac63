"""Request facts every app reads the same way: where to send a browser back to (`next`) and which
client address a rate limit counts."""

from __future__ import annotations

from django.conf import settings
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


def client_address(request: HttpRequest) -> str:
    """The client's address for rate limits (pairing, logins). Behind N trusted proxies
    (TRUSTED_PROXY_COUNT), the N-th address from the right of X-Forwarded-For is the client;
    anything further left is client-supplied and could be forged to dodge the limit, so it is never
    used. Without a proxy count the balancer's own address would be every client's: one guesser
    would lock everybody out."""
    trusted_proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if trusted_proxies > 0:
        forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",") if part.strip()]
        if len(forwarded) >= trusted_proxies:
            return forwarded[-trusted_proxies]
    return request.META.get("REMOTE_ADDR", "unknown")
