"""The simulated card provider (embedded default when no Toss keys are set).

It behaves like a PG: the browser goes to a local checkout page (clearly labelled 시뮬레이션), the
customer approves or declines, and an approval comes back to the same success URL Toss would use. The
"gateway" state lives in Redis under `payments:sim:*`, in Toss's Payment object shape, so confirm,
cancel and fetch follow the same rules as the real thing (idempotency, amount check, balances).
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime, timedelta

from django.utils import timezone

from apps.core.redis import get_redis

from .base import Answer, Outcome

SESSION_TTL_SECONDS = 15 * 24 * 3600
CONFIRM_WINDOW = timedelta(minutes=10)
SIMULATED_CARD_COMPANY = "시뮬레이션카드"


def _key(payment_key: str) -> str:
    return f"payments:sim:{payment_key}"


def _order_key(order_id: str) -> str:
    return f"payments:sim:order:{order_id}"


def _idem_key(key: str) -> str:
    return f"payments:sim:idem:{key}"


def _replayed(idempotency_key: str, operation: str, request: dict) -> Answer | None:
    """The answer first given for this idempotency key, as Toss replays it, or None."""
    raw = get_redis().get(_idem_key(idempotency_key))
    if not raw:
        return None
    stored = json.loads(raw)
    return Answer(Outcome(stored["outcome"]), operation, request, stored["body"], stored["status"])


def _remember(idempotency_key: str, answer: Answer) -> None:
    get_redis().set(
        _idem_key(idempotency_key),
        json.dumps({"outcome": answer.outcome.value, "body": answer.body, "status": answer.http_status}),
        ex=SESSION_TTL_SECONDS,
    )


def _load(payment_key: str) -> dict | None:
    raw = get_redis().get(_key(payment_key))
    return json.loads(raw) if raw else None


def _save(obj: dict) -> None:
    r = get_redis()
    r.set(_key(obj["paymentKey"]), json.dumps(obj, ensure_ascii=False), ex=SESSION_TTL_SECONDS)
    r.set(_order_key(obj["orderId"]), obj["paymentKey"], ex=SESSION_TTL_SECONDS)


def simulated_authorize(*, order_id: str, order_name: str, amount: int, decline_on_confirm: bool = False) -> str:
    """The customer pressed "승인" on the simulated window: an authenticated (IN_PROGRESS) session."""
    payment_key = "sim_" + secrets.token_urlsafe(18)
    _save(
        {
            "paymentKey": payment_key,
            "orderId": order_id,
            "orderName": order_name,
            "status": "IN_PROGRESS",
            "method": "카드",
            "totalAmount": amount,
            "balanceAmount": amount,
            "currency": "KRW",
            "requestedAt": timezone.now().isoformat(),
            "approvedAt": None,
            "card": None,
            "cancels": [],
            "simulated": True,
            "_declineOnConfirm": decline_on_confirm,
        }
    )
    return payment_key


def _public(obj: dict) -> dict:
    return {k: v for k, v in obj.items() if not k.startswith("_")}


def _error(operation: str, request: dict, status: int, code: str, message: str, outcome: Outcome) -> Answer:
    return Answer(outcome, operation, request, {"code": code, "message": message}, status, code, message)


class SimulatedProvider:
    kind = "SIMULATED"
    redirect_flow = True

    def confirm(self, payment) -> Answer:
        request = {"paymentKey": payment.provider_ref, "orderId": payment.public_id, "amount": payment.amount}
        idem = str(payment.idempotency_key)
        r = get_redis()
        with r.lock(f"payments:sim:lock:{payment.provider_ref}", timeout=5, blocking_timeout=5):
            replay = _replayed(idem, "confirm", request)
            if replay:
                return replay
            obj = _load(payment.provider_ref)
            if obj is None:
                return _error(
                    "confirm",
                    request,
                    404,
                    "NOT_FOUND_PAYMENT_SESSION",
                    "결제 시간이 만료되었습니다.",
                    Outcome.NOT_FOUND,
                )
            if obj["orderId"] != payment.public_id or obj["totalAmount"] != payment.amount:
                return _error(
                    "confirm", request, 400, "INVALID_REQUEST", "주문 정보가 일치하지 않습니다.", Outcome.DECLINED
                )
            if obj["status"] != "IN_PROGRESS":
                return _error(
                    "confirm", request, 400, "ALREADY_PROCESSED_PAYMENT", "이미 처리된 결제 입니다.", Outcome.UNKNOWN
                )
            requested = datetime.fromisoformat(obj["requestedAt"])
            if timezone.now() - requested > CONFIRM_WINDOW:
                obj["status"] = "EXPIRED"
                _save(obj)
                return _error(
                    "confirm",
                    request,
                    404,
                    "NOT_FOUND_PAYMENT_SESSION",
                    "결제 시간이 만료되었습니다.",
                    Outcome.NOT_FOUND,
                )
            if obj.get("_declineOnConfirm"):
                obj["status"] = "ABORTED"
                _save(obj)
                answer = _error(
                    "confirm",
                    request,
                    403,
                    "REJECT_CARD_PAYMENT",
                    "한도초과 혹은 잔액부족으로 결제에 실패했습니다.(시뮬레이션)",
                    Outcome.DECLINED,
                )
            else:
                obj.update(
                    status="DONE",
                    approvedAt=timezone.now().isoformat(),
                    lastTransactionKey="simtx_" + secrets.token_hex(8),
                    card={
                        "company": SIMULATED_CARD_COMPANY,
                        "issuerCode": "SIM",
                        "number": "9999********0000",
                        "approveNo": f"{secrets.randbelow(10**8):08d}",
                        "amount": obj["totalAmount"],
                    },
                )
                _save(obj)
                answer = Answer(Outcome.OK, "confirm", request, _public(obj), 200)
            _remember(idem, answer)
            return answer

    def cancel(self, payment, *, amount: int, reason: str, idempotency_key: str) -> Answer:
        request = {"paymentKey": payment.provider_ref, "cancelAmount": amount, "cancelReason": reason}
        r = get_redis()
        with r.lock(f"payments:sim:lock:{payment.provider_ref}", timeout=5, blocking_timeout=5):
            replay = _replayed(idempotency_key, "cancel", request)
            if replay:
                return replay
            obj = _load(payment.provider_ref)
            if obj is None:
                return _error(
                    "cancel", request, 404, "NOT_FOUND_PAYMENT", "존재하지 않는 결제 정보 입니다.", Outcome.NOT_FOUND
                )
            if obj["status"] not in ("DONE", "PARTIAL_CANCELED"):
                return _error(
                    "cancel", request, 400, "ALREADY_CANCELED_PAYMENT", "이미 취소된 결제 입니다.", Outcome.DECLINED
                )
            if amount <= 0 or amount > obj["balanceAmount"]:
                return _error(
                    "cancel", request, 403, "NOT_CANCELABLE_AMOUNT", "취소 할 수 없는 금액 입니다.", Outcome.DECLINED
                )
            transaction_key = "simtx_" + secrets.token_hex(8)
            obj["balanceAmount"] -= amount
            obj["status"] = "CANCELED" if obj["balanceAmount"] == 0 else "PARTIAL_CANCELED"
            obj["lastTransactionKey"] = transaction_key
            obj["cancels"].append(
                {
                    "cancelAmount": amount,
                    "cancelReason": reason,
                    "transactionKey": transaction_key,
                    "canceledAt": timezone.now().isoformat(),
                    "refundableAmount": obj["balanceAmount"],
                    "cancelStatus": "DONE",
                }
            )
            _save(obj)
            answer = Answer(Outcome.OK, "cancel", request, _public(obj), 200)
            _remember(idempotency_key, answer)
            return answer

    def fetch(self, payment) -> Answer:
        payment_key = payment.provider_ref or (get_redis().get(_order_key(payment.public_id)) or b"").decode()
        obj = _load(payment_key) if payment_key else None
        request = {"paymentKey": payment_key, "orderId": payment.public_id}
        if obj is None:
            return _error(
                "fetch", request, 404, "NOT_FOUND_PAYMENT", "존재하지 않는 결제 정보 입니다.", Outcome.NOT_FOUND
            )
        return Answer(Outcome.OK, "fetch", request, _public(obj), 200)
