"""Messages through LazyFallbackStorage: Django's cookie-then-session storage, made on first use."""

from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse
from django.test import RequestFactory

from apps.core.messages import LazyFallbackStorage


def _request():
    request = RequestFactory().get("/")
    SessionMiddleware(lambda r: None).process_request(request)
    return request


def test_a_request_that_touches_no_message_makes_no_store(monkeypatch):
    # given a request whose view never adds or reads a message (every terminal API call)
    made = []
    monkeypatch.setattr(CookieStorage, "__init__", lambda self, *a, **k: made.append(self))
    request = _request()
    storage = LazyFallbackStorage(request)
    # when the middleware updates the response
    storage.update(response=None)
    # then neither the cookie nor the session store was made
    assert made == []


def test_a_message_goes_round_through_the_cookie():
    # given a message added in one request and written to the response as FallbackStorage does
    request = _request()
    storage = LazyFallbackStorage(request)
    request._messages = storage
    messages.success(request, "저장했습니다.")
    response = HttpResponse()
    storage.update(response)
    # when the next request carries the cookie
    following = RequestFactory().get("/", HTTP_COOKIE=f"messages={response.cookies['messages'].value}")
    SessionMiddleware(lambda r: None).process_request(following)
    # then it reads the message back, once
    assert [str(m) for m in LazyFallbackStorage(following)] == ["저장했습니다."]
