import re
from io import StringIO

import pytest
from django.core.management import call_command

from apps.accounts.models import User
from apps.stores import services
from apps.stores.management.commands.seed_demo import DEMO_EMAIL, DEMO_PASSWORD
from apps.stores.models import Device, Store

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_an_owner_a_cafe_staff_and_devices_and_prints_working_logins(client):
    out = StringIO()
    call_command("seed_demo", "--once", stdout=out)
    text = out.getvalue()

    owner = User.objects.get(email=DEMO_EMAIL)
    assert owner.is_owner and owner.check_password(DEMO_PASSWORD)
    assert f"{DEMO_EMAIL} / {DEMO_PASSWORD}" in text
    store = Store.objects.get(owner=owner)
    assert {m.role for m in store.members.all()} == {"MANAGER", "CASHIER"}
    assert set(store.devices.values_list("kind", flat=True)) == {"POS", "KIOSK", "TABLE", "KITCHEN", "BOARD", "BRIDGE"}
    # the printed staff PIN and pairing codes work
    assert services.member_authenticate(store, "1234", throttle_key="seed").role == "CASHIER"
    codes = re.findall(r"\((POS|KIOSK)\): (\d{6})", text)
    assert {kind for kind, _ in codes} == {"POS", "KIOSK"}
    pos_code = dict(codes)["POS"]
    assert services.device_pair(pos_code, client_address="seed")[0].kind == Device.Kind.POS
    # and the owner can log in to the admin
    assert client.login(email=DEMO_EMAIL, password=DEMO_PASSWORD)


def test_seed_demo_once_does_not_duplicate(client):
    call_command("seed_demo", "--once", stdout=StringIO())
    out = StringIO()
    call_command("seed_demo", "--once", stdout=out)
    assert "already" in out.getvalue()
    assert Store.objects.count() == 1
    assert User.objects.filter(email=DEMO_EMAIL).count() == 1
