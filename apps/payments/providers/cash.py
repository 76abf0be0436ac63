"""Cash at the counter: the customer hands over `tendered`, the drawer gives back the change."""

from __future__ import annotations

from django.utils.translation import gettext as _

from apps.core.errors import Invalid

from .base import Answer, Outcome


def cash_change(amount: int, tendered: int | None) -> int:
    """The change owed; 422 when the customer handed over less than is due."""
    if tendered is None:
        return 0
    if isinstance(tendered, bool) or not isinstance(tendered, int) or tendered < 0:
        raise Invalid("INVALID_TENDERED", _("받은 금액이 올바르지 않습니다."))
    if tendered < amount:
        raise Invalid(
            "INSUFFICIENT_TENDERED",
            _("받은 금액(%(tendered)s원)이 결제할 금액(%(amount)s원)보다 적습니다.")
            % {"tendered": f"{tendered:,}", "amount": f"{amount:,}"},
        )
    return tendered - amount


class CashProvider:
    kind = "CASH"
    redirect_flow = False

    def confirm(self, payment) -> Answer:
        tendered = payment.tendered if payment.tendered is not None else payment.amount
        change = cash_change(payment.amount, tendered)
        request = {"amount": payment.amount, "tendered": tendered}
        return Answer(Outcome.OK, "cash", request, {"status": "DONE", "change": change, **request})

    def cancel(self, payment, *, amount: int, reason: str, idempotency_key: str) -> Answer:
        # The cashier hands the money back from the drawer; the shift report counts it.
        request = {"cancelAmount": amount, "cancelReason": reason}
        return Answer(Outcome.OK, "cancel", request, {"handedBack": amount, "transactionKey": idempotency_key})

    def fetch(self, payment) -> Answer:
        return Answer(Outcome.OK, "fetch", {}, {"status": payment.status, "totalAmount": payment.amount})
