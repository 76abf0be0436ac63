"""POS selling screen: login, staff switch, menu grid, cart actions, held sales, staff calls.

Every action is a plain form POST that redirects back (works without JavaScript); with htmx the
same POST answers with just the fragment that changed (the cart panel, the menu grid, a dialog).
"""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from apps.carts import selectors as cart_selectors
from apps.carts import services as cart_services
from apps.core.errors import Conflict, DomainError, Invalid, NotFound
from apps.core.fields import clean_or_raise, form_error
from apps.core.htmx import render_into
from apps.orders import selectors as order_selectors
from apps.orders.models import OrderStatus
from apps.payments import shifts as shift_services
from apps.stores import services as store_services
from apps.stores import staff_calls
from apps.stores.decorators import device_required
from apps.stores.models import Device

from . import forms as pos_forms
from . import menu as pos_menu
from . import state
from .auth import pos_login, pos_logout, staff_required
from .cart_view import cart_context, current_cart
from .helpers import domain_errors, page_or_partial, path_id, path_token, redirect_after_post

# --- login, logout, cashier switch -----------------------------------------------------------------


@device_required(Device.Kind.POS)
def pin_login(request):
    error = None
    status = 200
    if request.method == "POST":
        try:
            member = _authenticate(request)
        except DomainError as err:
            error, status = err.message, err.status
        else:
            pos_login(request, member)
            # A restaurant's POS opens on the floor (the store setting); a café's on the sell screen.
            return redirect("pos:tables" if request.device.store.pos_opens_on_floor else "pos:home")
    return render(
        request,
        "pos/login.html",
        {"store": request.device.store, "error": error, "title": _("직원 PIN 로그인")},
        status=status,
    )


def _authenticate(request):
    """The member whose PIN was posted; a PIN that is not even text is as wrong as a wrong one."""
    form = pos_forms.PinForm(request.POST)
    if not form.is_valid():
        raise form_error(form, status=403)
    return store_services.member_authenticate(
        request.device.store, form.cleaned_data["pin"], throttle_key=f"device:{request.device.pk}"
    )


@require_POST
@device_required(Device.Kind.POS)
def pin_logout(request):
    pos_logout(request)
    return redirect("pos:login")


@require_POST
@staff_required
@domain_errors
def switch_member(request):
    """Hand the counter to another cashier: their PIN, no logout; the current sale stays."""
    pos_login(request, _authenticate(request))
    return redirect_after_post(request, reverse("pos:home"))


# --- the selling screen -------------------------------------------------------------------------------


def _sell_context(request, cart=None) -> dict:
    store = request.device.store
    shift = shift_services.shift_current(store, request.device)
    context = {
        "section": "sell",
        "shift": shift,
        "staff_calls": staff_calls.staff_calls_pending(store),
        "held_count": state.held_count(request.device),
    }
    if shift is None:
        # Sales need an open drawer: the screen asks for the opening float first.
        context.update({"denominations": shift_services.DENOMINATIONS, "next": reverse("pos:home")})
        return context
    context.update(pos_menu.menu_context(store, **_menu_query(request)))
    context.update(cart_context(request, cart or current_cart(request)))
    return context


def _menu_query(request) -> dict:
    """The grid's tab and search from the query string; anything malformed shows the first tab."""
    form = pos_forms.MenuQueryForm(request.GET)
    if not form.is_valid():
        return {"category": "", "query": ""}
    return {"category": form.cleaned_data["category"], "query": form.cleaned_data["q"]}


def _checkout_order(request):
    """The unpaid order of the cart on screen, when the cart went on to checkout: the screen stays
    on paying until it is paid or canceled."""
    cart_id = state.current_cart_id(request)
    if not cart_id:
        return None
    try:
        cart = cart_services.cart_get(cart_id, device=request.device)
    except NotFound:
        return None
    if cart.state != cart_services.CartState.CHECKOUT:
        return None
    order = order_selectors.order_for_cart(cart.id)
    if order is None or order.store_id != request.device.store.pk or order.status != OrderStatus.PENDING_PAYMENT:
        return None
    return order


@require_GET
@staff_required
def home(request):
    order = _checkout_order(request)
    if order is not None and shift_services.shift_current(request.device.store, request.device) is not None:
        return redirect("pos:pay", public_id=order.public_id)
    return render(
        request, "pos/home.html", {"store": request.device.store, "member": request.member, **_sell_context(request)}
    )


@require_GET
@staff_required
def menu_grid(request):
    """The product grid for a category tab or a search (htmx), or the whole screen."""
    if not request.htmx:
        return home(request)
    context = pos_menu.menu_context(request.device.store, **_menu_query(request))
    return render(request, "pos/partials/menu_grid.html", context)


