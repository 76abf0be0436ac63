"""factory_boy factories for the foundation models. Each app keeps its own in tests/<app>/factories.py."""

import factory
from factory.django import DjangoModelFactory

from apps.accounts.models import User
from apps.accounts.services import owner_enroll
from apps.stores import services as store_services
from apps.stores.models import Device, Store, StoreMember


class OwnerFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"owner{n}@example.com")
    name = factory.Sequence(lambda n: f"점주{n}")
    password = factory.PostGenerationMethodCall("set_password", "pass-word-1234")

    @factory.post_generation
    def enroll(obj, create, extracted, **kwargs):
        if create:
            obj.save()
            owner_enroll(obj)


class StoreFactory(DjangoModelFactory):
    class Meta:
        model = Store

    owner = factory.SubFactory(OwnerFactory)
    name = factory.Sequence(lambda n: f"카페 {n}호점")
    business_number = "123-45-67891"
    address = "서울특별시 마포구 양화로 1"
    phone = "02-123-4567"


class StoreMemberFactory(DjangoModelFactory):
    class Meta:
        model = StoreMember
        exclude = ["pin"]

    store = factory.SubFactory(StoreFactory)
    display_name = factory.Sequence(lambda n: f"직원{n}")
    role = StoreMember.Role.CASHIER
    pin = factory.Sequence(lambda n: f"{1000 + n:04d}")
    pin_digest = factory.LazyAttribute(lambda o: store_services.pin_digest(o.store, o.pin))


class DeviceFactory(DjangoModelFactory):
    """A device already paired; its raw token is on `device.raw_token` for API/cookie use."""

    class Meta:
        model = Device
        skip_postgeneration_save = True

    store = factory.SubFactory(StoreFactory)
    kind = Device.Kind.POS
    name = factory.Sequence(lambda n: f"기기{n}")

    @factory.post_generation
    def paired(obj, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        code = store_services.device_issue_pairing_code(obj)
        device, token = store_services.device_pair(code, client_address=f"factory-{obj.pk}")
        obj.refresh_from_db()
        obj.raw_token = token


def device_client(client, device):
    """Make a Django test client act as a paired terminal (signed device cookie)."""
    from django.conf import settings
    from django.core.signing import get_cookie_signer

    signer = get_cookie_signer(salt=settings.DEVICE_COOKIE_NAME + "cloudpos.device")
    client.cookies[settings.DEVICE_COOKIE_NAME] = signer.sign(device.raw_token)
    return client
