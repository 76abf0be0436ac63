from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core.errors import DomainError
from apps.stores import services as store_services
from apps.stores.decorators import device_required
from apps.stores.models import Device

from .auth import pos_login, pos_logout, staff_required


@staff_required
def home(request):
    return render(request, "pos/home.html", {"store": request.device.store, "member": request.member})


@device_required(Device.Kind.POS)
def pin_login(request):
    error = None
    status = 200
    if request.method == "POST":
        try:
            member = store_services.member_authenticate(
                request.device.store, request.POST.get("pin", ""), throttle_key=f"device:{request.device.pk}"
            )
        except DomainError as err:
            error, status = err.message, err.status
        else:
            pos_login(request, member)
            return redirect("pos:home")
    return render(
        request,
        "pos/login.html",
        {"store": request.device.store, "error": error, "title": _("직원 PIN 로그인")},
        status=status,
    )


@require_POST
@device_required(Device.Kind.POS)
def pin_logout(request):
    pos_logout(request)
    return redirect("pos:login")
