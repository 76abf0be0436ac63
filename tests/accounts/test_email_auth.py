import pytest
from django.urls import reverse

from apps.accounts.models import OWNERS_GROUP, User
from tests.factories import OwnerFactory, StoreFactory

pytestmark = pytest.mark.django_db


def test_email_signup_makes_an_owner_who_lands_on_onboarding(client):
    # when a new person signs up with email and password
    response = client.post(
        reverse("account_signup"),
        {"email": "new.owner@example.com", "password1": "s3cure-Pass-word!", "password2": "s3cure-Pass-word!"},
        follow=True,
    )
    # then they are an owner (admin access through the Owners group) on the onboarding page
    assert response.redirect_chain[-1][0] == reverse("stores:onboarding")
    user = User.objects.get(email="new.owner@example.com")
    assert user.is_staff and not user.is_superuser
    assert user.groups.filter(name=OWNERS_GROUP).exists()
    assert user.has_perm("stores.add_store") and user.has_perm("stores.change_device")
    assert not user.has_perm("accounts.change_user")


def test_email_signup_refuses_mismatched_passwords(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "x@example.com", "password1": "s3cure-Pass-word!", "password2": "other-Pass-word!"},
    )
    assert response.status_code == 200
    assert not User.objects.filter(email="x@example.com").exists()


def test_email_signup_refuses_an_email_already_in_use(client):
    OwnerFactory(email="taken@example.com")
    client.post(
        reverse("account_signup"),
        {"email": "taken@example.com", "password1": "s3cure-Pass-word!", "password2": "s3cure-Pass-word!"},
    )
    assert User.objects.filter(email="taken@example.com").count() == 1


def test_email_login_of_an_owner_with_a_store_goes_to_the_admin(client):
    owner = OwnerFactory(email="shop@example.com")
    StoreFactory(owner=owner)
    response = client.post(reverse("account_login"), {"login": "shop@example.com", "password": "pass-word-1234"})
    assert response.status_code == 302
    assert client.get(response["Location"])["Location"] == reverse("admin:index")
    assert client.get(reverse("admin:index")).status_code == 200


def test_email_login_with_a_wrong_password_is_refused(client):
    OwnerFactory(email="shop@example.com")
    response = client.post(reverse("account_login"), {"login": "shop@example.com", "password": "wrong-password"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_the_admin_sends_the_owner_to_the_email_login_and_back(client):
    owner = OwnerFactory(email="admin.login@example.com")
    StoreFactory(owner=owner)
    # the admin's own login form is replaced by /accounts/login/ (one login, one lockout)
    login_page = client.get("/admin/", follow=True).redirect_chain[-1][0]
    assert login_page.startswith(reverse("account_login"))
    response = client.post(login_page, {"login": "admin.login@example.com", "password": "pass-word-1234"})
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert int(client.session["_auth_user_id"]) == owner.pk


def test_superuser_can_add_a_user_in_the_admin(admin_client):
    # the stock UserAdmin forms assume a username; ours log in with email
    assert admin_client.get(reverse("admin:accounts_user_add")).status_code == 200
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "made@example.com",
            "name": "관리자",
            "password1": "s3cure-Pass-word!",
            "password2": "s3cure-Pass-word!",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(email="made@example.com")
    assert admin_client.get(reverse("admin:accounts_user_change", args=[user.pk])).status_code == 200
