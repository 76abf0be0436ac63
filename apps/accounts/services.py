from __future__ import annotations

from django.contrib.auth.models import Group

from .models import OWNERS_GROUP, User


def owner_enroll(user: User) -> None:
    """Make a newly signed-up person an owner: admin access through the Owners group's permissions."""
    group, _created = Group.objects.get_or_create(name=OWNERS_GROUP)
    user.groups.add(group)
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
