"""The harness of the POS and kiosk form fuzz suites: hostile form posts (and query strings) built
from a valid example, sent through Django's test client as raw bytes, and checked for a 5xx and for
anything written by a request that was refused.

Why raw bytes: the test client's own encoder refuses lone surrogates, and an attacker's browser does
not. Each value is sent as its UTF-8 bytes (lone surrogates as the invalid three-byte sequences a
broken client produces), percent-encoded in a query string or url-encoded body, or raw in a multipart
part; some requests carry plainly invalid UTF-8 or the wrong content type instead.

Set FUZZ_REPORT=/some/file to record every 5xx (one JSON line each) and keep going instead of failing
at the first: that is how the "before the fixes" list was made.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from urllib.parse import quote_from_bytes

from django.db import connection, transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from apps.orders.models import Order, OrderLine, OrderStatus
from apps.payments.models import CashMovement, Payment, PaymentStatus, Refund, Shift
from tests.fuzz.strategies import hostile_form_data, hostile_path_segments, hostile_strings

# 200 derandomized examples per endpoint (CI stays deterministic), no deadline (a request may take
# a while on a busy machine), and no complaint about the function-scoped fixtures the examples share.
FUZZ = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)

# Bytes no UTF-8 encoder writes: a lone surrogate, an overlong NUL, stray continuation bytes.
INVALID_UTF8 = [b"\xed\xa0\x80", b"\xc0\x80", b"\xff\xfe", b"\x80", b"caf\xe9", b"\xf4\x90\x80\x80"]

ENCODINGS = ["urlencoded"] * 6 + ["multipart"] * 2 + ["invalid_utf8", "json", "text", "no_boundary", "empty"]


def as_bytes(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")


def _pairs(data: dict) -> list[tuple[bytes, bytes]]:
    pairs = []
    for key, value in data.items():
        for item in value if isinstance(value, list) else [value]:
            pairs.append((as_bytes(key), as_bytes(item)))
    return pairs


def urlencode_bytes(data: dict) -> str:
    return "&".join(f"{quote_from_bytes(k, safe='')}={quote_from_bytes(v, safe='')}" for k, v in _pairs(data))


def multipart_bytes(data: dict, boundary: str = "FuZzBoUnDaRy") -> bytes:
    body = b""
    for key, value in _pairs(data):
        key = key.replace(b'"', b"%22").replace(b"\r", b"").replace(b"\n", b"")
        body += b'--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n' % (boundary.encode(), key, value)
    return body + b"--%s--\r\n" % boundary.encode()


@dataclass
class FormRequest:
    """One hostile request body (or query string) and how it is sent."""

    data: dict
    encoding: str
    htmx: bool
    body: bytes = b""
    content_type: str = ""
    extra_headers: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        def short(value):
            if isinstance(value, list):
                return [short(v) for v in value]
            return value if len(value) <= 60 else value[:30] + f"…({len(value)} chars)"

        data = {short(k): short(v) for k, v in self.data.items()}
        return f"FormRequest(encoding={self.encoding!r}, htmx={self.htmx}, data={data!r})"


@st.composite
def form_requests(draw, valid: dict, *, encodings=ENCODINGS) -> FormRequest:
    """A body derived from `valid`: fields replaced by hostile strings, repeated, missing or extra
    (tests.fuzz.strategies.hostile_form_data), in a well-formed or broken encoding."""
    data = draw(hostile_form_data(valid))
    encoding = draw(st.sampled_from(encodings))
    htmx = draw(st.booleans())
    if encoding == "invalid_utf8" and data:
        key = draw(st.sampled_from(sorted(data, key=repr)))
        base = valid.get(key) or "1"
        data[key] = draw(st.sampled_from(INVALID_UTF8)) + as_bytes(base[0] if isinstance(base, list) else base)
        encoding = "urlencoded"
    request = FormRequest(data=data, encoding=encoding, htmx=htmx)
    if encoding == "urlencoded" or encoding == "invalid_utf8":
        request.body = urlencode_bytes(data).encode("ascii")
        request.content_type = "application/x-www-form-urlencoded"
    elif encoding == "multipart":
        request.body = multipart_bytes(data)
        request.content_type = "multipart/form-data; boundary=FuZzBoUnDaRy"
    elif encoding == "json":
        request.body = json.dumps({k: v for k, v in data.items() if not isinstance(k, bytes)}).encode("ascii")
        request.content_type = "application/json"
    elif encoding == "text":
        request.body = urlencode_bytes(data).encode("ascii")
        request.content_type = "text/plain"
    elif encoding == "no_boundary":
        request.body = multipart_bytes(data)
        request.content_type = "multipart/form-data"
    else:  # empty
        request.body = b""
        request.content_type = "application/x-www-form-urlencoded"
    return request


@st.composite
def query_requests(draw, valid: dict) -> FormRequest:
    """A query string derived from `valid` (for GET views): the same hostile field values."""
    data = draw(hostile_form_data(valid))
    if draw(st.integers(min_value=0, max_value=9)) == 0 and data:
        key = draw(st.sampled_from(sorted(data, key=repr)))
        data[key] = draw(st.sampled_from(INVALID_UTF8))
    return FormRequest(data=data, encoding="query", htmx=draw(st.booleans()))


def path_values(valid: str) -> st.SearchStrategy:
    """Half the time the real id (so the body is what gets fuzzed), else a hostile path segment
    (already percent-encoded) or a hostile string percent-encoded here."""
    return st.one_of(
        st.just(valid),
        hostile_path_segments(),
        hostile_strings(max_size=20).map(lambda s: quote_from_bytes(as_bytes(s), safe="")),
    )


# --- what a refused request must not have written ---------------------------------------------------

_LEDGER = [Order, OrderLine, Payment, Refund, CashMovement, Shift]


def ledger() -> tuple:
    """Row counts of everything a sale or the cash drawer writes, and the open shifts, in one query."""
    selects = ", ".join(f"(SELECT count(*) FROM {model._meta.db_table})" for model in _LEDGER)
    open_shifts = f"(SELECT count(*) FROM {Shift._meta.db_table} WHERE status = %s)"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {selects}, {open_shifts}", [Shift.Status.OPEN])
        return cursor.fetchone()


def assert_nothing_half_written() -> None:
    """No placed order without lines, no payment left READY/IN_PROGRESS for an order that was
    never payable (a payment row written by a refused request would show up here)."""
    empty = Order.objects.exclude(status=OrderStatus.OPEN).filter(lines__isnull=True)
    assert not empty.exists(), f"orders without lines: {list(empty.values_list('public_id', flat=True))}"
    stray = Payment.objects.filter(status__in=[PaymentStatus.READY, PaymentStatus.IN_PROGRESS]).exclude(
        order__status=OrderStatus.PENDING_PAYMENT
    )
    assert not stray.exists(), (
        f"unfinished payments of orders not awaiting payment: {list(stray.values('pk', 'status'))}"
    )


# --- sending and checking ----------------------------------------------------------------------------


def send(client, method: str, path: str, request: FormRequest):
    headers = {"HTTP_HX_REQUEST": "true"} if request.htmx else {}
    if request.encoding == "query":
        query = urlencode_bytes(request.data)
        return client.generic(method, f"{path}?{query}" if query else path, **headers)
    return client.generic(method, path, data=request.body, content_type=request.content_type, **headers)


def _report(entry: dict) -> bool:
    """Record a 5xx when FUZZ_REPORT is set; True if the run should go on."""
    target = os.environ.get("FUZZ_REPORT")
    if not target:
        return False
    with open(target, "a", encoding="utf-8") as out:
        out.write(json.dumps(entry, ensure_ascii=True) + "\n")
    return True


def check(client, method: str, path: str, request: FormRequest, *, endpoint: str):
    """Send one hostile request: never a 5xx, and a refused one (4xx) writes nothing."""
    client.raise_request_exception = False
    collecting = bool(os.environ.get("FUZZ_REPORT"))
    # When collecting, a database error must not leave the test transaction aborted for the rest.
    savepoint = transaction.savepoint() if collecting else None
    writes = method not in ("GET", "HEAD")
    before = ledger() if writes else None
    response = send(client, method, path, request)
    if response.status_code >= 500:
        exc = getattr(response, "exc_info", None)
        error = f"{exc[0].__name__}: {str(exc[1])[:200]}" if exc else ""
        if savepoint is not None:
            transaction.savepoint_rollback(savepoint)
        entry = {"endpoint": endpoint, "method": method, "path": path[:200], "input": repr(request), "error": error}
        if _report(entry):
            return response
        raise AssertionError(f"{method} {path[:200]} -> {response.status_code} ({error}) for {request!r}")
    if savepoint is not None:
        transaction.savepoint_commit(savepoint)
    if writes and 400 <= response.status_code < 500:
        after = ledger()
        assert after == before, (
            f"refused {method} {path[:200]} ({response.status_code}) wrote rows: {before} -> {after} for {request!r}"
        )
    return response
