"""Demo bridge for `manage.py seed_demo`: a BRIDGE device (its pairing code is printed with the
others) with a receipt printer on 127.0.0.1:9100 (the drawer on it) and the SIMULATED card terminal
on 127.0.0.1:9200 (`python -m bridge.simterm`)."""

from __future__ import annotations

from apps.stores.models import Device

from .models import Printer, Terminal

DEMO_PRINTER_ADDRESS = "127.0.0.1:9100"
DEMO_TERMINAL_ADDRESS = "127.0.0.1:9200"


def seed(store, stdout) -> None:
    bridge, _created = Device.objects.get_or_create(store=store, kind=Device.Kind.BRIDGE, name="카운터 PC 브리지")
    Printer.objects.get_or_create(
        store=store,
        bridge=bridge,
        name="카운터 영수증 프린터",
        defaults={
            "role": Printer.Role.RECEIPT,
            "transport": Printer.Transport.NETWORK,
            "address": DEMO_PRINTER_ADDRESS,
            "paper_width": 80,
            "has_drawer": True,
        },
    )
    Terminal.objects.get_or_create(
        store=store,
        bridge=bridge,
        name="시뮬레이션 카드 단말기",
        defaults={"driver": Terminal.Driver.SIMULATED, "address": DEMO_TERMINAL_ADDRESS},
    )
    stdout.write(
        f"  Store bridge: {bridge.name} with a receipt printer at {DEMO_PRINTER_ADDRESS} (drawer on it) and the "
        f"SIMULATED card terminal at {DEMO_TERMINAL_ADDRESS}. Start the terminal with `python -m bridge.simterm`, "
        "pair with `python -m bridge pair CODE --server http://127.0.0.1:8000` (its code below), then "
        "`python -m bridge run`."
    )