@require_GET
@staff_required
def menu_poll(request):
    """204 while the menu is unchanged (htmx swaps nothing); the fresh grid once it changed."""
    form = pos_forms.PollForm(request.GET)
    if form.is_valid() and form.cleaned_data["v"] == pos_menu.current_version(request.device.store):
        return HttpResponse(status=204)
    return menu_grid(request)


@require_GET
@staff_required
@domain_errors
def product_options(request, product_id: int):
    product_id = path_id(product_id, code="PRODUCT_NOT_FOUND", message=_("상품을 찾을 수 없습니다."))
    listing = pos_menu.listing(request.device.store, product_id)
    context = {"listing": listing, "section": "sell"}
    return page_or_partial(request, "pos/options.html", "pos/partials/options_dialog.html", context)


# --- cart actions ----------------------------------------------------------------------------------------


def _cart_response(request, cart, *, status: int = 200, listings: dict | None = None, **extra) -> HttpResponse:
    if not request.htmx:
        return redirect("pos:home")
    context = {**cart_context(request, cart, listings=listings), "oob": True, **extra}
    return render(request, "pos/partials/cart.html", context, status=status)


@require_POST
@staff_required
@domain_errors
def cart_add(request):
    data = clean_or_raise(pos_forms.CartAddForm(request.POST))
    product_id = data["product_id"]
    cart = current_cart(request)
    if not state.tap_first(request.device, data["tap"]):
        # The same tap again (a double tap, a retried request): the cart as the first one left it.
        return _cart_response(request, cart, close_dialog=True)
    # One menu read for the whole request: the add and the re-rendered cart share these listings.
    listings = cart_selectors.cart_listings(
        request.device.store, {line["productId"] for line in cart.lines} | {product_id}
    )
    cart = cart_services.cart_line_add(
        cart.id,
        device=request.device,
        product_id=product_id,
        qty=data["qty"],
        option_ids=data["option"],
        note=data["note"],
        listings=listings,
    )
    return _cart_response(request, cart, listings=listings, close_dialog=True)


@require_POST
@staff_required
@domain_errors
def cart_barcode(request):
    """A scanner types the code and Enter: add that product (or open its options)."""
    code = clean_or_raise(pos_forms.BarcodeForm(request.POST))["code"]
    listing = pos_menu.listing_by_barcode(request.device.store, code)
    if listing is None:
        raise NotFound("BARCODE_NOT_FOUND", _("바코드 %(code)s에 해당하는 상품이 없습니다.") % {"code": code[:64]})
    if listing.option_groups and any(g.required or g.min_choices for g in listing.option_groups):
        if request.htmx:
            return render_into(request, "pos/partials/options_dialog.html", {"listing": listing}, target="#dialog")
        return redirect("pos:product_options", product_id=listing.product_id)
    cart = cart_services.cart_line_add(current_cart(request).id, device=request.device, product_id=listing.product_id)
    return _cart_response(request, cart)


@require_POST
@staff_required
@domain_errors
def cart_line_qty(request, line_id: str):
    cart = current_cart(request)
    line = cart.line(path_token(line_id, code="LINE_NOT_FOUND"))
    if line is None:
        raise NotFound("LINE_NOT_FOUND", _("장바구니에 그 상품 줄이 없습니다."))
    data = clean_or_raise(pos_forms.LineQtyForm(request.POST))
    qty = line["qty"] + data["delta"] if data["qty"] is None else data["qty"]
    if qty <= 0:
        cart = cart_services.cart_line_remove(cart.id, line_id, device=request.device)
    else:
        cart = cart_services.cart_line_update(cart.id, line_id, device=request.device, qty=qty)
    return _cart_response(request, cart)


@require_POST
@staff_required
@domain_errors
def cart_line_note(request, line_id: str):
    line_id = path_token(line_id, code="LINE_NOT_FOUND")
    note = clean_or_raise(pos_forms.LineNoteForm(request.POST))["note"]
    cart = cart_services.cart_line_update(current_cart(request).id, line_id, device=request.device, note=note)
    return _cart_response(request, cart)


@require_POST
@staff_required
@domain_errors
def cart_line_remove(request, line_id: str):
    line_id = path_token(line_id, code="LINE_NOT_FOUND")
    cart = cart_services.cart_line_remove(current_cart(request).id, line_id, device=request.device)
    return _cart_response(request, cart)


@require_POST
@staff_required
@domain_errors
def cart_clear(request):
    cart = cart_services.cart_clear(current_cart(request).id, device=request.device)
    return _cart_response(request, cart)


@require_POST
@staff_required
@domain_errors
def cart_coupon(request):
    code = clean_or_raise(pos_forms.CouponForm(request.POST))["code"]
    cart = cart_services.cart_update_meta(current_cart(request).id, device=request.device, coupon_code=code)
    return _cart_response(request, cart)


