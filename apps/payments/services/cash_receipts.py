"""Cash receipts (현금영수증) for cash payments: asked at the counter after the sale (소득공제 with a
phone number, 지출증빙 with a business number, or none), issuable later from the order history,
cancelled — and reissued for what is left — when the payment is partly refunded.

Like every gateway call: the REQUESTED row (with its idempotency key) is committed first, the
issuer is called outside any transaction, and the answer moves the row under its lock. Identity
numbers are stored masked; the full number only sealed (see `sealing`), for the reissue.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.errors import Conflict, Invalid, NotFound

from .. import selectors
from ..models import CashReceipt, CashReceiptSettings, Payment, PaymentStatus
from ..providers import Outcome
from ..providers.cash_receipts import get_cash_receipt_issuer
from ..sealing import seal, unseal
from ..state import cash_receipt_move, lock_payment
from ._common import RECONCILE_AFTER, logger, order_name

P = CashReceipt.Purpose
C = CashReceipt.Status
NO_RECEIPT = "NONE"
CHOICES = (P.INCOME_DEDUCTION, P.EXPENSE_PROOF, NO_RECEIPT)
# 국세청 자진발급 번호: a receipt the customer declined, issued so the sale is reported anyway.
SELF_ISSUE_NUMBER = "0100001234"
# Stores in a mandatory-issue trade must issue for a cash sale of this much or more.
MANDATORY_FROM = 100_000
LIVE = (C.REQUESTED, C.ISSUED, C.UNKNOWN)
RECEIPTABLE = (PaymentStatus.DONE, PaymentStatus.PARTIAL_CANCELED)


def parse_identity(purpose: str, raw) -> str:
    """The digits of a phone number (소득공제) or a business registration number (지출증빙),
    hyphens and spaces allowed in between; anything else is a 422 naming the field."""
    text = raw if isinstance(raw, str) else ""
    digits = "".join(ch for ch in text if ch not in "- ")
    if purpose == P.INCOME_DEDUCTION:
        if not (digits.isascii() and digits.isdigit() and digits.startswith("01") and 10 <= len(digits) <= 11):
            raise Invalid("INVALID_IDENTITY", _("휴대폰 번호가 올바르지 않습니다."), details={"field": "identity"})
        return digits
    if not (digits.isascii() and digits.isdigit() and len(digits) == 10 and _business_number_ok(digits)):
        raise Invalid("INVALID_IDENTITY", _("사업자등록번호가 올바르지 않습니다."), details={"field": "identity"})
    return digits


def _business_number_ok(digits: str) -> bool:
    # The National Tax Service check digit of a business registration number.
    weights = (1, 3, 7, 1, 3, 7, 1, 3, 5)
    total = sum(int(d) * w for d, w in zip(digits[:9], weights, strict=True)) + int(digits[8]) * 5 // 10
    return (10 - total % 10) % 10 == int(digits[9])


def mask_identity(digits: str) -> str:
    if digits == SELF_ISSUE_NUMBER:
        return "010-000-1234"  # the public self-issue number, not a person's
    if len(digits) == 10 and not digits.startswith("01"):
        return f"{digits[:3]}-{digits[3:5]}-***{digits[8:]}"
    return f"{digits[:3]}-****-{digits[-4:]}"


def mandatory_issue(store) -> bool:
    return CashReceiptSettings.objects.filter(store=store, mandatory_issue=True).exists()


def cash_receipt_for_payment(payment: Payment) -> CashReceipt | None:
    return payment.cash_receipts.filter(status__in=list(LIVE)).order_by("-id").first()


def cash_receipt_request(payment: Payment, *, choice: str, identity="") -> CashReceipt | None:
    """The customer's answer at the counter (or later, from the order history). NONE issues nothing
    — unless the store must issue and the sale is 100,000원 or more: then it goes to the national
    self-issue number. Returns the receipt (ISSUED, FAILED or UNKNOWN) or None."""
    if choice not in CHOICES:
        raise Invalid("INVALID_CHOICE", _("현금영수증 발급 방법을 선택하세요."), details={"field": "choice"})
    if payment.kind != "CASH":
        raise Invalid("NOT_A_CASH_PAYMENT", _("현금 결제에만 현금영수증을 발급할 수 있습니다."))
    self_issued = False
    if choice == NO_RECEIPT:
        if not (payment.amount >= MANDATORY_FROM and mandatory_issue(payment.order.store)):
            return None
        purpose, digits, self_issued = P.INCOME_DEDUCTION, SELF_ISSUE_NUMBER, True
    else:
        purpose, digits = choice, parse_identity(choice, identity)
    return _issue(payment.pk, purpose=purpose, digits=digits, self_issued=self_issued)


def _issue(payment_id: int, *, purpose: str, digits: str, self_issued: bool, replaces=None) -> CashReceipt:
    try:
        with transaction.atomic():
            payment = lock_payment(payment_id)
            issuer = get_cash_receipt_issuer(uses_portone=selectors.store_uses_portone(payment.order.store))
            if (
                payment.status not in (PaymentStatus.DONE, PaymentStatus.PARTIAL_CANCELED)
                or payment.balance_amount <= 0
            ):
                raise Conflict("PAYMENT_NOT_RECEIPTABLE", _("현금영수증을 발급할 수 없는 결제입니다."))
            receipt = CashReceipt.objects.create(
                payment=payment,
                purpose=purpose,
                identity_masked=mask_identity(digits),
                identity_sealed="" if self_issued else seal(digits),
                self_issued=self_issued,
                amount=payment.balance_amount,
                is_simulated=issuer.is_simulated,
                issuer=issuer.kind,
                replaces=replaces,
            )
    except IntegrityError:
        raise Conflict("CASH_RECEIPT_EXISTS", _("이미 현금영수증이 발급된 결제입니다.")) from None
    answer = issuer.issue(**_issue_request(receipt, payment, digits))
    return _settle(receipt, answer, payment)


def _issue_request(receipt: CashReceipt, payment: Payment, digits: str) -> dict:
    # The receipt's own order id (PortOne: its paymentId) — a reissue after a refund gets a new one.
    return {
        "amount": receipt.amount,
        "order_id": f"{payment.public_id}-cr{receipt.pk}",
        "order_name": order_name(payment.order),
        "identity": digits,
        "purpose": receipt.purpose,
        "key": str(receipt.idempotency_key),
    }


def _settle(receipt: CashReceipt, answer, payment: Payment) -> CashReceipt:
    """The issuer's answer moves the receipt, under its lock: ISSUED, UNKNOWN (to reconcile) or FAILED."""
    body = answer.body if isinstance(answer.body, dict) else {}
    with transaction.atomic():
        receipt = CashReceipt.objects.select_for_update().get(pk=receipt.pk)
        if receipt.status == C.ISSUED:
            return receipt  # a reconciler got there first
        if answer.ok and body.get("issueStatus") != "FAILED":
            cash_receipt_move(
                receipt,
                C.ISSUED,
                receipt_key=str(body.get("receiptKey") or "")[:200],
                issue_number=str(body.get("issueNumber") or "")[:50],
                receipt_url=str(body.get("receiptUrl") or "")[:500],
                issued_at=timezone.now(),
            )
        elif answer.outcome is Outcome.UNKNOWN:
            cash_receipt_move(receipt, C.UNKNOWN, failure_code=(answer.code or "UNKNOWN")[:100])
        else:
            # A refusal is an HTTP error {code, message}, or a 200 whose issueStatus is FAILED with
            # the reason under failure{code, message}.
            failure = body.get("failure") if isinstance(body.get("failure"), dict) else {}
            code = answer.code or str(failure.get("code") or "") or "FAILED"
            cash_receipt_move(receipt, C.FAILED, failure_code=code[:100], identity_sealed="")
    if receipt.status != C.ISSUED:
        logger.warning("cash receipt %s for payment %s: %s", receipt.pk, payment.public_id, receipt.status)
    return receipt


