"""Korean first, English through Django i18n, switched from base.html's language form."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from apps.stores.services import DomainError, validate_pin_format

pytestmark = pytest.mark.django_db


def test_korean_is_the_default_language(client):
    page = client.get(reverse("stores:pair"))
    assert settings.LANGUAGE_CODE == "ko"
    html = page.content.decode()
    assert '<html lang="ko">' in html
    assert "기기 연결" in html


def test_the_language_switch_turns_the_ui_english_and_back(client):
    # given the Korean pairing page with the switch in its header
    page = client.get(reverse("stores:pair")).content.decode()
    assert f'action="{reverse("set_language")}"' in page
    assert 'name="language" value="en"' in page

    # when English is chosen, the browser goes back to the page it was on, now in English
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("stores:pair")})
    assert response.status_code == 302
    assert response["Location"] == reverse("stores:pair")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    english = client.get(reverse("stores:pair")).content.decode()
    assert '<html lang="en">' in english
    assert "Pair device" in english
    assert "Enter the 6-digit pairing code" in english
    assert "기기 연결" not in english

    # and back to Korean
    client.post(reverse("set_language"), {"language": "ko", "next": "/"})
    assert "기기 연결" in client.get(reverse("stores:pair")).content.decode()


def test_landing_page_in_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/").content.decode()
    assert "Owner login" in html and "Pair this device (POS / kiosk)" in html


def test_domain_error_messages_are_translated():
    with translation.override("en"):
        with pytest.raises(DomainError) as err:
            validate_pin_format("12")
    assert err.value.message == "The PIN must be 4 to 6 digits."
    with translation.override("ko"):
        with pytest.raises(DomainError) as err:
            validate_pin_format("12")
    assert err.value.message == "PIN은 4~6자리 숫자여야 합니다."


def test_api_errors_follow_the_accept_language_header(client):
    response = client.post(reverse("stores:api_pair"), "{}", content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["error"]["message"] == "The pairing code is 6 digits."


def test_the_compiled_catalog_is_committed_next_to_the_po_file():
    # `make run` must work without gettext installed, so the .mo ships with the .po
    import gettext

    locale = settings.BASE_DIR / "locale" / "en" / "LC_MESSAGES"
    assert (locale / "django.po").exists()
    with open(locale / "django.mo", "rb") as mo:
        catalog = gettext.GNUTranslations(mo)
    assert catalog.gettext("기기 연결") == "Pair device"
    assert catalog.info()["language"] == "en"


def test_the_language_headers_of_an_api_answer(client):
    # given an API path, whose first segment Django's LocaleMiddleware would look up as a language
    # when the client asks for English
    response = client.post(reverse("stores:api_pair"), "{}", content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    # then the answer is English and says so, and caches keep it apart from the Korean one
    assert response["Content-Language"] == "en"
    assert "Accept-Language" in response["Vary"]
    # and without a preference it is Korean
    response = client.post(reverse("stores:api_pair"), "{}", content_type="application/json")
    assert response["Content-Language"] == "ko"
    assert response.json()["error"]["message"] == "연결 코드는 6자리 숫자입니다."


def _hello(request):
    from django.http import HttpResponse

    return HttpResponse(translation.get_language())


def _prefixed_urlconf():
    import types

    from django.conf.urls.i18n import i18n_patterns
    from django.urls import path

    module = types.ModuleType("prefixed_urls")
    module.urlpatterns = i18n_patterns(path("hello/", _hello))
    return module


def test_language_prefixed_urls_keep_djangos_behaviour(client, settings):
    # given URLs under i18n_patterns (this project has none: the middleware only skips the prefix
    # look-up without them)
    settings.ROOT_URLCONF = _prefixed_urlconf()
    # then the language comes from the path, and a path without one is sent to the default's
    assert client.get("/en/hello/").content == b"en"
    response = client.get("/hello/")
    assert (response.status_code, response["Location"]) == (302, "/ko/hello/")
