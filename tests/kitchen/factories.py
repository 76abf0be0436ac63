"""Kitchen factories (the cross-owner admin walk finds them by model)."""

import factory
from factory.django import DjangoModelFactory

from apps.kitchen.models import KitchenSettings, Station, Ticket
from tests.admin.factories import OrderFactory
from tests.factories import StoreFactory


class KitchenSettingsFactory(DjangoModelFactory):
    class Meta:
        model = KitchenSettings

    store = factory.SubFactory(StoreFactory)


class StationFactory(DjangoModelFactory):
    class Meta:
        model = Station

    store = factory.SubFactory(StoreFactory)
    name = factory.Sequence(lambda n: f"스테이션{n + 1}")


class TicketFactory(DjangoModelFactory):
    class Meta:
        model = Ticket

    store = factory.SubFactory(StoreFactory)
    station = factory.SubFactory(StationFactory, store=factory.SelfAttribute("..store"))
    order = factory.SubFactory(OrderFactory, store=factory.SelfAttribute("..store"))
