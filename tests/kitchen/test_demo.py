from io import StringIO

import pytest
from django.core.management import call_command

from apps.kitchen.models import Station, StationScreen
from apps.stores.models import Device

pytestmark = pytest.mark.django_db


def test_seed_demo_makes_two_stations_and_paired_ready_kitchen_and_board_devices():
    out = StringIO()
    call_command("seed_demo", "--once", stdout=out)
    stations = {s.name: s for s in Station.objects.all()}
    assert set(stations) == {"주방", "음료"} and stations["주방"].is_default
    assert set(stations["음료"].categories.values_list("name", flat=True)) == {"커피", "논커피/음료"}
    display = Device.objects.get(kind="KITCHEN")
    assert StationScreen.objects.get(device=display).station == stations["음료"]
    assert Device.objects.filter(kind="BOARD").exists()
    text = out.getvalue()
    assert "(KITCHEN): " in text and "(BOARD): " in text  # their pairing codes are printed
