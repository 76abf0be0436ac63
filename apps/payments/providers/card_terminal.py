"""An external VAN card terminal: the card is charged on the terminal and the cashier records the
8-digit approval number and the card company it printed. Refunds are done on the terminal too."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from apps.core.errors import Invalid

from .base import Answer, Outcome

APPROVAL_NUMBER_RE = re.compile(r"^\d{8}$")


def validate_terminal_approval(approval_number: str, card_company: str) -> tuple[str, str]:
    approval_number = (approval_number or "").strip().replace("-", "").replace(" ", "")
    card_company = (card_company or "").strip()
    if not APPROVAL_NUMBER_RE.match(approval_number):
        raise Invalid("INVALID_APPROVAL_NUMBER", _("승인 번호는 숫자 8자리여야 합니다."))
    if not card_company or len(card_company) > 50:
        raise Invalid("INVALID_CARD_COMPANY", _("카드사를 입력하세요."))
    return approval_number, card_company


class CardTerminalProvider:
    kind = "CARD_TERMINAL"
    redirect_flow = False

    def confirm(self, payment) -> Answer:
        approval_number, card_company = validate_terminal_approval(payment.approval_number, payment.card_company)
        request = {"amount": payment.amount, "approvalNumber": approval_number, "cardCompany": card_company}
        return Answer(Outcome.OK, "terminal", request, {"status": "DONE", **request})

    def cancel(self, payment, *, amount: int, reason: str, idempotency_key: str) -> Answer:
        # The cashier cancels on the terminal itself; here we record that it was done.
        request = {"cancelAmount": amount, "cancelReason": reason, "approvalNumber": payment.approval_number}
        return Answer(Outcome.OK, "cancel", request, {"canceledOnTerminal": amount, "transactionKey": idempotency_key})

    def fetch(self, payment) -> Answer:
        return Answer(Outcome.OK, "fetch", {}, {"status": payment.status, "totalAmount": payment.amount})
