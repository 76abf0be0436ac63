"""Table writes. The orders app calls `table_lock` first in every tab write (the table row is the
lock that serializes opening a tab on it) and `table_generation_advance` when a tab is paid."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from .models import Table


def table_lock(table_id: int) -> Table:
    """The table row, locked until the surrounding transaction ends."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("table_lock needs a transaction")
    return Table.objects.select_for_update().get(pk=table_id)


def table_generation_advance(table_id: int) -> None:
    """A tab on the table was paid: every QR token handed out before stops working."""
    Table.objects.filter(pk=table_id).update(generation=F("generation") + 1)
