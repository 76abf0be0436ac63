"""A local Toss Payments core API v1 for tests: a real HTTP server on 127.0.0.1 in a thread.

It speaks Toss's documented JSON: Payment objects (paymentKey, orderId, orderName, status,
totalAmount, balanceAmount, method, requestedAt, approvedAt, lastTransactionKey, card{...},
cancels[...]) and `{code, message}` errors. It checks Basic auth (secret key + ":"), keeps an
idempotency store per `Idempotency-Key`, enforces the 10-minute confirm window on an injectable clock,
and can inject faults on the next call of an operation:

    "drop"            apply the operation, then close the connection without answering
    "500"             answer 500 FAILED_INTERNAL_SYSTEM_PROCESSING without applying
    "provider_error"  answer 400 PROVIDER_ERROR without applying
    "decline"         answer 403 REJECT_CARD_PAYMENT (the payment becomes ABORTED)

Cash receipts (`POST /v1/cash-receipts`, `POST /v1/cash-receipts/{receiptKey}/cancel`) are kept in
`receipts` by receiptKey, with the same idempotency store and faults (operations `receipt_issue`,
`receipt_cancel`).

`authorize(order_id, amount)` plays the customer finishing the payment window (status IN_PROGRESS)
and returns the paymentKey; `send_webhook(url, payment_key)` posts PAYMENT_STATUS_CHANGED to the app.
"""

from __future__ import annotations

import base64
import copy
import json
import secrets
import threading
from datetime import UTC, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

import requests

KST = timezone(timedelta(hours=9))
CONFIRM_WINDOW = timedelta(minutes=10)


def _iso(dt: datetime) -> str:
    return dt.astimezone(KST).isoformat(timespec="seconds")


