"""Log formatting and filters, wired in settings.LOGGING.

- `RequestIdFilter` puts the current request id (a request's, or the request that queued a Celery
  task) on every record.
- `RedactFilter` removes secrets from the message: card numbers, resident registration (identity)
  numbers, `pin=`/`password=`/`token=`-style values and `Bearer`/`Device`/`Basic` credentials. It runs
  on the handler, so it applies to every logger (ours, Django's, Celery's, libraries').
- `JsonFormatter` writes one JSON object per line, with the extra fields a record carries (the
  request log line's method, path, status, duration, store and device ids).
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime

from .context import current_request_id

REDACTED = "[REDACTED]"

_SECRET_NAMES = (
    r"pin|pin_?code|password|passwd|pwd|secret|secret_?key|token|access_?token|device_?token|authorization|cookie"
    r"|api_?key|payment_?key|card_?number|card_?no|cvc|cvv|rrn|resident_?number|identity_?number|jumin"
)
_RULES: list[tuple[re.Pattern, str]] = [
    # Credentials after their scheme; first, so "Authorization: Bearer x" loses x, not just "Bearer"
    (re.compile(r"(?i)\b(Bearer|Device|Basic|Token)\s+[A-Za-z0-9._~+/=:-]{6,}"), rf"\1 {REDACTED}"),
    # name=value, name: value, "name": "value" (query strings, dict reprs, JSON)
    (
        re.compile(rf"""(?i)(["']?\b(?:{_SECRET_NAMES})\b["']?\s*(?:=|:)\s*)(["']?)([^"'\s,&;}}\]]+)"""),
        rf"\1\2{REDACTED}",
    ),
    # Korean resident registration number (주민등록번호): YYMMDD-GNNNNNN
    (re.compile(r"(?<!\d)\d{6}[- ]?[1-8]\d{6}(?!\d)"), REDACTED),
    # Card numbers: 13-19 digits, optionally grouped by spaces or dashes (masked ones keep their *);
    # not the fraction of a number ("succeeded in 0.0123456789012345s" is Celery's run time), nor a
    # run of digits inside a hex id (a cart id's "030b2135870963781eb1…" in a logged path)
    (re.compile(r"(?<![\w*.])(?:\d[ -]?){12,18}\d(?![\w*])"), REDACTED),
]


def redact(text: str) -> str:
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text


def redact_value(value):
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {
            key: REDACTED if re.fullmatch(rf"(?i)(?:{_SECRET_NAMES})", str(key)) else redact_value(val)
            for key, val in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact_value(item) for item in value]
    return value


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = current_request_id() or "-"
        return True


class RedactFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: log it as it is rather than lose the record
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


# Attributes every LogRecord has; anything else on a record came from `extra=` and is logged.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "request_id"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", None) or current_request_id(),
            "message": redact(record.getMessage()),
        }
        for key, val in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = redact_value(val)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = redact(record.exc_text)
        return json.dumps(entry, ensure_ascii=False, default=str)
