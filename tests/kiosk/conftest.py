import pytest

from apps.catalog.models import Category
from apps.payments.models import PaymentMethod
from tests.carts.factories import coffee_with_options, listed_product
from tests.factories import device_client


@pytest.fixture
def category(store):
    return Category.objects.create(owner=store.owner, name="커피", name_en="Coffee", sort_order=1)


@pytest.fixture
def americano(store, category):
    menu = listed_product(store, "아메리카노", 4500)
    menu.product.name_en = "Americano"
    menu.product.save()
    menu.product.categories.add(category)
    return menu


@pytest.fixture
def latte(store, category):
    """Size required (R +0 / L +500), up to two extras (샷 +500, 시럽 +300, 휘핑 sold out here)."""
    menu = coffee_with_options(store)
    menu.product.categories.add(category)
    menu.listing.recommended_rank = 1
    menu.listing.save()
    return menu


@pytest.fixture
def kiosk_methods(store):
    card = PaymentMethod.objects.create(
        store=store, kind=PaymentMethod.Kind.SIMULATED, name="카드", channels=["KIOSK", "POS"], sort_order=1
    )
    counter = PaymentMethod.objects.create(
        store=store, kind=PaymentMethod.Kind.CASH, name="카운터에서 결제", channels=["KIOSK", "POS"], sort_order=2
    )
    PaymentMethod.objects.create(store=store, kind=PaymentMethod.Kind.CASH, name="POS 현금", channels=["POS"])
    return {"card": card, "counter": counter}


@pytest.fixture
def kiosk(client, kiosk_device):
    """A Django test client acting as the paired kiosk."""
    return device_client(client, kiosk_device)


@pytest.fixture
def started(kiosk, americano, latte, kiosk_methods):
    """A kiosk where a customer chose takeout: the cart exists and the menu is set up."""
    response = kiosk.post("/kiosk/start/", {"service_type": "TAKEOUT"})
    assert response.status_code == 302
    return kiosk
