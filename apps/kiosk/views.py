"""Kiosk screens for a customer: welcome → dine-in/takeout → menu → product → cart → payment →
processing → order number. Thin views: the kiosk only calls other apps' services and selectors.

The current cart lives in the kiosk's session (see session.py), never in a URL: a cart id cannot
be guessed or replayed from another terminal, and carts.services checks the device anyway.
"""

from __future__ import annotations

import functools

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event

from apps.carts import selectors as cart_selectors
from apps.carts import services as carts
from apps.core.api import api_view, json_response
from apps.core.errors import DomainError, NotFound
from apps.core.fields import path_id, path_token
from apps.core.http import safe_next_url
from apps.core.korean import with_particle
from apps.core.templatetags.names import localized_name
from apps.inventory import selectors as inventory
from apps.orders import selectors as order_selectors
from apps.payments import selectors as payment_selectors
from apps.stores import staff_calls
from apps.stores.decorators import api_device_required, device_required
from apps.stores.models import Device, Store

from . import screens
from . import services as kiosk_services
from . import session as kiosk_session
from .forms import AddToCartForm, ConfirmForm, LineChangeForm, ModeForm, PayForm, ServiceTypeForm

KIOSK = Device.Kind.KIOSK
CHANNEL = screens.CHANNEL
PAID, FAILED = screens.PaymentState.PAID, screens.PaymentState.FAILED
# The client-side event every live region of an open screen refreshes itself on (kiosk.js).
MENU_CHANGED_EVENT = "kiosk:menu-changed"


def kiosk_page(view):
    """A kiosk page on a paired kiosk; a DomainError becomes a page a customer can read (404 for
    anything that belongs to another terminal or store, never a 500)."""

    @device_required(KIOSK)
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except DomainError as err:
            if isinstance(err, NotFound) or err.status == 404:
                return render(request, "kiosk/not_found.html", screens.base_context(request), status=404)
            return render(
                request, "kiosk/error.html", {**screens.base_context(request), "error": err}, status=err.status
            )

    return wrapper


def _current_cart(request):
    """This kiosk's current cart (in whatever state), or None when no customer has started."""
    cart_id = kiosk_session.cart_id(request)
    if not cart_id:
        return None
    if cart_selectors.cart_by_id(cart_id) is None:
        # Gone with its TTL (the kiosk sat unattended): a fresh start, not an error page.
        kiosk_session.forget_cart(request)
        return None
    # Another terminal's cart (a tampered or copied session) is a 404 from carts.
    return carts.cart_get(cart_id, device=request.device)


class _StartOver(Exception):
    """No started order: the screen sends the customer to the welcome screen."""


def _require_cart(request):
    cart = _current_cart(request)
    if cart is None:
        raise _StartOver
    return cart


def with_cart(view):
    """Screens that need a started order: without one, go back to the welcome screen."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except _StartOver:
            return redirect("kiosk:welcome")

    return wrapper


# --- welcome and start ----------------------------------------------------------------------


@require_GET
@kiosk_page
def welcome(request):
    return render(request, "kiosk/welcome.html", screens.base_context(request, screen="welcome"))


@require_http_methods(["GET", "POST"])
@kiosk_page
def start(request):
    """Dine-in or takeout. Posting starts a new cart for a new customer."""
    form = ServiceTypeForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            cart = kiosk_services.customer_start(
                request.device,
                previous_cart_id=kiosk_session.cart_id(request),
                service_type=form.cleaned_data["service_type"],
            )
            kiosk_session.set_cart_id(request, cart.id)
            return redirect("kiosk:menu")
        messages.error(request, _("매장에서 드실지, 포장하실지 선택해 주세요."))
        return render(request, "kiosk/start.html", screens.base_context(request, screen="start"), status=400)
    return render(request, "kiosk/start.html", screens.base_context(request, screen="start"))


@require_POST
@device_required(KIOSK)
def reset(request):
    """Idle timeout or "처음으로": abandon the cart and show the welcome screen to the next customer."""
    kiosk_services.cart_abandon_current(kiosk_session.cart_id(request), device=request.device)
    kiosk_session.forget_everything(request)
    return redirect("kiosk:welcome")


# --- menu and product -----------------------------------------------------------------------


@require_GET
@kiosk_page
@with_cart
def menu(request):
    cart = _require_cart(request)
    context = screens.menu_context(request, cart, request.GET.get("category", ""))
    if request.htmx:
        return render(request, "kiosk/partials/menu_body.html", context)
    return render(request, "kiosk/menu.html", context)


@require_GET
@device_required(KIOSK)
def menu_version(request):
    """Polled every couple of seconds by every open kiosk: 204 and no body while nothing changed.
    The screens poll over htmx: a change answers with the poller holding the new version and a
    client event on which the screen's live regions (menu, product, cart) refresh themselves."""
    version = str(inventory.menu_version(request.device.store))
    if request.GET.get("v") == version:
        return HttpResponse(status=204)
    if request.htmx:
        response = render(request, "kiosk/partials/menu_poll.html", {"menu_version": version, **screens.poll_context()})
        return trigger_client_event(response, MENU_CHANGED_EVENT, {"version": version})
    return json_response({"version": version})


