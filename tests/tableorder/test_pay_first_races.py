"""Pay first under real races (threads on PostgreSQL): a confirm retried, the reconcile beat and
the guest's phone all at once land the paid round once; landing racing another phone opening the
table puts both rounds on one tab without a deadlock."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from apps.orders import tabs
from apps.orders.models import Order
from apps.payments import services as payment_services
from apps.payments.models import Payment
from apps.tableorder import prepaid
from apps.tableorder.models import PrepaidRound
from apps.tables.models import TableOrderSettings
from tests.concurrency import outcomes, run_together
from tests.payments.factories import make_method
from tests.tableorder.conftest import phone_url

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _setup(settings, monkeypatch):
    settings.TABLEORDER_PHONE_ROUND_INTERVAL_SECONDS = 0
    # The confirm is left in flight (no worker): the test runs it, several times at once.
    monkeypatch.setattr("apps.payments.services.checkout._enqueue_confirm", lambda payment_id: None)
    with time_machine.travel(datetime(2026, 11, 30, 19, 0, tzinfo=ZoneInfo("Asia/Seoul")), tick=False):
        yield


def _paid_in_flight(store, table, listing) -> Payment:
    """A guest's pay-first round whose card was approved in the window; the confirm is still to run."""
    TableOrderSettings.objects.get_or_create(store=store, defaults={"pay_first": True})
    method = make_method(store, "SIMULATED", channels=("TABLE",))
    client = Client()
    client.post(phone_url(table, "add/"), {"product_id": listing.product.pk})
    started = client.post(phone_url(table, "pay/"), {"method": str(method.pk)})
    checkout = started["Location"]
    client.get(checkout)
    page = client.post(checkout, {"action": "approve"}, follow=True)
    assert 'data-testid="phone-paying"' in page.content.decode()
    payment = Payment.objects.filter(order__prepaid_round__isnull=False).latest("id")
    assert payment.status == "IN_PROGRESS"
    return payment


def test_confirms_reconciles_and_the_phone_at_once_land_the_round_once(store, table, stew, open_shift):
    payment = _paid_in_flight(store, table, stew)
    holder_id = payment.order_id
    results = run_together(
        [
            lambda: payment_services.payment_confirm(payment.pk),
            lambda: payment_services.payment_confirm(payment.pk),
            lambda: payment_services.payment_reconcile(payment.pk),
            lambda: prepaid.prepaid_round_land(holder_id),
        ]
    )
    assert outcomes(results) == ["ok"] * 4, results
    prepaid.prepaid_round_land(holder_id)  # whichever ran last, the round is in now
    tab = Order.objects.get(table=table)
    assert tab.rounds.count() == 1 and tab.total_amount == 9000
    assert list(Payment.objects.filter(status="DONE").values_list("order_id", flat=True)) == [tab.pk]
    assert PrepaidRound.objects.get().status == "LANDED"


def test_landing_racing_another_phone_opening_the_table_makes_one_tab(store, table, stew, soju, open_shift):
    payment = _paid_in_flight(store, table, stew)
    results = run_together(
        [
            lambda: payment_services.payment_confirm(payment.pk),
            lambda: tabs.table_round_send(table, [{"productId": soju.product.pk, "qty": 1}], guests=2),
        ]
    )
    assert outcomes(results) == ["ok", "ok"], results
    tab = Order.objects.get(table=table)
    assert tab.rounds.count() == 2 and tab.total_amount == 14000


def test_two_paid_rounds_of_two_phones_land_on_one_tab(store, table, stew, soju, open_shift, caplog):
    first = _paid_in_flight(store, table, stew)
    second = _paid_in_flight(store, table, soju)
    results = run_together([lambda p=p: payment_services.payment_confirm(p.pk) for p in (first, second)])
    assert outcomes(results) == ["ok", "ok"], results
    # no deadlock between one landing opening the tab and the other payment (it failed 1 run in 2
    # when opening the tab locked the store row only after inserting the tab)
    assert not [r for r in caplog.records if r.name == "apps.tableorder.prepaid"], caplog.text[-2000:]
    tab = Order.objects.get(table=table)
    assert sorted(tab.rounds.values_list("number", flat=True)) == [1, 2] and tab.total_amount == 14000
    assert Payment.objects.filter(order=tab, status="DONE").count() == 2
