"""Table reads, always scoped to a store (another store's table is a 404)."""

from __future__ import annotations

from django.core import signing
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from apps.core.errors import DomainError, NotFound
from apps.stores.models import Device, Store

from .models import Area, Table, TableOrderSettings

TOKEN_SALT = "tables.token"


def areas_for_store(store: Store) -> QuerySet[Area]:
    return Area.objects.filter(store=store)


def tables_for_store(store: Store, *, active_only: bool = True) -> QuerySet[Table]:
    tables = Table.objects.filter(store=store).select_related("area")
    return tables.filter(is_active=True) if active_only else tables


def _table_not_found() -> NotFound:
    return NotFound("TABLE_NOT_FOUND", _("테이블을 찾을 수 없습니다."))


def table_for_store(store: Store, table_id) -> Table:
    """The store's active table or a 404 that looks the same for another store's table."""
    try:
        table_pk = int(table_id)
    except (TypeError, ValueError):
        raise _table_not_found() from None
    table = tables_for_store(store).filter(pk=table_pk).first()
    if table is None:
        raise _table_not_found()
    return table


def table_for_tablet(device: Device) -> Table:
    """The table a TABLE device is paired to; 409 when the owner has not assigned one yet."""
    table = Table.objects.select_related("area", "store").filter(tablet=device, is_active=True).first()
    if table is None:
        raise DomainError("TABLET_NOT_ASSIGNED", _("이 태블릿에 연결된 테이블이 없습니다."), status=409)
    return table


def table_token(table: Table) -> str:
    """The signed token in the table's QR code; it names the table's current generation."""
    # A plain Signer (no timestamp): the same table and generation always give the same URL.
    return signing.Signer(salt=TOKEN_SALT).sign_object({"t": table.pk, "g": table.generation}, compress=True)


def table_for_token(token: str) -> Table:
    """The table of a QR token; 404 for a forged token, 410 for one of an earlier generation."""
    try:
        data = signing.Signer(salt=TOKEN_SALT).unsign_object(token)
        table_pk, generation = int(data["t"]), int(data["g"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise _table_not_found() from None
    table = Table.objects.select_related("area", "store").filter(pk=table_pk, is_active=True).first()
    if table is None:
        raise _table_not_found()
    if generation != table.generation:
        raise DomainError(
            "TABLE_TOKEN_OUTDATED", _("지난 QR 코드입니다. 테이블의 새 코드를 스캔해 주세요."), status=410
        )
    return table


def table_order_settings(store: Store) -> TableOrderSettings:
    """The store's QR ordering settings; the defaults (unsaved) when the owner never set them."""
    found = TableOrderSettings.objects.filter(store=store).first()
    return found if found is not None else TableOrderSettings(store=store)


STICKER_SALT = "tables.sticker"


def table_sticker_token(table: Table) -> str:
    """The signed token printed on the table's QR sticker. It names no generation: a printed code
    must keep working after every paid tab. Opening it hands the phone the current `table_token`,
    and that one (which a guest may keep or share) stops working once the tab is paid."""
    return signing.Signer(salt=STICKER_SALT).sign_object({"s": table.pk}, compress=True)


def table_for_sticker(token: str) -> Table:
    """The active table of a printed sticker token; 404 for a forged or altered one."""
    try:
        table_pk = int(signing.Signer(salt=STICKER_SALT).unsign_object(token)["s"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise _table_not_found() from None
    table = Table.objects.select_related("area", "store").filter(pk=table_pk, is_active=True).first()
    if table is None:
        raise _table_not_found()
    return table
