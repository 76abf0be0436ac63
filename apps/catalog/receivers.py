"""Keep the catalog version token fresh on every save/delete, including the admin's.

The token is only a cache-busting hint for screens (redoable, never money-critical), so riding on
model signals is fine here; services that use queryset.update() bump it themselves.
"""

from __future__ import annotations

from .models import Category, Option, OptionGroup, Product, ProductOptionGroup
from .versions import catalog_version_bump


def _owner_id(instance) -> int | None:
    if isinstance(instance, Category | Product | OptionGroup):
        return instance.owner_id
    if isinstance(instance, Option):
        return OptionGroup.objects.filter(pk=instance.group_id).values_list("owner_id", flat=True).first()
    if isinstance(instance, ProductOptionGroup):
        return Product.objects.filter(pk=instance.product_id).values_list("owner_id", flat=True).first()
    return None


def bump_on_change(sender, instance, **kwargs) -> None:
    owner_id = _owner_id(instance)
    if owner_id:
        catalog_version_bump(owner_id)


def bump_on_m2m(sender, instance, action, **kwargs) -> None:
    if action.startswith("post_"):
        bump_on_change(sender, instance)


def connect() -> None:
    from django.db.models.signals import m2m_changed, post_delete, post_save

    for model in (Category, Product, OptionGroup, Option, ProductOptionGroup):
        post_save.connect(bump_on_change, sender=model, dispatch_uid=f"catalog.version.save.{model.__name__}")
        post_delete.connect(bump_on_change, sender=model, dispatch_uid=f"catalog.version.delete.{model.__name__}")
    m2m_changed.connect(bump_on_m2m, sender=Product.categories.through, dispatch_uid="catalog.version.categories")
