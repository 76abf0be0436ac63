"""Hypothesis strategies of hostile input, shared by the JSON API and the HTML form fuzz suites.

Everything an attacker (or a buggy client) can put in a field: wrong types, huge / negative / float
numbers, NaN / Infinity / 1e999999 (which no Python value serialises to, hence `RawJSON`), deep
nesting, NUL, lone surrogates, huge strings, non-ASCII digits ("²" passes `str.isdigit()`), impossible
or out-of-range dates, missing and extra keys, wrong content types, hostile path segments.

- `hostile_values()`            any JSON value (may contain RawJSON tokens)
- `hostile_strings()`           str values only (for form posts and query strings)
- `hostile_json_bodies(valid)`  a `HostileBody` mutating `valid` field by field, or replacing it whole
- `hostile_form_data(valid)`    a dict of form fields mutating `valid` field by field
- `hostile_path_segments()`     URL path segments (already percent-encoded)
- `dump_json(obj)`              JSON text of `obj` with RawJSON tokens inlined
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field

from hypothesis import strategies as st


@dataclass(frozen=True)
class RawJSON:
    """JSON text inserted verbatim by `dump_json` (for tokens no Python value produces)."""

    text: str

    def __repr__(self) -> str:
        shown = self.text if len(self.text) <= 40 else f"{self.text[:20]}…({len(self.text)} chars)"
        return f"RawJSON({shown!r})"


@dataclass(frozen=True)
class HostileBody:
    """A request body to send: raw bytes, a content type, and a short label for failure output."""

    body: bytes
    content_type: str = "application/json"
    label: str = ""
    extra: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        shown = self.body if len(self.body) <= 300 else self.body[:300] + b"...(%d bytes)" % len(self.body)
        return f"HostileBody(label={self.label!r}, content_type={self.content_type!r}, body={shown!r})"


def dump_json(obj, *, ensure_ascii: bool = True) -> str:
    """`json.dumps(obj)` where every RawJSON is written verbatim (NaN stays NaN, as Python writes it).

    With ensure_ascii=True a lone surrogate is written as the escape "\\ud800", which is what a
    client sends; the body stays valid UTF-8 and the surrogate appears only after parsing.
    """
    raws: list[str] = []

    def swap(value):
        if isinstance(value, RawJSON):
            raws.append(value.text)
            return f"\x01RAW{len(raws) - 1}\x01"
        if isinstance(value, dict):
            return {str(k) if not isinstance(k, str) else k: swap(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [swap(v) for v in value]
        return value

    text = json.dumps(swap(obj), ensure_ascii=ensure_ascii)
    for index, raw in enumerate(raws):
        text = text.replace(json.dumps(f"\x01RAW{index}\x01", ensure_ascii=ensure_ascii), raw, 1)
    return text


# --- scalars ---------------------------------------------------------------------------------

NUMBER_TOKENS = [
    RawJSON("NaN"),
    RawJSON("Infinity"),
    RawJSON("-Infinity"),
    RawJSON("1e999999"),
    RawJSON("-1e999999"),
    RawJSON("1" * 5000),  # above Python's int string-conversion limit: json.loads raises ValueError
    RawJSON("-" + "9" * 4301),
    RawJSON("1E400"),
    RawJSON("0.1e-999999"),
]

NUMBER_STRINGS = [
    "²",  # superscript two: str.isdigit() is True, int() raises
    "١٢٣",  # Arabic-Indic digits: int() accepts them
    "１２",  # full-width digits
    "½",
    "Ⅻ",
    "1e3",
    "1.5",
    "12.0",
    "-1",
    "0",
    "00",
    " 12 ",
    "+5",
    "0x10",
    "1_000",
    "12,300",
    "1,2,3",
    "NaN",
    "Infinity",
    "-Infinity",
    "9" * 30,
    "1" * 5000,
    "",
    " ",
    "null",
    "true",
]

HOSTILE_TEXT = [
    "\x00",
    "a\x00b",
    "\ud800",
    "\udfff",
    "x\udc00y",
    "\ud83d",  # half of an emoji
    "😀",
    "\u202e만원",  # right-to-left override
    "\ufeff",
    "\u200b",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "{{ 7*7 }}",
    "%s%s%s%n",
    "../../etc/passwd",
    "\r\n\r\nX-Injected: 1",
    "\t",
    "가" * 10_000,
    "a" * 200_000,
]

BAD_DATETIMES = [
    "2026-02-30T00:00:00",
    "2026-02-29T00:00:00",
    "2026-13-01T00:00:00",
    "2026-00-10T00:00:00",
    "2026-11-30T25:00:00",
    "2026-11-30T24:00:00",
    "2026-11-30T23:60:00",
    "2026-11-30T23:59:60",
    "2026-11-30T10:00:00+99:00",
    "2026-11-30T10:00:00+24:00",
    "2026-11-30T10:00:00-24:00",
    "2026-11-30T10:00:00+23:59",
    "0001-01-01T00:00:00",
    "0001-01-01T00:00:00+14:00",
    "1999-12-31T23:59:59",
    "9999-12-31T23:59:59",
    "9999-12-31T23:59:59-14:00",
    "2101-01-01T00:00:00",
    "10000-01-01T00:00:00",
    "2026-11-30",
    "2026-11-30T",
    "T10:00:00",
    "2026-11-30 10:00",
    "２０２６-１１-３０T10:00:00",
    "2026-11-30T10:00:00Z\x00",
    "2026-11-30T10:00:00.9999999999999",
    "now",
    "",
]


@functools.cache  # built once: constructing these strategies costs more than drawing
def json_specials() -> st.SearchStrategy:
    """Numbers Python cannot hold or JSON does not allow."""
    return st.sampled_from(NUMBER_TOKENS)


@functools.cache  # built once: constructing these strategies costs more than drawing
def hostile_numbers() -> st.SearchStrategy:
    """Anything in a number's place: huge, negative, float, NaN/Infinity, bools, numeric strings."""
    return st.one_of(
        st.integers(min_value=-(2**80), max_value=2**80),
        st.sampled_from([0, -1, 2**31, 2**31 - 1, 2**63, 2**63 - 1, 2**64, -(2**63) - 1, 10**12 + 1, 10**18]),
        st.floats(allow_nan=True, allow_infinity=True),
        st.sampled_from([1.0, 0.5, -0.0, 1e308, float("nan"), float("inf"), float("-inf")]),
        st.booleans(),
        json_specials(),
        st.sampled_from(NUMBER_STRINGS),
    )


