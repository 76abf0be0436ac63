"""Template helpers for the kiosk: the receipt QR code. Names and amounts in the customer's language
are the builtin core filters `localized` (apps/core/templatetags/names.py) and `won`."""

from __future__ import annotations

from django import template

from apps.core import qr as core_qr

register = template.Library()


@register.simple_tag
def qr_svg(data: str, label: str = "") -> str:
    """An inline SVG QR code rendered on the server (apps/core/qr.py)."""
    return core_qr.qr_svg(data, label)
