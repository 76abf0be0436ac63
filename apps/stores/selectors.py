"""Reads of stores, staff and devices. Tenancy lives here: every store-owned row is reached
through `stores_for_owner` (or a selector built on it), so another owner's row is simply absent."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from .models import Device, Store, StoreMember


def stores_for_owner(user) -> QuerySet[Store]:
    if not getattr(user, "is_authenticated", False):
        return Store.objects.none()
    if user.is_superuser:
        return Store.objects.all()
    return Store.objects.filter(owner=user)


def store_for_owner(user, store_id) -> Store:
    """The owner's store or a 404: another owner's store must look exactly like a missing one."""
    try:
        return stores_for_owner(user).get(pk=int(store_id))
    except (Store.DoesNotExist, TypeError, ValueError):
        raise Http404("store") from None


def members_for_store(store: Store) -> QuerySet[StoreMember]:
    return StoreMember.objects.filter(store=store)


def devices_for_store(store: Store) -> QuerySet[Device]:
    return Device.objects.filter(store=store)


def owner_has_store(user) -> bool:
    return stores_for_owner(user).exists()
