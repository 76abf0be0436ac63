"""Cash-receipt (현금영수증) issuers: Toss Payments' cash-receipt API, PortOne V2's for a store whose
card gateway is PortOne, or — without keys (the embedded default) — a clearly labelled simulated
issuer that reaches no tax office.

Toss: `POST /v1/cash-receipts` {amount, orderId, orderName, customerIdentityNumber, type: 소득공제 |
지출증빙, taxFreeAmount} answers a CashReceipt object (receiptKey, issueNumber, issueStatus,
receiptUrl, transactionType CONFIRM | CANCEL, ...); `POST /v1/cash-receipts/{receiptKey}/cancel`
cancels it (an optional `amount` would cancel part: we cancel whole and reissue for the remainder,
as PortOne can only do). issueStatus is IN_PROGRESS | COMPLETED | FAILED; IN_PROGRESS (Toss has it
and reports it to the tax office later) counts as issued, FAILED as refused. Field names checked
against Toss's v1 CashReceipt as third-party clients declare it (no official reference page was
reachable from here): the names above all match. Both calls carry the receipt's own
Idempotency-Key, saved before the first call, and a 5xx or a lost answer is retried here with that
same key, so a retry can never issue twice.

PortOne V2 (stores whose card gateway is PortOne): `POST /cash-receipts` {paymentId, channelKey, type:
PERSONAL | CORPORATE, orderName, currency, amount{total, taxFree}, customer{identityNumber}} answers
{cashReceipt{issueNumber, url, pgReceiptId}}; `POST /payments/{paymentId}/cash-receipt/cancel`
answers {cancelledAmount, cancelledAt}; `GET /payments/{paymentId}/cash-receipt` is the receipt
(status ISSUED | CANCELLED | FAILED). A PortOne receipt is named by the `paymentId` we give it (one
per receipt: a reissue gets a new one), which is what we keep as its receipt key. Errors are
{type, message}: CASH_RECEIPT_ALREADY_ISSUED, CASH_RECEIPT_NOT_FOUND, CASH_RECEIPT_NOT_ISSUED, …
(checked against PortOne's server SDK 0.21.0, generated from its OpenAPI schema.)
"""

from __future__ import annotations

import secrets
from urllib.parse import quote

from django.conf import settings

from .base import Answer, Outcome
from .portone import PortOneProvider, portone_configured
from .toss import TossProvider

TOSS_TYPES = {"INCOME_DEDUCTION": "소득공제", "EXPENSE_PROOF": "지출증빙"}
PORTONE_TYPES = {"INCOME_DEDUCTION": "PERSONAL", "EXPENSE_PROOF": "CORPORATE"}
ATTEMPTS = 3  # one call and two retries with the same idempotency key
# Which issuer made a receipt (CashReceipt.issuer): its cancel and its reconciliation go back there.
TOSS, PORTONE, SIMULATED = "TOSS", "PORTONE", "SIMULATED"


class TossCashReceipts:
    kind = TOSS
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

    def recover(self, *, amount: int, order_id: str, order_name: str, identity: str, purpose: str, key: str) -> Answer:
        """A receipt whose answer was lost: the same request with the same idempotency key. Toss
        answers what it did the first time, or issues now if the first call never arrived."""
        return self.issue(
            amount=amount, order_id=order_id, order_name=order_name, identity=identity, purpose=purpose, key=key
        )


