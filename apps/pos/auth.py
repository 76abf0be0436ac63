"""Who is at the counter: the staff member logged in with a PIN on this POS device."""

from __future__ import annotations

import functools

from django.shortcuts import redirect

from apps.stores.decorators import current_device, device_required
from apps.stores.models import Device, StoreMember

_SESSION_KEY = "pos_member"


def _session_key(device: Device) -> str:
    # Keyed by device: a browser that is re-paired to another store never inherits a login.
    return f"{_SESSION_KEY}:{device.pk}"


def pos_login(request, member: StoreMember) -> None:
    request.session.cycle_key()
    request.session[_session_key(current_device(request))] = member.pk


def pos_logout(request) -> None:
    device = current_device(request)
    if device is not None:
        request.session.pop(_session_key(device), None)


def current_member(request) -> StoreMember | None:
    device = current_device(request)
    if device is None:
        return None
    member_id = request.session.get(_session_key(device))
    if member_id is None:
        return None
    # An inactive member (or one of another store) is logged out at their next request.
    return StoreMember.objects.filter(pk=member_id, store_id=device.store_id, is_active=True).first()


def staff_required(view):
    """A POS page: needs a paired POS device, then a staff PIN login."""

    @device_required(Device.Kind.POS)
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        member = current_member(request)
        if member is None:
            return redirect("pos:login")
        request.member = member
        return view(request, *args, **kwargs)

    return wrapper
