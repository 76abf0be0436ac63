"""The POS hand-over list: ready counter and kiosk orders, marked picked up (kitchen status DONE)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from apps.core.fields import clean_or_raise, path_token
from apps.kitchen import selectors as kitchen_selectors
from apps.kitchen import services as kitchen_services
from apps.kitchen.forms import PollForm
from apps.kitchen.versions import kitchen_version

from .auth import staff_required
from .helpers import domain_errors, page_or_partial, redirect_after_post


def _context(request) -> dict:
    store = request.device.store
    return {
        "section": "ready",
        "ready_orders": kitchen_selectors.ready_for_hand_over(store),
        "kitchen_version": kitchen_version(store.pk),
    }


@require_GET
@staff_required
@domain_errors
def ready_list(request):
    version = clean_or_raise(PollForm(request.GET), code="INVALID_VERSION", status=400)["v"]
    if request.htmx and version and version == kitchen_version(request.device.store_id):
        return HttpResponse(status=204)
    return page_or_partial(request, "pos/ready.html", "pos/partials/ready_list.html", _context(request))


@require_POST
@staff_required
@domain_errors
def hand_over(request, public_id: str):
    kitchen_services.order_hand_over(request.device.store, path_token(public_id, code="ORDER_NOT_FOUND"))
    if request.htmx:
        return render(request, "pos/partials/ready_list.html", _context(request))
    return redirect_after_post(request, reverse("pos:ready"))
