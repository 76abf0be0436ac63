"""A local PortOne V2 REST API for tests: a real HTTP server on 127.0.0.1 in a thread.

It speaks PortOne's JSON: payment objects (id, status READY | PAID | PARTIAL_CANCELLED | CANCELLED |
FAILED, amount{total, cancelled, ...}, orderName, method{card, approvalNumber}, paidAt,
requestedAt, cancellations[{status, id, totalAmount, reason}]) and `{type, message}` errors. It
checks `Authorization: PortOne <secret>`, honours `currentCancellableAmount` (a cancel applies only
while the balance is what the caller saw) and `Idempotency-Key`, and injects faults on the next
call of an operation ("fetch", "cancel"):

    "drop"  apply, then close the connection without answering
    "500"   answer 500 without applying

`pay(payment_id, amount)` plays the customer paying in PortOne's window; `dashboard_cancel` a
cancel made in PortOne's console; `signed_webhook(...)` builds a Standard Webhooks delivery.

Cash receipts (`POST /cash-receipts`, `POST /payments/{paymentId}/cash-receipt/cancel`, `GET
/payments/{paymentId}/cash-receipt`) are kept in `cash_receipts` by paymentId — one receipt per
paymentId, a second issue is CASH_RECEIPT_ALREADY_ISSUED — with the same idempotency store and
faults on the operations "receipt_issue", "receipt_cancel" and "receipt_fetch", plus:

    "timeout"  apply, then answer only after `slow_seconds` (the caller has given up by then)
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import secrets
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

import requests


def _now() -> str:
    return datetime.now(UTC).isoformat()


class FakePortOneServer:
    def __init__(self, secret: str = "portone_fake_secret", webhook_secret: str | None = None):
        self.secret = secret
        self.webhook_secret = (
            webhook_secret or "whsec_" + base64.b64encode(b"fake-portone-webhook-key-32bytes").decode()
        )
        self.payments: dict[str, dict] = {}
        self.cash_receipts: dict[str, dict] = {}  # by paymentId
        self.slow_seconds = 2.0
        self.idempotency: dict[str, tuple[int, dict]] = {}
        self.faults: dict[str, list[str]] = {}
        self.requests: list[dict] = []
        self.lock = threading.RLock()
        self._httpd: ThreadingHTTPServer | None = None

    def start(self) -> FakePortOneServer:
        server = self

        class Handler(_Handler):
            fake = server

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def inject(self, operation: str, fault: str, times: int = 1) -> None:
        with self.lock:
            self.faults.setdefault(operation, []).extend([fault] * times)

    def _take_fault(self, operation: str) -> str | None:
        with self.lock:
            queue = self.faults.get(operation) or []
            return queue.pop(0) if queue else None

    def pay(
        self,
        payment_id: str,
        amount: int,
        order_name: str = "테스트 주문",
        status: str = "PAID",
        installment_month: object = 0,  # PaymentMethodCard.installment.month; a test may send junk
    ) -> None:
        with self.lock:
            self.payments[payment_id] = {
                "status": status,
                "id": payment_id,
                "transactionId": "tx_" + secrets.token_hex(8),
                "merchantId": "merchant-fake",
                "storeId": "store-fake",
                "channel": {"type": "TEST", "pgProvider": "TOSSPAYMENTS"},
                "orderName": order_name,
                "amount": {"total": amount, "taxFree": 0, "vat": round(amount / 11), "paid": amount, "cancelled": 0},
                "currency": "KRW",
                "method": {
                    "type": "PaymentMethodCard",
                    "card": {"name": "현대카드", "issuer": "HYUNDAI_CARD", "number": "43301234****1234"},
                    "approvalNumber": f"{secrets.randbelow(10**8):08d}",
                    "installment": {"month": installment_month, "isInterestFree": False},
                },
                "requestedAt": _now(),
                "paidAt": _now() if status == "PAID" else None,
                "cancellations": [],
            }

    def payment(self, payment_id: str) -> dict:
        with self.lock:
            return copy.deepcopy(self.payments[payment_id])

    def dashboard_cancel(self, payment_id: str, amount: int) -> str:
        with self.lock:
            status, answer = self.op_cancel(payment_id, {"amount": amount, "reason": "콘솔 취소"})
        assert status == 200, answer
        return answer["cancellation"]["id"]

    def signed_webhook(
        self,
        payment_id: str,
        *,
        webhook_id: str | None = None,
        timestamp: int | None = None,
        secret: str | None = None,
        event_type: str = "Transaction.Paid",
    ) -> tuple[bytes, dict]:
        body = json.dumps(
            {"type": event_type, "timestamp": _now(), "data": {"paymentId": payment_id, "storeId": "store-fake"}}
        ).encode()
        webhook_id = webhook_id or "msg_" + secrets.token_hex(8)
        timestamp = int(time.time()) if timestamp is None else timestamp
        key = base64.b64decode((secret or self.webhook_secret).removeprefix("whsec_"))
        signed = f"{webhook_id}.{timestamp}.".encode() + body
        signature = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
        headers = {
            "webhook-id": webhook_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": f"v1,{signature}",
        }
        return body, headers

    def post_webhook(self, url: str, body: bytes, headers: dict) -> int:
        return requests.post(
            url, data=body, headers={"Content-Type": "application/json", **headers}, timeout=10
        ).status_code

    # --- operations (under the lock) -------------------------------------------------------------

    def op_cancel(self, payment_id: str, body: dict) -> tuple[int, dict]:
        payment = self.payments.get(payment_id)
        if payment is None:
            return 404, _err("PAYMENT_NOT_FOUND", "결제 건이 존재하지 않습니다.")
        if payment["status"] == "CANCELLED":
            return 409, _err("PAYMENT_ALREADY_CANCELLED", "결제가 이미 취소되었습니다.")
        if payment["status"] not in ("PAID", "PARTIAL_CANCELLED"):
            return 409, _err("PAYMENT_NOT_PAID", "결제가 완료되지 않았습니다.")
        balance = payment["amount"]["total"] - payment["amount"]["cancelled"]
        expected = body.get("currentCancellableAmount")
        if expected is not None and expected != balance:
            return 409, _err("CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN", "취소 가능 잔액 검증에 실패했습니다.")
        amount = body.get("amount", balance)
        if not isinstance(amount, int) or amount <= 0 or amount > balance:
            return 409, _err(
                "CANCEL_AMOUNT_EXCEEDS_CANCELLABLE_AMOUNT", "결제 취소 금액이 취소 가능 금액을 초과했습니다."
            )
        cancellation = {
            "status": "SUCCEEDED",
            "id": "cncl_" + secrets.token_hex(8),
            "totalAmount": amount,
            "taxFreeAmount": 0,
            "vatAmount": round(amount / 11),
            "reason": body.get("reason") or "",
            "cancelledAt": _now(),
            "requestedAt": _now(),
        }
        payment["amount"]["cancelled"] += amount
        payment["status"] = (
            "CANCELLED" if payment["amount"]["cancelled"] == payment["amount"]["total"] else "PARTIAL_CANCELLED"
        )
        payment["cancellations"].append(cancellation)
        return 200, {"cancellation": copy.deepcopy(cancellation)}

    def op_receipt_issue(self, body: dict) -> tuple[int, dict]:
        payment_id, customer = body.get("paymentId"), body.get("customer")
        amount = body.get("amount") if isinstance(body.get("amount"), dict) else {}
        identity = str(customer.get("identityNumber") or "") if isinstance(customer, dict) else ""
        if not (isinstance(payment_id, str) and payment_id and body.get("channelKey") and body.get("orderName")):
            return 400, _err("INVALID_REQUEST", "잘못된 요청입니다.")
        if body.get("type") not in ("PERSONAL", "CORPORATE") or body.get("currency") != "KRW":
            return 400, _err("INVALID_REQUEST", "잘못된 요청입니다.")
        if not identity.isdigit() or not isinstance(amount.get("total"), int) or amount["total"] <= 0:
            return 400, _err("INVALID_REQUEST", "잘못된 요청입니다.")
        existing = self.cash_receipts.get(payment_id)
        if existing is not None and existing["status"] == "ISSUED":
            return 409, _err("CASH_RECEIPT_ALREADY_ISSUED", "현금영수증이 이미 발급되었습니다.")
        receipt = {
            "status": "ISSUED",
            "merchantId": "merchant-fake",
            "storeId": "store-fake",
            "paymentId": payment_id,
            "channel": {"type": "TEST", "key": body["channelKey"], "pgProvider": "TOSSPAYMENTS"},
            "amount": amount["total"],
            "taxFreeAmount": amount.get("taxFree", 0),
            "currency": "KRW",
            "orderName": body["orderName"],
            "isManual": True,
            "type": body["type"],
            "pgReceiptId": "pgr_" + secrets.token_hex(8),
            "issueNumber": f"{secrets.randbelow(10**9):09d}",
            "url": f"https://receipt.example/portone/{payment_id}",
            "issuedAt": _now(),
            "identityNumber": identity,  # kept for the tests' eyes only; PortOne answers no such field
        }
        self.cash_receipts[payment_id] = receipt
        summary = {"issueNumber": receipt["issueNumber"], "url": receipt["url"], "pgReceiptId": receipt["pgReceiptId"]}
        return 200, {"cashReceipt": summary}

    def op_receipt_cancel(self, payment_id: str) -> tuple[int, dict]:
        receipt = self.cash_receipts.get(payment_id)
        if receipt is None:
            return 404, _err("CASH_RECEIPT_NOT_FOUND", "현금영수증이 존재하지 않습니다.")
        if receipt["status"] != "ISSUED":
            return 409, _err("CASH_RECEIPT_NOT_ISSUED", "현금영수증이 발급되지 않았습니다.")
        receipt.update(status="CANCELLED", cancelledAt=_now())
        return 200, {"cancelledAmount": receipt["amount"], "cancelledAt": receipt["cancelledAt"]}

    def live_receipts(self) -> list[dict]:
        with self.lock:
            return [copy.deepcopy(r) for r in self.cash_receipts.values() if r["status"] == "ISSUED"]


def _err(kind: str, message: str) -> dict:
    return {"type": kind, "message": message}


class _Handler(BaseHTTPRequestHandler):
    fake: FakePortOneServer
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:
        pass

    def _send(self, status: int, body: dict) -> None:
        data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _authorized(self) -> bool:
        return self.headers.get("Authorization") == f"PortOne {self.fake.secret}"

    def do_GET(self) -> None:
        fake = self.fake
        fake.requests.append({"method": "GET", "path": self.path})
        if not self._authorized():
            return self._send(401, _err("UNAUTHORIZED", "인증 정보가 올바르지 않습니다."))
        if self.path.startswith("/payments/") and self.path.endswith("/cash-receipt"):
            if fake._take_fault("receipt_fetch") == "500":
                return self._send(500, _err("INTERNAL", "일시적인 오류"))
            payment_id = unquote(self.path[len("/payments/") : -len("/cash-receipt")])
            with fake.lock:
                receipt = copy.deepcopy(fake.cash_receipts.get(payment_id))
            if receipt is None:
                return self._send(404, _err("CASH_RECEIPT_NOT_FOUND", "현금영수증이 존재하지 않습니다."))
            receipt.pop("identityNumber", None)
            return self._send(200, receipt)
        fault = fake._take_fault("fetch")
        if fault == "500":
            return self._send(500, _err("INTERNAL", "일시적인 오류"))
        with fake.lock:
            payment = copy.deepcopy(fake.payments.get(unquote(self.path[len("/payments/") :])))
        if payment is None or not self.path.startswith("/payments/"):
            return self._send(404, _err("PAYMENT_NOT_FOUND", "결제 건이 존재하지 않습니다."))
        self._send(200, payment)

    def do_POST(self) -> None:
        fake = self.fake
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            body = {}
        key = self.headers.get("Idempotency-Key", "")
        fake.requests.append({"method": "POST", "path": self.path, "body": body, "idempotencyKey": key})
        if not self._authorized():
            return self._send(401, _err("UNAUTHORIZED", "인증 정보가 올바르지 않습니다."))
        if self.path == "/cash-receipts" or (
            self.path.startswith("/payments/") and self.path.endswith("/cash-receipt/cancel")
        ):
            return self._cash_receipt(body, key)
        if not (self.path.startswith("/payments/") and self.path.endswith("/cancel")):
            return self._send(404, _err("NOT_FOUND", "존재하지 않는 API"))
        with fake.lock:
            if key and key in fake.idempotency:
                return self._send(*fake.idempotency[key])
            fault = fake._take_fault("cancel")
            if fault == "500":
                return self._send(500, _err("INTERNAL", "일시적인 오류"))
            status, answer = fake.op_cancel(unquote(self.path[len("/payments/") : -len("/cancel")]), body)
            if key:
                fake.idempotency[key] = (status, answer)
        if fault == "drop":
            self.close_connection = True
            return self.connection.close()
        self._send(status, answer)

    def _cash_receipt(self, body: dict, key: str) -> None:
        fake = self.fake
        operation = "receipt_issue" if self.path == "/cash-receipts" else "receipt_cancel"
        with fake.lock:
            fault = fake._take_fault(operation)
            if fault == "500":
                return self._send(500, _err("INTERNAL", "일시적인 오류"))
            if key and (operation, key) in fake.idempotency:
                status, answer = fake.idempotency[(operation, key)]
            else:
                if operation == "receipt_issue":
                    status, answer = fake.op_receipt_issue(body)
                else:
                    payment_id = unquote(self.path[len("/payments/") : -len("/cash-receipt/cancel")])
                    status, answer = fake.op_receipt_cancel(payment_id)
                if key:
                    fake.idempotency[(operation, key)] = (status, answer)
        if fault == "drop":
            self.close_connection = True
            return self.connection.close()
        if fault == "timeout":
            time.sleep(fake.slow_seconds)  # applied; the caller has stopped waiting
        self._send(status, answer)
