"""Refunds: by amount and by lines, spread over payments, through the provider, never above what was paid."""

import pytest

from apps.core.errors import DomainError
from apps.orders.models import Order, OrderLine
from apps.payments import services
from apps.payments.models import Payment, Refund
from tests.concurrency import outcomes, run_together
from tests.factories import device_client

from .factories import make_order
from .helpers import start_card_payment

pytestmark = pytest.mark.django_db(transaction=True)


def _paid_by_toss(store, toss, toss_server, order=None):
    order = order or make_order(store)
    payment, _token = start_card_payment(order, toss)
    key = toss_server.authorize(payment.public_id, payment.amount)
    services.payment_return_success(payment_key=key, order_id=payment.public_id, amount=payment.amount)
    payment.refresh_from_db()
    assert payment.status == "DONE"  # eager Celery: the confirm ran on commit
    return order, payment


def test_partial_refunds_until_full_then_one_more_is_refused(client, store, pos_device, toss, toss_server):
    order, payment = _paid_by_toss(store, toss, toss_server)  # 9,000원
    api = device_client(client, pos_device)
    url = f"/payments/toss/cancel/{payment.provider_ref}"
    balances = []
    for _ in range(3):
        response = api.post(url, {"cancelReason": "고객 요청", "cancelAmount": 3000}, content_type="application/json")
        assert response.status_code == 200, response.content
        assert response.json()["status"] == "DONE"
        balances.append(response.json()["balanceAmount"])
    assert balances == [6000, 3000, 0]
    assert Order.objects.get(pk=order.pk).status == "REFUNDED"
    assert Payment.objects.get(pk=payment.pk).status == "CANCELED"
    remote = toss_server.payment(payment.provider_ref)
    assert remote["balanceAmount"] == 0 and len(remote["cancels"]) == 3
    # one more: refused with a clear error, nothing sent to Toss
    sent = len(toss_server.requests)
    response = api.post(url, {"cancelReason": "또", "cancelAmount": 1000}, content_type="application/json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] in ("ALREADY_REFUNDED", "PAYMENT_NOT_REFUNDABLE")
    assert response.json()["error"]["message"]
    assert len(toss_server.requests) == sent
    with pytest.raises(DomainError) as err:
        services.payment_refund(Order.objects.get(pk=order.pk), amount=1000, reason="또")
    assert err.value.code == "ALREADY_REFUNDED"


def test_two_concurrent_refunds_over_the_balance_one_is_refused(store, toss, toss_server):
    order, payment = _paid_by_toss(store, toss, toss_server)  # 9,000원
    results = outcomes(
        run_together(
            [
                lambda: services.payment_refund(Order.objects.get(pk=order.pk), amount=6000, reason="동시 환불")
                for _ in range(2)
            ]
        )
    )
    assert sorted(results) == ["REFUND_EXCEEDS_BALANCE", "ok"]
    assert toss_server.payment(payment.provider_ref)["balanceAmount"] == 3000
    assert Order.objects.get(pk=order.pk).refunded_amount == 6000


def test_refund_by_lines_uses_net_per_unit_last_unit_takes_the_rest(store, cash):
    # given 3 cakes at 3,000원 with a 1,000원 discount on the line: net 8,000원 → 2,666 + 2,666 + 2,668
    order = make_order(store, lines=(("케이크", 3000, 3, 8000), ("쿠키", 1500, 1)))
    services.payment_create(order, cash)
    cake = order.lines.get(name="케이크")
    first = services.payment_refund(order, line_quantities={cake.pk: 1}, reason="하나 취소")
    assert [r.amount for r in first] == [2666]
    rest = services.payment_refund(Order.objects.get(pk=order.pk), line_quantities={cake.pk: 2}, reason="나머지")
    assert sum(r.amount for r in rest) == 2666 + 2668
    assert OrderLine.objects.get(pk=cake.pk).refunded_quantity == 3
    with pytest.raises(DomainError) as err:
        services.payment_refund(Order.objects.get(pk=order.pk), line_quantities={cake.pk: 1}, reason="초과")
    assert err.value.code == "REFUND_QUANTITY_EXCEEDED"
    assert Order.objects.get(pk=order.pk).status == "PARTIALLY_REFUNDED"


def test_full_refund_of_split_goes_card_first_then_cash(store, cash, toss, toss_server):
    order = make_order(store)  # 9,000원
    services.payment_create(order, cash, amount=4000)
    _order, card = _paid_by_toss(store, toss, toss_server, order=order)
    refunds = services.payment_refund(Order.objects.get(pk=order.pk), reason="전체 환불", restock=False)
    assert [(r.payment.kind, r.amount, r.status) for r in refunds] == [("TOSS", 5000, "DONE"), ("CASH", 4000, "DONE")]
    assert Order.objects.get(pk=order.pk).status == "REFUNDED"
    assert OrderLine.objects.get(order=order).refunded_quantity == 2


def test_provider_refusal_records_nothing(store, toss, toss_server):
    order, payment = _paid_by_toss(store, toss, toss_server)
    toss_server.inject("cancel", "500")
    with pytest.raises(DomainError) as err:
        services.payment_refund(order, amount=1000, reason="x")
    assert err.value.code == "REFUND_PROVIDER_ERROR"
    assert Refund.objects.get().status == "UNKNOWN"  # may have gone through: stays reserved
    assert Order.objects.get(pk=order.pk).refunded_amount == 0
    # the reservation holds: only 8,000원 can be refunded now
    with pytest.raises(DomainError) as err:
        services.payment_refund(Order.objects.get(pk=order.pk), amount=8500, reason="y")
    assert err.value.code == "REFUND_EXCEEDS_BALANCE"


def test_refund_needs_a_reason_and_a_paid_order(store, cash):
    order = make_order(store)
    with pytest.raises(DomainError) as err:
        services.payment_refund(order, amount=100, reason="x")
    assert err.value.code == "ORDER_NOT_REFUNDABLE"
    services.payment_create(order, cash)
    with pytest.raises(DomainError) as err:
        services.payment_refund(Order.objects.get(pk=order.pk), amount=100, reason=" ")
    assert err.value.code == "REFUND_REASON_REQUIRED"
