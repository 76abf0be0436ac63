"""Names in the reader's language: `{{ product|localized }}`.

Products, options, categories and payment methods carry an optional English name (`name_en`), and
order lines copy it; the POS, kiosk, phone menus, receipts and admin show it in English mode and
fall back to the Korean name when there is none. A builtin library (settings TEMPLATES "builtins"),
like `won`, so every template says names the same way.
"""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

register = template.Library()


def _get(obj, name: str, default=""):
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def localized_name(obj, field: str = "name", language: str | None = None) -> str:
    """`obj.<field>_en` when the language is English and one exists, else `obj.<field>`.

    Accepts models, menu items (which carry their names on `listing`) and the JSON snapshots of
    order lines and options (`name_en`, or `nameEn` as the cart JSON spells it).
    """
    if obj is None:
        return ""
    obj = getattr(obj, "listing", obj)
    if (language or get_language() or "").startswith("en"):
        english = _get(obj, f"{field}_en") or _get(obj, f"{field}En")
        if english:
            return str(english)
    value = _get(obj, field)
    return "" if value is None else str(value)


@register.filter(name="localized")
def localized(obj, field: str = "name") -> str:
    """`{{ product|localized }}`: the English name in English mode when one exists."""
    return localized_name(obj, field)
