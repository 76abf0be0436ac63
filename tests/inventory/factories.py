import factory
from factory.django import DjangoModelFactory

from apps.inventory.models import StoreProduct
from tests.catalog.factories import ProductFactory
from tests.factories import StoreFactory


class StoreProductFactory(DjangoModelFactory):
    class Meta:
        model = StoreProduct

    store = factory.SubFactory(StoreFactory)
    product = factory.SubFactory(ProductFactory, owner=factory.SelfAttribute("..store.owner"))
