"""Through a real Celery worker on the real Redis broker: the counters of a checkout and a Toss
confirm move by exactly one, a failing task counts as a failure, the request id travels along."""

import pytest
from celery import signals

from apps.carts import services as carts
from apps.ops import shared
from apps.ops.context import current_request_id
from apps.orders import services as orders
from apps.orders.models import Order
from apps.payments.models import Payment
from pos_project.celery import app
from tests.carts.factories import listed_product
from tests.payments.conftest import wait_for
from tests.payments.helpers import start_card_payment, success_url

from .conftest import sample, scrape

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

CONFIRM = "payments.confirm_payment"


@app.task(name="tests.ops.always_fails")
def always_fails():
    raise RuntimeError("boom")


@app.task(name="tests.ops.retries_once", bind=True, max_retries=1)
def retries_once(self):
    if self.request.retries == 0:
        raise self.retry(countdown=0)
    return "ok"


def _business_counters(samples) -> dict[str, float]:
    return {
        "started": sample(samples, "cloudpos_checkouts_started_total", channel="KIOSK"),
        "paid": sample(samples, "cloudpos_checkouts_paid_total", channel="KIOSK"),
        "toss_done": sample(samples, "cloudpos_payment_outcomes_total", provider="TOSS", outcome="DONE"),
        "toss_failed": sample(samples, "cloudpos_payment_outcomes_total", provider="TOSS", outcome="FAILED"),
        "confirm_started": sample(samples, "cloudpos_celery_tasks_started_total", task=CONFIRM),
        "confirm_succeeded": sample(samples, "cloudpos_celery_tasks_succeeded_total", task=CONFIRM),
        "confirm_failed": sample(samples, "cloudpos_celery_task_failures_total", task=CONFIRM),
        "confirm_runs": sample(samples, "cloudpos_celery_task_runtime_seconds_count", task=CONFIRM),
    }


def test_checkout_and_toss_confirm_move_each_counter_by_one(
    celery_worker_real, client, store, kiosk_device, toss, toss_server, metrics_token
):
    seen_in_task: list[str | None] = []

    def remember_request_id(sender=None, **kwargs):
        if getattr(sender, "name", "") == CONFIRM:
            seen_in_task.append(current_request_id())

    signals.task_prerun.connect(remember_request_id, weak=False)
    try:
        before = _business_counters(scrape(client))
        # given a kiosk cart checked out into an order and paid in Toss's window
        menu = listed_product(store, "라떼", 5000)
        cart = carts.cart_create(store=store, device=kiosk_device, channel="KIOSK")
        carts.cart_line_add(cart.id, device=kiosk_device, product_id=menu.product.id, qty=2)
        order, _ = orders.order_place(cart.id, device=kiosk_device)
        payment, token = start_card_payment(order, toss)
        payment_key = toss_server.authorize(payment.public_id, payment.amount)
        # when the browser returns (with its proxy's request id) and the worker confirms
        response = client.get(success_url(payment, token, payment_key), HTTP_X_REQUEST_ID="edge-req-0001")
        assert response.status_code == 302 and response["X-Request-ID"] == "edge-req-0001"
        wait_for(lambda: Order.objects.get(pk=order.pk).status == "PAID")
        wait_for(lambda: _business_counters(scrape(client))["confirm_succeeded"] == before["confirm_succeeded"] + 1)
        after = _business_counters(scrape(client))
    finally:
        signals.task_prerun.disconnect(remember_request_id)
    # then every counter of this checkout moved by exactly one, and nothing failed
    assert Payment.objects.get(pk=payment.pk).status == "DONE"
    moved = {name: after[name] - before[name] for name in after}
    assert moved == {
        "started": 1,
        "paid": 1,
        "toss_done": 1,
        "toss_failed": 0,
        "confirm_started": 1,
        "confirm_succeeded": 1,
        "confirm_failed": 0,
        "confirm_runs": 1,
    }
    # and the confirm task ran under the id of the request that queued it
    assert seen_in_task == ["edge-req-0001"]


def test_failing_task_increments_the_failure_counter(celery_worker_real, client, metrics_token):
    name = "tests.ops.always_fails"
    before = sample(scrape(client), "cloudpos_celery_task_failures_total", task=name)
    always_fails.delay()
    wait_for(lambda: shared.value("cloudpos_celery_task_failures", task=name) == before + 1)
    samples = scrape(client)
    assert sample(samples, "cloudpos_celery_task_failures_total", task=name) == before + 1
    assert sample(samples, "cloudpos_celery_tasks_started_total", task=name) == 1
    assert sample(samples, "cloudpos_celery_tasks_succeeded_total", task=name) == 0
    assert sample(samples, "cloudpos_celery_task_runtime_seconds_count", task=name) == 1


def test_retried_task_counts_one_retry_then_succeeds(celery_worker_real, client, metrics_token):
    name = "tests.ops.retries_once"
    retries_once.delay()
    wait_for(lambda: shared.value("cloudpos_celery_tasks_succeeded", task=name) == 1)
    samples = scrape(client)
    assert sample(samples, "cloudpos_celery_task_retries_total", task=name) == 1
    assert sample(samples, "cloudpos_celery_tasks_started_total", task=name) == 2
    assert sample(samples, "cloudpos_celery_task_failures_total", task=name) == 0
