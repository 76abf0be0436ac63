"""The floor (every table and its tab) and the tab screen: rounds, voids, move, merge, the interim
bill, paying the whole tab or a split of it through the existing POS pay flow.

Thin views: scope to the device's store, parse the form with core.parsers, call one tab service.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from apps.core.errors import DomainError, Invalid
from apps.core.fields import clean_or_raise
from apps.core.parsers import parse_id, parse_quantity
from apps.orders import selectors as order_selectors
from apps.orders import tabs as tab_services
from apps.orders.models import OrderStatus
from apps.orders.splits import BillLine, split_by_lines, split_even
from apps.payments import selectors as payment_selectors
from apps.payments.state import COMPLETED
from apps.tables import pending as pending_rounds
from apps.tables import selectors as table_selectors
from apps.tables.versions import floor_version

from . import split_plan
from .auth import staff_required
from .forms import PollForm, RoundMemoForm, TableMergeForm, TableMoveForm, TabOpenForm, VoidForm
from .helpers import domain_errors, manager_approval, page_or_partial, redirect_after_post
from .menu import menu_context

STATE_EMPTY = "empty"
STATE_ORDERING = "ordering"
STATE_BILL = "bill"


def _table(request, table_id):
    return table_selectors.table_for_store(request.device.store, table_id)


def _tab(request, table):
    return order_selectors.tab_for_store_table(request.device.store, table.pk)


def _tab_url(table) -> str:
    return reverse("pos:table_tab", args=[table.pk])


# --- floor ------------------------------------------------------------------------------------


def _floor_context(request) -> dict:
    store = request.device.store
    version = floor_version(store.pk)
    tabs = order_selectors.tabs_by_table(store)
    now = timezone.now()
    areas: dict[int, dict] = {}
    for table in table_selectors.tables_for_store(store):
        tab = tabs.get(table.pk)
        if tab is None:
            state = STATE_EMPTY
        elif tab.status == OrderStatus.PENDING_PAYMENT or tab.bill_printed:
            state = STATE_BILL
        else:
            state = STATE_ORDERING
        minutes = int((now - tab.first_round_at).total_seconds() // 60) if tab and tab.first_round_at else None
        area = areas.setdefault(table.area_id, {"area": table.area, "tables": []})
        area["tables"].append({"table": table, "tab": tab, "state": state, "minutes": minutes})
    pending = pending_rounds.pending_rounds_for_store(store)
    return {"section": "tables", "areas": list(areas.values()), "floor_version": version, "pending_rounds": pending}


@require_GET
@staff_required
@domain_errors
def floor(request):
    return page_or_partial(
        request, "pos/tables/floor.html", "pos/tables/partials/floor_grid.html", _floor_context(request)
    )


@require_GET
@staff_required
def floor_poll(request):
    """204 while the floor version is unchanged (nothing to swap), else the redrawn grid."""
    poll = PollForm(request.GET)
    if poll.is_valid() and poll.cleaned_data["v"] == floor_version(request.device.store_id):
        return HttpResponse(status=204)
    return render(request, "pos/tables/partials/floor_grid.html", _floor_context(request))


# --- opening and the tab screen ---------------------------------------------------------------


@require_POST
@staff_required
@domain_errors
def tab_open(request, table_id: int):
    table = _table(request, table_id)
    guests = clean_or_raise(TabOpenForm(request.POST))["guests"]
    tab_services.tab_open(table, guests=guests, device=request.device, member=request.member)
    return redirect_after_post(request, _tab_url(table))


def _tab_context(request, table, tab) -> dict:
    store = request.device.store
    tabs = order_selectors.tabs_by_table(store)
    others = [t for t in table_selectors.tables_for_store(store) if t.pk != table.pk]
    return {
        "section": "tables",
        "table": table,
        "tab": tab,
        "rounds": order_selectors.tab_rounds(tab),
        "is_open": tab.status == OrderStatus.OPEN,
        "menu_items": [item for item in menu_context(store, category="all")["items"] if item.available],
        "free_tables": [t for t in others if t.pk not in tabs],
        "busy_tables": [t for t in others if t.pk in tabs and tabs[t.pk].status == OrderStatus.OPEN],
    }


@require_GET
@staff_required
@domain_errors
def tab_page(request, table_id: int):
    table = _table(request, table_id)
    try:
        tab = _tab(request, table)
    except DomainError:
        # An empty table: the screen to open it with a guest count.
        return page_or_partial(
            request,
            "pos/tables/open.html",
            "pos/tables/open.html",
            {"section": "tables", "table": table},
        )
    return page_or_partial(request, "pos/tables/tab.html", "pos/tables/tab.html", _tab_context(request, table, tab))


def _round_items(post) -> list[dict]:
    """`qty_<productId>` fields (0 or empty = not ordered) and `opt_<productId>` option checkboxes."""
    items = []
    for key, value in post.items():
        if not key.startswith("qty_") or value in ("", "0"):
            continue
        product_id = parse_id(key.removeprefix("qty_"), "productId", code="INVALID_ITEMS")
        qty = parse_quantity(value, "qty", max=tab_services.MAX_ITEM_QTY, code="INVALID_QUANTITY")
        option_ids = [parse_id(v, "optionIds", code="INVALID_OPTIONS") for v in post.getlist(f"opt_{product_id}")]
        items.append({"productId": product_id, "qty": qty, "optionIds": option_ids})
    if not items:
        raise Invalid("INVALID_ITEMS", _("주문할 상품의 수량을 입력하세요."))
    return items


@require_POST
@staff_required
@domain_errors
def round_add(request, table_id: int):
    table = _table(request, table_id)
    tab = _tab(request, table)
    memo = clean_or_raise(RoundMemoForm(request.POST))["memo"]
    tab_services.tab_round_add(tab, _round_items(request.POST), device=request.device, member=request.member, memo=memo)
    return redirect_after_post(request, _tab_url(table))


@require_POST
@staff_required
@domain_errors
def line_void(request, table_id: int, line_id: int):
    table = _table(request, table_id)
    tab = _tab(request, table)
    form = VoidForm(request.POST)
    if not form.is_valid() and "pin" in form.errors:
        raise DomainError("MANAGER_PIN_REQUIRED", _("매니저 PIN이 필요합니다."), status=403)
    data = clean_or_raise(form)
    approver = manager_approval(request, data["pin"])
    tab_services.tab_line_void(
        tab, line_id, qty=data["qty"], reason=data["reason"], approver=approver, member=request.member
    )
    return redirect_after_post(request, _tab_url(table))


@require_POST
@staff_required
@domain_errors
def tab_move(request, table_id: int):
    table = _table(request, table_id)
    tab = _tab(request, table)
    target = _table(request, clean_or_raise(TableMoveForm(request.POST))["to_table"])
    tab_services.tab_move(tab, target)
    return redirect_after_post(request, _tab_url(target))


@require_POST
@staff_required
@domain_errors
def tab_merge(request, table_id: int):
    """Bring another table's tab onto this one (its table frees)."""
    table = _table(request, table_id)
    tab = _tab(request, table)
    source_table = _table(request, clean_or_raise(TableMergeForm(request.POST))["from_table"])
    tab_services.tab_merge(_tab(request, source_table), tab)
    return redirect_after_post(request, _tab_url(table))


