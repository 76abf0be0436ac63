"""apps.core.htmx: every HX-* header comes from django-htmx's helpers (no view sets one by hand),
and pos.js carries no Korean of its own (its words come from the templates, translated)."""

import pathlib
import re

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory

from apps.core.errors import Conflict
from apps.core.htmx import redirect_htmx_aware, render_domain_error, render_into


@pytest.fixture
def templates(tmp_path, settings):
    (tmp_path / "frag.html").write_text("<p>{{ word }}</p>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]


def _request(htmx: bool):
    from django_htmx.middleware import HtmxMiddleware

    request = RequestFactory().get("/", headers={"HX-Request": "true"} if htmx else {})
    HtmxMiddleware(lambda r: HttpResponse())(request)
    return request


def test_render_into_retargets_and_reswaps(templates):
    response = render_into(_request(True), "frag.html", {"word": "옵션"}, target="#dialog")
    assert (response["HX-Retarget"], response["HX-Reswap"]) == ("#dialog", "innerHTML")
    assert response.content.decode() == "<p>옵션</p>"


def test_a_domain_error_can_carry_more_context_for_out_of_band_fragments(templates):
    err = Conflict("CART_CHANGED", "바뀜")
    response = render_domain_error(_request(True), err, "frag.html", {"word": "새 장바구니"})
    assert response.status_code == 409 and response["HX-Retarget"] == "#messages"
    assert "새 장바구니" in response.content.decode()


def test_redirects_are_client_redirects_for_htmx_and_302_otherwise(db):
    assert redirect_htmx_aware(_request(True), "/pos/")["HX-Redirect"] == "/pos/"
    plain = redirect_htmx_aware(_request(False), "/pos/")
    assert (plain.status_code, plain["Location"]) == (302, "/pos/")


def test_no_view_sets_an_hx_header_by_hand():
    apps = pathlib.Path(settings.BASE_DIR) / "apps"
    offenders = [
        str(path.relative_to(apps))
        for folder in ("core", "pos")
        for path in (apps / folder).rglob("*.py")
        if re.search(r"""\[["']HX-""", path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_pos_js_has_no_hard_coded_korean():
    source = (pathlib.Path(settings.BASE_DIR) / "static" / "js" / "pos.js").read_text(encoding="utf-8")
    assert re.findall(r"[\uac00-\ud7a3\u3131-\u318e]+", source) == []