@require_GET
@staff_required
@domain_errors
def discount_form(request):
    cart = current_cart(request)
    line_id = clean_or_raise(pos_forms.DiscountDialogForm(request.GET))["line"]
    context = {**cart_context(request, cart), "line_id": line_id, "section": "sell"}
    return page_or_partial(request, "pos/discount.html", "pos/partials/discount_dialog.html", context)


@require_POST
@staff_required
@domain_errors
def cart_discount(request):
    """A manual discount on one line or the whole order (the policy: carts.cart_manual_discount_set)."""
    data = clean_or_raise(pos_forms.DiscountForm(request.POST))
    cart = cart_services.cart_manual_discount_set(
        current_cart(request).id,
        device=request.device,
        member=request.member,
        kind=data["kind"],
        value=data["value"],
        reason=data["reason"],
        line_id=data["line_id"] or None,
        manager_pin=data["manager_pin"],
    )
    return _cart_response(request, cart, close_dialog=True)


@require_POST
@staff_required
@domain_errors
def cart_discount_remove(request):
    index = clean_or_raise(pos_forms.DiscountRemoveForm(request.POST))["index"]
    cart = cart_services.cart_manual_discount_remove(current_cart(request).id, device=request.device, index=index)
    return _cart_response(request, cart)


# --- held (parked) sales -------------------------------------------------------------------------------


@require_POST
@staff_required
@domain_errors
def cart_hold(request):
    label = clean_or_raise(pos_forms.HoldForm(request.POST))["label"][:40]
    cart = current_cart(request)
    if not cart.lines:
        raise Invalid("CART_EMPTY", _("보류할 상품이 없습니다."))
    if state.held_count(request.device) >= state.MAX_HELD:
        raise Conflict("TOO_MANY_HELD", _("보류는 %(n)d건까지 할 수 있습니다.") % {"n": state.MAX_HELD})
    context = cart_context(request, cart)
    # No label typed: the list shows the time it was held (once), not a label repeating it.
    state.held_add(
        request.device,
        state.HeldSale(
            cart_id=cart.id,
            label=label,
            total=context["totals"]["total"],
            item_count=sum(line["qty"] for line in cart.lines),
            held_at=timezone.now().timestamp(),
            member_name=request.member.display_name,
        ),
    )
    state.set_current_cart_id(request, None)
    return _cart_response(request, current_cart(request), saved=_("판매를 보류했습니다."))


@require_GET
@staff_required
def held_list(request):
    context = {"held": state.held_list(request.device), "section": "sell"}
    return page_or_partial(request, "pos/held.html", "pos/partials/held_dialog.html", context)


@require_POST
@staff_required
@domain_errors
def held_recall(request, cart_id: str):
    cart_id = path_token(cart_id, code="HELD_NOT_FOUND")
    held = state.held_take(request.device, cart_id)
    if held is None:
        raise NotFound("HELD_NOT_FOUND", _("보류된 판매를 찾을 수 없습니다. 이미 불러왔을 수 있습니다."))
    try:
        recalled = cart_services.cart_get(cart_id, device=request.device)
    except NotFound:
        raise NotFound("HELD_EXPIRED", _("보류된 판매가 만료되었습니다.")) from None
    if not recalled.is_active:
        raise Conflict("HELD_NOT_ACTIVE", _("보류된 판매가 이미 결제되었거나 취소되었습니다."))
    current = current_cart(request)
    if current.lines:
        # Swapping sales: the one on screen is parked rather than lost.
        context = cart_context(request, current)
        state.held_add(
            request.device,
            state.HeldSale(
                cart_id=current.id,
                label="",
                total=context["totals"]["total"],
                item_count=sum(line["qty"] for line in current.lines),
                held_at=timezone.now().timestamp(),
                member_name=request.member.display_name,
            ),
        )
    state.set_current_cart_id(request, recalled.id)
    return _cart_response(request, recalled, close_dialog=True)


# --- kiosk "call staff" alerts ----------------------------------------------------------------------------


@require_GET
@staff_required
def staff_calls_poll(request):
    calls = staff_calls.staff_calls_pending(request.device.store)
    if not request.htmx:
        return redirect("pos:home")
    return render(request, "pos/partials/staff_calls.html", {"staff_calls": calls})


@require_POST
@staff_required
def staff_call_ack(request, call_id: str):
    try:
        call_id = path_token(call_id, code="STAFF_CALL_NOT_FOUND")
    except DomainError:
        raise Http404 from None
    staff_calls.staff_call_ack(request.device.store, call_id)
    if not request.htmx:
        return redirect(request.META.get("HTTP_REFERER") or reverse("pos:home"))
    calls = staff_calls.staff_calls_pending(request.device.store)
    return render(request, "pos/partials/staff_calls.html", {"staff_calls": calls})