@functools.cache  # built once: constructing these strategies costs more than drawing
def hostile_strings(*, max_size: int = 60) -> st.SearchStrategy:
    """Strings only (what a form post or a query string carries)."""
    return st.one_of(
        st.sampled_from(HOSTILE_TEXT),
        st.sampled_from(NUMBER_STRINGS),
        st.sampled_from(BAD_DATETIMES),
        # any code point, surrogates and NUL included
        st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=max_size),
        st.text(alphabet=st.sampled_from("\x00\ud800\udfff0123456789²,.-+ eE"), max_size=max_size),
    )


@functools.cache  # built once: constructing these strategies costs more than drawing
def hostile_datetimes() -> st.SearchStrategy:
    """Impossible, out-of-range or malformed datetimes, plus wrong types."""
    return st.one_of(
        st.sampled_from(BAD_DATETIMES),
        st.datetimes().map(lambda d: d.isoformat()),
        st.sampled_from([0, 1_700_000_000, -1, None, True, [], {}]),
    )


@functools.cache  # built once: constructing these strategies costs more than drawing
def deep_nesting() -> st.SearchStrategy:
    """A value nested deeper than any recursion limit (as raw JSON text)."""
    return st.sampled_from(
        [
            RawJSON("[" * 100_000 + "]" * 100_000),
            RawJSON('{"a":' * 50_000 + "1" + "}" * 50_000),
            RawJSON("[" * 5000 + "1" + "]" * 5000),
        ]
    )


@functools.cache  # built once: constructing these strategies costs more than drawing
def hostile_values() -> st.SearchStrategy:
    """Any JSON value in a field's place."""
    leaves = st.one_of(
        st.none(),
        hostile_numbers(),
        hostile_strings(),
        hostile_datetimes(),
    )
    return st.one_of(
        leaves,
        deep_nesting(),
        st.recursive(
            leaves,
            lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=8), kids, max_size=4),
            max_leaves=8,
        ),
        st.sampled_from([[], {}, [1, 2, 3], {"id": 1}, [None], [[1]], ["1"], [1.5], [True]]),
    )


