"""Payments' handlers for model signals: a saved or deleted payment method moves its store's methods
version, whoever wrote it (the admin, the demo seed, a test factory), so no cached copy outlives it."""

from django.db.models.signals import post_delete, post_save

from .models import PaymentMethod
from .versions import methods_bump


def _method_changed(sender, instance: PaymentMethod, **kwargs) -> None:
    methods_bump(instance.store_id)


post_save.connect(_method_changed, sender=PaymentMethod, dispatch_uid="payments.method_saved")
post_delete.connect(_method_changed, sender=PaymentMethod, dispatch_uid="payments.method_deleted")
