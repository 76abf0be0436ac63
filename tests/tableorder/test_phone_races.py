"""Real races on PostgreSQL: five phones at one empty table press "주문하기" at the same moment."""

import pytest
from django.test import Client

from apps.orders.models import Order, OrderRound
from tests.concurrency import outcomes, run_together
from tests.tableorder.conftest import phone_url

pytestmark = pytest.mark.django_db(transaction=True)


def test_five_phones_at_once_give_five_rounds_on_one_tab(store, table, stew, soju, open_shift):
    # given five phones at table 3, each with its own cart (phone n: n stews and a soju)
    phones = [Client() for _ in range(5)]
    for n, phone in enumerate(phones, start=1):
        assert phone.post(phone_url(table, "add/"), {"product_id": stew.product.pk, "qty": str(n)}).status_code == 302
        assert phone.post(phone_url(table, "add/"), {"product_id": soju.product.pk}).status_code == 302
    url = phone_url(table, "send/")
    # when all five send together (the first opens the tab, the others race it)
    results = run_together([lambda phone=phone: phone.post(url, {"guests": "5"}) for phone in phones])
    # then five rounds, numbered 1..5, on the table's one tab, and every phone saw its round go in
    assert outcomes(results) == ["ok"] * 5
    assert [r.status_code for r in results] == [302] * 5
    tab = Order.objects.get(table=table)
    assert sorted(OrderRound.objects.filter(order=tab).values_list("number", flat=True)) == [1, 2, 3, 4, 5]
    assert tab.total_amount == (1 + 2 + 3 + 4 + 5) * 9000 + 5 * 5000
