from io import StringIO

import pytest
from django.core.management import call_command

from apps.bridge.models import Printer, Terminal
from apps.stores.models import Device

pytestmark = pytest.mark.django_db


def test_seed_demo_makes_a_bridge_with_a_printer_and_a_simulated_terminal():
    out = StringIO()
    call_command("seed_demo", "--once", stdout=out)
    bridge = Device.objects.get(kind=Device.Kind.BRIDGE)
    printer = Printer.objects.get(bridge=bridge)
    assert printer.role == Printer.Role.RECEIPT and printer.has_drawer and printer.address == "127.0.0.1:9100"
    terminal = Terminal.objects.get(bridge=bridge)
    assert terminal.driver == Terminal.Driver.SIMULATED and terminal.address == "127.0.0.1:9200"
    text = out.getvalue()
    assert "(BRIDGE): " in text and "python -m bridge.simterm" in text  # its pairing code is printed
