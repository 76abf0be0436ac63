"""Structured logs: one JSON line per request, with the request id, and never a secret."""

import io
import json
import logging
import sys

import pytest
from django.urls import reverse

from apps.ops.logging import JsonFormatter, RedactFilter, RequestIdFilter, redact
from tests.factories import StoreMemberFactory, device_client
from tests.ops.redaction_cases import ORDINARY, SECRETS

PIN = "7391"
CARD = "4330-1234-5678-9012"
RRN = "900101-1234567"


@pytest.fixture
def captured():
    """The console handler's set-up (settings.LOGGING) on a string buffer, on the root logger."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.addFilter(RequestIdFilter())
    handler.addFilter(RedactFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    old_level = root.level
    root.setLevel(logging.INFO)
    yield buffer
    root.removeHandler(handler)
    root.setLevel(old_level)


def _lines(buffer) -> list[dict]:
    return [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]


@pytest.mark.django_db
def test_request_line_has_request_id_store_device_and_no_secret(client, store, pos_device, captured):
    StoreMemberFactory(store=store, role="CASHIER", pin=PIN)
    device_client(client, pos_device)
    # when a cashier logs in with a PIN on a paired POS, sending the token as a header too,
    # and a careless client puts a card number and an identity number in the query string
    response = client.post(
        reverse("pos:login") + f"?card={CARD.replace('-', '')}&rrn={RRN}",
        {"pin": PIN},
        HTTP_X_REQUEST_ID="lb-7f3a9c2e",
        HTTP_AUTHORIZATION=f"Device {pos_device.raw_token}",
    )
    assert response.status_code == 302
    assert response["X-Request-ID"] == "lb-7f3a9c2e"
    # and something logs the form data it received
    logging.getLogger("apps.pos").warning("login form %s", {"pin": PIN, "token": pos_device.raw_token})
    # then the request produced one JSON line with its id, method, path, status, store and device
    lines = _lines(captured)
    request_lines = [line for line in lines if line["logger"] == "cloudpos.request"]
    assert len(request_lines) == 1
    line = request_lines[0]
    assert line["request_id"] == "lb-7f3a9c2e"
    assert (line["method"], line["path"], line["status"]) == ("POST", "/pos/login/", 302)
    assert line["store_id"] == store.pk and line["device_id"] == pos_device.pk
    assert line["view"] == "pos:login" and line["duration_ms"] >= 0
    # and no line anywhere carries the PIN, the device token, the card number or the identity number
    text = captured.getvalue()
    for secret in (PIN, pos_device.raw_token, CARD, CARD.replace("-", ""), RRN):
        assert secret not in text
    assert any(line["message"].startswith("login form") and "[REDACTED]" in line["message"] for line in lines)


@pytest.mark.django_db
def test_insane_request_id_is_replaced(client, captured):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="bad id\nwith newline")
    assert response["X-Request-ID"] != "bad id\nwith newline" and len(response["X-Request-ID"]) == 32
    response = client.get("/accounts/login/", HTTP_X_REQUEST_ID="x" * 500)
    assert len(response["X-Request-ID"]) == 32
    assert _lines(captured)[-1]["request_id"] == response["X-Request-ID"]


@pytest.mark.django_db
def test_secret_path_segments_are_blanked(client, captured, settings):
    settings.TOSS_SECRET_KEY = ""
    client.post("/payments/toss/cancel/tgen_secret_paymentkey_123", data="{}", content_type="application/json")
    line = [line for line in _lines(captured) if line["logger"] == "cloudpos.request"][-1]
    assert "tgen_secret_paymentkey_123" not in json.dumps(line)
    assert line["path"] == "/payments/toss/cancel/[REDACTED]"


@pytest.mark.parametrize(("raw", "secret"), SECRETS)
def test_redaction_rules(raw, secret):
    assert secret not in redact(raw)
    assert "[REDACTED]" in redact(raw)


@pytest.mark.parametrize("kept", ORDINARY)
def test_redaction_leaves_ordinary_text(kept):
    assert redact(kept) == kept


def _record(msg, *args, exc_info=None, **extra) -> logging.LogRecord:
    record = logging.LogRecord("apps.pos", logging.WARNING, __file__, 1, msg, args, exc_info)
    record.__dict__.update(extra)
    return record


def _failure(message: str):
    try:
        raise ValueError(message)
    except ValueError:
        return sys.exc_info()


def test_console_line_redacts_the_message_once(captured):
    # when something logs a PIN through the console handler (RedactFilter, then JsonFormatter)
    logging.getLogger("apps.pos").warning("login form %s", {"pin": PIN})
    logging.getLogger("apps.pos").warning("retry with pin=%s", PIN)
    # then each value is blanked once: redacting "pin=[REDACTED]" again took "[REDACTED" for the value
    messages = [line["message"] for line in _lines(captured)[-2:]]
    assert messages == ["login form {'pin': '[REDACTED]'}", "retry with pin=[REDACTED]"]


def test_filter_then_formatter_redacts_the_exception_once():
    # given a record with an exception whose text carries a PIN
    record = _record("payment failed", exc_info=_failure(f"pin={PIN}"))
    # when it passes the filter and then the formatter
    assert RedactFilter().filter(record)
    line = json.loads(JsonFormatter().format(record))
    # then the exception is blanked once, and the PIN is gone
    assert line["exception"].endswith("ValueError: pin=[REDACTED]")
    assert PIN not in json.dumps(line)


def test_formatter_without_the_filter_still_redacts_everything():
    # given a record that never went through RedactFilter (a handler configured without it)
    record = _record(
        "login %s", f"pin={PIN}", exc_info=_failure(f"card {CARD}"), path=f"/x?rrn={RRN}", form={"pin": PIN}
    )
    # when it is formatted
    text = JsonFormatter().format(record)
    line = json.loads(text)
    # then the message, the extras and the exception are redacted by the formatter itself
    assert line["message"] == "login pin=[REDACTED]"
    assert line["path"] == "/x?rrn=[REDACTED]" and line["form"] == {"pin": "[REDACTED]"}
    assert line["exception"].endswith("ValueError: card [REDACTED]")
    for secret in (PIN, CARD, RRN):
        assert secret not in text


def test_formatter_redacts_a_message_changed_after_the_filter():
    # given a record the filter has redacted, whose message something changed afterwards
    record = _record("ok")
    assert RedactFilter().filter(record)
    record.msg, record.args = "late %s", (f"token={PIN}",)
    # when it is formatted, then the new message is redacted: the filter's mark covers only its own text
    assert json.loads(JsonFormatter().format(record))["message"] == "late token=[REDACTED]"


def test_a_second_redact_filter_leaves_what_the_first_redacted():
    # given a record that goes to two handlers, each with its own RedactFilter
    record = _record("retry with pin=%s", PIN, exc_info=_failure(f"pin={PIN}"))
    # when both filters run, then message and exception are redacted once
    assert RedactFilter().filter(record) and RedactFilter().filter(record)
    assert record.getMessage() == "retry with pin=[REDACTED]"
    assert record.exc_text.endswith("ValueError: pin=[REDACTED]")
