"""`{% cash_receipt_close store day %}`: the business-day close's cash-receipt table, for the
settlement pages (which sit above payments and read it through this tag)."""

from django import template

from .. import selectors

register = template.Library()


@register.inclusion_tag("payments/cash_receipt_close.html")
def cash_receipt_close(store, day):
    return {"receipts": selectors.cash_receipts_for_day(store, day)}
