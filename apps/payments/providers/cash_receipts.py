"""Cash-receipt (현금영수증) issuers: Toss Payments' cash-receipt API, or — without Toss keys (the
embedded default) — a clearly labelled simulated issuer that reaches no tax office.

Toss: `POST /v1/cash-receipts` {amount, orderId, orderName, customerIdentityNumber, type: 소득공제 |
지출증빙, taxFreeAmount} answers a CashReceipt object (receiptKey, issueNumber, issueStatus,
receiptUrl, ...); `POST /v1/cash-receipts/{receiptKey}/cancel` cancels it. Both carry the receipt's
own Idempotency-Key, saved before the first call, and a 5xx or a lost answer is retried here with
that same key, so a retry can never issue twice.
"""

from __future__ import annotations

import secrets
from urllib.parse import quote

from django.conf import settings

from .base import Answer, Outcome
from .toss import TossProvider

TOSS_TYPES = {"INCOME_DEDUCTION": "소득공제", "EXPENSE_PROOF": "지출증빙"}
ATTEMPTS = 3  # one call and two retries with the same idempotency key


class TossCashReceipts:
    is_simulated = False

    def __init__(self):
        self.wire = TossProvider()

    def _retrying(self, operation: str, path: str, body: dict, idempotency_key: str) -> Answer:
        answer = None
        for _attempt in range(ATTEMPTS):
            answer = self.wire._call(operation, "POST", path, body, idempotency_key)
            if answer.outcome is not Outcome.UNKNOWN:
                break
        return answer

    def issue(self, *, amount: int, order_id: str, order_name: str, identity: str, purpose: str, key: str) -> Answer:
        body = {
            "amount": amount,
            "orderId": order_id,
            "orderName": order_name,
            "customerIdentityNumber": identity,
            "type": TOSS_TYPES[purpose],
            "taxFreeAmount": 0,
        }
        return self._retrying("receipt_issue", "/v1/cash-receipts", body, key)

    def cancel(self, *, receipt_key: str, key: str) -> Answer:
        path = f"/v1/cash-receipts/{quote(receipt_key, safe='')}/cancel"
        return self._retrying("receipt_cancel", path, {}, key)


class SimulatedCashReceipts:
    """Answers like Toss, issues nothing: every receipt it makes is marked simulated."""

    is_simulated = True

    def issue(self, *, amount: int, order_id: str, order_name: str, identity: str, purpose: str, key: str) -> Answer:
        body = {
            "receiptKey": "sim_rcpt_" + secrets.token_hex(10),
            "issueNumber": f"SIM{secrets.randbelow(10**9):09d}",
            "issueStatus": "COMPLETED",
            "amount": amount,
            "orderId": order_id,
            "type": TOSS_TYPES[purpose],
            "receiptUrl": "",
            "simulated": True,
        }
        return Answer(Outcome.OK, "receipt_issue", {"amount": amount, "orderId": order_id}, body)

    def cancel(self, *, receipt_key: str, key: str) -> Answer:
        body = {"receiptKey": receipt_key, "issueStatus": "COMPLETED", "transactionType": "CANCEL", "simulated": True}
        return Answer(Outcome.OK, "receipt_cancel", {"receiptKey": receipt_key}, body)


def get_cash_receipt_issuer() -> TossCashReceipts | SimulatedCashReceipts:
    return TossCashReceipts() if settings.TOSS_SECRET_KEY else SimulatedCashReceipts()
