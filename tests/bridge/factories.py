"""Bridge factories (the cross-owner admin walk finds them by model)."""

import time

import factory
from django.core.cache import cache
from factory.django import DjangoModelFactory

from apps.bridge import selectors
from apps.bridge.models import Printer, PrintJob, Terminal, TerminalJob
from apps.stores.models import Device
from tests.admin.factories import PaymentFactory
from tests.factories import DeviceFactory, StoreFactory


class BridgeDeviceFactory(DeviceFactory):
    kind = Device.Kind.BRIDGE


class PrinterFactory(DjangoModelFactory):
    class Meta:
        model = Printer

    store = factory.SubFactory(StoreFactory)
    bridge = factory.SubFactory(BridgeDeviceFactory, store=factory.SelfAttribute("..store"))
    name = factory.Sequence(lambda n: f"카운터 프린터 {n + 1}")
    role = Printer.Role.RECEIPT
    transport = Printer.Transport.NETWORK
    address = "127.0.0.1:9100"
    has_drawer = True


class TerminalFactory(DjangoModelFactory):
    class Meta:
        model = Terminal

    store = factory.SubFactory(StoreFactory)
    bridge = factory.SubFactory(BridgeDeviceFactory, store=factory.SelfAttribute("..store"))
    name = factory.Sequence(lambda n: f"시뮬레이션 단말기 {n + 1}")
    address = "127.0.0.1:9200"


class PrintJobFactory(DjangoModelFactory):
    class Meta:
        model = PrintJob

    store = factory.SubFactory(StoreFactory)
    printer = factory.SubFactory(PrinterFactory, store=factory.SelfAttribute("..store"))
    kind = PrintJob.Kind.DRAWER
    open_drawer = True


class TerminalJobFactory(DjangoModelFactory):
    class Meta:
        model = TerminalJob

    store = factory.SubFactory(StoreFactory)
    terminal = factory.SubFactory(TerminalFactory, store=factory.SelfAttribute("..store"))
    kind = TerminalJob.Kind.APPROVE
    payment = factory.SubFactory(PaymentFactory, order__store=factory.SelfAttribute("...store"))
    amount = factory.SelfAttribute("payment.amount")


def mark_online(device) -> None:
    """As if the bridge had just polled (a card payment is only sent to a bridge that is online)."""
    cache.set(selectors.LAST_POLL_KEY.format(device_id=device.pk), time.time())
