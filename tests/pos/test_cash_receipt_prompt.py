"""The cash-receipt prompt on the POS: asked after a cash payment, issuable later from the order
history, shown on the printed receipt; refused input is a 4xx that issues nothing. Without Toss keys
the simulated issuer answers (labelled)."""

import pytest
from django.urls import reverse

from apps.payments.models import CashReceipt, Payment
from tests.payments.factories import make_order

from .test_views import HX, _paid_order, add, checkout

pytestmark = pytest.mark.django_db


def _url(payment):
    return reverse("pos:cash_receipt", args=[payment.public_id])


def test_after_a_cash_payment_the_pay_screen_asks_and_issues(pos_client, menu, shift, methods):
    add(pos_client, menu["cookie"])
    order, keys, _page = checkout(pos_client)
    data = {"form_key": keys[str(methods["cash"].pk)], "method_id": methods["cash"].pk}
    done = pos_client.post(reverse("pos:pay_submit", args=[order.public_id]), data, **HX).content.decode()
    # then the pay-done panel offers the cash receipt for the cash payment
    payment = Payment.objects.get(order=order)
    assert 'data-testid="cash-receipt-issue"' in done and _url(payment) in done
    # when the cashier enters the customer's phone number
    response = pos_client.post(_url(payment), {"choice": "INCOME_DEDUCTION", "identity": "010-9876-5432"}, **HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "010-****-5432" in html and "9876" not in html and "시뮬레이션" in html
    receipt = CashReceipt.objects.get(payment=payment)
    assert (receipt.status, receipt.amount, receipt.is_simulated) == ("ISSUED", 2200, True)
    # and the printed receipt shows it, masked
    printed = pos_client.get(reverse("pos:receipt", args=[order.public_id])).content.decode()
    assert 'data-testid="receipt-cash-receipt"' in printed and "010-****-5432" in printed


def test_declined_then_issued_later_from_the_order_history(pos_client, menu, shift, methods):
    order = _paid_order(pos_client, menu, methods)
    payment = Payment.objects.get(order=order)
    declined = pos_client.post(_url(payment), {"choice": "NONE"}, **HX)
    assert 'data-testid="cash-receipt-declined"' in declined.content.decode()
    assert not CashReceipt.objects.exists()
    detail = pos_client.get(reverse("pos:order_detail", args=[order.public_id])).content.decode()
    assert 'data-testid="cash-receipt-issue"' in detail
    # a plain form post (no JavaScript) goes back to the order detail
    response = pos_client.post(_url(payment), {"choice": "EXPENSE_PROOF", "identity": "123-45-67891"})
    assert response.status_code == 302 and response["Location"] == reverse("pos:order_detail", args=[order.public_id])
    detail = pos_client.get(response["Location"]).content.decode()
    assert "123-45-***91" in detail and 'data-testid="cash-receipt-issue"' not in detail


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"choice": "INCOME_DEDUCTION", "identity": "010-12"}, "INVALID_IDENTITY"),
        ({"choice": "EXPENSE_PROOF", "identity": "123-45-67890"}, "INVALID_IDENTITY"),
        ({"choice": "SOMETHING", "identity": "01012345678"}, "INVALID_CHOICE"),
        ({"choice": "INCOME_DEDUCTION", "identity": "010\x001234"}, "INVALID_IDENTITY"),
        ({}, "INVALID_CHOICE"),
    ],
)
def test_bad_input_is_a_422_and_issues_nothing(pos_client, menu, shift, methods, data, code):
    order = _paid_order(pos_client, menu, methods)
    response = pos_client.post(_url(Payment.objects.get(order=order)), data, **HX)
    assert response.status_code == 422 and f'data-error-code="{code}"' in response.content.decode()
    assert not CashReceipt.objects.exists()


def test_a_second_receipt_and_another_stores_payment_are_refused(pos_client, menu, shift, methods, other_store_pos):
    order = _paid_order(pos_client, menu, methods)
    payment = Payment.objects.get(order=order)
    ok = {"choice": "INCOME_DEDUCTION", "identity": "01012345678"}
    assert pos_client.post(_url(payment), ok, **HX).status_code == 200
    again = pos_client.post(_url(payment), ok, **HX)
    assert again.status_code == 409 and 'data-error-code="CASH_RECEIPT_EXISTS"' in again.content.decode()
    other, _device, _member = other_store_pos
    from apps.payments import services
    from apps.payments.models import PaymentMethod

    foreign_order = make_order(other)
    foreign = services.payment_create(
        foreign_order, PaymentMethod.objects.create(store=other, kind="CASH", name="현금", channels=["POS"])
    )
    assert pos_client.post(_url(foreign), ok, **HX).status_code == 404
    # a NUL in the path is refused before the view (400), like everywhere else
    assert pos_client.post(reverse("pos:cash_receipt", args=["pay_\x00"]), ok, **HX).status_code in (400, 404)
    assert CashReceipt.objects.count() == 1
