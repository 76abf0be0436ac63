"""Kakao login through allauth's real OAuth2 flow; only Kakao's two HTTP endpoints are mocked."""

from urllib.parse import parse_qs, urlparse

import pytest
import responses
from allauth.socialaccount.models import SocialAccount
from django.urls import reverse

from apps.accounts.models import OWNERS_GROUP, User

pytestmark = pytest.mark.django_db

KAKAO_TOKEN_URL = "https://kauth.kakao.com/oauth/token"
KAKAO_ME_URL = "https://kapi.kakao.com/v2/user/me"


@pytest.fixture
def kakao_app(settings):
    settings.SOCIALACCOUNT_PROVIDERS = {
        "kakao": {"APPS": [{"client_id": "test-kakao-client", "secret": "test-kakao-secret", "key": ""}]}
    }


def _kakao_profile(kakao_id: int, *, email: str | None) -> dict:
    account: dict = {"profile": {"nickname": "카카오점주"}, "profile_nickname_needs_agreement": False}
    if email:
        account.update(email=email, has_email=True, is_email_valid=True, is_email_verified=True)
    else:
        account.update(has_email=False, email_needs_agreement=True)
    return {
        "id": kakao_id,
        "connected_at": "2026-01-02T03:04:05Z",
        "properties": {"nickname": "카카오점주"},
        "kakao_account": account,
    }


def _login_with_kakao(client, profile: dict):
    """Drive allauth: start the login (POST), read the state from the authorize redirect, come back
    to the callback with a code. Kakao's token and profile endpoints answer over mocked HTTP."""
    with responses.RequestsMock(assert_all_requests_are_fired=True) as kakao:
        kakao.post(
            KAKAO_TOKEN_URL,
            json={"access_token": "kakao-access", "token_type": "bearer", "refresh_token": "r", "expires_in": 21599},
        )
        kakao.get(KAKAO_ME_URL, json=profile)

        # given the login page offers Kakao, when the owner starts the Kakao login
        start = client.get("/accounts/kakao/login/")
        assert start.status_code == 200  # allauth asks for a POST so a link cannot log anyone in
        redirect = client.post("/accounts/kakao/login/")
        assert redirect.status_code == 302
        authorize = urlparse(redirect["Location"])
        assert f"{authorize.scheme}://{authorize.netloc}{authorize.path}" == "https://kauth.kakao.com/oauth/authorize"
        query = parse_qs(authorize.query)
        assert query["client_id"] == ["test-kakao-client"]

        # and Kakao sends the browser back with a code and the same state
        callback = client.get(
            "/accounts/kakao/login/callback/", {"code": "kakao-auth-code", "state": query["state"][0]}, follow=True
        )
        token_call = kakao.calls[0].request
        assert "code=kakao-auth-code" in token_call.body
        assert "client_secret=test-kakao-secret" in token_call.body
        assert kakao.calls[1].request.headers["Authorization"] == "Bearer kakao-access"
    return callback


@pytest.mark.parametrize("email", ["kakao.owner@example.com", None], ids=["with-email", "without-email"])
def test_first_kakao_login_creates_an_owner_and_lands_on_onboarding(client, kakao_app, email):
    # when a new person logs in with Kakao
    response = _login_with_kakao(client, _kakao_profile(4242, email=email))

    # then they are an owner, logged in, and on the onboarding page
    assert response.redirect_chain[-1][0] == reverse("stores:onboarding")
    assert response.status_code == 200
    assert "첫 매장 만들기" in response.content.decode()
    account = SocialAccount.objects.get(provider="kakao", uid="4242")
    user = account.user
    assert user.email == email
    assert user.name == "카카오점주"
    assert user.is_staff and not user.is_superuser
    assert user.groups.filter(name=OWNERS_GROUP).exists()
    assert int(client.session["_auth_user_id"]) == user.pk


def test_second_kakao_login_reuses_the_same_owner(client, kakao_app):
    # given an owner who signed up with Kakao (no email shared) and logged out
    _login_with_kakao(client, _kakao_profile(777, email=None))
    client.logout()
    # when they log in with Kakao again
    _login_with_kakao(client, _kakao_profile(777, email=None))
    # then no second account is created
    assert User.objects.count() == 1
    assert SocialAccount.objects.filter(uid="777").count() == 1


def test_two_kakao_owners_without_email_do_not_collide(client, kakao_app):
    _login_with_kakao(client, _kakao_profile(1, email=None))
    client.logout()
    _login_with_kakao(client, _kakao_profile(2, email=None))
    assert User.objects.filter(email__isnull=True).count() == 2


def test_kakao_login_is_refused_when_kakao_rejects_the_code(client, kakao_app):
    with responses.RequestsMock() as kakao:
        kakao.post(KAKAO_TOKEN_URL, status=400, json={"error": "invalid_grant", "error_code": "KOE320"})
        redirect = client.post("/accounts/kakao/login/")
        state = parse_qs(urlparse(redirect["Location"]).query)["state"][0]
        response = client.get("/accounts/kakao/login/callback/", {"code": "bad", "state": state})
    # then allauth shows its login-failure page (a 4xx, not a 500) and nobody is logged in
    assert response.status_code == 401
    assert "_auth_user_id" not in client.session
    assert not User.objects.exists()


def test_kakao_login_without_configured_keys_is_not_a_server_error(client, settings):
    # given no KAKAO_CLIENT_ID (the embedded default)
    settings.SOCIALACCOUNT_PROVIDERS = {"kakao": {"APPS": []}}
    # then the login page offers no Kakao button and the Kakao URL is a clean 404
    assert "/accounts/kakao/login/" not in client.get("/accounts/login/").content.decode()
    assert client.get("/accounts/kakao/login/").status_code == 404


def test_login_page_offers_kakao_when_configured(client, kakao_app):
    assert "/accounts/kakao/login/" in client.get("/accounts/login/").content.decode()
