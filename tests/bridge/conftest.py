import pytest

from apps.payments.models import PaymentMethod
from tests.payments.factories import make_method

from .factories import BridgeDeviceFactory, PrinterFactory, TerminalFactory, mark_online
from .fakes import FakePrinter


@pytest.fixture
def bridge_device(store):
    return BridgeDeviceFactory(store=store, name="카운터 PC 브리지")


@pytest.fixture
def bridge_online(bridge_device):
    mark_online(bridge_device)
    return bridge_device


@pytest.fixture
def fake_printer():
    printer = FakePrinter().start()
    yield printer
    printer.stop()


@pytest.fixture
def fake_kitchen_printer():
    printer = FakePrinter().start()
    yield printer
    printer.stop()


@pytest.fixture
def receipt_printer(store, bridge_device, fake_printer):
    return PrinterFactory(store=store, bridge=bridge_device, name="카운터", address=fake_printer.address)


@pytest.fixture
def kitchen_printer(store, bridge_device, fake_kitchen_printer):
    return PrinterFactory(
        store=store,
        bridge=bridge_device,
        name="주방",
        role="KITCHEN",
        has_drawer=False,
        address=fake_kitchen_printer.address,
    )


@pytest.fixture
def cash(store):
    return make_method(store, PaymentMethod.Kind.CASH, name="현금")


@pytest.fixture
def card_terminal_method(store):
    return make_method(store, PaymentMethod.Kind.CARD_TERMINAL, name="카드 단말기")


@pytest.fixture
def terminal_factory(store, bridge_device):
    def make(address: str):
        return TerminalFactory(store=store, bridge=bridge_device, address=address)

    return make
