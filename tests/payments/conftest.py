import time

import pytest

from apps.payments.models import PaymentMethod
from tests.factories import DeviceFactory, StoreFactory

from .factories import make_method


@pytest.fixture
def portone(store):
    return make_method(store, PaymentMethod.Kind.PORTONE, channels=("POS", "KIOSK"), name="카드(포트원)")


@pytest.fixture
def cash(store):
    return make_method(store, PaymentMethod.Kind.CASH, channels=("POS",), name="현금")


@pytest.fixture
def terminal(store):
    return make_method(store, PaymentMethod.Kind.CARD_TERMINAL, channels=("POS",), name="카드 단말기")


@pytest.fixture
def toss(store):
    return make_method(store, PaymentMethod.Kind.TOSS, channels=("POS", "KIOSK"), name="카드")


@pytest.fixture
def simulated(store):
    return make_method(store, PaymentMethod.Kind.SIMULATED, channels=("POS", "KIOSK"), name="카드(시뮬레이션)")


@pytest.fixture
def other_store(db):
    return StoreFactory()


@pytest.fixture
def other_pos(other_store):
    return DeviceFactory(store=other_store, kind="POS")


def wait_for(predicate, timeout: float = 20.0, interval: float = 0.1):
    """Poll until `predicate()` is truthy (work done by the real Celery worker thread)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("condition not met in time")