class PortOneCashReceipts:
    """PortOne V2's cash-receipt API; answers in the Toss shape the services read (receiptKey,
    issueNumber, receiptUrl, issueStatus), PortOne's own object kept under "raw"."""

    kind = PORTONE
    is_simulated = False

    def __init__(self):
        self.wire = PortOneProvider()

    def _retrying(self, operation: str, method: str, path: str, body: dict | None, key: str | None) -> Answer:
        answer = None
        for _attempt in range(ATTEMPTS):
            answer = self.wire._call(operation, method, path, body, key)
            if answer.outcome is not Outcome.UNKNOWN:
                break
        return answer

    def issue(self, *, amount: int, order_id: str, order_name: str, identity: str, purpose: str, key: str) -> Answer:
        body = {
            "paymentId": order_id,
            # The store's PortOne channel (its PG contract) issues the receipts as it takes the cards.
            "channelKey": settings.PORTONE_CHANNEL_KEY,
            "type": PORTONE_TYPES[purpose],
            "orderName": order_name,
            "currency": "KRW",
            "amount": {"total": amount, "taxFree": 0},
            "customer": {"identityNumber": identity},
        }
        answer = self._retrying("receipt_issue", "POST", "/cash-receipts", body, key)
        if answer.ok:
            summary = _dict(_dict(answer.body.get("raw")).get("cashReceipt"))
            return _as_toss(answer, order_id, summary.get("issueNumber"), summary.get("url"), answer.body.get("raw"))
        if answer.code == "CASH_RECEIPT_ALREADY_ISSUED":
            # Our first call went through and its answer was lost: the receipt is ours (its
            # paymentId is this receipt's alone), so read what was issued.
            return self.fetch(receipt_key=order_id)
        return answer

    def cancel(self, *, receipt_key: str, key: str) -> Answer:
        path = f"/payments/{quote(receipt_key, safe='')}/cash-receipt/cancel"
        answer = self._retrying("receipt_cancel", "POST", path, None, key)
        if answer.ok:
            return Answer(
                Outcome.OK,
                "receipt_cancel",
                answer.request,
                {"receiptKey": receipt_key, "transactionType": "CANCEL", "raw": answer.body.get("raw")},
                answer.http_status,
            )
        if answer.code == "CASH_RECEIPT_NOT_ISSUED":
            # A retry after a lost answer finds the receipt cancelled already: that is our cancel.
            fetched = self.fetch(receipt_key=receipt_key)
            if fetched.ok and fetched.body.get("status") == "CANCELLED":
                return Answer(Outcome.OK, "receipt_cancel", answer.request, fetched.body, fetched.http_status)
        return answer

    def fetch(self, *, receipt_key: str) -> Answer:
        path = f"/payments/{quote(receipt_key, safe='')}/cash-receipt"
        answer = self._retrying("receipt_fetch", "GET", path, None, None)
        if not answer.ok:
            if answer.code == "CASH_RECEIPT_NOT_FOUND":
                return Answer(
                    Outcome.NOT_FOUND, "receipt_fetch", answer.request, answer.body, answer.http_status, answer.code
                )
            return answer
        raw = _dict(answer.body.get("raw"))
        status = str(raw.get("status") or "")
        if status == "FAILED":
            return Answer(
                Outcome.DECLINED, "receipt_fetch", answer.request, {"raw": raw}, answer.http_status, "ISSUE_FAILED"
            )
        fetched = _as_toss(answer, receipt_key, raw.get("issueNumber"), raw.get("url"), raw)
        return Answer(
            Outcome.OK, "receipt_fetch", answer.request, {**fetched.body, "status": status}, answer.http_status
        )

    def recover(self, *, amount: int, order_id: str, order_name: str, identity: str, purpose: str, key: str) -> Answer:
        """A receipt whose answer was lost: read it by its paymentId; never issued → issue it now
        (same paymentId, same key: PortOne refuses a second receipt for one paymentId)."""
        fetched = self.fetch(receipt_key=order_id)
        if fetched.outcome is not Outcome.NOT_FOUND:
            return fetched
        return self.issue(
            amount=amount, order_id=order_id, order_name=order_name, identity=identity, purpose=purpose, key=key
        )


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _as_toss(answer: Answer, receipt_key: str, issue_number, url, raw) -> Answer:
    body = {
        "receiptKey": receipt_key,
        "issueNumber": str(issue_number or ""),
        "receiptUrl": str(url or ""),
        "issueStatus": "COMPLETED",
        "raw": raw,
    }
    return Answer(Outcome.OK, answer.operation, answer.request, body, answer.http_status)


class SimulatedCashReceipts:
    """Answers like Toss, issues nothing: every receipt it makes is marked simulated."""

    kind = SIMULATED
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

    def recover(self, *, amount: int, order_id: str, order_name: str, identity: str, purpose: str, key: str) -> Answer:
        return self.issue(
            amount=amount, order_id=order_id, order_name=order_name, identity=identity, purpose=purpose, key=key
        )


CashReceiptIssuer = TossCashReceipts | PortOneCashReceipts | SimulatedCashReceipts


def get_cash_receipt_issuer(*, uses_portone: bool = False, kind: str | None = None) -> CashReceiptIssuer:
    """The issuer of a receipt already made (`kind`, its CashReceipt.issuer), or for a new one: PortOne
    for a store whose card gateway is PortOne (and PortOne is configured), else Toss with Toss keys,
    else the labelled simulator."""
    if kind is None:
        if uses_portone and portone_configured():
            kind = PORTONE
        else:
            kind = TOSS if settings.TOSS_SECRET_KEY else SIMULATED
    if kind == PORTONE:
        return PortOneCashReceipts()
    if kind == TOSS:
        return TossCashReceipts()
    return SimulatedCashReceipts()
