"""The guest's phone (QR 테이블오더): `/t/<token>/` — the menu with photos, options and live sold-out,
the phone's own cart, "주문하기" as a round on the table's tab, the tab so far, "call staff" and
"request the bill". No app, no login: the signed token in the URL names the table, and with it the
store; nothing else in the request can point at another store.

The printed QR sticker carries a generation-free code (`/q/<code>/`) that hands the phone the
table's current token; that token dies when the tab is paid (410 and a "scan again" page).
"""

from __future__ import annotations

import functools

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from apps.carts import selectors as cart_selectors
from apps.carts import services as cart_services
from apps.carts.cart import CartChannel
from apps.core.errors import DomainError, NotFound
from apps.core.fields import path_token
from apps.core.parsers import parse_id, parse_quantity
from apps.inventory import selectors as inventory_selectors
from apps.orders import selectors as order_selectors
from apps.orders import tabs as tab_services
from apps.orders.models import OrderStatus
from apps.tables import selectors as table_selectors

from . import phone, prepaid

GONE = 410
RECOMMENDED = "recommended"


def phone_page(view):
    """Resolve the URL token to its table first: a forged or altered token is the not-found page
    (404), a token of a paid tab is the "scan the table's code again" page (410)."""

    @functools.wraps(view)
    def wrapper(request, token: str, *args, **kwargs):
        try:
            table = phone.table_for_phone(token)
        except DomainError as err:
            if err.status == GONE:
                return render(request, "tableorder/phone/rescan.html", status=GONE)
            return render(request, "tableorder/phone/not_found.html", status=404)
        try:
            return view(request, table, token, *args, **kwargs)
        except NotFound:
            return render(request, "tableorder/phone/not_found.html", status=404)

    return wrapper


def _display_name(obj) -> str:
    obj = getattr(obj, "listing", obj)
    if (get_language() or "").startswith("en") and getattr(obj, "name_en", ""):
        return obj.name_en
    return obj.name


def _sections(menu) -> list[dict]:
    """Recommended first, then each category with something on the menu, in the kiosk's order."""
    sections = []
    if menu.recommended:
        sections.append({"key": RECOMMENDED, "label": _("추천"), "items": menu.recommended})
    for group in menu.categories:
        items = menu.items_in(group.id)
        if items:
            sections.append({"key": f"c{group.id}", "label": _display_name(group), "items": items})
    if not sections and menu.items:
        sections.append({"key": "all", "label": _("전체"), "items": menu.items})
    return sections


def _tab(table):
    try:
        tab = order_selectors.tab_for_store_table(table.store, table.pk)
    except NotFound:
        return None, []
    return tab, order_selectors.tab_rounds(tab)


def _context(request, table, token: str, **extra) -> dict:
    store = table.store
    tab, rounds = _tab(table)
    order_settings = table_selectors.table_order_settings(store)
    # Reading the menu makes no cart (a crawler following the code writes nothing to Redis).
    cart = phone.phone_cart(request, table, create=False)
    if cart is None and order_settings.pay_first:
        # A basket whose card window was left (browser back): still shown, and paying again
        # reuses its order instead of losing the basket until the order expires.
        cart = prepaid.basket_being_paid(request, table)
    context = {
        "store": store,
        "table": table,
        "token": token,
        "tab": tab,
        "rounds": rounds,
        "basket": cart_selectors.cart_priced(cart, store=store) if cart is not None else None,
        "closed_reason": phone.ordering_closed_reason(table),
        "is_frozen": tab is not None and tab.status != OrderStatus.OPEN,
        "max_items": order_settings.max_items_per_round,
        "max_guests": tab_services.MAX_GUESTS,
        "pending": phone.pending_for_phone(request, table),
        "pay_first": order_settings.pay_first,
        "prepaid_round_ids": prepaid.landed_round_ids(tab),
    }
    if context["prepaid_round_ids"]:
        context["tab_due"] = prepaid.tab_due(tab)
    context.update(extra)
    return context


def _menu_page(request, table, token: str, *, status: int = 200):
    menu = inventory_selectors.menu_for_store(table.store, channel=CartChannel.TABLE)
    context = _context(request, table, token, sections=_sections(menu), menu_version=menu.version)
    if context["pay_first"]:
        context["pay_methods"] = prepaid.methods_for_phone(table)
    return render(request, "tableorder/phone/menu.html", context, status=status)


def _menu_with_error(request, table, token: str, err: DomainError):
    messages.error(request, err.message)
    return _menu_page(request, table, token, status=err.status)


@require_GET
def printed_code(request, code: str):
    """The code on the table's sticker: hand the phone the table's current ordering URL."""
    try:
        table = phone.table_for_printed_code(code)
    except DomainError:
        return render(request, "tableorder/phone/not_found.html", status=404)
    return redirect("tableorder:phone_menu", token=table_selectors.table_token(table))


@require_GET
@phone_page
def menu(request, table, token: str):
    return _menu_page(request, table, token)


@require_GET
@phone_page
def menu_version(request, table, token: str):
    """Polled by an open phone menu: 204 while nothing changed, so a sold-out item greys out live."""
    version = str(inventory_selectors.menu_version(table.store))
    if request.GET.get("v") == version:
        return HttpResponse(status=204)
    return HttpResponse(version, content_type="text/plain")


@require_GET
@phone_page
def product(request, table, token: str, product_id: str):
    try:
        product_pk = parse_id(product_id, "product_id", code="PRODUCT_NOT_FOUND")
    except DomainError:
        raise NotFound("PRODUCT_NOT_FOUND", _("주문할 수 없는 메뉴입니다.")) from None
    item = inventory_selectors.menu_for_store(table.store, channel=CartChannel.TABLE).item(product_pk)
    if item is None or not item.available:
        sold_out = DomainError("SOLD_OUT", _("주문할 수 없는 메뉴입니다."), status=409)
        return _menu_with_error(request, table, token, sold_out)
    return render(request, "tableorder/phone/product.html", _context(request, table, token, item=item))


