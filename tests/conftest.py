"""Shared test set-up: real PostgreSQL and Redis (from DATABASE_URL / REDIS_URL, started by
scripts/services.sh), Celery eager unless a test asks for a real worker, Chromium for e2e tests."""

import os
import shutil

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM must still be usable
# from the test body (it talks to the database synchronously, which is what we want here).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from tests.factories import DeviceFactory, OwnerFactory, StoreFactory, StoreMemberFactory
from tests.fakes.portone_server import FakePortOneServer
from tests.fakes.toss_server import FakeTossServer

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from pos_project.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = True


@pytest.fixture(autouse=True)
def _clean_redis():
    """Every test starts with an empty Redis database (carts, rate limits, cache)."""
    from apps.core.redis import get_redis

    get_redis().flushdb()
    yield
    get_redis().flushdb()


@pytest.fixture
def celery_worker_real(transactional_db):
    """A real Celery worker thread consuming from the real Redis broker (not eager)."""
    from celery.contrib.testing.worker import start_worker

    from pos_project.celery import app

    app.conf.task_always_eager = False
    with start_worker(app, pool="threads", concurrency=2, perform_ping_check=False, shutdown_timeout=10) as worker:
        yield worker
    app.conf.task_always_eager = True


# --- common objects -------------------------------------------------------------------------


@pytest.fixture
def owner(db):
    return OwnerFactory()


@pytest.fixture
def store(owner):
    return StoreFactory(owner=owner)


@pytest.fixture
def manager(store):
    return StoreMemberFactory(store=store, role="MANAGER", pin="9999")


@pytest.fixture
def cashier(store):
    return StoreMemberFactory(store=store, role="CASHIER", pin="1234")


@pytest.fixture
def pos_device(store):
    return DeviceFactory(store=store, kind="POS")


@pytest.fixture
def kiosk_device(store):
    return DeviceFactory(store=store, kind="KIOSK")


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


# --- browser tests --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # Chromium asks for English by default; the product's first language is Korean.
    return {**browser_context_args, "locale": "ko-KR"}


@pytest.fixture
def artifacts_dir():
    path = os.path.join(os.path.dirname(__file__), "..", "test-artifacts")
    os.makedirs(path, exist_ok=True)
    return path


# The payment gateways' fake servers (tests/fakes), with the settings that point the app at them.
@pytest.fixture
def toss_server(settings):
    server = FakeTossServer().start()
    settings.TOSS_API_BASE = server.url
    settings.TOSS_SECRET_KEY = server.secret_key
    settings.TOSS_CLIENT_KEY = "test_ck_fake"
    settings.TOSS_TIMEOUT_SECONDS = 3
    yield server
    server.stop()


@pytest.fixture
def portone_server(settings):
    server = FakePortOneServer().start()
    settings.PORTONE_API_BASE = server.url
    settings.PORTONE_API_SECRET = server.secret
    settings.PORTONE_WEBHOOK_SECRET = server.webhook_secret
    settings.PORTONE_CHANNEL_KEY = "channel-key-fake"
    settings.PORTONE_TIMEOUT_SECONDS = 3
    yield server
    server.stop()
