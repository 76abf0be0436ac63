"""The beat close and rebuild_rollups record their last run: in /metrics (through Redis) or, with
PROMETHEUS_PUSHGATEWAY set, pushed to a Pushgateway as the seed's batch programs do."""

import threading
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from prometheus_client.parser import text_string_to_metric_families

from apps.settlement import services as settlement_services
from apps.settlement.tasks import close_business_days
from tests.factories import StoreFactory

from .conftest import sample, scrape

pytestmark = pytest.mark.django_db
KST = ZoneInfo("Asia/Seoul")
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=KST)


class FakePushgateway:
    """Accepts the Pushgateway's push API (PUT/POST /metrics/job/<job>, text format) and keeps
    every push; answers 200 like the real one."""

    def __init__(self):
        self.pushes: list[dict] = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def _push(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                samples = {s.name: s.value for family in text_string_to_metric_families(body) for s in family.samples}
                gateway.pushes.append({"method": self.command, "path": self.path, "samples": samples})
                self.send_response(200)
                self.end_headers()

            do_PUT = do_POST = _push

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def pushgateway(settings):
    gateway = FakePushgateway()
    settings.PROMETHEUS_PUSHGATEWAY = gateway.url
    yield gateway
    gateway.stop()


@time_machine.travel(NOW, tick=False)
def test_close_records_last_success_duration_and_rows_in_metrics(client, settings, metrics_token):
    settings.PROMETHEUS_PUSHGATEWAY = ""
    StoreFactory(), StoreFactory()
    # when the beat close runs (two stores whose yesterday is not closed yet)
    assert close_business_days() == 2
    samples = scrape(client)
    job = "business_day_close"
    assert sample(samples, "cloudpos_batch_last_success_timestamp_seconds", job=job) == NOW.timestamp()
    assert sample(samples, "cloudpos_batch_last_rows", job=job) == 2
    assert sample(samples, "cloudpos_batch_last_duration_seconds", job=job) >= 0
    assert ("cloudpos_batch_last_duration_seconds", (("job", job),)) in samples
    # and the close age of the stores' group is known: yesterday (11-29) ended today at 04:00
    assert sample(samples, "cloudpos_business_day_close_age_seconds", timezone="Asia/Seoul", cutoff_hour=4) == 5 * 3600


@time_machine.travel(NOW, tick=False)
def test_rebuild_rollups_pushes_its_run_to_the_pushgateway(client, pushgateway, metrics_token):
    StoreFactory()
    call_command("rebuild_rollups", "--start", "2026-11-01", "--end", "2026-11-03", "--workers", "1", stdout=StringIO())
    # then one POST (push-add: it replaces only these metrics) under the job's grouping key
    assert len(pushgateway.pushes) == 1
    push = pushgateway.pushes[0]
    assert push["method"] == "POST" and push["path"] == "/metrics/job/rebuild_rollups"
    assert push["samples"]["cloudpos_batch_last_rows"] == 3  # 1 store × 3 days
    assert push["samples"]["cloudpos_batch_last_success_timestamp_seconds"] == NOW.timestamp()
    assert "cloudpos_batch_last_duration_seconds" in push["samples"]
    # and it is not also kept for /metrics (the gateway is the one source for pushed jobs)
    assert sample(scrape(client), "cloudpos_batch_last_rows", job="rebuild_rollups") == 0


@time_machine.travel(NOW, tick=False)
def test_failed_run_pushes_only_its_failure(pushgateway):
    StoreFactory()
    with mock.patch.object(settlement_services, "rollups_rebuild_stores", side_effect=RuntimeError("disk full")):
        with pytest.raises(RuntimeError):
            call_command("rebuild_rollups", "--start", "2026-11-01", stdout=StringIO())
    (push,) = pushgateway.pushes
    assert push["samples"]["cloudpos_batch_last_failure_timestamp_seconds"] == NOW.timestamp()
    assert "cloudpos_batch_last_success_timestamp_seconds" not in push["samples"]


@time_machine.travel(NOW, tick=False)
def test_unreachable_pushgateway_falls_back_to_metrics(client, settings, metrics_token):
    from .conftest import free_port

    settings.PROMETHEUS_PUSHGATEWAY = f"http://127.0.0.1:{free_port()}"
    StoreFactory()
    assert close_business_days() == 1
    assert sample(scrape(client), "cloudpos_batch_last_rows", job="business_day_close") == 1
