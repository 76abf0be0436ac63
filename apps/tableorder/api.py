"""JSON API of tables and tabs for table tablets, the POS and integrators (a paired device's token).

A TABLE device sees and orders only for its own table; a POS sees every table of its store.
Another store's table, like a missing one, is 404 TABLE_NOT_FOUND; a table without a tab is 404
TAB_NOT_FOUND; bad input is 422 naming the field; a revoked device is 401.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from apps.core.api import api_methods, api_view, json_response, parse_json_body
from apps.core.errors import NotFound
from apps.core.parsers import parse_text
from apps.orders import selectors as order_selectors
from apps.orders import tabs as tab_services
from apps.orders.models import OrderStatus
from apps.stores.decorators import api_device_required
from apps.stores.models import Device
from apps.tables import selectors as table_selectors

DEVICES = (Device.Kind.POS, Device.Kind.TABLE)
_PATH_ID = re.compile(r"[0-9]{1,18}")


def _table(request, table_id):
    if not _PATH_ID.fullmatch(table_id):
        # A malformed id in the path names no table: the same 404 as a missing one.
        raise NotFound("TABLE_NOT_FOUND", _("테이블을 찾을 수 없습니다."))
    table = table_selectors.table_for_store(request.device.store, int(table_id))
    if request.device.kind == Device.Kind.TABLE and table.tablet_id != request.device.pk:
        # A tablet is paired to one table; any other looks missing to it.
        raise NotFound("TABLE_NOT_FOUND", _("테이블을 찾을 수 없습니다."))
    return table


def _state(tab) -> str:
    if tab is None:
        return "EMPTY"
    return "BILL" if tab.status == OrderStatus.PENDING_PAYMENT or tab.bill_printed else "ORDERING"


def _table_json(table, tab) -> dict:
    return {
        "id": table.pk,
        "name": table.name,
        "area": table.area.name,
        "seats": table.seats,
        "position": {"x": table.grid_x, "y": table.grid_y},
        "state": _state(tab),
        "guests": tab.guests if tab else 0,
        "total": tab.total_amount if tab else 0,
        "firstRoundAt": tab.first_round_at.isoformat() if tab and tab.first_round_at else None,
    }


def _line_json(line) -> dict:
    data = {
        "id": line.pk,
        "productId": line.product_id,
        "name": line.name,
        "qty": line.quantity,
        "unitPrice": line.unit_price,
        "options": line.options,
        "net": line.net_amount,
        "note": line.note,
    }
    if line.void_of_id:
        data.update({"voidOf": line.void_of_id, "voidReason": line.void_reason})
    return data


def _tab_json(tab) -> dict:
    return {
        "orderId": tab.public_id,
        "orderNumber": tab.order_number,
        "status": tab.status,
        "tableId": tab.table_id,
        "guests": tab.guests,
        "rounds": [
            {
                "number": r.number,
                "memo": r.memo,
                "createdAt": r.created_at.isoformat(),
                "lines": [_line_json(line) for line in r.bill_lines],
            }
            for r in order_selectors.tab_rounds(tab)
        ],
        "totals": {
            "gross": tab.gross_amount,
            "discount": tab.discount_amount,
            "total": tab.total_amount,
            "supply": tab.supply_amount,
            "vat": tab.vat_amount,
            "taxFree": tab.tax_free_amount,
        },
    }


@csrf_exempt
@api_methods("GET")
@api_device_required(*DEVICES)
@api_view
def tables(request):
    store = request.device.store
    tabs = order_selectors.tabs_by_table(store)
    listed = table_selectors.tables_for_store(store)
    if request.device.kind == Device.Kind.TABLE:
        listed = listed.filter(tablet=request.device)
    return json_response({"tables": [_table_json(t, tabs.get(t.pk)) for t in listed]})


@csrf_exempt
@api_methods("GET")
@api_device_required(*DEVICES)
@api_view
def table_tab(request, table_id: str):
    table = _table(request, table_id)
    return json_response(_tab_json(order_selectors.tab_for_store_table(request.device.store, table.pk)))


@csrf_exempt
@api_methods("POST")
@api_device_required(*DEVICES)
@api_view
def table_rounds(request, table_id: str):
    """`{"items": [{"productId", "qty", "optionIds"?, "note"?}], "guests"?, "memo"?}` → 201 with the
    round number and the tab; the tab is opened on the first round (guests default 1)."""
    table = _table(request, table_id)
    body = parse_json_body(request)
    memo = parse_text(body.get("memo"), "memo", max_length=tab_services.MAX_MEMO, required=False, code="INVALID_MEMO")
    round_ = tab_services.table_round_send(
        table, body.get("items"), guests=body.get("guests"), device=request.device, memo=memo
    )
    tab = order_selectors.tab_for_store_table(request.device.store, table.pk)
    return json_response({"round": round_.number, "tab": _tab_json(tab)}, status=201)
