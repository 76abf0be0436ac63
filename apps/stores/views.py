from django.conf import settings
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt

from apps.core.api import api_methods, api_view, json_response, parse_json_body
from apps.core.errors import DomainError
from apps.core.http import client_address, safe_next_url
from apps.core.parsers import parse_text

from . import services
from .decorators import api_device_required, current_device
from .forms import PairForm
from .models import Device

_HOME_BY_KIND = {
    Device.Kind.POS: "/pos/",
    Device.Kind.KIOSK: "/kiosk/",
    Device.Kind.KITCHEN: "/kitchen/",
    Device.Kind.TABLE: "/table/",
    Device.Kind.BOARD: "/board/",
}


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
            response = redirect(safe_next_url(request, _HOME_BY_KIND.get(device.kind, "/")))
            _set_device_cookie(response, token)
            return response
    elif request.method == "POST":
        status = 422
    context = {"form": form, "current": current_device(request)}
    return render(request, "stores/pair.html", context, status=status)


@csrf_exempt  # a terminal with no session yet; the code itself is the credential, rate-limited
@api_methods("POST")
@api_view
def api_pair(request):
    data = parse_json_body(request)
    code = data.get("code")
    if isinstance(code, int) and not isinstance(code, bool):
        code = str(code)  # {"code": 123456} from a client that sends it as a number
    # The service checks the format (6 ASCII digits) after the attempt is counted.
    code = parse_text(code, "code", max_length=20, required=False, code="INVALID_CODE")
    device, token = services.device_pair(code, client_address=client_address(request))
    return json_response({"deviceToken": token, "storeId": device.store_id, "kind": device.kind}, status=201)


@api_methods("GET")
@api_device_required()
def api_device_me(request):
    """Who this terminal is: lets an API client check its token and learn its store."""
    device = current_device(request)
    store = device.store
    return json_response(
        {
            "deviceId": device.pk,
            "name": device.name,
            "kind": device.kind,
            "storeId": store.pk,
            "storeName": store.name,
            "timezone": store.timezone,
            "pairedAt": device.paired_at.isoformat() if device.paired_at else None,
        }
    )
