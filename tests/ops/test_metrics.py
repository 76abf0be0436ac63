"""/metrics: closed to the public; request, business and scrape-time figures."""

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from apps.kitchen.models import Ticket, TicketStatus
from apps.orders import services as order_services
from apps.payments.models import Payment, PaymentMethod, Refund
from apps.settlement.models import RollupState
from tests.factories import StoreFactory
from tests.kitchen.factories import StationFactory, TicketFactory
from tests.payments.factories import make_method, make_order

from .conftest import sample, scrape

KST = ZoneInfo("Asia/Seoul")


@pytest.mark.django_db
def test_metrics_does_not_exist_until_a_token_or_network_is_configured(client, settings):
    settings.METRICS_TOKEN, settings.METRICS_ALLOWED_NETWORKS = "", []
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


@pytest.mark.django_db
def test_metrics_refuses_anonymous_and_wrong_token(client, metrics_token):
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer not-the-token").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Device {metrics_token}").status_code == 403
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {metrics_token}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")


@pytest.mark.django_db
def test_metrics_allowed_network_without_token(client, settings):
    settings.METRICS_TOKEN, settings.METRICS_ALLOWED_NETWORKS = "", ["10.20.0.0/16", "fd00::/8"]
    assert client.get("/metrics", REMOTE_ADDR="10.20.3.4").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="fd00::17").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="10.21.0.1").status_code == 403
    # a forged X-Forwarded-For does not help: only the socket address counts
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.9", HTTP_X_FORWARDED_FOR="10.20.3.4").status_code == 403


@pytest.mark.django_db
def test_requests_counted_by_view_name_with_latency(client, metrics_token):
    before = scrape(client)
    labels = {"view": "account_login", "method": "GET", "status": "200"}
    # when a page is served twice
    assert client.get("/accounts/login/").status_code == 200
    assert client.get("/accounts/login/").status_code == 200
    after = scrape(client)
    # then its view's counter moved by two and its latency histogram saw them
    assert (
        sample(after, "cloudpos_http_requests_total", **labels)
        - sample(before, "cloudpos_http_requests_total", **labels)
        == 2
    )
    count = "cloudpos_http_request_duration_seconds_count"
    assert sample(after, count, view="account_login") - sample(before, count, view="account_login") == 2
    # database statements of the requests are timed too; probes are not counted as requests
    assert sample(after, "cloudpos_db_query_duration_seconds_count", alias="default") > 0
    assert not [key for key in after if key[0] == "cloudpos_http_requests_total" and ("view", "ops:metrics") in key[1]]


@pytest.mark.django_db
def test_unmatched_paths_share_one_label(client, metrics_token):
    # the process's counters live as long as the test session, so only their movement is compared
    before = scrape(client)
    client.get("/no-such-page-1/")
    client.get("/no-such-page-2/")
    client.get("/static/no-such-file.css")
    after = scrape(client)

    def moved(view: str) -> float:
        labels = {"view": view, "method": "GET", "status": "404"}
        return sample(after, "cloudpos_http_requests_total", **labels) - sample(
            before, "cloudpos_http_requests_total", **labels
        )

    assert moved("<unmatched>") == 2
    assert moved("<static>") == 1


@pytest.mark.django_db
def test_cache_calls_are_timed(client, metrics_token):
    from django.core.cache import cache

    before = sample(scrape(client), "cloudpos_cache_operation_duration_seconds_count", operation="get")
    cache.set("ops-test", 1)
    assert cache.get("ops-test") == 1
    after = sample(scrape(client), "cloudpos_cache_operation_duration_seconds_count", operation="get")
    assert after - before == 1


@pytest.mark.django_db(transaction=True)
def test_webhooks_received_and_deduplicated(client, metrics_token):
    payload = {"eventType": "PAYMENT_STATUS_CHANGED", "data": {"paymentKey": "pk_unknown", "status": "DONE"}}
    # when Toss delivers the same webhook twice
    for _ in range(2):
        response = client.post("/api/webhooks/toss", data=json.dumps(payload), content_type="application/json")
        assert response.status_code == 200
    samples = scrape(client)
    # then both were received and one was recognised as a replay
    assert sample(samples, "cloudpos_webhooks_received_total", provider="toss") == 2
    assert sample(samples, "cloudpos_webhooks_deduplicated_total", provider="toss") == 1


@pytest.mark.django_db(transaction=True)
def test_expired_orders_counted_by_channel(client, store, metrics_token):
    # given an unpaid POS order placed an hour ago
    order = make_order(store)
    order.placed_at = timezone.now() - timedelta(hours=1)
    order.save(update_fields=["placed_at"])
    # when the beat job expires stale orders
    assert order_services.orders_expire_stale() == 1
    samples = scrape(client)
    assert sample(samples, "cloudpos_orders_expired_total", channel="POS") == 1
    assert sample(samples, "cloudpos_orders_canceled_total", channel="POS") == 0


