"""Table ordering factories (the cross-owner admin walk finds them by model)."""

import factory
from factory.django import DjangoModelFactory

from apps.tables.models import TableOrderSettings
from tests.factories import StoreFactory


class TableOrderSettingsFactory(DjangoModelFactory):
    class Meta:
        model = TableOrderSettings

    store = factory.SubFactory(StoreFactory)
