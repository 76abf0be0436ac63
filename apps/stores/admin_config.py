"""The admin app with the project's site (kept apart from admin_base: INSTALLED_APPS imports this
module before the app registry is ready, so it may import nothing that touches models)."""

from django.contrib.admin.apps import AdminConfig


class OwnerScopedAdminConfig(AdminConfig):
    default_site = "apps.stores.admin_base.OwnerScopedAdminSite"