def cash_receipt_cancel(receipt: CashReceipt, *, keep_identity: bool = False) -> CashReceipt:
    """Cancel an issued receipt (with its own idempotency key, retried on a 5xx). The sealed
    identity is wiped unless a reissue needs it."""
    if receipt.status != C.ISSUED:
        raise Conflict("CASH_RECEIPT_NOT_ISSUED", _("발급된 현금영수증만 취소할 수 있습니다."))
    issuer = get_cash_receipt_issuer(kind=receipt.issuer)
    answer = issuer.cancel(receipt_key=receipt.receipt_key, key=str(receipt.cancel_idempotency_key))
    if not answer.ok:
        raise Conflict(
            "CASH_RECEIPT_CANCEL_FAILED",
            _("현금영수증을 취소하지 못했습니다: %(message)s") % {"message": answer.message or answer.code},
        )
    with transaction.atomic():
        receipt = CashReceipt.objects.select_for_update().get(pk=receipt.pk)
        fields = {"canceled_at": timezone.now()}
        if not keep_identity:
            fields["identity_sealed"] = ""
        cash_receipt_move(receipt, C.CANCELED, **fields)
    return receipt


def cash_receipts_follow_refund(payment_id: int) -> CashReceipt | None:
    """After a refund of a cash payment: an issued receipt for more than what is left is cancelled
    and, if something is left, reissued for the remainder to the same number. Never raises: the
    refund is already done; a receipt that could not follow stays for a person to fix."""
    payment = Payment.objects.select_related("order", "order__store").get(pk=payment_id)
    receipt = payment.cash_receipts.filter(status=C.ISSUED).order_by("-id").first()
    if receipt is None or receipt.amount == payment.balance_amount:
        return receipt
    try:
        digits = SELF_ISSUE_NUMBER if receipt.self_issued else unseal(receipt.identity_sealed)
        cash_receipt_cancel(receipt, keep_identity=False)
        if payment.balance_amount <= 0 or not digits:
            return None
        return _issue(
            payment.pk, purpose=receipt.purpose, digits=digits, self_issued=receipt.self_issued, replaces=receipt
        )
    except Exception:  # the refund stands; the receipt is listed for attention
        logger.exception("cash receipt %s did not follow the refund of payment %s", receipt.pk, payment.public_id)
        return None


