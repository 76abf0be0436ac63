"""Template helpers for the kiosk: names in the customer's language, and the receipt QR code."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from apps.core import qr as core_qr

register = template.Library()


def _get(obj, name: str, default=""):
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


@register.filter
def localized(obj, field: str = "name") -> str:
    """`{{ product|localized }}`: the English name when the kiosk is in English and one exists."""
    if obj is None:
        return ""
    obj = getattr(obj, "listing", obj)  # a menu item carries its names on its listing
    if (get_language() or "").startswith("en"):
        english = _get(obj, f"{field}_en") or _get(obj, f"{field}En")
        if english:
            return english
    return _get(obj, field)


@register.simple_tag
def qr_svg(data: str, label: str = "") -> str:
    """An inline SVG QR code rendered on the server (apps/core/qr.py)."""
    return core_qr.qr_svg(data, label)
