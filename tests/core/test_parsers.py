"""apps/core/parsers.py, the hardened JSON body parser (apps/core/api.py) and the request hygiene
middleware: every hostile value that gave a 500 in issue 14 is refused with a 4xx here."""

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import RequestFactory

from apps.core import parsers
from apps.core.api import MAX_JSON_BODY_BYTES, parse_json_body
from apps.core.errors import DomainError, Invalid
from apps.core.middleware import is_json_api_path

SEOUL = ZoneInfo("Asia/Seoul")

NOT_NUMBERS = [
    None,
    True,
    False,
    1.0,
    0.5,
    float("nan"),
    float("inf"),
    "²",
    "١٢",
    "１２",
    "1e3",
    "1.5",
    "0x10",
    "",
    " ",
    [],
    {},
    "1_000",
]


# --- numbers -----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", NOT_NUMBERS)
def test_ids_amounts_and_quantities_refuse_anything_but_whole_numbers(value):
    for parse in (parsers.parse_id, parsers.parse_amount, parsers.parse_quantity):
        with pytest.raises(Invalid) as err:
            parse(value, "amount")
        assert err.value.status == 422 and "amount" in err.value.message
        assert err.value.details == {"field": "amount"}


def test_ids_accept_json_integers_and_ascii_digit_strings_within_bigint():
    assert parsers.parse_id(7, "id") == 7
    assert parsers.parse_id(" 42 ", "id") == 42
    assert parsers.parse_id(2**63 - 1, "id") == 2**63 - 1
    for bad in (0, -1, 2**63, "9" * 30, "1" * 5000):
        with pytest.raises(Invalid):
            parsers.parse_id(bad, "id")


def test_strict_mode_refuses_digit_strings():
    with pytest.raises(Invalid):
        parsers.parse_id("7", "id", strict=True)
    with pytest.raises(Invalid):
        parsers.parse_amount("1000", "value", strict=True)
    assert parsers.parse_amount(1000, "value", strict=True) == 1000


def test_amounts_are_whole_won_from_zero_to_a_trillion_and_forms_may_group_digits():
    assert parsers.parse_amount(0, "amount") == 0
    assert parsers.parse_amount(10**12, "amount") == 10**12
    assert parsers.parse_amount("12,300", "amount") == 12300
    for bad in (-1, 10**12 + 1, "1,23", "12,3000", ",100"):
        with pytest.raises(Invalid):
            parsers.parse_amount(bad, "amount")


def test_quantity_bounds_and_custom_code():
    assert parsers.parse_quantity(99, "qty", max=99) == 99
    assert parsers.parse_quantity(-3, "delta", min=-99, max=99) == -3
    with pytest.raises(Invalid) as err:
        parsers.parse_quantity(100, "qty", max=99, code="INVALID_QUANTITY")
    assert err.value.code == "INVALID_QUANTITY"


def test_integer_allows_a_sign_for_the_service_to_judge():
    assert parsers.parse_integer(-5, "value") == -5
    with pytest.raises(Invalid):
        parsers.parse_integer(10**13, "value")


def test_id_lists():
    assert parsers.parse_id_list(None, "optionIds") == []
    assert parsers.parse_id_list([3, 1, "2"], "optionIds") == [3, 1, 2]
    for bad in ("1,2", [1, None], [1.0], [True], [0], list(range(1, 200)), {"a": 1}):
        with pytest.raises(Invalid):
            parsers.parse_id_list(bad, "optionIds")


# --- text --------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["\x00", "a\x00b", "\ud800", "x\udfffy", "\ud83d"])
def test_text_refuses_nul_and_unpaired_surrogates(value):
    with pytest.raises(Invalid):
        parsers.check_text(value)
    assert not parsers.is_clean_text(value)
    with pytest.raises(Invalid) as err:
        parsers.parse_text(value, "note", max_length=200, required=False)
    assert "note" in err.value.message


def test_text_keeps_paired_surrogates_emoji_and_korean():
    assert parsers.parse_text("  얼음 적게 😀 ", "note", max_length=20) == "얼음 적게 😀"
    assert parsers.check_text("\U0001f600") == "\U0001f600"


def test_text_required_length_and_type():
    assert parsers.parse_text(None, "note", max_length=5, required=False) == ""
    for bad, kwargs in (
        (None, {}),
        ("   ", {}),
        ("abcdef", {}),
        (5, {"required": False}),
        (["a"], {"required": False}),
    ):
        with pytest.raises(Invalid):
            parsers.parse_text(bad, "name", max_length=5, **kwargs)


def test_choice_and_bool():
    assert parsers.parse_choice("KIOSK", "channel", ("POS", "KIOSK")) == "KIOSK"
    with pytest.raises(Invalid):
        parsers.parse_choice("kiosk\x00", "channel", ("POS", "KIOSK"))
    assert parsers.parse_bool("on", "trackStock") is True
    with pytest.raises(Invalid):
        parsers.parse_bool("yes please", "trackStock")


# --- dates -------------------------------------------------------------------------------------


def test_a_date_alone_is_midnight_on_the_stores_clock():
    assert parsers.parse_datetime("2026-11-30", "startsAt", SEOUL) == datetime(2026, 11, 30, tzinfo=SEOUL)


def test_a_naive_datetime_is_the_stores_wall_clock():
    assert parsers.parse_datetime("2026-11-30T10:00:00", "startsAt", "Asia/Seoul") == datetime(
        2026, 11, 30, 10, tzinfo=SEOUL
    )
    parsed = parsers.parse_datetime("2026-11-30T10:00:00Z", "startsAt", SEOUL)
    assert parsed.utcoffset().total_seconds() == 0


