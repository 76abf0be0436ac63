"""Cash drawer: open a shift with a float, cash in/out, close with a count, the Z report."""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from apps.core.errors import Conflict, DomainError
from apps.core.fields import clean_or_raise
from apps.core.http import safe_next_url
from apps.core.money import format_won
from apps.payments import shifts as shift_services
from apps.payments.models import CashMovement, Shift

from .auth import staff_required
from .constants import pos_constants
from .forms import CashMoveForm, ShiftCloseForm, ShiftOpenForm
from .helpers import domain_errors, page_or_partial, path_id, redirect_after_post


def shift_context(request, **extra) -> dict:
    shift = shift_services.shift_current(request.device.store, request.device)
    context = {
        "section": "shift",
        "shift": shift,
        "expected_cash": shift_services.shift_expected_cash(shift) if shift else None,
        "denominations": shift_services.DENOMINATIONS,
        "movement_kinds": CashMovement.Kind.choices,
        "recent_shifts": shift_services.shifts_for_device(request.device.store, request.device, limit=10),
    }
    context.update(extra)
    return context


@require_GET
@staff_required
def shift_page(request):
    return page_or_partial(request, "pos/shift.html", "pos/partials/shift_panel.html", shift_context(request))


@require_POST
@staff_required
@domain_errors
def shift_open(request):
    data = clean_or_raise(ShiftOpenForm(request.POST))
    opening_float = data["opening_float"]
    if opening_float is None:
        opening_float = shift_services.denominations_total(data["denominations"])
    shift_services.shift_open(
        store=request.device.store, device=request.device, member=request.member, opening_float=opening_float
    )
    # `next` comes from the form: only a path on this site (never "//evil.example")
    return redirect_after_post(request, safe_next_url(request, reverse("pos:home")))


def _open_shift(request) -> Shift:
    shift = shift_services.shift_current(request.device.store, request.device)
    if shift is None:
        raise Conflict("SHIFT_NOT_OPEN", _("열린 근무가 없습니다. 먼저 시재금을 입력해 근무를 시작하세요."))
    return shift


@require_POST
@staff_required
@domain_errors
def cash_move(request):
    shift = _open_shift(request)
    data = clean_or_raise(CashMoveForm(request.POST))
    shift_services.cash_move(
        shift, kind=data["kind"], amount=data["amount"], reason=data["reason"], member=request.member
    )
    if request.htmx:
        return page_or_partial(
            request, "pos/shift.html", "pos/partials/shift_panel.html", shift_context(request, saved=_("기록했습니다."))
        )
    return redirect_after_post(request, reverse("pos:shift"))


@require_POST
@staff_required
@domain_errors
def shift_close(request):
    shift = _open_shift(request)
    data = clean_or_raise(ShiftCloseForm(request.POST))
    closed = shift_services.shift_close(
        shift, counted_cash=data["counted_cash"], member=request.member, denominations=data["denominations"]
    )
    return redirect_after_post(request, reverse("pos:shift_report", args=[closed.pk]))


@require_GET
@staff_required
def shift_report(request, shift_id: int):
    try:
        shift = shift_services.shift_for_store(request.device.store, path_id(shift_id))
    except DomainError:
        raise Http404 from None  # another store's shift is a plain 404, never a hint that it exists
    report = shift_services.shift_report(shift)
    return page_or_partial(
        request,
        "pos/shift_report.html",
        "pos/partials/shift_report_body.html",
        {
            "section": "shift",
            "report": report,
            "shift": shift,
            "difference": _difference_words(report.difference),
            **pos_constants(),
        },
    )


def _difference_words(difference: int | None) -> str:
    """The drawer's difference in words: a sign alone is easy to misread on a printed Z report."""
    if difference is None:
        return ""
    if difference > 0:
        return _("과잉 %(amount)s") % {"amount": format_won(difference)}
    if difference < 0:
        return _("부족 %(amount)s") % {"amount": format_won(-difference)}
    return _("차액 없음")