# --- whole bodies ----------------------------------------------------------------------------

WRONG_CONTENT_TYPES = [
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=BoUnDaRy",
    "application/xml",
    "",
]

WHOLE_BODIES = [
    b"",
    b" ",
    b"null",
    b"[]",
    b"[1,2]",
    b'"string"',
    b"1",
    b"NaN",
    b"1e999999",
    b"true",
    b"{",
    b"{}}",
    b"{'single': 'quotes'}",
    b'{"a":1,}',
    b"\xff\xfe\x00{",  # not UTF-8
    b'{"x": "\xed\xa0\x80"}',  # a surrogate encoded in UTF-8 bytes: invalid UTF-8
    b"\xef\xbb\xbf{}",  # UTF-8 byte-order mark
    b'{"a": "\x00"}',  # a raw NUL byte inside a string: JSON forbids control characters
    b'{"a":1,"a":2}',
    b"[" * 100_000 + b"]" * 100_000,
    b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
    b"1" * 5000,
    b'{"pad": "' + b"a" * 3_000_000 + b'"}',
]


def _multipart(data: dict) -> HostileBody:
    boundary = "BoUnDaRy"
    parts = []
    for key, value in data.items():
        text = value if isinstance(value, str) else dump_json(value)
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{text}\r\n')
    parts.append(f"--{boundary}--\r\n")
    body = "".join(parts).encode("utf-8", "surrogatepass")
    return HostileBody(body, f"multipart/form-data; boundary={boundary}", "multipart body")


def _form_encoded(data: dict) -> HostileBody:
    from urllib.parse import urlencode

    pairs = {k: v if isinstance(v, str) else dump_json(v) for k, v in data.items()}
    body = urlencode({k: v.encode("utf-8", "surrogatepass") for k, v in pairs.items()}).encode("ascii")
    return HostileBody(body, "application/x-www-form-urlencoded", "form-encoded body")