def test_the_range_limits_are_inclusive():
    assert parsers.parse_datetime("2000-01-01T00:00:00", "x", SEOUL).year == 2000
    assert parsers.parse_datetime("2100-12-31T23:59:59", "x", SEOUL).year == 2100


@pytest.mark.parametrize(
    "value",
    [
        "2026-02-30T00:00:00",
        "2026-11-30T25:00:00",
        "2026-11-30T23:60:00",
        "2026-11-30T10:00:00+99:00",
        "2026-11-30T10:00:00+24:00",
        "0001-01-01T00:00:00",
        "9999-12-31T23:59:59-14:00",
        "1999-12-31T23:59:59",
        "2101-01-01T00:00:00",
        "２０２６-１１-３０T10:00:00",
        "now",
        "",
        None,
        1_700_000_000,
        "2026-11-30T10:00:00" + " " * 100,
    ],
)
def test_impossible_or_out_of_range_datetimes_are_refused(value):
    with pytest.raises(Invalid) as err:
        parsers.parse_datetime(value, "startsAt", "Asia/Seoul")
    assert "startsAt" in err.value.message


# --- the JSON body ----------------------------------------------------------------------------


def _post(body: bytes, content_type: str = "application/json"):
    return RequestFactory().generic("POST", "/api/carts", body, content_type)


def test_a_clean_json_object_is_parsed():
    assert parse_json_body(_post(b'{"qty": 2, "note": "\\ud83d\\ude00", "x": 1.5}')) == {
        "qty": 2,
        "note": "\U0001f600",
        "x": 1.5,
    }
    assert parse_json_body(_post(b"")) == {}


@pytest.mark.parametrize(
    "body",
    [
        b"NaN",
        b'{"amount": NaN}',
        b'{"amount": Infinity}',
        b'{"amount": -Infinity}',
        b'{"amount": 1e999999}',
        b'{"amount": ' + b"1" * 5000 + b"}",
        b'{"amount": ' + b"9" * 30 + b"}",
        b"[" * 100_000 + b"]" * 100_000,
        b'{"a":' * 50 + b"1" + b"}" * 50,
        b'{"note": "\\u0000"}',
        b'{"note": "\\ud800"}',
        b'{"\\ud800": 1}',
        b'{"deep": [["\\u0000"]]}',
        b'{"x": "\xed\xa0\x80"}',
        b"\xff\xfe{",
        b"[]",
        b'"text"',
        b"{",
    ],
)
def test_malformed_bodies_are_400(body):
    with pytest.raises(DomainError) as err:
        parse_json_body(_post(body))
    assert (err.value.status, err.value.code) == (400, "MALFORMED_JSON")


@pytest.mark.parametrize("content_type", ["multipart/form-data; boundary=B", "application/x-www-form-urlencoded"])
def test_a_form_body_on_a_json_endpoint_is_415(content_type):
    with pytest.raises(DomainError) as err:
        parse_json_body(_post(b"--B--\r\n", content_type))
    assert (err.value.status, err.value.code) == (415, "UNSUPPORTED_MEDIA_TYPE")


def test_a_body_read_as_a_form_already_is_415_not_a_raw_post_data_exception():
    request = RequestFactory().post("/api/carts", {"a": "1"})  # multipart
    request.POST  # noqa: B018 - what CSRF middleware does first
    request.META["CONTENT_TYPE"] = "application/json"
    request.content_type = "application/json"
    with pytest.raises(DomainError) as err:
        parse_json_body(request)
    assert err.value.status == 415


def test_a_body_above_the_cap_is_413():
    body = json.dumps({"pad": "a" * MAX_JSON_BODY_BYTES}).encode()
    with pytest.raises(DomainError) as err:
        parse_json_body(_post(body))
    assert (err.value.status, err.value.code) == (413, "PAYLOAD_TOO_LARGE")


# --- the middleware ------------------------------------------------------------------------


def test_json_api_paths():
    assert is_json_api_path("/api/carts")
    assert is_json_api_path("/payments")
    assert is_json_api_path("/payments/ord_1")
    assert not is_json_api_path("/payments/return/success")
    assert not is_json_api_path("/payments/simulated/checkout/p_1/")
    assert not is_json_api_path("/payments/portone/checkout/p_1/")
    assert not is_json_api_path("/payments/return/portone")
    assert not is_json_api_path("/pos/")


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/payments/%00", "/api/carts/a%00b", "/payments/methods/active?channel=KIOSK%00"])
def test_nul_in_the_url_is_a_json_400_under_the_api(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "INVALID_URL"


@pytest.mark.django_db
def test_nul_in_the_url_is_a_plain_400_elsewhere(client):
    response = client.get("/pos/%00")
    assert response.status_code == 400
    assert "json" not in response["Content-Type"]


@pytest.mark.django_db
def test_an_unmatched_api_url_is_a_json_404(client, owner):
    client.force_login(owner)
    response = client.delete("/api/inventories/abc/products/1")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"
    assert response.json()["error"]["message"]


@pytest.mark.django_db
def test_a_session_cookie_with_a_nul_is_ignored_not_a_500(client):
    # given a forged session id holding a NUL (it would reach the session table)
    client.cookies["sessionid"] = "abcdefgh\x00ijkl"
    # when it comes with an API call and a page
    api = client.get("/api/devices/me")
    page = client.get("/accounts/login/")
    # then the request is answered as one without a session
    assert api.status_code == 401 and api.json()["error"]["code"] == "DEVICE_UNAUTHORIZED"
    assert page.status_code == 200
