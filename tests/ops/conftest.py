"""Ops test helpers: scraping /metrics the way Prometheus does, a throw-away redis-server."""

from __future__ import annotations

import socket
import subprocess
import time

import pytest
from prometheus_client.parser import text_string_to_metric_families

from apps.ops import views as ops_views
from tests.payments.conftest import toss  # noqa: F401 (payment fixture, reused; toss_server is in tests/conftest.py)

METRICS_TOKEN = "test-metrics-token-0123456789"


@pytest.fixture
def metrics_token(settings):
    settings.METRICS_TOKEN = METRICS_TOKEN
    settings.METRICS_ALLOWED_NETWORKS = []
    return METRICS_TOKEN


@pytest.fixture(autouse=True)
def _fresh_migration_check():
    """Each test sees the migration check as never run (it is cached per process)."""
    ops_views._migrations_checked.update(at=float("-inf"), applied=False)
    yield
    ops_views._migrations_checked.update(at=float("-inf"), applied=False)


def scrape(client, token: str = METRICS_TOKEN) -> dict[tuple[str, tuple], float]:
    """GET /metrics with the token; {(sample name, sorted label items): value}."""
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.status_code
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def sample(samples: dict, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted((k, str(v)) for k, v in labels.items()))), 0.0)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A redis-server of the test's own on a fixed port, which the test may stop and start again."""

    def __init__(self, directory, port: int):
        self.directory, self.port, self.process = directory, port, None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no"],
            cwd=self.directory,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def own_redis(tmp_path):
    server = RedisServer(tmp_path, free_port()).start()
    yield server
    server.stop()
