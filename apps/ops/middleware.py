"""One middleware, first in the chain: request id, request metrics, database timings, the JSON
request log line — and the probes, answered before anything else runs."""

from __future__ import annotations

import logging
import re
import time
from contextlib import ExitStack

from django.conf import settings
from django.db import connections

from . import views
from .context import REQUEST_ID_HEADER, new_request_id, request_id_var, sane_request_id
from .logging import REDACTED
from .registry import DB_ERRORS, DB_QUERY, HTTP_LATENCY, HTTP_REQUESTS

logger = logging.getLogger("cloudpos.request")

# Answered here, before SecurityMiddleware's HTTPS redirect, the ALLOWED_HOSTS check (a load
# balancer probes with the target's IP as Host), sessions and the device lookup: a probe must be
# cheap and must not depend on what it is not checking.
PROBES = {"/healthz": views.healthz, "/readyz": views.readyz, "/metrics": views.metrics}
UNMATCHED = "<unmatched>"  # 404s from the resolver share one label instead of one per scanned URL
STATIC = "<static>"  # files WhiteNoise serves before URL resolution
_SECRET_KWARG = re.compile(r"(?i)key|token|code|pin|secret|password")

# The labelled children, per alias, taken once instead of by labels() (a lock and a lookup) on every
# SQL statement. Taken at first use, not up front: a child shows in /metrics (at 0) from the moment
# it exists, and an alias without queries or errors must not appear.
_QUERY_CHILD: dict = {}
_ERRORS_CHILD: dict = {}


def _child(children: dict, metric, alias: str):
    child = children.get(alias)
    if child is None:
        child = children[alias] = metric.labels(alias)
    return child


class _QueryTimer:
    def __init__(self, alias: str):
        self.alias, self.count, self.seconds = alias, 0, 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        except Exception:
            _child(_ERRORS_CHILD, DB_ERRORS, self.alias).inc()
            raise
        finally:
            elapsed = time.perf_counter() - started
            self.count += 1
            self.seconds += elapsed
            _child(_QUERY_CHILD, DB_QUERY, self.alias).observe(elapsed)


def _logged_path(request) -> str:
    """The path without its query string, with URL parts that carry a key or token blanked."""
    path = request.path
    match = getattr(request, "resolver_match", None)
    if match is not None:
        for name, value in match.kwargs.items():
            if _SECRET_KWARG.search(name) and isinstance(value, str) and value:
                path = path.replace(value, REDACTED)
    return path


class RequestObservabilityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = sane_request_id(request.headers.get(REQUEST_ID_HEADER)) or new_request_id()
        request.request_id = request_id
        reset = request_id_var.set(request_id)
        try:
            probe = PROBES.get(request.path_info)
            if probe is not None:
                response = probe(request)
                response[REQUEST_ID_HEADER] = request_id
                return response
            return self._observed(request, request_id)
        finally:
            request_id_var.reset(reset)

    def _observed(self, request, request_id: str):
        started = time.perf_counter()
        timers = [_QueryTimer(alias) for alias in settings.DATABASES]
        with ExitStack() as stack:
            for timer in timers:
                stack.enter_context(connections[timer.alias].execute_wrapper(timer))
            response = self.get_response(request)
        elapsed = time.perf_counter() - started
        response[REQUEST_ID_HEADER] = request_id

        match = getattr(request, "resolver_match", None)
        if match is not None and match.view_name:
            view = match.view_name
        elif request.path.startswith(settings.STATIC_URL):
            view = STATIC
        else:
            view = UNMATCHED
        HTTP_REQUESTS.labels(view, request.method, str(response.status_code)).inc()
        HTTP_LATENCY.labels(view).observe(elapsed)

        device = getattr(request, "device", None)
        member = getattr(request, "member", None)
        user = getattr(request, "_cached_user", None)  # only if the view already loaded it
        path = _logged_path(request)
        logger.info(
            "%s %s %s",
            request.method,
            path,
            response.status_code,
            extra={
                "method": request.method,
                "path": path,
                "view": view,
                "status": response.status_code,
                "duration_ms": round(elapsed * 1000, 1),
                "db_queries": sum(t.count for t in timers),
                "db_ms": round(sum(t.seconds for t in timers) * 1000, 1),
                "store_id": getattr(device, "store_id", None) or getattr(member, "store_id", None),
                "device_id": getattr(device, "pk", None),
                "staff_id": getattr(member, "pk", None),
                "user_id": getattr(user, "pk", None),
            },
        )
        return response
