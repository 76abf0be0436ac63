"""The one payment-side write of table ordering: a pay-first round's payment follows its lines onto
the table's tab. It lives here (the payments app is not changed for it) and is called only inside
`prepaid.prepaid_round_land`'s transaction, together with the move of the lines."""

from __future__ import annotations

from apps.orders.models import Order
from apps.payments import selectors as payment_selectors
from apps.payments.models import Payment, PaymentStatus
from apps.payments.state import COMPLETED, IN_FLIGHT


def payments_follow_round(paid: Order, tab: Order, line_ids: list[int]) -> int:
    """The paid order's completed payments now belong to the tab and cover exactly the round's
    lines (as a split by lines does): the tab's bill shows them paid and its amount due leaves
    them out. Returns how many moved."""
    return Payment.objects.filter(order=paid, status__in=list(COMPLETED)).update(order=tab, line_ids=sorted(line_ids))


def payments_restamp(tab: Order, business_date) -> int:
    """The tab's completed payments take the business day its bill is taken on (orders' restamp of
    a tab that crossed the cutoff): a pay-first payment counts with the tab, not the day before."""
    return Payment.objects.filter(order=tab, status__in=list(COMPLETED)).update(business_date=business_date)


def tab_is_covered(tab: Order) -> bool:
    """Completed payments (pay-first rounds) already cover the whole tab: nothing left to take."""
    return tab.total_amount > 0 and payment_selectors.amount_due(tab) == 0


def payment_in_flight_or_done(order: Order) -> bool:
    """A payment of `order` is being confirmed or has been: the order must not be canceled."""
    return Payment.objects.filter(order=order, status__in=[*COMPLETED, *IN_FLIGHT]).exists()


def payment_failed(order: Order) -> bool:
    """Every attempt to pay `order` ended without money (declined, closed, expired)."""
    latest = payment_selectors.latest_payment(order)
    return latest is not None and not payment_in_flight_or_done(order) and latest.status != PaymentStatus.READY


def payments_ready(order: Order) -> list[Payment]:
    """The order's card windows opened and not yet answered."""
    return list(Payment.objects.filter(order=order, status=PaymentStatus.READY))
