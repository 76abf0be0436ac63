"""/healthz and /readyz: what a load balancer polls."""

import pytest
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

pytestmark = pytest.mark.django_db(transaction=True)


def test_healthz_answers_without_touching_the_database(client, django_assert_num_queries):
    # given a load balancer probing with its own address as Host (not in ALLOWED_HOSTS)
    with django_assert_num_queries(0):
        response = client.get("/healthz", HTTP_HOST="10.0.3.7:8000")
    # then the process answers, without a query, and the request id comes back
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert len(response["X-Request-ID"]) == 32


def test_readyz_ok_when_postgres_redis_and_migrations_are_fine(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {name: check["status"] for name, check in body["checks"].items()} == {
        "database": "ok",
        "redis": "ok",
        "migrations": "ok",
    }


def test_readyz_fails_while_redis_is_down_and_recovers(client, settings, own_redis):
    # given the app pointed at a redis-server of the test's own
    settings.REDIS_URL = own_redis.url
    assert client.get("/readyz").status_code == 200
    # when that Redis stops
    own_redis.stop()
    response = client.get("/readyz")
    # then the app is not ready, and says which check failed
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "failed"
    assert body["checks"]["redis"]["status"] == "failed"
    assert body["checks"]["redis"]["error"] == "ConnectionError"
    assert body["checks"]["database"]["status"] == "ok"
    # when it comes back on the same port, readiness recovers without a restart
    own_redis.start()
    assert client.get("/readyz").status_code == 200


def test_readyz_fails_when_redis_port_is_closed(client, settings):
    from .conftest import free_port

    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"]["status"] == "failed"


def test_readyz_fails_while_postgres_is_unreachable_and_recovers(client):
    from .conftest import free_port

    real_port = connection.settings_dict["PORT"]
    # given the database connection pointed at a closed port (PostgreSQL "down")
    connection.close()
    connection.settings_dict["PORT"] = str(free_port())
    try:
        response = client.get("/readyz")
        # then readiness fails on the database and does not try the migrations
        assert response.status_code == 503
        checks = response.json()["checks"]
        assert checks["database"]["status"] == "failed"
        assert checks["migrations"] == {"status": "failed", "error": "DatabaseUnavailable"}
        assert checks["redis"]["status"] == "ok"
    finally:
        connection.close()
        connection.settings_dict["PORT"] = real_port
    # when it is reachable again, the next probe reconnects and is ready
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()


def test_readyz_fails_until_migrations_are_applied(client):
    # given the latest payments migration not applied (as during a rollout, before `migrate`)
    latest = MigrationRecorder.Migration.objects.filter(app="payments").order_by("-id").first()
    latest.delete()
    try:
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["checks"]["migrations"] == {"status": "failed", "error": "UnappliedMigrations"}
    finally:
        # when `migrate` has recorded it, the next probe is ready (a failure is never cached)
        MigrationRecorder.Migration.objects.create(app=latest.app, name=latest.name)
    assert client.get("/readyz").status_code == 200