@require_http_methods(["GET", "POST"])
@kiosk_page
@with_cart
def product(request, product_id: int):
    cart = _require_cart(request)
    product_id = path_id(product_id, code="PRODUCT_NOT_FOUND")
    item, version = screens.product_item(request.device.store, product_id)
    if item is None:
        raise Http404
    form = AddToCartForm(request.POST or None, option_ids=screens.option_ids(item))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                carts.cart_line_add(
                    cart.id,
                    device=request.device,
                    product_id=product_id,
                    qty=form.cleaned_data["qty"],
                    option_ids=list(form.cleaned_data["option"]),
                )
            except DomainError as err:
                if err.status == 404:
                    raise
                form.add_error(None, err.message)
                status = err.status
            else:
                messages.success(
                    request, _("%(name)s 담았습니다.") % {"name": with_particle(localized_name(item), "을/를")}
                )
                return redirect("kiosk:menu")
        else:
            status = 422
    context = screens.product_context(request, cart, item, version, form)
    if request.htmx and request.method == "GET":
        return render(request, "kiosk/partials/product_body.html", context)
    return render(request, "kiosk/product.html", context, status=status)


# --- cart -------------------------------------------------------------------------------------


@require_GET
@kiosk_page
@with_cart
def cart_view(request):
    cart = _require_cart(request)
    context = screens.cart_context(request, cart)
    if request.htmx:
        # The live refresh when the menu changed: the cart region with its lines marked anew.
        return render(request, "kiosk/partials/cart_body.html", context)
    return render(request, "kiosk/cart.html", context)


@require_POST
@kiosk_page
@with_cart
def cart_remove_unavailable(request):
    """ "품절 상품 빼기": every line that can no longer be ordered leaves the cart in one touch."""
    cart = _require_cart(request)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        return render(request, "kiosk/cart.html", screens.cart_context(request, cart), status=400)
    removed = kiosk_services.cart_unavailable_remove(cart.id, device=request.device)
    if removed:
        messages.success(request, _("주문할 수 없는 상품을 뺐습니다."))
    return redirect("kiosk:cart")


@require_POST
@kiosk_page
@with_cart
def cart_line(request, line_id: str):
    cart = _require_cart(request)
    line_id = path_token(line_id, code="LINE_NOT_FOUND")
    if screens.cart_line(cart, line_id) is None:
        raise Http404
    form = LineChangeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("수량을 바꿀 수 없습니다. 다시 눌러 주세요."))
        return render(request, "kiosk/cart.html", screens.cart_context(request, cart), status=400)
    try:
        kiosk_services.cart_line_change(
            cart, line_id, device=request.device, action=form.cleaned_data["action"], qty=form.cleaned_data.get("qty")
        )
    except DomainError as err:
        if err.status == 404:
            raise
        messages.error(request, err.message)
        return render(request, "kiosk/cart.html", screens.cart_context(request, cart), status=err.status)
    return redirect("kiosk:cart")


# --- payment ----------------------------------------------------------------------------------