@require_POST
@phone_page
def add(request, table, token: str):
    try:
        product_id = parse_id(request.POST.get("product_id"), "product_id", code="PRODUCT_NOT_FOUND")
        qty = parse_quantity(
            request.POST.get("qty") or "1", "qty", max=tab_services.MAX_ITEM_QTY, code="INVALID_QUANTITY"
        )
        option_ids = [parse_id(v, "option_ids", code="INVALID_OPTIONS") for v in request.POST.getlist("option_ids")]
        cart = phone.phone_cart(request, table)
        cart_services.cart_line_add(
            cart.id, device=phone.phone_guest(table), product_id=product_id, qty=qty, option_ids=option_ids
        )
    except DomainError as err:
        return _menu_with_error(request, table, token, err)
    messages.success(request, _("장바구니에 담았습니다."))
    return redirect("tableorder:phone_menu", token=token)


@require_POST
@phone_page
def remove(request, table, token: str, line_id: str):
    try:
        line_id = path_token(line_id, code="LINE_NOT_FOUND")
        cart = phone.phone_cart(request, table)
        cart_services.cart_line_remove(cart.id, line_id, device=phone.phone_guest(table))
    except DomainError as err:
        return _menu_with_error(request, table, token, err)
    return redirect("tableorder:phone_menu", token=token)


@require_POST
@phone_page
def send(request, table, token: str):
    """ "주문하기": the phone's cart becomes the next round on the table's tab."""
    try:
        guests = request.POST.get("guests")
        guests = (
            parse_quantity(guests, "guests", max=tab_services.MAX_GUESTS, code="INVALID_GUESTS") if guests else None
        )
        sent = phone.phone_round_send(request, table, guests=guests)
    except DomainError as err:
        return _menu_with_error(request, table, token, err)
    if sent.pending is not None:
        messages.success(request, _("주문을 받았습니다. 직원이 확인하면 주방으로 들어갑니다."))
    else:
        messages.success(request, _("%(n)d차 주문을 보냈습니다.") % {"n": sent.round_number})
    return redirect("tableorder:phone_tab", token=token)


@require_GET
@phone_page
def tab(request, table, token: str):
    # A paid round whose landing signal was lost lands when a guest looks at the tab.
    prepaid.prepaid_land_waiting(table)
    return render(request, "tableorder/phone/tab.html", _context(request, table, token))


@require_POST
@phone_page
def pay(request, table, token: str):
    """ "결제하고 주문하기" (pay first): the phone's cart goes to the card window; the round is sent
    only once the payment is confirmed."""
    try:
        method_id = parse_id(request.POST.get("method"), "method", code="PAYMENT_METHOD_NOT_FOUND")
        guests = request.POST.get("guests")
        guests = (
            parse_quantity(guests, "guests", max=tab_services.MAX_GUESTS, code="INVALID_GUESTS") if guests else None
        )
        url = prepaid.prepaid_checkout_start(request, table, method_id=method_id, guests=guests, token=token)
    except DomainError as err:
        return _menu_with_error(request, table, token, err)
    return redirect(url)


def _prepaid(table, public_id: str):
    return prepaid.prepaid_for_phone(table, path_token(public_id, code="ORDER_NOT_FOUND"))


@require_GET
@phone_page
def paid(request, table, token: str, public_id: str):
    """Back from the card window: the round is on the tab once the payment is confirmed (this page
    reloads itself until then; no script needed)."""
    found = _prepaid(table, public_id)
    state = prepaid.prepaid_state(found)
    if state == prepaid.PrepaidState.LANDED:
        number = found.round.number if found.round is not None else 0
        messages.success(request, _("결제를 마치고 %(n)d차 주문을 보냈습니다.") % {"n": number})
        return redirect("tableorder:phone_tab", token=token)
    if state == prepaid.PrepaidState.FAILED:
        return redirect("tableorder:phone_pay_failed", token=token, public_id=found.order.public_id)
    context = _context(request, table, token, prepaid=found)
    return render(request, "tableorder/phone/paying.html", context)


@require_GET
@phone_page
def pay_failed(request, table, token: str, public_id: str):
    """The card was declined or the window closed: nothing was sent; the basket is still there."""
    found = _prepaid(table, public_id)
    prepaid.prepaid_payment_abandon(found)
    state = prepaid.prepaid_state(found)
    if state == prepaid.PrepaidState.LANDED:
        return redirect("tableorder:phone_paid", token=token, public_id=found.order.public_id)
    if state == prepaid.PrepaidState.PENDING:
        return redirect("tableorder:phone_paid", token=token, public_id=found.order.public_id)
    messages.error(request, _("결제가 완료되지 않아 주문하지 않았습니다. 장바구니는 그대로 있습니다."))
    return redirect("tableorder:phone_menu", token=token)


@require_POST
@phone_page
def call(request, table, token: str):
    kind = request.POST.get("kind")
    phone.phone_call(table, kind if kind in phone.CallKind.ALL else "")
    if kind == phone.CallKind.BILL:
        messages.success(request, _("계산을 요청했습니다. 직원이 곧 갑니다."))
    else:
        messages.success(request, _("직원을 호출했습니다. 잠시만 기다려 주세요."))
    back = "tableorder:phone_tab" if request.POST.get("back") == "tab" else "tableorder:phone_menu"
    return redirect(back, token=token)