@pytest.mark.django_db(transaction=True)
def test_cash_payment_counted_by_provider_and_outcome(client, store, metrics_token):
    from apps.payments import services as payment_services

    order = make_order(store)
    cash = make_method(store, PaymentMethod.Kind.CASH)
    payment_services.payment_create(order, cash, tendered=10_000)
    samples = scrape(client)
    assert sample(samples, "cloudpos_payment_outcomes_total", provider="CASH", outcome="DONE") == 1
    assert sample(samples, "cloudpos_checkouts_paid_total", channel="POS") == 1


@pytest.mark.django_db
def test_unknown_payments_and_refunds_are_gauges_read_at_scrape(client, store, metrics_token):
    toss = make_method(store, PaymentMethod.Kind.TOSS)
    for status in ("UNKNOWN", "UNKNOWN", "DONE"):
        Payment.objects.create(
            order=make_order(store),
            method=toss,
            kind="TOSS",
            amount=9000,
            status=status,
            business_date=timezone.localdate(),
        )
    done = Payment.objects.get(status="DONE")
    Refund.objects.create(payment=done, amount=1000, reason="고객 요청", status=Refund.Status.UNKNOWN)
    samples = scrape(client)
    assert sample(samples, "cloudpos_payments_unknown", provider="TOSS") == 2
    assert sample(samples, "cloudpos_refunds_unknown", provider="TOSS") == 1
    assert sample(samples, "cloudpos_scrape_error", part="database") == 0
    # when one is reconciled, the next scrape shows it
    Payment.objects.filter(status="UNKNOWN").update(status="FAILED")
    samples = scrape(client)
    assert sample(samples, "cloudpos_payments_unknown", provider="TOSS") == 0


@pytest.mark.django_db
@time_machine.travel(datetime(2026, 11, 30, 12, 0, tzinfo=KST), tick=False)
def test_business_day_close_age_per_store_group(client, metrics_token):
    # given Seoul stores with a 04:00 cutoff, one closed through yesterday and one left behind
    fresh, stale = StoreFactory(cutoff_hour=4), StoreFactory(cutoff_hour=4)
    RollupState.objects.create(store=fresh, last_closed_date=datetime(2026, 11, 29).date())
    RollupState.objects.create(store=stale, last_closed_date=datetime(2026, 11, 27).date())
    samples = scrape(client)
    # then the group reports its oldest close: 11-27's business day ended 11-28 04:00, 56 hours ago
    age = sample(samples, "cloudpos_business_day_close_age_seconds", timezone="Asia/Seoul", cutoff_hour=4)
    assert age == 56 * 3600
    # and once the stale store catches up, the group is back under 26 hours (11-29 ended 8 h ago)
    RollupState.objects.filter(store=stale).update(last_closed_date=datetime(2026, 11, 29).date())
    age = sample(scrape(client), "cloudpos_business_day_close_age_seconds", timezone="Asia/Seoul", cutoff_hour=4)
    assert age == 8 * 3600


@pytest.mark.django_db
def test_queue_length_read_from_the_broker(client, settings, metrics_token):
    from apps.core.redis import get_redis

    settings.CELERY_BROKER_URL = settings.REDIS_URL
    get_redis().rpush(settings.CELERY_TASK_DEFAULT_QUEUE, "m1", "m2", "m3")
    samples = scrape(client)
    assert sample(samples, "cloudpos_celery_queue_length", queue=settings.CELERY_TASK_DEFAULT_QUEUE) == 3


@pytest.mark.django_db
def test_open_kitchen_tickets_and_the_oldest_age_by_status(client, metrics_token):
    # given a store with two tickets being made (the older sent 12 minutes ago), one ready, one handed over
    station = StationFactory()
    now = timezone.now()
    for status, minutes in (
        (TicketStatus.NEW, 12),
        (TicketStatus.NEW, 3),
        (TicketStatus.READY, 1),
        (TicketStatus.DONE, 30),
    ):
        ticket = TicketFactory(store=station.store, station=station, status=status)
        Ticket.objects.filter(pk=ticket.pk).update(created_at=now - timedelta(minutes=minutes))
    # when /metrics is scraped
    samples = scrape(client)
    # then the open tickets are counted by status, with the oldest one's age
    assert sample(samples, "cloudpos_kitchen_tickets_open", status="NEW") == 2
    assert sample(samples, "cloudpos_kitchen_tickets_open", status="READY") == 1
    assert 12 * 60 <= sample(samples, "cloudpos_kitchen_ticket_oldest_age_seconds", status="NEW") < 13 * 60
    # and when the kitchen catches up, the gauges fall back to zero
    Ticket.objects.update(status=TicketStatus.DONE)
    samples = scrape(client)
    assert sample(samples, "cloudpos_kitchen_tickets_open", status="NEW") == 0
    assert sample(samples, "cloudpos_kitchen_ticket_oldest_age_seconds", status="NEW") == 0