def _unorderable_cart(request, cart):
    """A redirect when this cart must not reach the payment screen: empty (back to the menu), or
    holding a line that sold out since it was added, or nothing to pay (back to the cart)."""
    if not cart.lines:
        messages.info(request, _("장바구니가 비어 있습니다. 메뉴를 골라 주세요."))
        return redirect("kiosk:menu")
    view = screens.cart_view_model(cart, store=request.device.store)
    if view["unavailable"]:
        names = ", ".join(line["name"] for line in view["lines"] if not line["available"])
        messages.error(
            request,
            _("죄송합니다. 지금 주문할 수 없는 상품이 있습니다: %(names)s. 빼고 결제해 주세요.") % {"names": names},
        )
        return redirect("kiosk:cart")
    if not view["can_pay"]:
        messages.error(request, _("결제할 상품이 없습니다. 메뉴를 골라 주세요."))
        return redirect("kiosk:cart")
    return None


@require_http_methods(["GET", "POST"])
@kiosk_page
@with_cart
def pay(request):
    cart = _require_cart(request)
    back = _unorderable_cart(request, cart)
    if back is not None:
        return back
    methods = screens.offered_methods(payment_selectors.methods_for_channel(request.device.store, CHANNEL))
    form = PayForm(request.POST or None, methods=methods)
    if request.method == "GET" or not form.is_valid():
        status = 200 if request.method == "GET" else 400
        if status == 400:
            messages.error(request, _("결제 수단을 다시 선택해 주세요."))
        return render(request, "kiosk/pay.html", screens.pay_context(request, cart, methods), status=status)
    method = next(m for m in methods if m.pk == form.cleaned_data["method"])
    try:
        started = kiosk_services.checkout_start(cart.id, device=request.device, method=method)
    except kiosk_services.CardNotStarted as err:
        # The customer keeps the cart and can choose again.
        messages.error(request, err.message)
        return redirect("kiosk:pay")
    except DomainError as err:
        if err.status == 404:
            raise
        # Sold out (or changed) since it went into the cart: the customer is told which item.
        messages.error(request, screens.placement_error_message(err))
        return redirect("kiosk:cart")
    if started.at_counter:
        kiosk_session.forget_cart(request)
        return redirect("kiosk:order_done", public_id=started.order.public_id)
    return redirect(started.card_url)


def _own_order(request, public_id: str):
    order = order_selectors.order_for_store(request.device.store, path_token(public_id, code="ORDER_NOT_FOUND"))
    # Another kiosk of the same store has no business with this customer's order either.
    if order.device_id != request.device.pk:
        raise Http404
    return order


@require_GET
@kiosk_page
def order_processing(request, public_id: str):
    order = _own_order(request, public_id)
    state = screens.payment_state(order)
    if state == PAID:
        return redirect("kiosk:order_done", public_id=order.public_id)
    if state == FAILED:
        return redirect("kiosk:order_failed", public_id=order.public_id)
    return render(request, "kiosk/processing.html", screens.order_context(request, order))


@require_GET
@device_required(KIOSK)
@api_view
def order_status(request, public_id: str):
    """Polled by the processing screen (htmx, every second) until the payment is completed or
    failed: 204 while it is pending, then a client redirect. JSON for other callers."""
    order = _own_order(request, public_id)
    state = screens.payment_state(order)
    redirect_to = {
        PAID: reverse("kiosk:order_done", args=[order.public_id]),
        FAILED: reverse("kiosk:order_failed", args=[order.public_id]),
    }.get(state)
    if request.htmx:
        return HttpResponseClientRedirect(redirect_to) if redirect_to else HttpResponse(status=204)
    body: dict = {"state": state, "status": order.status}
    if redirect_to:
        body["redirect"] = redirect_to
    return json_response(body)


@require_http_methods(["GET", "POST"])
@kiosk_page
def order_failed(request, public_id: str):
    """The card was declined or the customer cancelled: back to the cart with every line.

    The payment provider's fail redirect lands here with a GET, which only shows the page; its
    form (sent at once by kiosk.js, or by a touch without JavaScript) POSTs, and the POST gives
    the cart back."""
    order = _own_order(request, public_id)
    if screens.payment_state(order) == PAID:
        return redirect("kiosk:order_done", public_id=order.public_id)
    if request.method == "GET":
        return render(request, "kiosk/failed.html", screens.order_context(request, order))
    if not ConfirmForm(request.POST).is_valid():
        return render(request, "kiosk/failed.html", screens.order_context(request, order), status=400)
    cart_id = kiosk_services.order_cart_return(order, device=request.device)
    if cart_id:
        kiosk_session.set_cart_id(request, cart_id)
    messages.error(request, screens.payment_failure_message(order))
    return redirect("kiosk:cart")