class FakeTossServer:
    def __init__(self, secret_key: str = "test_sk_fake_0000000000000000"):
        self.secret_key = secret_key
        self.payments: dict[str, dict] = {}
        self.idempotency: dict[tuple[str, str], tuple[int, dict | None, str]] = {}
        self.faults: dict[str, list[str]] = {}
        self.requests: list[dict] = []
        self.charges: list[str] = []  # paymentKeys, one entry per confirm actually applied
        self.installment_plan_months: object = 0  # what the next confirmed card reports (a test may send junk)
        self.receipts: dict[str, dict] = {}  # cash receipts by receiptKey
        self.now_offset = timedelta()
        self.lock = threading.RLock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ----------------------------------------------------------------------------------

    def start(self) -> FakeTossServer:
        server = self

        class Handler(_Handler):
            fake = server

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    # --- test controls -----------------------------------------------------------------------------

    def now(self) -> datetime:
        return datetime.now(UTC) + self.now_offset

    def advance(self, delta: timedelta) -> None:
        self.now_offset += delta

    def inject(self, operation: str, fault: str, times: int = 1) -> None:
        with self.lock:
            self.faults.setdefault(operation, []).extend([fault] * times)

    def _take_fault(self, operation: str) -> str | None:
        with self.lock:
            queue = self.faults.get(operation) or []
            return queue.pop(0) if queue else None

    def authorize(self, order_id: str, amount: int, order_name: str = "테스트 주문") -> str:
        payment_key = "tgen_" + secrets.token_hex(12)
        with self.lock:
            self.payments[payment_key] = {
                "mId": "tosspayments",
                "version": "2022-11-16",
                "paymentKey": payment_key,
                "type": "NORMAL",
                "orderId": order_id,
                "orderName": order_name,
                "currency": "KRW",
                "method": "카드",
                "status": "IN_PROGRESS",
                "totalAmount": amount,
                "balanceAmount": amount,
                "suppliedAmount": amount - round(amount / 11),
                "vat": round(amount / 11),
                "taxFreeAmount": 0,
                "requestedAt": _iso(self.now()),
                "approvedAt": None,
                "lastTransactionKey": None,
                "isPartialCancelable": True,
                "useEscrow": False,
                "card": None,
                "cancels": None,
                "failure": None,
                "receipt": None,
            }
        return payment_key

    def payment(self, payment_key: str) -> dict:
        with self.lock:
            return copy.deepcopy(self.payments[payment_key])

    def dashboard_cancel(self, payment_key: str, amount: int, reason: str = "대시보드 취소") -> str:
        """A cancel made in the Toss merchant dashboard (no API call from the app); its transactionKey."""
        with self.lock:
            status, answer = self.op_cancel(payment_key, {"cancelReason": reason, "cancelAmount": amount}, None)
        assert status == 200, answer
        return answer["lastTransactionKey"]

    def webhook_body(self, payment_key: str, *, event_type: str = "PAYMENT_STATUS_CHANGED") -> dict:
        return {"eventType": event_type, "createdAt": _iso(self.now()), "data": self.payment(payment_key)}

    def send_webhook(self, url: str, payment_key: str, *, event_type: str = "PAYMENT_STATUS_CHANGED") -> int:
        body = {"eventType": event_type, "createdAt": _iso(self.now()), "data": self.payment(payment_key)}
        return requests.post(url, json=body, timeout=10).status_code

    # --- operations (called by the handler under the lock) ----------------------------------------

    def _find_by_order(self, order_id: str) -> dict | None:
        return next((p for p in self.payments.values() if p["orderId"] == order_id), None)

    def op_confirm(self, body: dict, fault: str | None) -> tuple[int, dict]:
        payment = self.payments.get(str(body.get("paymentKey")))
        if payment is None or payment["orderId"] != body.get("orderId"):
            return 404, _err("NOT_FOUND_PAYMENT_SESSION", "결제 시간이 만료되어 결제 진행 데이터가 존재하지 않습니다.")
        if payment["totalAmount"] != body.get("amount"):
            return 400, _err("INVALID_REQUEST", "잘못된 요청입니다.")
        if payment["status"] in ("DONE", "PARTIAL_CANCELED", "CANCELED"):
            return 400, _err("ALREADY_PROCESSED_PAYMENT", "이미 처리된 결제 입니다.")
        if payment["status"] != "IN_PROGRESS":
            return 404, _err("NOT_FOUND_PAYMENT_SESSION", "결제 시간이 만료되어 결제 진행 데이터가 존재하지 않습니다.")
        if self.now() - datetime.fromisoformat(payment["requestedAt"]) > CONFIRM_WINDOW:
            payment["status"] = "EXPIRED"
            return 404, _err("NOT_FOUND_PAYMENT_SESSION", "결제 시간이 만료되어 결제 진행 데이터가 존재하지 않습니다.")
        if fault == "decline":
            payment["status"] = "ABORTED"
            payment["failure"] = _err("REJECT_CARD_PAYMENT", "한도초과 혹은 잔액부족으로 결제에 실패했습니다.")
            return 403, _err("REJECT_CARD_PAYMENT", "한도초과 혹은 잔액부족으로 결제에 실패했습니다.")
        payment.update(
            status="DONE",
            approvedAt=_iso(self.now()),
            lastTransactionKey="tx_" + secrets.token_hex(10),
            card={
                "company": "신한",
                "issuerCode": "4V",
                "acquirerCode": "41",
                "number": "43301234****123*",
                "installmentPlanMonths": self.installment_plan_months,
                "approveNo": f"{secrets.randbelow(10**8):08d}",
                "cardType": "신용",
                "ownerType": "개인",
                "acquireStatus": "READY",
                "amount": payment["totalAmount"],
            },
        )
        self.charges.append(payment["paymentKey"])
        return 200, copy.deepcopy(payment)

    def op_cancel(self, payment_key: str, body: dict, fault: str | None) -> tuple[int, dict]:
        payment = self.payments.get(payment_key)
        if payment is None:
            return 404, _err("NOT_FOUND_PAYMENT", "존재하지 않는 결제 정보 입니다.")
        if not body.get("cancelReason"):
            return 400, _err("INVALID_REQUEST", "취소 사유는 필수입니다.")
        if payment["status"] == "CANCELED":
            return 400, _err("ALREADY_CANCELED_PAYMENT", "이미 취소된 결제 입니다.")
        if payment["status"] not in ("DONE", "PARTIAL_CANCELED"):
            return 403, _err("NOT_CANCELABLE_PAYMENT", "취소 할 수 없는 결제 입니다.")
        amount = body.get("cancelAmount", payment["balanceAmount"])
        if not isinstance(amount, int) or amount <= 0 or amount > payment["balanceAmount"]:
            return 403, _err("NOT_CANCELABLE_AMOUNT", "취소 할 수 없는 금액 입니다.")
        transaction_key = "tx_" + secrets.token_hex(10)
        payment["balanceAmount"] -= amount
        payment["status"] = "CANCELED" if payment["balanceAmount"] == 0 else "PARTIAL_CANCELED"
        payment["lastTransactionKey"] = transaction_key
        payment["cancels"] = (payment["cancels"] or []) + [
            {
                "transactionKey": transaction_key,
                "cancelReason": body["cancelReason"],
                "cancelAmount": amount,
                "taxFreeAmount": 0,
                "refundableAmount": payment["balanceAmount"],
                "canceledAt": _iso(self.now()),
                "cancelStatus": "DONE",
            }
        ]
        return 200, copy.deepcopy(payment)

    def op_receipt_issue(self, body: dict) -> tuple[int, dict]:
        identity, amount = str(body.get("customerIdentityNumber") or ""), body.get("amount")
        if body.get("type") not in ("소득공제", "지출증빙") or not identity.isdigit():
            return 400, _err("INVALID_REQUEST", "잘못된 요청입니다.")
        if not isinstance(amount, int) or amount <= 0 or not body.get("orderId") or not body.get("orderName"):
            return 400, _err("INVALID_REQUEST", "잘못된 요청입니다.")
        receipt_key = "rcpt_" + secrets.token_hex(10)
        self.receipts[receipt_key] = {
            "mId": "tosspayments",
            "receiptKey": receipt_key,
            "issueNumber": f"{secrets.randbelow(10**9):09d}",
            "issueStatus": "COMPLETED",
            "amount": amount,
            "taxFreeAmount": body.get("taxFreeAmount", 0),
            "taxExemptionAmount": 0,
            "businessNumber": "1234567891",  # the merchant's, as Toss fills it in
            "orderId": body["orderId"],
            "orderName": body["orderName"],
            "type": body["type"],
            "transactionType": "CONFIRM",
            "customerIdentityNumber": identity,
            "requestedAt": _iso(self.now()),
            "receiptUrl": f"https://dashboard.tosspayments.com/receipt/cash?ref={receipt_key}",
            "failure": None,
        }
        return 200, copy.deepcopy(self.receipts[receipt_key])

    def op_receipt_cancel(self, receipt_key: str) -> tuple[int, dict]:
        receipt = self.receipts.get(receipt_key)
        if receipt is None:
            return 404, _err("NOT_FOUND_CASH_RECEIPT", "존재하지 않는 현금영수증입니다.")
        if receipt["transactionType"] == "CANCEL":
            return 400, _err("ALREADY_CANCELED_CASH_RECEIPT", "이미 취소된 현금영수증입니다.")
        receipt["transactionType"] = "CANCEL"
        return 200, copy.deepcopy(receipt)

    def live_receipts(self) -> list[dict]:
        with self.lock:
            return [copy.deepcopy(r) for r in self.receipts.values() if r["transactionType"] == "CONFIRM"]


