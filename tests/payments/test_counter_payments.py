"""Cash and card-terminal payments: completed at the counter, split payments, validation."""

import pytest
from django.db import transaction
from django.utils import translation

from apps.core.errors import DomainError
from apps.orders.models import Order
from apps.payments import selectors, services
from apps.payments.models import Payment, PaymentEvent, PaymentStatus
from apps.payments.state import payment_move

from .factories import make_method, make_order

pytestmark = pytest.mark.django_db


def test_cash_change_is_computed_and_order_paid(store, cash):
    # given an order of 9,000원
    order = make_order(store)
    # when the customer hands over 10,000원
    payment = services.payment_create(order, cash, tendered=10000)
    # then the payment is done with 1,000원 change, logged, and the order is PAID
    assert (payment.status, payment.amount, payment.change) == ("DONE", 9000, 1000)
    assert Order.objects.get(pk=order.pk).status == "PAID"
    assert list(PaymentEvent.objects.filter(payment=payment).values_list("direction", flat=True)) == [
        "REQUEST",
        "RESPONSE",
    ]


def test_cash_less_than_due_is_refused_and_writes_nothing(store, cash):
    order = make_order(store)
    with pytest.raises(DomainError) as err:
        services.payment_create(order, cash, tendered=5000)
    assert (err.value.code, err.value.status) == ("INSUFFICIENT_TENDERED", 422)
    assert not Payment.objects.exists()
    assert Order.objects.get(pk=order.pk).status == "PENDING_PAYMENT"


@pytest.mark.parametrize("approval", ["1234567", "123456789", "abcdefgh", "", "1234 567"])
def test_card_terminal_approval_number_must_be_8_digits(store, terminal, approval):
    order = make_order(store)
    with pytest.raises(DomainError) as err:
        services.payment_create(order, terminal, approval_number=approval, card_company="신한")
    assert err.value.code == "INVALID_APPROVAL_NUMBER"
    assert not Payment.objects.exists()


def test_card_terminal_needs_card_company(store, terminal):
    with pytest.raises(DomainError) as err:
        services.payment_create(make_order(store), terminal, approval_number="12345678", card_company="")
    assert err.value.code == "INVALID_CARD_COMPANY"


def test_split_cash_then_terminal_pays_the_order(store, cash, terminal):
    order = make_order(store)  # 9,000원
    first = services.payment_create(order, cash, amount=4000, tendered=5000)
    assert Order.objects.get(pk=order.pk).status == "PENDING_PAYMENT"
    assert selectors.amount_due(order) == 5000
    assert first.change == 1000
    with pytest.raises(DomainError) as err:
        services.payment_create(order, terminal, amount=6000, approval_number="12345678", card_company="KB")
    assert err.value.code == "AMOUNT_EXCEEDS_DUE"
    second = services.payment_create(order, terminal, approval_number="1234-5678", card_company="KB국민")
    assert (second.amount, second.approval_number) == (5000, "12345678")
    assert Order.objects.get(pk=order.pk).status == "PAID"
    with pytest.raises(DomainError) as err:
        services.payment_create(order, cash, amount=1)
    assert err.value.code == "ORDER_NOT_PAYABLE"


def test_method_of_another_store_or_inactive_or_other_channel(store, other_store):
    order = make_order(store)
    with pytest.raises(DomainError) as err:
        services.payment_create(order, make_method(other_store, "CASH"))
    assert err.value.status == 404
    with pytest.raises(DomainError) as err:
        services.payment_create(order, make_method(store, "CASH", active=False))
    assert err.value.code == "PAYMENT_METHOD_INACTIVE"
    with pytest.raises(DomainError) as err:
        services.payment_create(order, make_method(store, "CASH", channels=("POS",)), channel="KIOSK")
    assert err.value.code == "PAYMENT_METHOD_NOT_OFFERED"


def test_state_machine_refuses_illegal_moves(store, cash):
    payment = services.payment_create(make_order(store), cash)
    with transaction.atomic(), pytest.raises(DomainError) as err:
        payment_move(payment, "IN_PROGRESS")
    assert (err.value.code, err.value.status) == ("ILLEGAL_PAYMENT_TRANSITION", 409)
    assert Payment.objects.get(pk=payment.pk).status == "DONE"


@pytest.mark.parametrize(
    ("to_status", "korean_text", "english_text"),
    [
        (  # 승인 중: ㅇ takes 으로
            PaymentStatus.IN_PROGRESS,
            "결제 상태를 완료에서 승인 중으로 바꿀 수 없습니다.",
            "Can't change the payment status from Completed to Authorizing.",
        ),
        (  # 확인 필요: a vowel takes 로
            PaymentStatus.UNKNOWN,
            "결제 상태를 완료에서 확인 필요로 바꿀 수 없습니다.",
            "Can't change the payment status from Completed to Needs review.",
        ),
    ],
)
def test_refused_move_message_names_the_status_labels(store, cash, to_status, korean_text, english_text):
    # given a completed cash payment
    payment = services.payment_create(make_order(store), cash)
    # when it is moved to a status the table does not allow, once in Korean and once in English
    with translation.override("ko"), transaction.atomic(), pytest.raises(DomainError) as korean:
        payment_move(payment, to_status)
    with translation.override("en"), transaction.atomic(), pytest.raises(DomainError) as english:
        payment_move(payment, to_status)
    # then both name the statuses by their label (Korean with the particle the target takes); the
    # codes stay in the error's code and details for API clients, and nothing moved
    assert (korean.value.code, korean.value.message) == ("ILLEGAL_PAYMENT_TRANSITION", korean_text)
    assert (english.value.code, english.value.message) == ("ILLEGAL_PAYMENT_TRANSITION", english_text)
    assert korean.value.details == english.value.details == {"from": PaymentStatus.DONE, "to": to_status}
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.DONE


def test_toss_without_keys_is_refused(store, toss, settings):
    settings.TOSS_SECRET_KEY = ""
    with pytest.raises(DomainError) as err:
        services.payment_create(make_order(store), toss)
    assert err.value.code == "PROVIDER_NOT_CONFIGURED"


def test_methods_for_channel(store, cash, simulated):
    assert selectors.methods_for_channel(store, "KIOSK") == [simulated]
    assert selectors.methods_for_channel(store, "POS") == [cash, simulated]
