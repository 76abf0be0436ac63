from django.conf import settings
from django.core import signing

from . import services


def device_token_from_request(request) -> str:
    """The device token from `Authorization: Device <token>` (API clients) or the signed cookie."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Device "):
        return header[len("Device ") :].strip()
    try:
        return request.get_signed_cookie(settings.DEVICE_COOKIE_NAME, default="", salt="cloudpos.device")
    except signing.BadSignature:
        return ""


_UNSET = object()


def current_device(request):
    """The paired, unrevoked Device this request comes from, or None (looked up once per request)."""
    cached = getattr(request, "_cloudpos_device", _UNSET)
    if cached is _UNSET:
        cached = services.device_for_token_cached(device_token_from_request(request))
        if cached is not None:
            services.device_touch(cached)
        request._cloudpos_device = cached
    return cached


class DeviceMiddleware:
    """Sets `request.device`: the paired, unrevoked Device this terminal is, or None.

    Resolved eagerly rather than through a lazy proxy, so `request.device is None` means what it
    says. It costs a query only when the request carries a device cookie or header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.device = current_device(request)
        return self.get_response(request)