def cash_receipt_reconcile(receipt_id: int) -> str:
    """A receipt whose issue answer was lost (UNKNOWN): ask its issuer again — Toss with the same
    request and idempotency key, PortOne by reading the receipt's paymentId (and issuing it only if
    PortOne never saw it) — and settle it. Safe to run twice; returns the receipt's status."""
    receipt = CashReceipt.objects.select_related("payment", "payment__order", "payment__order__store").get(
        pk=receipt_id
    )
    if receipt.status != C.UNKNOWN:
        return receipt.status
    digits = SELF_ISSUE_NUMBER if receipt.self_issued else unseal(receipt.identity_sealed)
    if not digits:
        return receipt.status  # nothing to ask with: left for a person (확인 필요)
    issuer = get_cash_receipt_issuer(kind=receipt.issuer)
    answer = issuer.recover(**_issue_request(receipt, receipt.payment, digits))
    if answer.outcome is Outcome.UNKNOWN:
        return receipt.status  # still no answer: the next tick asks again
    return _settle(receipt, answer, receipt.payment).status


def cash_receipts_reconcile_due(*, now=None) -> int:
    """The beat's tick: every receipt UNKNOWN for longer than the grace period, asked again."""
    before = (now or timezone.now()) - RECONCILE_AFTER
    ids = list(
        CashReceipt.objects.filter(status=C.UNKNOWN, updated_at__lt=before)
        .order_by("updated_at")
        .values_list("id", flat=True)[:200]
    )
    settled = 0
    for receipt_id in ids:
        try:
            settled += cash_receipt_reconcile(receipt_id) != C.UNKNOWN
        except Exception:  # one bad receipt must not stop the others; it stays listed for attention
            logger.exception("cash receipt %s could not be reconciled", receipt_id)
    return settled


def cash_receipt_payment_for_store(store, payment_public_id: str) -> Payment:
    payment = (
        Payment.objects.select_related("order", "order__store")
        .filter(order__store=store, public_id=str(payment_public_id), kind="CASH")
        .first()
    )
    if payment is None:
        raise NotFound("PAYMENT_NOT_FOUND", _("결제를 찾을 수 없습니다."))
    return payment
