"""Template helpers for the kiosk: names and amounts in the customer's language, and the receipt QR
code."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from apps.core import qr as core_qr
from apps.core.money import format_won

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


@register.filter(name="won")
def won(amount) -> str:
    """Shadows the built-in `won` in kiosk templates that `{% load kiosk %}`: a customer reading
    English sees `₩12,300` (the won sign first, as English writes currencies), Korean `12,300원`."""
    if amount is None or not (get_language() or "").startswith("en"):
        return format_won(amount)
    amount = int(amount)
    sign = "-" if amount < 0 else ""
    return f"{sign}₩{abs(amount):,}"


@register.simple_tag
def qr_svg(data: str, label: str = "") -> str:
    """An inline SVG QR code rendered on the server (apps/core/qr.py)."""
    return core_qr.qr_svg(data, label)
