from django.shortcuts import render

from apps.stores.decorators import device_required
from apps.stores.models import Device


@device_required(Device.Kind.KIOSK)
def welcome(request):
    return render(request, "kiosk/welcome.html", {"store": request.device.store})
