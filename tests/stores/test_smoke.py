import pytest
from django.urls import reverse

from tests.factories import device_client

pytestmark = pytest.mark.django_db


def test_pos_requires_a_paired_device(client):
    response = client.get("/pos/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("stores:pair"))


def test_paired_pos_device_then_pin_reaches_the_pos_shell(client, pos_device, cashier):
    device_client(client, pos_device)
    assert client.get("/pos/")["Location"] == reverse("pos:login")
    response = client.post(reverse("pos:login"), {"pin": "1234"})
    assert response.status_code == 302
    page = client.get("/pos/")
    assert page.status_code == 200
    assert cashier.display_name in page.content.decode()
