from django.conf import settings
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt

from apps.core.api import api_methods, api_view, json_response, parse_json_body
from apps.core.errors import DomainError

from . import services
from .forms import PairForm
from .models import Device

_HOME_BY_KIND = {Device.Kind.POS: "/pos/", Device.Kind.KIOSK: "/kiosk/", Device.Kind.KITCHEN: "/"}


def client_address(request) -> str:
    # Behind a proxy, REMOTE_ADDR is the proxy; the rate limit then applies to it (documented).
    return request.META.get("REMOTE_ADDR", "unknown")


def _set_device_cookie(response, token: str) -> None:
    response.set_signed_cookie(
        settings.DEVICE_COOKIE_NAME,
        token,
        salt="cloudpos.device",
        max_age=settings.DEVICE_COOKIE_MAX_AGE,
        httponly=True,
        secure=not settings.DEBUG,
        samesite="Lax",
    )


def pair(request):
    form = PairForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            device, token = services.device_pair(form.cleaned_data["code"], client_address=client_address(request))
        except DomainError as err:
            form.add_error("code", err.message)
            status = err.status
        else:
            next_url = request.GET.get("next", "")
            if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
                next_url = ""
            response = redirect(next_url or _HOME_BY_KIND.get(device.kind, "/"))
            _set_device_cookie(response, token)
            return response
    elif request.method == "POST":
        status = 422
    return render(request, "stores/pair.html", {"form": form}, status=status)


@csrf_exempt  # a terminal with no session yet; the code itself is the credential, rate-limited
@api_methods("POST")
@api_view
def api_pair(request):
    data = parse_json_body(request)
    device, token = services.device_pair(str(data.get("code", "")), client_address=client_address(request))
    return json_response({"deviceToken": token, "storeId": device.store_id, "kind": device.kind}, status=201)
