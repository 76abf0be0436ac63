"""Driving a card payment the way a browser does: checkout URL → payment window → success URL."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlparse

from apps.payments import services


def start_card_payment(order, method, *, amount=None):
    payment = services.payment_create(order, method, amount=amount)
    url = services.payment_checkout_url(payment, success_next="/done/", fail_next="/failed/")
    token = parse_qs(urlparse(url).query)["t"][0]
    return payment, token


def success_url(payment, token, payment_key, amount=None) -> str:
    params = {
        "paymentKey": payment_key,
        "orderId": payment.public_id,
        "amount": payment.amount if amount is None else amount,
        "t": token,
    }
    return "/payments/return/success?" + urlencode(params)
