"""The probes and the Prometheus endpoint. Reached through RequestObservabilityMiddleware before the
rest of the chain (and through urls.py for `reverse`), so they take no session, CSRF or device."""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import threading
import time
from functools import lru_cache

import redis
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponse, JsonResponse
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from apps.core.redis import get_redis

from .collectors import ScrapeCollector

logger = logging.getLogger(__name__)

OK, FAILED = "ok", "failed"


def healthz(request) -> JsonResponse:
    """Liveness: the process answers. Touches nothing else, so a database outage never makes the
    orchestrator restart healthy web processes."""
    return JsonResponse({"status": OK})


# --- readiness ----------------------------------------------------------------------------------


def _check_database() -> None:
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        # A broken connection (the server restarted) would keep failing: drop it, so the next
        # probe connects anew and readiness recovers on its own.
        if not connection.in_atomic_block:
            connection.close()
        raise


@lru_cache(maxsize=4)
def _redis_client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)


def _check_redis() -> None:
    url = settings.REDIS_URL
    client = _redis_client(url) if url else get_redis()  # the embedded default's fakeredis
    client.ping()


_migrations_lock = threading.Lock()
_migrations_checked: dict[str, float | bool] = {"at": float("-inf"), "applied": False}


def _migrations_applied() -> bool:
    """Whether every migration on disk is applied. Loading the migration graph costs tens of
    milliseconds, so a positive answer is kept for READYZ_MIGRATIONS_CACHE_SECONDS (a negative one
    is checked again at every probe, so a rollout turns ready as soon as `migrate` finishes)."""
    now = time.monotonic()
    with _migrations_lock:
        fresh = now - _migrations_checked["at"] < settings.READYZ_MIGRATIONS_CACHE_SECONDS
        if _migrations_checked["applied"] and fresh:
            return True
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    applied = not executor.migration_plan(executor.loader.graph.leaf_nodes())
    with _migrations_lock:
        _migrations_checked.update(at=now, applied=applied)
    return applied


def readyz(request) -> JsonResponse:
    """Readiness: PostgreSQL and Redis answer and the schema is migrated. 503 with the failing
    checks otherwise (the error class only: details go to the log, not to whoever polls)."""
    checks: dict[str, dict] = {}
    for name, check in (("database", _check_database), ("redis", _check_redis)):
        started = time.perf_counter()
        try:
            check()
            checks[name] = {"status": OK}
        except Exception as exc:
            logger.warning("readiness check %s failed: %r", name, exc)
            checks[name] = {"status": FAILED, "error": type(exc).__name__}
        checks[name]["ms"] = round((time.perf_counter() - started) * 1000, 1)
    if checks["database"]["status"] == OK:
        try:
            applied = _migrations_applied()
            checks["migrations"] = {"status": OK} if applied else {"status": FAILED, "error": "UnappliedMigrations"}
        except Exception as exc:
            logger.warning("readiness check migrations failed: %r", exc)
            checks["migrations"] = {"status": FAILED, "error": type(exc).__name__}
    else:
        checks["migrations"] = {"status": FAILED, "error": "DatabaseUnavailable"}
    ready = all(check["status"] == OK for check in checks.values())
    return JsonResponse({"status": OK if ready else FAILED, "checks": checks}, status=200 if ready else 503)


# --- metrics ------------------------------------------------------------------------------------


def _networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(net.strip(), strict=False) for net in settings.METRICS_ALLOWED_NETWORKS if net.strip()]


def metrics_allowed(request) -> bool | None:
    """True: a scraper (the bearer token, or REMOTE_ADDR in an allowed network). False: someone else.
    None: neither is configured, so the endpoint does not exist."""
    token, networks = settings.METRICS_TOKEN, _networks()
    if not token and not networks:
        return None
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer ") and hmac.compare_digest(header[len("Bearer ") :].strip(), token):
        return True
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in network for network in networks)


class _InProcess:
    """The default registry's samples (this process only: no PROMETHEUS_MULTIPROC_DIR)."""

    def collect(self):
        return REGISTRY.collect()


def metrics(request) -> HttpResponse:
    allowed = metrics_allowed(request)
    if allowed is None:
        return HttpResponse(status=404)
    if not allowed:
        return HttpResponse(status=403)
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)  # every gunicorn worker's files, merged
    else:
        registry.register(_InProcess())
    registry.register(ScrapeCollector())
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
