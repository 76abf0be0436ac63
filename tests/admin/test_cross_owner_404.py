"""Another owner's object is a 404 on every registered admin — never a 403 that tells it exists.

The admins are read from `admin.site._registry`, not listed by hand, so a model registered tomorrow
is walked too; it needs a factory (any DjangoModelFactory under tests/), or this test fails for it.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.db.models import Model
from django.urls import reverse
from factory.django import DjangoModelFactory

from apps.accounts.models import User
from apps.orders.models import OrderLine
from apps.stores.admin_base import OwnerScopedAdminSite, OwnerScopedObjectsMixin, owner_lookup
from tests.factories import OwnerFactory

pytestmark = pytest.mark.django_db

TESTS_DIR = Path(__file__).resolve().parent.parent
REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)


def _factories_by_model() -> dict[type[Model], type[DjangoModelFactory]]:
    module_names = ["tests.factories"] + [
        f"tests.{path.parent.name}.factories" for path in sorted(TESTS_DIR.glob("*/factories.py"))
    ]
    found: dict[type[Model], type[DjangoModelFactory]] = {}
    for name in module_names:
        for value in vars(importlib.import_module(name)).values():
            if isinstance(value, type) and issubclass(value, DjangoModelFactory) and value._meta.model is not None:
                found.setdefault(value._meta.model, value)
    return found


FACTORIES = _factories_by_model()


def _owned_by(model: type[Model], owner: User) -> Model:
    """One row of `model` that belongs to `owner`, built by the model's factory along its
    OWNER_LOOKUP path (a payment's order's store is the owner's), or tied to the owner through its
    user foreign keys when the model has no owner lookup (e-mail addresses, social accounts)."""
    if model is User:
        return owner
    factory = FACTORIES.get(model)
    if factory is None:
        pytest.fail(
            f"{model._meta.label} is registered in the admin but no factory builds it: add a "
            "DjangoModelFactory to tests/<app>/factories.py so its admin is walked by this test"
        )
    lookup = owner_lookup(model)
    if lookup:
        head, _sep, rest = lookup.partition("__")
        related = model._meta.get_field(head).related_model
        return factory(**{head: _owned_by(related, owner) if rest else owner})
    kwargs = {}
    for field in model._meta.concrete_fields:
        if not field.many_to_one or field.null:
            continue
        if field.related_model is User:
            kwargs[field.name] = owner
        elif any(f.many_to_one and f.related_model is User for f in field.related_model._meta.concrete_fields):
            kwargs[field.name] = _owned_by(field.related_model, owner)
    return factory(**kwargs)


def _url(obj: Model, page: str, query: str = "") -> str:
    opts = obj._meta
    if page == "changelist":
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist") + query
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{page}", args=[quote(obj.pk)])


@pytest.fixture
def owner_a(client):
    owner = OwnerFactory(email="owner.a@example.com")
    assert owner.is_owner and owner.is_staff and not owner.is_superuser
    # A real owner: the Owners group's permissions are what the admin checks.
    assert owner.get_all_permissions(), "the Owners group has no permissions: was post_migrate run?"
    client.force_login(owner)
    return owner


@pytest.mark.parametrize("model", REGISTERED, ids=[model._meta.label for model in REGISTERED])
def test_another_owners_object_is_a_404_on_every_admin_page(client, admin_client, owner_a, model):
    # given an object of owner B
    obj = _owned_by(model, OwnerFactory(email="owner.b@example.com"))
    change_url = _url(obj, "change")
    # (the URLs are right: the superuser reaches the object there)
    assert admin_client.get(change_url).status_code == 200

    # when owner A filters the change list down to it, it is not there (or the list is closed)
    pk_field = model._meta.pk.attname
    response = client.get(_url(obj, "changelist", f"?{pk_field}={quote(obj.pk)}"))
    assert response.status_code in (200, 403), response.status_code
    if response.status_code == 200:
        assert change_url not in response.content.decode()

    # and every object page is a 404, whatever the method and the owner's permissions on the model
    assert client.get(change_url).status_code == 404
    assert client.post(change_url, {}).status_code == 404
    assert client.get(_url(obj, "delete")).status_code == 404
    assert client.post(_url(obj, "delete"), {"post": "yes"}).status_code == 404
    assert client.get(_url(obj, "history")).status_code == 404

    # and a bulk action naming it (as a forged changelist POST would) does not reach it
    response = client.post(
        _url(obj, "changelist"), {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"}
    )
    assert response.status_code in (200, 302, 403), response.status_code

    # then B's object is untouched
    assert model._default_manager.filter(pk=obj.pk).exists()


def test_a_missing_object_answers_exactly_like_another_owners(client, owner_a):
    # A view-only model used to answer 403 to a delete of an existing row and 404 to a missing one.
    missing = reverse("admin:orders_order_delete", args=[987654])
    assert client.post(missing, {"post": "yes"}).status_code == 404


def test_the_owner_still_reaches_their_own_view_only_object(client, owner_a):
    own = _owned_by(_model("orders.Order"), owner_a)
    assert client.get(_url(own, "change")).status_code == 200
    assert client.get(_url(own, "history")).status_code == 200
    # deleting their own order is refused as before: it exists and they may see it
    assert client.post(_url(own, "delete"), {"post": "yes"}).status_code == 403


def test_an_admin_registered_without_scoping_gets_it_from_the_site():
    # given a plain ModelAdmin, as a third-party app would register it
    site = OwnerScopedAdminSite()
    site.register(OrderLine, admin.ModelAdmin)
    # then the site gave it the owner scoping and the 404 rule
    assert isinstance(site._registry[OrderLine], OwnerScopedObjectsMixin)
    assert isinstance(admin.site, OwnerScopedAdminSite)


def _model(label: str) -> type[Model]:
    return next(model for model in REGISTERED if model._meta.label == label)
