"""Two submissions of the same payment form at the same instant (a double tap on a slow tablet)
take one payment: the form key is claimed with SET NX before anything is paid."""

import pytest
from django.test import Client
from django.urls import reverse

from apps.payments.models import Payment
from tests.concurrency import run_together
from tests.pos.conftest import login
from tests.pos.test_views import HX, add, checkout


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submits_of_one_form_pay_once(menu, shift, methods, pos_device, cashier):
    client = login(Client(), pos_device, "1234")
    add(client, menu["cookie"])
    order, keys, _page = checkout(client)
    # a partial (split) amount: without the form key both would be accepted, as 1,000 is still due
    data = {"form_key": keys[str(methods["cash"].pk)], "method_id": methods["cash"].pk, "amount": "1000"}
    url = reverse("pos:pay_submit", args=[order.public_id])

    def submit():
        twin = Client()
        twin.cookies = client.cookies  # the same browser: same device cookie and session
        return twin.post(url, data, **HX).status_code

    statuses = run_together([submit, submit])

    assert Payment.objects.filter(order=order).count() == 1
    # one paid; the other either saw it done (200) or still running (409) — never a second payment
    assert sorted(statuses)[0] == 200 and set(statuses) <= {200, 409}
