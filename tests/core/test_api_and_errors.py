import json

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from apps.core.api import api_methods, api_view, error_response, json_response, parse_json_body
from apps.core.errors import Conflict, DomainError, Invalid, NotFound
from apps.core.htmx import render_domain_error, render_page_or_partial


def test_domain_errors_carry_a_code_a_message_and_a_status():
    assert (NotFound("X", "없음").status, Conflict("X", "충돌").status, Invalid("X", "틀림").status) == (404, 409, 422)
    err = DomainError("OUT_OF_STOCK", "재고가 없습니다", status=409, details={"products": [1]})
    assert err.as_dict() == {
        "error": {"code": "OUT_OF_STOCK", "message": "재고가 없습니다", "details": {"products": [1]}}
    }
    assert DomainError("X", "m").status == 400


def test_api_view_turns_a_domain_error_into_its_json_4xx():
    @api_view
    def view(request):
        raise Conflict("CART_CHANGED", "장바구니가 바뀌었습니다", details={"version": 3})

    response = view(RequestFactory().get("/"))
    assert response.status_code == 409
    assert json.loads(response.content) == {
        "error": {"code": "CART_CHANGED", "message": "장바구니가 바뀌었습니다", "details": {"version": 3}}
    }
    # Korean stays readable in the body
    assert "장바구니" in response.content.decode()


def test_api_methods_answers_405_in_the_api_shape():
    view = api_methods("POST")(lambda request: json_response({"ok": True}))
    response = view(RequestFactory().get("/"))
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert json.loads(response.content)["error"]["code"] == "METHOD_NOT_ALLOWED"
    assert view(RequestFactory().post("/")).status_code == 200


@pytest.mark.parametrize("body", [b"{bad", b"[1, 2]", b"\xff\xfe", b'"text"'])
def test_parse_json_body_refuses_what_is_not_an_object(body):
    request = RequestFactory().post("/", data=body, content_type="application/json")
    with pytest.raises(DomainError) as err:
        parse_json_body(request)
    assert (err.value.code, err.value.status) == ("MALFORMED_JSON", 400)


def test_parse_json_body_reads_an_object_and_an_empty_body():
    rf = RequestFactory()
    assert parse_json_body(rf.post("/", data=b'{"a": 1}', content_type="application/json")) == {"a": 1}
    assert parse_json_body(rf.post("/", data=b"", content_type="application/json")) == {}


def test_error_response_without_details():
    response = error_response("X", "메시지", 422)
    assert json.loads(response.content) == {"error": {"code": "X", "message": "메시지"}}


@pytest.fixture
def templates(tmp_path, settings):
    (tmp_path / "page.html").write_text(
        "{% load partials %}<html>{% partialdef body inline %}<p>{{ word }}</p>{% endpartialdef %}</html>"
    )
    # changing TEMPLATES resets Django's template engines (setting_changed), and again on teardown
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]


def _request(htmx: bool):
    from django_htmx.middleware import HtmxMiddleware

    request = RequestFactory().get("/", headers={"HX-Request": "true"} if htmx else {})
    HtmxMiddleware(lambda r: HttpResponse())(request)
    return request


def test_htmx_requests_get_the_partial_and_plain_requests_the_page(templates):
    full = render_page_or_partial(_request(False), "page.html", "page.html#body", {"word": "안녕"})
    part = render_page_or_partial(_request(True), "page.html", "page.html#body", {"word": "안녕"})
    assert full.content.decode() == "<html><p>안녕</p></html>"
    assert part.content.decode() == "<p>안녕</p>"


def test_a_domain_error_renders_as_a_4xx_fragment_htmx_swaps_into_messages(db):
    err = Conflict("SOLD_OUT", "품절되었습니다")
    response = render_domain_error(_request(True), err)
    assert response.status_code == 409
    assert response["HX-Retarget"] == "#messages"
    assert 'data-error-code="SOLD_OUT"' in response.content.decode()
    assert "품절되었습니다" in response.content.decode()
    plain = render_domain_error(_request(False), err)
    assert "HX-Retarget" not in plain
