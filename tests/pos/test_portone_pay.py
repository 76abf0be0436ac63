"""A store whose card gateway is PortOne: paying by card at the POS opens PortOne's window."""

import pytest
from django.urls import reverse

from apps.payments.models import Payment, PaymentMethod

from .test_views import HX, add, checkout

pytestmark = pytest.mark.django_db


def test_a_portone_card_payment_goes_to_the_portone_window(pos_client, menu, shift, methods, store, settings):
    settings.PORTONE_API_SECRET = "portone_fake_secret"
    portone = PaymentMethod.objects.create(store=store, kind="PORTONE", name="카드(포트원)", channels=["POS"])
    add(pos_client, menu["cookie"])
    order, keys, _page = checkout(pos_client)
    data = {"form_key": keys[str(portone.pk)], "method_id": portone.pk}
    response = pos_client.post(reverse("pos:pay_submit", args=[order.public_id]), data, **HX)
    assert response.status_code == 200 and "/payments/portone/checkout/" in response["HX-Redirect"]
    assert Payment.objects.get(order=order).status == "READY"