@require_GET
@kiosk_page
def order_done(request, public_id: str):
    order = _own_order(request, public_id)
    state = screens.payment_state(order)
    if state == screens.PaymentState.PENDING:
        return redirect("kiosk:order_processing", public_id=order.public_id)
    if state == FAILED:
        return redirect("kiosk:order_failed", public_id=order.public_id)
    # The order is finished for this customer; the next tap starts from nothing. Their modes (large
    # text, high contrast, low reach, voice) still apply to this last screen with their number.
    context = screens.order_context(request, order)
    kiosk_session.forget_everything(request)
    context["receipt_url"] = request.build_absolute_uri(
        reverse("kiosk:receipt", args=[order.store_id, order.public_id])
    )
    context["pay_at_counter"] = state == screens.PaymentState.AT_COUNTER
    return render(request, "kiosk/done.html", context)


@require_GET
def receipt(request, store_id: int, public_id: str):
    """The digital receipt behind the QR code: public, found only by the unguessable public id."""
    try:
        store = Store.objects.filter(pk=path_id(store_id)).first()
        if store is None:
            raise Http404
        order = order_selectors.order_for_store(store, path_token(public_id))
    except NotFound:
        raise Http404 from None
    return render(request, "kiosk/receipt.html", screens.receipt_context(order))


# --- accessibility and staff call ---------------------------------------------------------------


@require_POST
@device_required(KIOSK)
def toggle_mode(request):
    form = ModeForm(request.POST)
    if not form.is_valid():
        if request.htmx or request.headers.get("Accept", "").startswith("application/json"):
            return json_response({"error": {"code": "INVALID_MODE", "message": _("알 수 없는 모드입니다.")}}, 400)
        messages.error(request, _("알 수 없는 모드입니다."))
        return redirect(safe_next_url(request, reverse("kiosk:welcome")))
    on = kiosk_session.toggle_mode(request, form.cleaned_data["mode"])
    if request.headers.get("Accept", "").startswith("application/json"):
        return json_response({"mode": form.cleaned_data["mode"], "on": on, "modes": kiosk_session.modes(request)})
    return redirect(safe_next_url(request, reverse("kiosk:welcome")))


@require_POST
@device_required(KIOSK)
def staff_call(request):
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        return json_response({"error": {"code": "INVALID_REQUEST", "message": _("다시 눌러 주세요.")}}, 400)
    open_call = kiosk_session.staff_call(request)
    call, repeated = kiosk_services.staff_call_raise(
        request.device, open_call_id=open_call["id"] if open_call else None
    )
    kiosk_session.set_staff_call(request, call)
    if repeated:
        message = _("이미 직원을 불렀습니다. 곧 도와드리러 갑니다.")
    else:
        message = _("직원을 호출했습니다. 잠시만 기다려 주세요.")
    if request.htmx:
        context = {"message": message, "staff_call_open": True, "oob": True, **screens.poll_context()}
        return render(request, "kiosk/partials/staff_called.html", context)
    messages.success(request, message)
    return redirect(safe_next_url(request, reverse("kiosk:welcome")))


@require_GET
@device_required(KIOSK)
def staff_call_status(request):
    """Polled over htmx while this kiosk's call is open: 204 until staff acknowledge it, then the
    message for the customer (and the poll stops: the call is forgotten)."""
    call = kiosk_session.staff_call(request)
    if call is None:
        return HttpResponse(status=204)
    state = screens.staff_call_state(request.device.store, call)
    if state == screens.STAFF_CALL_PENDING:
        return HttpResponse(status=204)
    kiosk_session.forget_staff_call(request)
    # The poller is replaced by one that no longer polls, showing the answer if there was one.
    context = {"staff_call_open": False, "acknowledged": state == screens.STAFF_CALL_ACKNOWLEDGED}
    return render(request, "kiosk/partials/staff_call_poll.html", context)


@require_GET
@api_device_required(Device.Kind.POS)
def staff_calls_pending(request):
    """For the store's POS screens: calls waiting to be answered (POS devices only)."""
    return json_response({"calls": staff_calls.staff_calls_pending(request.device.store)})
