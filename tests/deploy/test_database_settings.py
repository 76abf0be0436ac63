"""Database connection defaults, read from a fresh settings import with a controlled environment
(the test process's own settings are already loaded with whatever CI set)."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

PRINT_DB = (
    "import json; from pos_project import settings as s; d = s.DATABASES['default']; "
    "print(json.dumps({'engine': d['ENGINE'], 'max_age': d['CONN_MAX_AGE'], 'health': d['CONN_HEALTH_CHECKS']}))"
)


def _database_settings(**env) -> dict:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("CONN_", "DATABASE_URL"))}
    result = subprocess.run(
        [sys.executable, "-c", PRINT_DB],
        env={**base, **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "database_url, engine",
    [
        ("postgres://u@127.0.0.1:5432/cloudpos", "apps.core.db.postgresql"),  # Django's, see apps/core/db
        ("", "django.db.backends.sqlite3"),  # the embedded default of `make run`
    ],
)
def test_connections_persist_for_a_minute_with_health_checks_by_default(database_url, engine):
    env = {"DATABASE_URL": database_url} if database_url else {}

    db = _database_settings(**env)

    assert db == {"engine": engine, "max_age": 60, "health": True}


def test_the_environment_overrides_both():
    db = _database_settings(DATABASE_URL="postgres://u@127.0.0.1/x", CONN_MAX_AGE="0", CONN_HEALTH_CHECKS="0")

    assert (db["max_age"], db["health"]) == (0, False)