@require_POST
@staff_required
@domain_errors
def tab_close(request, table_id: int):
    table = _table(request, table_id)
    tab_services.tab_cancel_empty(_tab(request, table), reason="closed at the POS")
    return redirect_after_post(request, reverse("pos:tables"))


# --- bill and pay -----------------------------------------------------------------------------


@require_GET
@staff_required
@domain_errors
def tab_bill(request, table_id: int):
    """The interim bill (중간계산서): a print view; the floor shows the table as "bill printed"."""
    table = _table(request, table_id)
    tab = _tab(request, table)
    tab_services.tab_bill_mark_printed(tab)
    context = {"table": table, "tab": tab, "rounds": order_selectors.tab_rounds(tab), "printed_at": timezone.now()}
    return page_or_partial(request, "pos/tables/bill.html", "pos/tables/bill.html", context)


@require_POST
@staff_required
@domain_errors
def tab_pay(request, table_id: int):
    """Freeze the tab (no more rounds) and hand it to the existing pay screen; coming from the
    split screen (`n` or `line`s posted), the pay screen offers each part's amount in turn."""
    table = _table(request, table_id)
    tab = _tab(request, table)
    parts, _mode = _split_parts(request.POST, tab)
    tab = tab_services.tab_freeze_for_payment(tab)
    if parts:
        split_plan.split_plan_save(tab, parts, paid=payment_selectors.amount_paid(tab))
    return redirect_after_post(request, reverse("pos:pay", args=[tab.public_id]))


def _split_parts(data, tab) -> tuple[list, str]:
    """The split asked for by `n` (1/N) or `line` (chosen lines, then the rest), or none."""
    if data.get("n"):
        n = parse_quantity(data.get("n"), "n", max=20, code="INVALID_SPLIT")
        return split_even(total=tab.total_amount, taxable=tab.taxable_amount, vat=tab.vat_amount, parts=n), "even"
    if data.getlist("line"):
        chosen = [parse_id(v, "line", code="INVALID_SPLIT") for v in data.getlist("line")]
        return split_by_lines(_bill_lines(tab), [chosen], vat=tab.vat_amount), "lines"
    return [], ""


def _paid_line_ids(tab) -> set[int]:
    """Lines an earlier split-by-lines payment already paid for (refunded or failed ones do not count)."""
    return {
        line_id
        for payment in payment_selectors.payments_for_order(tab)
        if payment.status in COMPLETED
        for line_id in payment.line_ids or ()
    }


def _bill_lines(tab) -> list[BillLine]:
    """The tab's lines still to pay: a line (with its voids) paid by an earlier split part is out."""
    paid = _paid_line_ids(tab)
    return [
        BillLine(id=line.pk, net=line.net_amount, tax_type=line.tax_type, void_of=line.void_of_id)
        for line in tab.lines.all()
        if line.pk not in paid and line.void_of_id not in paid
    ]


@require_GET
@staff_required
@domain_errors
def tab_split(request, table_id: int):
    """Split the bill evenly (`?n=3`) or by chosen lines (`?line=…`): the parts, each with its VAT.
    Paying them is N payments on the frozen tab through the pay screen."""
    table = _table(request, table_id)
    tab = _tab(request, table)
    parts, mode = _split_parts(request.GET, tab)
    context = {
        "section": "tables",
        "table": table,
        "tab": tab,
        "rounds": order_selectors.tab_rounds(tab),
        "parts": parts,
        "mode": mode,
        "split_n": request.GET.get("n", "") if mode == "even" else "",
        "split_lines": [line_id for part in parts[:-1] for line_id in part.line_ids] if mode == "lines" else [],
        "paid_lines": _paid_line_ids(tab),
    }
    return page_or_partial(request, "pos/tables/split.html", "pos/tables/split.html", context)
