"""Production safety: with DEBUG off the settings refuse to start without a secret key and hosts."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

CHECK = (
    "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'pos_project.settings'; django.setup();"
    "from django.conf import settings as s;"
    "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.ALLOWED_HOSTS)"
)


def _run(env_overrides: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG"}}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "-c", CHECK], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _run({"DEBUG": "0", "ALLOWED_HOSTS": "pos.example.com"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = _run({"DEBUG": "0", "SECRET_KEY": "x" * 50})
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_production_turns_on_secure_cookies_and_https():
    result = _run({"DEBUG": "0", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "pos.example.com,www.example.com"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True True True ['pos.example.com', 'www.example.com']"


def test_tests_run_on_postgres_and_redis_when_given():
    # the suite is meant for real PostgreSQL and Redis (scripts/services.sh); this guards the wiring
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        assert settings.USING_POSTGRES
    if os.environ.get("REDIS_URL"):
        assert settings.CACHES["default"]["LOCATION"] == os.environ["REDIS_URL"]


PREPARED = (
    "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'pos_project.settings'; django.setup();"
    "from django.conf import settings as s; o = s.DATABASES['default']['OPTIONS'];"
    "print(o.get('server_side_binding'), o.get('prepare_threshold'))"
)


def _prepared(env_overrides: dict) -> list[str]:
    env = {**os.environ, "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none", **env_overrides}
    result = subprocess.run(
        [sys.executable, "-c", PREPARED], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_postgres_statements_are_prepared_unless_turned_off():
    # on PostgreSQL: parameters bound on the server, and a statement prepared at its fifth run
    assert _prepared({}) == ["True", "5"]
    # a pooler that cannot keep prepared statements: none
    assert _prepared({"DATABASE_PREPARE_THRESHOLD": ""}) == ["True", "None"]


@pytest.mark.django_db
def test_the_suites_connections_prepare_statements():
    # the suite's own connections (scripts/services.sh's PostgreSQL) run as production's do
    if not settings.USING_POSTGRES:
        pytest.skip("SQLite")
    from django.db import connection

    connection.ensure_connection()
    assert connection.connection.prepare_threshold == 5
