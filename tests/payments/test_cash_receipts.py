"""Cash receipts (현금영수증) for cash payments, at the wire against the local Toss server: issued with
an idempotency key, a 5xx retried with the same key, cancelled and reissued for the remainder on a
partial refund, the mandatory self-issue, masked identity numbers, and the simulated issuer."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from apps.core.errors import DomainError
from apps.orders.models import Order
from apps.payments import services
from apps.payments.models import CashReceipt, CashReceiptSettings, Payment
from apps.payments.sealing import unseal
from apps.payments.state import CASH_RECEIPT_MOVES, cash_receipt_move
from apps.payments.tasks import reconcile_payments
from tests.concurrency import outcomes, run_together

from .factories import make_order

pytestmark = pytest.mark.django_db(transaction=True)
C = CashReceipt.Status
PHONE = "010-1234-5678"


def _cash_sale(store, cash, lines=(("아메리카노", 4500, 2),)):
    order = make_order(store, lines=lines)
    return order, services.payment_create(order, cash)


def _issue_calls(toss_server):
    return [r for r in toss_server.requests if r["path"] == "/v1/cash-receipts"]


def test_income_deduction_receipt_issued_with_its_key_and_stored_masked(store, cash, toss_server):
    order, payment = _cash_sale(store, cash)  # 9,000원
    receipt = services.cash_receipt_request(payment, choice="INCOME_DEDUCTION", identity=PHONE)
    receipt.refresh_from_db()
    assert (receipt.status, receipt.amount, receipt.purpose) == (C.ISSUED, 9000, "INCOME_DEDUCTION")
    assert receipt.identity_masked == "010-****-5678" and not receipt.is_simulated
    assert receipt.receipt_key and receipt.issue_number
    # the full number reached Toss once, with the receipt's idempotency key, and is not stored in clear
    (call,) = _issue_calls(toss_server)
    assert call["idempotencyKey"] == str(receipt.idempotency_key)
    assert call["body"]["customerIdentityNumber"] == "01012345678" and call["body"]["type"] == "소득공제"
    assert call["body"]["amount"] == 9000
    stored = CashReceipt.objects.filter(pk=receipt.pk).values()[0]
    assert not [k for k, v in stored.items() if "01012345678" in str(v)]
    assert unseal(receipt.identity_sealed) == "01012345678"
    # a second receipt for the same sale is refused
    with pytest.raises(DomainError) as err:
        services.cash_receipt_request(payment, choice="INCOME_DEDUCTION", identity=PHONE)
    assert err.value.code == "CASH_RECEIPT_EXISTS"


def test_expense_proof_needs_a_valid_business_number(store, cash, toss_server):
    _order, payment = _cash_sale(store, cash)
    with pytest.raises(DomainError) as err:
        services.cash_receipt_request(payment, choice="EXPENSE_PROOF", identity="123-45-67890")  # bad check digit
    assert err.value.code == "INVALID_IDENTITY"
    for bad in ("", "abc", "010-1234", "０１０１２３４５６７８", "01012345678\x00", None, ["010"]):
        with pytest.raises(DomainError):
            services.cash_receipt_request(payment, choice="INCOME_DEDUCTION", identity=bad)
    with pytest.raises(DomainError) as err:
        services.cash_receipt_request(payment, choice="BOTH", identity=PHONE)
    assert err.value.code == "INVALID_CHOICE"
    assert not _issue_calls(toss_server)
    receipt = services.cash_receipt_request(payment, choice="EXPENSE_PROOF", identity="123-45-67891")
    assert receipt.status == C.ISSUED and receipt.identity_masked == "123-45-***91"
    assert _issue_calls(toss_server)[0]["body"]["type"] == "지출증빙"


@pytest.mark.parametrize("fault", ["500", "drop"])
def test_a_5xx_or_lost_answer_is_retried_with_the_same_key_and_issues_once(store, cash, toss_server, fault):
    _order, payment = _cash_sale(store, cash)
    toss_server.inject("receipt_issue", fault)
    receipt = services.cash_receipt_request(payment, choice="INCOME_DEDUCTION", identity=PHONE)
    assert receipt.status == C.ISSUED
    calls = _issue_calls(toss_server)
    assert len(calls) == 2 and {c["idempotencyKey"] for c in calls} == {str(receipt.idempotency_key)}
    assert len(toss_server.live_receipts()) == 1


def test_provider_down_for_every_retry_leaves_the_receipt_unknown(store, cash, toss_server):
    _order, payment = _cash_sale(store, cash)
    toss_server.inject("receipt_issue", "500", times=3)
    receipt = services.cash_receipt_request(payment, choice="INCOME_DEDUCTION", identity=PHONE)
    assert receipt.status == C.UNKNOWN
    assert not toss_server.live_receipts()


@pytest.mark.parametrize("fault", ["500", "provider_error"])
def test_an_unknown_receipt_is_settled_by_the_beat_with_the_same_key(store, cash, toss_server, fault):
    # given every attempt answered with an uncertain error (a 5xx, Toss's PROVIDER_ERROR). A lost
    # answer after Toss applied it is settled by the retry itself: Toss replays the stored answer.
    _order, payment = _cash_sale(store, cash)
    toss_server.inject("receipt_issue", fault, times=3)
    receipt = services.cash_receipt_request(payment, choice="INCOME_DEDUCTION", identity=PHONE)
    assert receipt.status == C.UNKNOWN
    # when the beat ticks after the grace period
    with time_machine.travel(timezone.now() + timedelta(minutes=1)):
        settled = reconcile_payments()
    # then the same request with the same key settles it: ISSUED, exactly one receipt at Toss
    receipt.refresh_from_db()
    assert settled >= 1 and receipt.status == C.ISSUED and receipt.receipt_key
    assert len(toss_server.live_receipts()) == 1
    assert {c["idempotencyKey"] for c in _issue_calls(toss_server)} == {str(receipt.idempotency_key)}
    # and a second tick has nothing left to do
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        reconcile_payments()
    assert len(_issue_calls(toss_server)) == 4 and len(toss_server.live_receipts()) == 1


def test_partial_refund_cancels_and_reissues_for_the_remainder_then_full_refund_cancels(store, cash, toss_server):
    order, payment = _cash_sale(store, cash)  # 9,000원
    first = services.cash_receipt_request(payment, choice="INCOME_DEDUCTION", identity=PHONE)
    # when 3,000원 is refunded
    services.payment_refund(order, amount=3000, reason="일부 환불")
    # then the 9,000원 receipt is cancelled and a 6,000원 one issued to the same number
    first.refresh_from_db()
    assert first.status == C.CANCELED and first.canceled_at and first.identity_sealed == ""
    second = CashReceipt.objects.get(replaces=first)
    assert (second.status, second.amount, second.identity_masked) == (C.ISSUED, 6000, "010-****-5678")
    (live,) = toss_server.live_receipts()
    assert (live["amount"], live["customerIdentityNumber"]) == (6000, "01012345678")
    cancels = [r for r in toss_server.requests if r["path"].startswith("/v1/cash-receipts/")]
    assert [c["idempotencyKey"] for c in cancels] == [str(first.cancel_idempotency_key)]
    # and the rest refunded: the receipt is cancelled, nothing reissued, the number wiped
    services.payment_refund(Order.objects.get(pk=order.pk), reason="나머지 환불")
    second.refresh_from_db()
    assert second.status == C.CANCELED and second.identity_sealed == ""
    assert not toss_server.live_receipts()
    assert CashReceipt.objects.count() == 2


def test_mandatory_issue_store_self_issues_a_declined_receipt_from_100000(store, cash, toss_server):
    CashReceiptSettings.objects.create(store=store, mandatory_issue=True)
    _order, small = _cash_sale(store, cash, lines=(("케이크", 99_999, 1),))
    assert services.cash_receipt_request(small, choice="NONE") is None
    _order, big = _cash_sale(store, cash, lines=(("코스", 50_000, 2),))
    receipt = services.cash_receipt_request(big, choice="NONE")
    assert receipt.status == C.ISSUED and receipt.self_issued and receipt.identity_masked == "010-000-1234"
    assert _issue_calls(toss_server)[-1]["body"]["customerIdentityNumber"] == "0100001234"
    assert len(_issue_calls(toss_server)) == 1


def test_a_declined_receipt_without_the_mandatory_setting_issues_nothing(store, cash, toss_server):
    _order, big = _cash_sale(store, cash, lines=(("코스", 50_000, 2),))
    assert services.cash_receipt_request(big, choice="NONE") is None
    assert not _issue_calls(toss_server) and not CashReceipt.objects.exists()


def test_without_toss_keys_the_simulated_issuer_is_used_and_labelled(store, cash, settings):
    settings.TOSS_SECRET_KEY = ""
    order, payment = _cash_sale(store, cash)
    receipt = services.cash_receipt_request(payment, choice="INCOME_DEDUCTION", identity=PHONE)
    assert receipt.status == C.ISSUED and receipt.is_simulated and receipt.receipt_key.startswith("sim_")
    services.payment_refund(order, amount=1000, reason="일부")
    assert CashReceipt.objects.get(status=C.ISSUED).amount == 8000


def test_only_cash_payments_get_a_cash_receipt(store, terminal):
    order = make_order(store)
    payment = services.payment_create(order, terminal, approval_number="12345678", card_company="신한")
    with pytest.raises(DomainError) as err:
        services.cash_receipt_request(payment, choice="INCOME_DEDUCTION", identity=PHONE)
    assert err.value.code == "NOT_A_CASH_PAYMENT"


def test_cash_receipt_state_machine_refuses_every_illegal_move(store, cash):
    _order, payment = _cash_sale(store, cash)
    illegal = [(f, t) for f in C.values for t in C.values if t not in CASH_RECEIPT_MOVES[f]]
    assert (C.CANCELED, C.ISSUED) in illegal and (C.FAILED, C.ISSUED) in illegal
    for from_status, to_status in illegal:
        receipt = CashReceipt.objects.create(
            payment=payment, purpose="INCOME_DEDUCTION", identity_masked="010-****-0000", amount=100, status=from_status
        )
        with translation.override("ko"), transaction.atomic(), pytest.raises(DomainError) as err:
            cash_receipt_move(receipt, to_status)
        assert err.value.code == "ILLEGAL_CASH_RECEIPT_TRANSITION", (from_status, to_status)
        assert err.value.details == {"from": from_status, "to": to_status}
        assert from_status not in err.value.message and to_status not in err.value.message  # labels only
        CashReceipt.objects.filter(pk=receipt.pk).update(status=C.FAILED)  # out of the one-live-receipt rule


@pytest.mark.parametrize(
    ("from_status", "to_status", "korean_text", "english_text"),
    [
        (  # 실패: a vowel takes 로
            C.ISSUED,
            C.FAILED,
            "현금영수증 상태를 발급에서 실패로 바꿀 수 없습니다.",
            "Can't change the cash receipt status from Issued to Failed.",
        ),
        (  # 발급: ㅂ takes 으로
            C.FAILED,
            C.ISSUED,
            "현금영수증 상태를 실패에서 발급으로 바꿀 수 없습니다.",
            "Can't change the cash receipt status from Failed to Issued.",
        ),
        (  # the status 취소 is "Canceled" in English, not the Cancel button's word
            C.CANCELED,
            C.ISSUED,
            "현금영수증 상태를 취소에서 발급으로 바꿀 수 없습니다.",
            "Can't change the cash receipt status from Canceled to Issued.",
        ),
    ],
)
def test_refused_cash_receipt_move_message_names_the_status_labels(
    store, cash, from_status, to_status, korean_text, english_text
):
    # given a cash receipt in from_status
    _order, payment = _cash_sale(store, cash)
    receipt = CashReceipt.objects.create(
        payment=payment, purpose="INCOME_DEDUCTION", identity_masked="010-****-0000", amount=100, status=from_status
    )
    # when it is moved to a status the table does not allow, once in Korean and once in English
    with translation.override("ko"), transaction.atomic(), pytest.raises(DomainError) as korean:
        cash_receipt_move(receipt, to_status)
    with translation.override("en"), transaction.atomic(), pytest.raises(DomainError) as english:
        cash_receipt_move(receipt, to_status)
    # then both name the statuses by their label (Korean with the particle the target takes); the
    # codes stay in the error's code and details
    assert (korean.value.code, korean.value.message) == ("ILLEGAL_CASH_RECEIPT_TRANSITION", korean_text)
    assert (english.value.code, english.value.message) == ("ILLEGAL_CASH_RECEIPT_TRANSITION", english_text)
    assert korean.value.details == english.value.details == {"from": from_status, "to": to_status}


def _close_of_a_refunded_receipt_day(client, owner, store, cash, settings, *, language: str | None = None):
    """The owner's business-day close of a pinned Monday noon in Seoul on which a receipt was
    issued, then cancelled and reissued by a partial refund; read in `language` when given."""
    settings.TOSS_SECRET_KEY = ""
    with time_machine.travel(datetime(2026, 11, 30, 12, 0, tzinfo=ZoneInfo("Asia/Seoul")), tick=False):
        order, payment = _cash_sale(store, cash)
        services.cash_receipt_request(payment, choice="INCOME_DEDUCTION", identity=PHONE)
        services.payment_refund(order, amount=2000, reason="일부 환불")
        day = Order.objects.get(pk=order.pk).business_date
        client.force_login(owner)
        if language:
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        return client.get(reverse("admin:settlement_close", args=[store.pk]), {"date": day.isoformat()})


def test_business_day_close_lists_issued_and_cancelled_receipts(client, owner, store, cash, settings):
    # given a day with a receipt issued, then cancelled and reissued by a refund
    page = _close_of_a_refunded_receipt_day(client, owner, store, cash, settings)
    # then the close shows two issued (9,000원 and 7,000원) and one cancelled (9,000원), marked simulated
    html = page.content.decode()
    assert page.status_code == 200 and 'id="close-cash-receipts"' in html
    assert 'data-testid="cash-receipts-issued-count">2<' in html and "16,000원" in html
    assert 'data-testid="cash-receipts-canceled-count">1<' in html and "9,000원" in html
    assert "시뮬레이션" in html


def test_business_day_close_in_english_names_the_receipts_by_their_status(client, owner, store, cash, settings):
    # given the same day, when the owner reads its close in English
    page = _close_of_a_refunded_receipt_day(client, owner, store, cash, settings, language="en")
    # then the rows are named by the receipts' status ("Issued", "Canceled"), not by the Issue and
    # Cancel buttons that share their Korean words
    html = page.content.decode()
    table = html[html.index('id="close-cash-receipts"') :]
    table = table[: table.index("</table>")]
    assert "<td>Issued</td>" in table and "<td>Canceled</td>" in table
    assert "<td>Cancel</td>" not in table


def test_two_issues_of_one_sale_at_once_issue_one_receipt(store, cash, toss_server):
    _order, payment = _cash_sale(store, cash)
    results = outcomes(
        run_together(
            [
                lambda: services.cash_receipt_request(
                    Payment.objects.get(pk=payment.pk), choice="INCOME_DEDUCTION", identity=PHONE
                )
                for _ in range(2)
            ]
        )
    )
    assert sorted(results) == ["CASH_RECEIPT_EXISTS", "ok"]
    assert len(_issue_calls(toss_server)) == 1 and len(toss_server.live_receipts()) == 1
