"""The table tablet (주문용 태블릿): the menu in a tablet layout, options, a basket sent as one round
into the table's tab, the tab so far with its running total, and "call staff". It takes no payment.

The basket is a TABLE-channel Redis cart (carts services: options validated, prices previewed by
the one pricing engine); sending it is one `orders.tabs.table_round_send`, priced again from the
database there.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from apps.carts import selectors as cart_selectors
from apps.carts import services as cart_services
from apps.carts.cart import CartChannel, CartState
from apps.core.errors import DomainError, NotFound
from apps.core.parsers import parse_id, parse_quantity
from apps.inventory import selectors as inventory_selectors
from apps.orders import selectors as order_selectors
from apps.orders import tabs as tab_services
from apps.stores import staff_calls
from apps.stores.decorators import device_required
from apps.stores.models import Device
from apps.tables import selectors as table_selectors

TABLE = Device.Kind.TABLE
_CART_SESSION_KEY = "tableorder_cart:{device_id}"


def _basket(request, *, create: bool = True):
    """The tablet's basket (a TABLE cart); a new one when it expired or was never made."""
    key = _CART_SESSION_KEY.format(device_id=request.device.pk)
    cart_id = request.session.get(key)
    if cart_id:
        try:
            cart = cart_services.cart_get(cart_id, device=request.device)
            if cart.state == CartState.ACTIVE:
                return cart
        except DomainError:
            pass
    if not create:
        return None
    cart = cart_services.cart_create(store=request.device.store, device=request.device, channel=CartChannel.TABLE)
    request.session[key] = cart.id
    return cart


def _context(request, **extra) -> dict:
    table = table_selectors.table_for_tablet(request.device)
    store = request.device.store
    try:
        tab = order_selectors.tab_for_store_table(store, table.pk)
        rounds = order_selectors.tab_rounds(tab)
    except NotFound:
        tab, rounds = None, []
    basket = _basket(request)
    menu = inventory_selectors.menu_for_store(store, channel=CartChannel.TABLE)
    context = {
        "store": store,
        "table": table,
        "tab": tab,
        "rounds": rounds,
        "menu": menu,
        "basket": cart_selectors.cart_priced(basket, store=store),
        "is_frozen": tab is not None and tab.status != "OPEN",
    }
    context.update(extra)
    return context


def _render(request, template: str, status: int = 200, **extra):
    try:
        context = _context(request, **extra)
    except DomainError as err:
        return render(request, "tableorder/unassigned.html", {"error": err}, status=err.status)
    return render(request, template, context, status=status)


def _back_with_error(request, err: DomainError):
    messages.error(request, err.message)
    return _render(request, "tableorder/menu.html", status=err.status)


@require_GET
@device_required(TABLE)
def menu(request):
    return _render(request, "tableorder/menu.html")


@require_GET
@device_required(TABLE)
def product(request, product_id: int):
    item = inventory_selectors.menu_for_store(request.device.store, channel=CartChannel.TABLE).item(product_id)
    if item is None or not item.available:
        return _back_with_error(request, NotFound("PRODUCT_NOT_FOUND", _("주문할 수 없는 메뉴입니다.")))
    return _render(request, "tableorder/product.html", item=item)


@require_POST
@device_required(TABLE)
def add(request):
    try:
        product_id = parse_id(request.POST.get("product_id"), "product_id", code="PRODUCT_NOT_FOUND")
        qty = parse_quantity(
            request.POST.get("qty") or "1", "qty", max=tab_services.MAX_ITEM_QTY, code="INVALID_QUANTITY"
        )
        option_ids = [parse_id(v, "option_ids", code="INVALID_OPTIONS") for v in request.POST.getlist("option_ids")]
        cart_services.cart_line_add(
            _basket(request).id, device=request.device, product_id=product_id, qty=qty, option_ids=option_ids
        )
    except DomainError as err:
        return _back_with_error(request, err)
    return redirect("tableorder:menu")


@require_POST
@device_required(TABLE)
def remove(request, line_id: str):
    try:
        cart_services.cart_line_remove(_basket(request).id, line_id[:64], device=request.device)
    except DomainError as err:
        return _back_with_error(request, err)
    return redirect("tableorder:menu")


@require_POST
@device_required(TABLE)
def send(request):
    """The basket becomes the next round of the table's tab (opening it on the first order)."""
    try:
        table = table_selectors.table_for_tablet(request.device)
        basket = _basket(request)
        if not basket.lines:
            raise DomainError("BASKET_EMPTY", _("주문할 메뉴를 먼저 담아 주세요."), status=422)
        items = [
            {
                "productId": line["productId"],
                "qty": line["qty"],
                "optionIds": line.get("optionIds") or [],
                "note": line.get("note") or "",
            }
            for line in basket.lines
        ]
        guests = request.POST.get("guests")
        guests = (
            parse_quantity(guests, "guests", max=tab_services.MAX_GUESTS, code="INVALID_GUESTS") if guests else None
        )
        round_ = tab_services.table_round_send(table, items, guests=guests, device=request.device)
        cart_services.cart_clear(basket.id, device=request.device)
    except DomainError as err:
        return _back_with_error(request, err)
    messages.success(request, _("%(n)d차 주문을 보냈습니다.") % {"n": round_.number})
    return redirect("tableorder:tab")


@require_GET
@device_required(TABLE)
def tab(request):
    return _render(request, "tableorder/tab.html")


@require_POST
@device_required(TABLE)
def call_staff(request):
    staff_calls.staff_call_create(request.device.store, request.device)
    messages.success(request, _("직원을 호출했습니다. 잠시만 기다려 주세요."))
    return redirect("tableorder:menu")
