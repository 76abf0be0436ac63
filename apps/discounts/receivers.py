"""Keep the discounts version fresh on every save/delete of a Discount, the admin's included.

A version bump only sends readers back to the database (redoable, never money-critical), so model
signals are enough; nothing writes discounts with queryset.update().
"""

from __future__ import annotations

from .models import Discount
from .versions import discounts_version_bump


def bump_on_change(sender, instance, **kwargs) -> None:
    if instance.store_id:
        discounts_version_bump(instance.store_id)


def connect() -> None:
    from django.db.models.signals import post_delete, post_save

    post_save.connect(bump_on_change, sender=Discount, dispatch_uid="discounts.version.save")
    post_delete.connect(bump_on_change, sender=Discount, dispatch_uid="discounts.version.delete")
