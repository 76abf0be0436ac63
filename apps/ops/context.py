"""The request id of the work in progress: set per request by the middleware and per Celery task
from its headers, read by the log filter and by the task publisher (so a task carries the id of the
request that queued it)."""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

REQUEST_ID_HEADER = "X-Request-ID"
CELERY_HEADER = "request_id"
# A proxy's or client's id is kept only when it cannot break a log line or a header: printable,
# no spaces, bounded. Anything else gets a fresh id (the bad one is never logged).
_SANE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{7,127}$")

request_id_var: ContextVar[str | None] = ContextVar("cloudpos_request_id", default=None)


def new_request_id() -> str:
    return uuid.uuid4().hex


def sane_request_id(value: str | None) -> str | None:
    return value if isinstance(value, str) and _SANE.match(value) else None


def current_request_id() -> str | None:
    return request_id_var.get()
