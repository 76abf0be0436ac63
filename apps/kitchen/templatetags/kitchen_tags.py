"""`{% order_progress order %}`: the live kitchen status block of the customer's receipt page."""

from django import template

from apps.kitchen import selectors
from apps.kitchen.versions import kitchen_version

register = template.Library()


@register.inclusion_tag("kitchen/partials/order_progress.html")
def order_progress(order):
    context = selectors.order_progress(order)
    context["version"] = kitchen_version(order.store_id)
    return context
