from django.apps import apps
from django.contrib import admin
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType

from apps.accounts.models import OWNERS_GROUP


def sync_owner_permissions(sender, **kwargs):
    """Give the Owners group exactly the permissions its admin pages need: every model registered
    with an OwnerScopedAdmin, narrowed by the admin's `owner_permissions`."""
    from .admin_base import OwnerScopedAdmin

    if sender.label != "stores":  # post_migrate fires once per app; do the work once per migrate
        return
    # post_migrate reaches apps in INSTALLED_APPS order, so later apps' permissions may not exist
    # yet; creating them here is idempotent.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=kwargs.get("using", "default"))
    group, _created = Group.objects.get_or_create(name=OWNERS_GROUP)
    wanted = []
    for model, model_admin in admin.site._registry.items():
        if not isinstance(model_admin, OwnerScopedAdmin):
            continue
        content_type = ContentType.objects.get_for_model(model)
        codenames = [f"{action}_{model._meta.model_name}" for action in model_admin.owner_permissions]
        wanted.extend(Permission.objects.filter(content_type=content_type, codename__in=codenames))
    group.permissions.set(wanted)


def devices_changed(sender, **kwargs) -> None:
    """Any save or delete of a Device or a Store: cached request devices are read again."""
    from .services import devices_generation_bump

    devices_generation_bump()