def _err(code: str, message: str) -> dict:
    return {"code": code, "message": message}


class _Handler(BaseHTTPRequestHandler):
    fake: FakeTossServer
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def _send(self, status: int, body: dict) -> None:
        data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _drop(self) -> None:
        self.close_connection = True
        self.connection.close()

    def _authorized(self) -> bool:
        expected = "Basic " + base64.b64encode(f"{self.fake.secret_key}:".encode()).decode()
        return self.headers.get("Authorization") == expected

    def _body(self) -> dict:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            return json.loads(raw or b"{}")
        except ValueError:
            return {}

    def do_GET(self) -> None:
        fake = self.fake
        fake.requests.append({"method": "GET", "path": self.path})
        if not self._authorized():
            return self._send(401, _err("UNAUTHORIZED_KEY", "인증되지 않은 시크릿 키 혹은 클라이언트 키 입니다."))
        fault = fake._take_fault("fetch")
        if fault == "500":
            return self._send(500, _err("FAILED_INTERNAL_SYSTEM_PROCESSING", "내부 시스템 처리 작업이 실패했습니다."))
        with fake.lock:
            if self.path.startswith("/v1/payments/orders/"):
                payment = fake._find_by_order(unquote(self.path[len("/v1/payments/orders/") :]))
            elif self.path.startswith("/v1/payments/"):
                payment = fake.payments.get(unquote(self.path[len("/v1/payments/") :]))
            else:
                payment = None
            payment = copy.deepcopy(payment)
        if payment is None:
            return self._send(404, _err("NOT_FOUND_PAYMENT", "존재하지 않는 결제 정보 입니다."))
        self._send(200, payment)

    def do_POST(self) -> None:
        fake = self.fake
        body = self._body()
        key = self.headers.get("Idempotency-Key", "")
        fake.requests.append({"method": "POST", "path": self.path, "body": body, "idempotencyKey": key})
        if not self._authorized():
            return self._send(401, _err("UNAUTHORIZED_KEY", "인증되지 않은 시크릿 키 혹은 클라이언트 키 입니다."))
        if self.path == "/v1/payments/confirm":
            operation = "confirm"
        elif self.path.startswith("/v1/payments/") and self.path.endswith("/cancel"):
            operation = "cancel"
        elif self.path == "/v1/cash-receipts":
            operation = "receipt_issue"
        elif self.path.startswith("/v1/cash-receipts/") and self.path.endswith("/cancel"):
            operation = "receipt_cancel"
        else:
            return self._send(404, _err("NOT_FOUND", "존재하지 않는 API입니다."))
        fingerprint = json.dumps(body, sort_keys=True)
        with fake.lock:
            if key and (operation, key) in fake.idempotency:
                status, stored, stored_fp = fake.idempotency[(operation, key)]
                if stored_fp != fingerprint:
                    return self._send(422, _err("IDEMPOTENT_REQUEST_MISMATCH", "같은 키로 다른 요청입니다."))
                return self._send(status, stored)
            fault = fake._take_fault(operation)
            if fault == "500":
                return self._send(
                    500, _err("FAILED_INTERNAL_SYSTEM_PROCESSING", "내부 시스템 처리 작업이 실패했습니다.")
                )
            if fault == "provider_error":
                return self._send(
                    400, _err("PROVIDER_ERROR", "일시적인 오류가 발생했습니다. 잠시 후 다시 시도해주세요.")
                )
            if operation == "confirm":
                status, answer = fake.op_confirm(body, fault)
            elif operation == "receipt_issue":
                status, answer = fake.op_receipt_issue(body)
            elif operation == "receipt_cancel":
                status, answer = fake.op_receipt_cancel(unquote(self.path[len("/v1/cash-receipts/") : -len("/cancel")]))
            else:
                payment_key = unquote(self.path[len("/v1/payments/") : -len("/cancel")])
                status, answer = fake.op_cancel(payment_key, body, fault)
            if key:
                fake.idempotency[(operation, key)] = (status, answer, fingerprint)
        if fault == "drop":
            return self._drop()  # applied, but the caller never hears about it
        self._send(status, answer)
