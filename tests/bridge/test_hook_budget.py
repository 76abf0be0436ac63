"""Issue 18: the bridge's printing hooks on the checkout's path, for a store WITH printers (the demo
store has a receipt printer): no printer read when warm, the receipt's payments read once, each job
one INSERT — and a printer or bridge change is seen by the very next payment."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.bridge.models import Printer, PrintJob
from apps.kitchen.models import Ticket
from apps.payments.models import PaymentMethod
from apps.stores import services as store_services
from tests.carts.factories import listed_product
from tests.payments.factories import make_method

from .factories import BridgeDeviceFactory, PrinterFactory

# A real transaction per test: the hooks run on commit, as in production.
pytestmark = pytest.mark.django_db(transaction=True)

# After the payment's commit: the receipt's job (1), the kitchen ticket read for its payload (1) and
# its job (1). Before issue 18's hook work: 12 (printers read three times, the payments three
# times, BEGIN/COMMIT around each job); 5 with tableorder's pay-first check on every paid order and
# the receipt reading back the payment that had just been written.
AFTER_COMMIT_CEILING = 3


def _post(client, device, url, body=None):
    return client.post(
        url,
        data=json.dumps(body or {}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Device {device.raw_token}",
    )


@pytest.fixture
def checkout(client, store, kiosk_device, pos_device):
    products = [listed_product(store, "아메리카노", 4500).product, listed_product(store, "라떼", 5000).product]
    cash = make_method(store, PaymentMethod.Kind.CASH, channels=("POS",), name="현금")

    def place() -> str:
        cart_id = _post(client, kiosk_device, "/api/carts").json()["cartId"]
        for product in products:
            assert (
                _post(client, kiosk_device, f"/api/carts/{cart_id}/items", {"productId": product.pk}).status_code == 201
            )
        response = _post(client, kiosk_device, f"/api/orders/start-payment/{cart_id}")
        assert response.status_code == 201, response.content
        return response.json()["orderId"]

    def pay(order_id: str):
        response = _post(client, pos_device, "/payments", {"orderId": order_id, "paymentMethodId": cash.pk})
        assert response.status_code == 201, response.content
        return response

    return place, pay


@pytest.fixture
def printers(store):
    bridge = BridgeDeviceFactory(store=store, name="카운터 PC 브리지")
    receipt = PrinterFactory(store=store, bridge=bridge, name="카운터")
    kitchen = PrinterFactory(store=store, bridge=bridge, name="주방", role=Printer.Role.KITCHEN, has_drawer=False)
    return bridge, receipt, kitchen


def _listed(queries) -> str:
    return "\n".join(f"{n}. {q['sql'][:200]}" for n, q in enumerate(queries.captured_queries, 1))


def test_a_paid_order_queues_its_receipt_and_kitchen_ticket_within_the_budget(checkout, printers):
    place, pay = checkout
    _bridge, receipt, kitchen = printers
    # given a worker that has taken cash payments already (warm caches)
    for _ in range(2):
        pay(place())
    order_id = place()
    # when the POS takes cash for the next kiosk order
    with CaptureQueriesContext(connection) as queries:
        pay(order_id)
    # then its receipt (drawer open: cash) and its kitchen ticket are queued once each
    receipt_job = PrintJob.objects.get(order__public_id=order_id, kind=PrintJob.Kind.RECEIPT)
    assert receipt_job.printer_id == receipt.pk and receipt_job.open_drawer
    assert [line["name"] for line in receipt_job.payload["lines"]] == ["아메리카노", "라떼"]
    assert [p["kind"] for p in receipt_job.payload["payments"]] == ["CASH"]
    ticket = Ticket.objects.get(order__public_id=order_id)
    assert list(PrintJob.objects.filter(ticket=ticket).values_list("printer_id", flat=True)) == [kitchen.pk]
    # within the budget: no printer read, no transaction of its own around a job
    sql = [q["sql"] for q in queries.captured_queries]
    after_commit = sql[sql.index("COMMIT") + 1 :]
    assert not [q for q in sql if 'FROM "bridge_printer"' in q], _listed(queries)
    assert not [q for q in after_commit if 'FROM "payments_payment"' in q], _listed(queries)
    assert "BEGIN" not in after_commit and "COMMIT" not in after_commit, _listed(queries)
    assert sum(q.startswith('INSERT INTO "bridge_printjob"') for q in after_commit) == 2
    assert len(after_commit) <= AFTER_COMMIT_CEILING, _listed(queries)


def test_a_printer_or_bridge_change_is_seen_by_the_next_payment(checkout, printers, store):
    place, pay = checkout
    bridge, receipt, kitchen = printers
    # given a worker whose printers are cached
    pay(place())
    # when the kitchen printer is switched off, the next ticket is printed nowhere; the receipt still is
    kitchen.is_active = False
    kitchen.save()
    order_id = place()
    pay(order_id)
    assert list(PrintJob.objects.filter(order__public_id=order_id).values_list("kind", flat=True)) == ["RECEIPT"]
    # when a second receipt printer replaces the first (deleted), the receipt goes to it at once
    counter = PrinterFactory(store=store, bridge=bridge, name="카운터 2")
    PrintJob.objects.filter(printer=receipt).delete()
    receipt.delete()
    order_id = place()
    pay(order_id)
    assert list(PrintJob.objects.filter(order__public_id=order_id).values_list("printer_id", flat=True)) == [counter.pk]
    # and when the bridge is revoked (an update without signals), nothing is queued for it any more
    store_services.device_revoke(bridge)
    order_id = place()
    pay(order_id)
    assert not PrintJob.objects.filter(order__public_id=order_id).exists()


def test_a_split_payment_receipt_lists_every_part(client, checkout, printers, pos_device, store):
    place, pay = checkout
    _bridge, receipt, _kitchen = printers
    card = make_method(store, PaymentMethod.Kind.CARD_TERMINAL, channels=("POS",), name="카드 단말기")
    order_id = place()
    # given 4,000원 taken on the card terminal first
    first = _post(
        client,
        pos_device,
        "/payments",
        {
            "orderId": order_id,
            "paymentMethodId": card.pk,
            "amount": 4000,
            "approvalNumber": "12345678",
            "cardCompany": "신한",
        },
    )
    assert first.status_code == 201, first.content
    assert not PrintJob.objects.filter(order__public_id=order_id).exists()
    # when the rest is paid in cash
    pay(order_id)
    # then the receipt lists both parts (the paying request knew only its own: the first is read)
    job = PrintJob.objects.get(order__public_id=order_id, kind=PrintJob.Kind.RECEIPT)
    assert [(p["kind"], p["amount"]) for p in job.payload["payments"]] == [("CARD_TERMINAL", 4000), ("CASH", 5500)]
    assert job.printer_id == receipt.pk and job.open_drawer