@st.composite
def hostile_json_bodies(draw, valid_example: dict, *, whole_body_share: int = 4) -> HostileBody:
    """A body derived from `valid_example`: one field replaced by a hostile value, a field removed,
    an extra field added, a nested field mutated, the encoding or the content type broken, or the
    whole body replaced (about 1 in `whole_body_share`)."""
    keys = list(valid_example)
    mode = draw(
        st.sampled_from(
            ["replace"] * 6
            + ["nested"] * (1 if any(isinstance(v, list | dict) for v in valid_example.values()) else 0)
            + ["remove", "extra", "many", "raw_utf8", "wrong_type", "multipart", "form"]
            + ["whole"] * max(1, 12 // whole_body_share)
        )
    )
    body = dict(valid_example)
    if mode == "whole" or not keys and mode in {"replace", "remove", "nested"}:
        raw = draw(st.sampled_from(WHOLE_BODIES))
        return HostileBody(raw, draw(st.sampled_from(["application/json", *WRONG_CONTENT_TYPES])), "whole body")
    if mode == "replace":
        key = draw(st.sampled_from(keys))
        body[key] = draw(hostile_values())
        return HostileBody(dump_json(body).encode("ascii"), label=f"replace {key}")
    if mode == "nested":
        key = draw(st.sampled_from([k for k in keys if isinstance(valid_example[k], list | dict)]))
        body[key] = draw(_mutate_nested(valid_example[key]))
        return HostileBody(dump_json(body).encode("ascii"), label=f"nested {key}")
    if mode == "remove":
        if keys:
            removed = draw(st.lists(st.sampled_from(keys), min_size=1, unique=True))
            for key in removed:
                body.pop(key)
        return HostileBody(dump_json(body).encode("ascii"), label="remove keys")
    if mode == "extra":
        extra_key = draw(st.one_of(st.text(max_size=20), st.sampled_from(["\x00", "\ud800", "__proto__", "id", "pk"])))
        body[extra_key] = draw(hostile_values())
        return HostileBody(dump_json(body).encode("ascii"), label="extra key")
    if mode == "many":
        for key in draw(st.lists(st.sampled_from(keys), min_size=1, unique=True)) if keys else []:
            body[key] = draw(hostile_values())
        return HostileBody(dump_json(body).encode("ascii"), label="many fields")
    if mode == "raw_utf8":
        # the same mutation written without escapes: lone surrogates become invalid UTF-8 bytes
        if keys:
            key = draw(st.sampled_from(keys))
            body[key] = draw(hostile_strings())
        text = dump_json(body, ensure_ascii=False)
        return HostileBody(text.encode("utf-8", "surrogatepass"), label="raw utf-8")
    if mode == "wrong_type":
        return HostileBody(
            dump_json(body).encode("ascii"), draw(st.sampled_from(WRONG_CONTENT_TYPES)), "wrong content type"
        )
    if mode == "multipart":
        if keys:
            key = draw(st.sampled_from(keys))
            body[key] = draw(hostile_values())
        return _multipart(body)
    # form
    return _form_encoded(body)


@st.composite
def _mutate_nested(draw, value):
    if isinstance(value, dict) and value:
        copy = dict(value)
        key = draw(st.sampled_from(list(copy)))
        copy[key] = draw(hostile_values())
        return copy
    if isinstance(value, list) and value:
        copy = list(value)
        index = draw(st.integers(min_value=0, max_value=len(copy) - 1))
        if isinstance(copy[index], dict | list):
            copy[index] = draw(_mutate_nested(copy[index]))
        else:
            copy[index] = draw(hostile_values())
        return copy
    return draw(hostile_values())


@st.composite
def hostile_form_data(draw, valid_example: dict) -> dict:
    """Form fields derived from `valid_example` (values: str or list of str): one or more fields
    replaced by hostile strings or repeated, a field removed, or an extra field added."""
    data = {k: list(v) if isinstance(v, list | tuple) else v for k, v in valid_example.items()}
    keys = list(data)
    mode = draw(st.sampled_from(["replace", "replace", "replace", "many", "remove", "extra", "list"]))
    if not keys or mode == "extra":
        data[draw(st.sampled_from(["\x00", "extra", "csrfmiddlewaretoken", "next"]))] = draw(hostile_strings())
    elif mode == "replace":
        data[draw(st.sampled_from(keys))] = draw(hostile_strings())
    elif mode == "many":
        for key in draw(st.lists(st.sampled_from(keys), min_size=1, unique=True)):
            data[key] = draw(hostile_strings())
    elif mode == "remove":
        for key in draw(st.lists(st.sampled_from(keys), min_size=1, unique=True)):
            data.pop(key)
    else:
        data[draw(st.sampled_from(keys))] = draw(st.lists(hostile_strings(max_size=10), max_size=5))
    return data


# --- URLs ------------------------------------------------------------------------------------

PATH_SEGMENTS = [
    "0",
    "-1",
    "00",
    "1.5",
    "1e3",
    "99999999999999999999",
    str(2**63),
    str(2**31),
    "abc",
    "%00",
    "1%00",
    "%ED%A0%80",  # a UTF-8-encoded surrogate
    "%FF",
    "%C2%B2",  # "²"
    "%EF%BC%91",  # full-width "1"
    "..%2F..%2Fetc",
    "%2e%2e",
    "NaN",
    "Infinity",
    "%20",
    "1%0A",
    "a" * 2000,
]


@functools.cache  # built once: constructing these strategies costs more than drawing
def hostile_path_segments() -> st.SearchStrategy:
    """One percent-encoded path segment (put it where an id or a key goes in the URL)."""
    return st.one_of(
        st.sampled_from(PATH_SEGMENTS),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
    )


@functools.cache  # built once: constructing these strategies costs more than drawing
def hostile_query_values() -> st.SearchStrategy:
    """A percent-encoded query-string value."""
    from urllib.parse import quote

    return st.one_of(
        st.sampled_from(["%00", "%ED%A0%80", "%FF", "KIOSK%00", "", "kiosk", "POS", "KIOSK&channel=POS"]),
        hostile_strings(max_size=20).map(lambda s: quote(s.encode("utf-8", "surrogatepass"), safe="")),
    )


HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
