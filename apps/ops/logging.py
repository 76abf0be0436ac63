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


_SECRET_KEY = re.compile(rf"(?i)(?:{_SECRET_NAMES})")

# redact() runs on every log line (on the request line, on its message and on each text field), so
# each rule is skipped when it provably cannot match; tests/ops/test_redact_skips.py checks the skips
# against the plain application of all rules, and the facts about Python's re that they rest on.
#
# Rules 1 and 2 need one of their ASCII words. Under (?i), Python's re matches an ASCII letter with its
# other case and with exactly four non-ASCII letters (İ ı → i, ſ → s, K Kelvin → k): folding those
# four and lowering gives a text that contains the word whenever the rule could match.
_IGNORECASE_EXTRAS = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})
# Every secret name without its optional underscores' tail ("pin_?code" starts with "pin")
_NAME_STEMS = tuple(sorted({name.split("_?")[0] for name in _SECRET_NAMES.split("|")}))
_NAME_STEM = re.compile("|".join(_NAME_STEMS))  # searched in the folded text: no (?i), so cheap
# Rules 3 and 4 each need 13 digits (6 + [1-8] + 6; 12 × (digit, separator) + digit). \d is Unicode's
# Nd; an ASCII text can only hold ASCII digits, counted without a regex.
_DIGITS_NEEDED = 13
_DIGIT = re.compile(r"\d")
(_SCHEME, _SCHEME_TO), (_NAME_VALUE, _NAME_VALUE_TO), (_RRN, _RRN_TO), (_CARD, _CARD_TO) = _RULES


def _folded(text: str) -> str:
    return text.lower() if text.isascii() else text.translate(_IGNORECASE_EXTRAS).lower()


def _digit_count(text: str) -> int:
    if text.isascii():
        return len(text) - len(text.encode("ascii").translate(None, b"0123456789"))
    return len(_DIGIT.findall(text))


def redact(text: str) -> str:
    folded = _folded(text)
    if "bearer" in folded or "device" in folded or "basic" in folded or "token" in folded:
        text, replaced = _SCHEME.subn(_SCHEME_TO, text)
        if replaced:
            folded = _folded(text)
    if ("=" in text or ":" in text) and _NAME_STEM.search(folded):
        text = _NAME_VALUE.sub(_NAME_VALUE_TO, text)
    # The replacements above and rule 3's only ever remove digits: one count before rule 3 does for both
    if len(text) >= _DIGITS_NEEDED and _digit_count(text) >= _DIGITS_NEEDED:
        text = _CARD.sub(_CARD_TO, _RRN.sub(_RRN_TO, text))
    return text


def redact_value(value):
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: REDACTED if _SECRET_KEY.fullmatch(str(key)) else redact_value(val) for key, val in value.items()}
    if isinstance(value, list | tuple):
        return [redact_value(item) for item in value]
    return value


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = current_request_id() or "-"
        return True


# Set by RedactFilter to the very string objects it wrote (message, exception text), so that another
# RedactFilter (a second handler) and JsonFormatter redact only what no filter did: each stays safe on
# its own (and after someone replaces the message), and a text is not redacted twice, which cost time
# and turned "pin=[REDACTED]" into "pin=[REDACTED]]" (rule 2 takes "[REDACTED" for a value).
_REDACTED_BY_FILTER = "_cloudpos_redacted"
_NOT_REDACTED = (object(), object())


class RedactFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        redacted_message, redacted_exception = getattr(record, _REDACTED_BY_FILTER, _NOT_REDACTED)
        if record.msg is not redacted_message or record.args:
            try:
                message = record.getMessage()
            except Exception:  # a broken format string: log it as it is rather than lose the record
                message = str(record.msg)
            record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text and record.exc_text is not redacted_exception:
            record.exc_text = redact(record.exc_text)
        setattr(record, _REDACTED_BY_FILTER, (record.msg, record.exc_text))
        return True


# Attributes every LogRecord has; anything else on a record came from `extra=` and is logged.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "request_id"}
_REDACTABLE = (str, dict, list, tuple)  # what redact_value() changes; numbers and None pass as they are


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()  # the filter's own str object when it redacted it (args are None)
        filtered_message, filtered_exception = getattr(record, _REDACTED_BY_FILTER, _NOT_REDACTED)
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", None) or current_request_id(),
            "message": message if message is filtered_message else redact(message),
        }
        for key, val in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = redact_value(val) if isinstance(val, _REDACTABLE) else val
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            exception = record.exc_text
            entry["exception"] = exception if exception is filtered_exception else redact(exception)
        return json.dumps(entry, ensure_ascii=False, default=str)
