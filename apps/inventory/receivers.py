"""Menu version upkeep for saves that do not go through services (the admin's forms)."""

from __future__ import annotations

from .models import StoreOptionStatus, StoreProduct
from .versions import snooze_register, store_menu_bump


def bump_on_change(sender, instance, **kwargs) -> None:
    store_menu_bump(instance.store_id)
    until = getattr(instance, "sold_out_until", None)
    if until is not None:
        snooze_register(instance.store_id, until)


def connect() -> None:
    from django.db.models.signals import post_delete, post_save

    for model in (StoreProduct, StoreOptionStatus):
        post_save.connect(bump_on_change, sender=model, dispatch_uid=f"inventory.version.save.{model.__name__}")
        post_delete.connect(bump_on_change, sender=model, dispatch_uid=f"inventory.version.delete.{model.__name__}")
