"""Reads of the owner's catalog. Tenancy: every row is reached through its owner."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from apps.core.errors import NotFound

from .models import Category, Option, OptionGroup, Product
from .versions import catalog_version, catalog_version_key  # noqa: F401  (re-exported for inventory)


def _owner_filter(user) -> dict:
    return {} if getattr(user, "is_superuser", False) else {"owner": user}


def categories_for_owner(user) -> QuerySet[Category]:
    return Category.objects.filter(**_owner_filter(user))


def option_groups_for_owner(user) -> QuerySet[OptionGroup]:
    return OptionGroup.objects.filter(**_owner_filter(user))


def options_for_owner(user) -> QuerySet[Option]:
    if getattr(user, "is_superuser", False):
        return Option.objects.all()
    return Option.objects.filter(group__owner=user)


def products_for_owner(user) -> QuerySet[Product]:
    return Product.objects.filter(**_owner_filter(user))


def product_for_owner(user, product_id) -> Product:
    """The owner's product or a 404 that looks exactly like a missing one."""
    try:
        return products_for_owner(user).get(pk=int(product_id))
    except (Product.DoesNotExist, TypeError, ValueError):
        raise NotFound("PRODUCT_NOT_FOUND", _("상품을 찾을 수 없습니다.")) from None
