from django import template

from apps.core.money import format_won

register = template.Library()


@register.filter(name="won")
def won(amount):
    """{{ order.total|won }} -> `12,300원` in Korean, `₩12,300` in English (the active language)."""
    return format_won(amount)
