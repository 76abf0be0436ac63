"""The owner JSON endpoints' session check (stores.decorators.owner_api_required): 401 in JSON
without a live session, 403 in JSON for a signed-in user who is not an owner (issue 14 finding 5)."""

import json

import pytest
from django.test import Client

from apps.accounts.models import User
from apps.stores.models import Store
from tests.factories import OwnerFactory, StoreFactory

pytestmark = pytest.mark.django_db


def _requests(store_id: int):
    body = json.dumps({"storeId": store_id, "name": "x", "kind": "AMOUNT", "value": 100})
    return [
        ("post", "/api/discounts/owner/create", body),
        ("post", "/api/inventories", json.dumps({"name": "새 매장", "businessNumber": "123-45-67891"})),
        ("get", f"/api/inventories/{store_id}/products", None),
        ("delete", f"/api/inventories/{store_id}/products/1", None),
    ]


def _call(client, method, url, body):
    if body is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, body, content_type="application/json")


def _assert_json_error(response, status, code):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == code and error["message"]


@pytest.fixture
def store():
    return StoreFactory()


def test_no_session_is_a_json_401(store):
    # a browser-like client (CSRF enforced, no token): told to log in, not that a token is missing
    client = Client(enforce_csrf_checks=True)
    for method, url, body in _requests(store.pk):
        _assert_json_error(_call(client, method, url, body), 401, "UNAUTHENTICATED")


def test_an_expired_session_is_a_json_401(store):
    client = Client(enforce_csrf_checks=True)
    # given an owner whose session has ended on the server (expired, logged out elsewhere)
    client.force_login(store.owner)
    client.session.delete()
    # then the cookie the browser still sends logs nobody in
    for method, url, body in _requests(store.pk):
        _assert_json_error(_call(client, method, url, body), 401, "UNAUTHENTICATED")


def test_a_signed_in_user_who_is_not_an_owner_is_a_json_403(client, store):
    # given a person with a login but not in the Owners group (e.g. made by hand in the admin)
    stranger = User.objects.create_user(email="stranger@example.com", password="pass-word-1234")
    client.force_login(stranger)
    for method, url, body in _requests(store.pk):
        _assert_json_error(_call(client, method, url, body), 403, "OWNER_REQUIRED")
    assert not Store.objects.filter(owner=stranger).exists()


def test_an_owner_passes_the_check(store):
    client = Client()
    client.force_login(store.owner)
    response = client.get(f"/api/inventories/{store.pk}/products")
    assert response.status_code == 200
    # and another owner's store stays a 404, not a 403
    other = Client()
    other.force_login(OwnerFactory())
    _assert_json_error(other.get(f"/api/inventories/{store.pk}/products"), 404, "NOT_FOUND")
