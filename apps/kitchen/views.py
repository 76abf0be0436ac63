"""The kitchen display (/kitchen/ on a paired KITCHEN device) and the order-ready board (/board/
on a paired BOARD device), plus the public order progress the customer's receipt page polls.

Live updates poll the per-store kitchen version (versions.py): a 204 while nothing changed, else
the redrawn partial. See versions.py for why polling and not server-sent events.
"""

from __future__ import annotations

import functools

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from apps.core.errors import DomainError, NotFound
from apps.core.fields import clean_or_raise, path_id, path_token
from apps.orders import selectors as order_selectors
from apps.stores.decorators import device_required
from apps.stores.models import Device, Store

from . import selectors, services
from .forms import BumpForm, DisplayForm, PollForm, StationPickForm
from .versions import kitchen_version

KITCHEN = Device.Kind.KITCHEN
BOARD = Device.Kind.BOARD


def domain_errors(view):
    """A DomainError is a 4xx: the message as a small partial for HTMX, the page otherwise."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound:
            raise Http404 from None
        except DomainError as err:
            template = "kitchen/partials/error.html" if request.htmx else "kitchen/error.html"
            return render(request, template, {"error": err}, status=err.status)

    return wrapper


def _poll_version(request) -> str:
    return clean_or_raise(PollForm(request.GET), code="INVALID_VERSION", status=400)["v"]


# --- the kitchen display ----------------------------------------------------------------------


def _display_context(request, station) -> dict:
    now = timezone.now()
    return {
        "station": station,
        "feed": selectors.station_feed(station, now=now),
        "completed": selectors.station_completed(station, now=now),
        "version": kitchen_version(request.device.store_id),
        "undo_seconds": int(services.UNDO_WINDOW.total_seconds()),
        "now": now,
    }


@require_GET
@device_required(KITCHEN)
@domain_errors
def display(request):
    pick = clean_or_raise(DisplayForm(request.GET), code="INVALID_PICK", status=400)["pick"] == "1"
    station = selectors.station_for_screen(request.device)
    if station is None or pick:
        stations = list(selectors.stations_for(request.device.store))
        if not stations:
            stations = [services.station_default(request.device.store)]
        return render(request, "kitchen/pick.html", {"stations": stations, "current": station})
    return render(request, "kitchen/display.html", _display_context(request, station))


@require_POST
@device_required(KITCHEN)
@domain_errors
def station_pick(request):
    data = clean_or_raise(StationPickForm(request.POST), code="INVALID_STATION")
    services.station_assign_screen(request.device, data["station"])
    return redirect("kitchen:display")


@require_GET
@device_required(KITCHEN)
@domain_errors
def feed(request):
    version = _poll_version(request)
    station = selectors.station_for_screen(request.device)
    if station is None:
        raise NotFound("STATION_NOT_PICKED", "no station")
    if version and version == kitchen_version(request.device.store_id):
        return HttpResponse(status=204)
    return render(request, "kitchen/partials/feed.html", _display_context(request, station))


def _after_bump(request):
    if request.htmx:
        station = selectors.station_for_screen(request.device)
        if station is not None:
            return render(request, "kitchen/partials/feed.html", _display_context(request, station))
    return redirect("kitchen:display")


@require_POST
@device_required(KITCHEN)
@domain_errors
def bump(request, ticket_id: int):
    data = clean_or_raise(BumpForm(request.POST), code="INVALID_LINE")
    services.ticket_bump(request.device.store, path_id(ticket_id), line_id=data["line"])
    return _after_bump(request)


@require_POST
@device_required(KITCHEN)
@domain_errors
def undo(request, ticket_id: int):
    services.ticket_undo(request.device.store, path_id(ticket_id))
    return _after_bump(request)


@require_GET
@device_required(KITCHEN)
@domain_errors
def recall(request, ticket_id: int):
    """A completed ticket shown again in full (to check it or remake it)."""
    store = request.device.store
    ticket = selectors.ticket_for_store(store, path_id(ticket_id))
    view = selectors.ticket_view(ticket, settings_row=selectors.settings_for(store), now=timezone.now())
    return render(request, "kitchen/recall.html", {"view": view})


# --- the order-ready board --------------------------------------------------------------------


def _board_context(request) -> dict:
    store = request.device.store
    return {
        "board": selectors.board(store),
        "version": kitchen_version(store.pk),
    }


@require_GET
@device_required(BOARD)
@domain_errors
def board(request):
    return render(request, "kitchen/board.html", _board_context(request))


@require_GET
@device_required(BOARD)
@domain_errors
def board_feed(request):
    version = _poll_version(request)
    if version and version == kitchen_version(request.device.store_id):
        return HttpResponse(status=204)
    return render(request, "kitchen/partials/board_columns.html", _board_context(request))


# --- the customer's receipt page ---------------------------------------------------------------


@require_GET
@domain_errors
def progress(request, store_id: int, public_id: str):
    """Public like the receipt itself: found only by the order's unguessable public id."""
    version = _poll_version(request)
    store = Store.objects.filter(pk=path_id(store_id)).first()
    if store is None:
        raise Http404
    order = order_selectors.order_for_store(store, path_token(public_id))
    if version and version == kitchen_version(store.pk):
        return HttpResponse(status=204)
    context = selectors.order_progress(order)
    context["version"] = kitchen_version(store.pk)
    return render(request, "kitchen/partials/order_progress.html", context)


def progress_url(order) -> str:
    return reverse("kitchen:progress", args=[order.store_id, order.public_id])
