import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.stores import services
from apps.stores.models import Store
from apps.stores.validators import business_number_is_valid, validate_business_number
from tests.factories import OwnerFactory, StoreFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "number",
    ["220-81-62517", "124-81-00998", "123-45-67891", "1234567891"],  # Naver, Samsung Electronics, demo, no dashes
)
def test_business_numbers_with_a_correct_check_digit_are_accepted(number):
    assert business_number_is_valid(number)
    validate_business_number(number)


@pytest.mark.parametrize(
    "number",
    ["220-81-62518", "123-45-67890", "124-81-00999", "123-45-6789", "12a-45-67891", "123.45.67891", "", "0000000001"],
)
def test_business_numbers_with_a_wrong_check_digit_or_shape_are_refused(number):
    assert not business_number_is_valid(number)
    with pytest.raises(ValidationError):
        validate_business_number(number)


def test_store_create_refuses_a_bad_business_number_and_writes_nothing():
    owner = OwnerFactory()
    with pytest.raises(ValidationError) as err:
        services.store_create(owner=owner, name="카페", business_number="123-45-67890")
    assert "business_number" in err.value.message_dict
    assert not Store.objects.exists()


def test_owner_without_a_store_is_sent_to_onboarding(client):
    owner = OwnerFactory()
    client.force_login(owner)
    assert client.get("/")["Location"] == reverse("stores:onboarding")


def test_onboarding_creates_the_first_store_and_opens_the_admin(client):
    owner = OwnerFactory()
    client.force_login(owner)
    page = client.get(reverse("stores:onboarding"))
    assert page.status_code == 200

    response = client.post(
        reverse("stores:onboarding"),
        {
            "name": "한강 카페",
            "business_number": "2208162517",
            "address": "서울 마포구",
            "phone": "02-000-0000",
            "timezone": "Asia/Seoul",
            "cutoff_hour": "4",
            "settlement_day": "10",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    store = Store.objects.get(owner=owner)
    assert store.name == "한강 카페"
    assert store.business_number == "220-81-62517"  # normalised with dashes
    assert (store.settlement_day, store.cutoff_hour, store.timezone) == (10, 4, "Asia/Seoul")
    # and from now on the home page and onboarding go to the admin
    assert client.get("/")["Location"] == reverse("admin:index")
    assert client.get(reverse("stores:onboarding"))["Location"] == reverse("admin:index")
    # and the store is in the owner's admin
    assert client.get(reverse("admin:stores_store_change", args=[store.pk])).status_code == 200


@pytest.mark.parametrize(
    "field, value",
    [("business_number", "123-45-67890"), ("settlement_day", "29"), ("cutoff_hour", "24"), ("timezone", "Mars/Base")],
)
def test_onboarding_shows_errors_for_bad_input_and_creates_nothing(client, field, value):
    owner = OwnerFactory()
    client.force_login(owner)
    data = {
        "name": "한강 카페",
        "business_number": "220-81-62517",
        "timezone": "Asia/Seoul",
        "cutoff_hour": "4",
        "settlement_day": "1",
    }
    data[field] = value
    response = client.post(reverse("stores:onboarding"), data)
    assert response.status_code == 422
    assert response.context["form"].errors[field]
    assert not Store.objects.exists()


def test_onboarding_needs_a_login(client):
    response = client.get(reverse("stores:onboarding"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_superuser_home_goes_to_admin(admin_client):
    assert admin_client.get("/")["Location"] == reverse("admin:index")


def test_anonymous_home_shows_the_landing_page(client):
    page = client.get("/")
    assert page.status_code == 200
    assert reverse("account_login") in page.content.decode()
    assert reverse("stores:pair") in page.content.decode()


def test_an_owner_may_have_many_stores():
    owner = OwnerFactory()
    StoreFactory(owner=owner)
    StoreFactory(owner=owner)
    assert owner.stores.count() == 2
