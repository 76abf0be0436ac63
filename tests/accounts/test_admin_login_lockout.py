"""The admin login has the password-guessing limit of /accounts/login/ (issue 14 finding 4): the
admin's own form sends there, and 5 failed logins of an email lock it for 5 minutes (README)."""

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse

from tests.factories import OwnerFactory, StoreFactory

pytestmark = pytest.mark.django_db

LOCKOUT_FAILURES = 5  # README "Logins"; ACCOUNT_RATE_LIMITS["login_failed"] in settings.py
LOCKOUT_SECONDS = 5 * 60
PASSWORD = "pass-word-1234"  # OwnerFactory's
NOW = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)  # a Monday, 10:00 in Seoul
TOO_MANY = str(DefaultAccountAdapter.error_messages["too_many_login_attempts"])


@pytest.fixture
def owner():
    owner = OwnerFactory(email="locked.owner@example.com")
    StoreFactory(owner=owner)
    return owner


def _login(client, email: str, password: str, **extra):
    return client.post(reverse("account_login"), {"login": email, "password": password, "next": "/admin/"}, **extra)


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_the_admin_login_page_sends_to_the_login_with_the_lockout(client):
    # when someone opens the admin, or posts a password to the admin's own login form
    opened = client.get(reverse("admin:login"), {"next": "/admin/"})
    posted = client.post(reverse("admin:login"), {"username": "x@example.com", "password": "guess", "next": "/admin/"})
    # then both go to /accounts/login/, keeping where to return; the admin form checks no password
    for response in (opened, posted):
        assert response.status_code == 302
        location = urlsplit(response["Location"])
        assert location.path == reverse("account_login")
        assert parse_qs(location.query)["next"] == ["/admin/"]
    assert not _logged_in(client)


def test_thirty_wrong_admin_passwords_then_the_right_one_does_not_log_in_there(client, owner):
    # the reproduction: the admin form used to check every guess, without any limit
    with time_machine.travel(NOW, tick=False):
        for _attempt in range(30):
            client.post(reverse("admin:login"), {"username": owner.email, "password": "wrong-password"})
        response = client.post(reverse("admin:login"), {"username": owner.email, "password": PASSWORD})
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == reverse("account_login")
    assert not _logged_in(client)


def test_the_right_password_is_refused_after_the_documented_failures_until_the_window_passes(client, owner):
    with time_machine.travel(NOW, tick=False) as clock:
        # given N wrong passwords for the owner's email
        for _attempt in range(LOCKOUT_FAILURES):
            assert _login(client, owner.email, "wrong-password").status_code == 200
        # when the right one comes next, it is refused as well
        refused = _login(client, owner.email, PASSWORD)
        assert refused.status_code == 200
        assert TOO_MANY in refused.content.decode()
        assert not _logged_in(client)
        # and still a second before the window ends
        clock.shift(timedelta(seconds=LOCKOUT_SECONDS - 1))
        assert TOO_MANY in _login(client, owner.email, PASSWORD).content.decode()
        assert not _logged_in(client)

        # then once the oldest failure is older than the window, the owner gets in to the admin
        clock.shift(timedelta(seconds=2))
        response = _login(client, owner.email, PASSWORD)
        assert response.status_code == 302
        assert response["Location"] == "/admin/"
        assert _logged_in(client)
        assert client.get("/admin/").status_code == 200


def test_one_failure_fewer_than_the_limit_still_lets_the_owner_in(client, owner):
    with time_machine.travel(NOW, tick=False):
        for _attempt in range(LOCKOUT_FAILURES - 1):
            _login(client, owner.email, "wrong-password")
        assert _login(client, owner.email, PASSWORD).status_code == 302
        assert _logged_in(client)


def test_the_lockout_is_per_email_not_per_letter_case(client, owner):
    with time_machine.travel(NOW, tick=False):
        for attempt in range(LOCKOUT_FAILURES):
            email = owner.email.upper() if attempt % 2 else owner.email
            _login(client, email, "wrong-password")
        assert TOO_MANY in _login(client, owner.email, PASSWORD).content.decode()
        assert not _logged_in(client)


def test_behind_the_balancer_the_per_address_limit_counts_the_forwarded_client(client, owner, settings):
    # given one proxy in front (TRUSTED_PROXY_COUNT, as for pairing): every request's REMOTE_ADDR is
    # the balancer's, the client is the last X-Forwarded-For address
    settings.TRUSTED_PROXY_COUNT = 1
    guesser = {"HTTP_X_FORWARDED_FOR": "203.0.113.7", "REMOTE_ADDR": "10.0.0.2"}
    owner_at_home = {"HTTP_X_FORWARDED_FOR": "198.51.100.9", "REMOTE_ADDR": "10.0.0.2"}
    with time_machine.travel(NOW, tick=False):
        # when one client fails 10 times in a minute, on 10 different emails
        for n in range(10):
            _login(client, f"guess{n}@example.com", "wrong-password", **guesser)
        # then that client is refused, even for a right password
        assert TOO_MANY in _login(client, owner.email, PASSWORD, **guesser).content.decode()
        assert not _logged_in(client)
        # and the owner, behind the same balancer, still gets in
        assert _login(client, owner.email, PASSWORD, **owner_at_home).status_code == 302
        assert _logged_in(client)
