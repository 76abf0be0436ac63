"""Catalog factories and image helpers for tests."""

import io

import factory
from factory.django import DjangoModelFactory
from PIL import Image

from apps.catalog.models import Category, Option, OptionGroup, Product, ProductOptionGroup
from tests.factories import OwnerFactory


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = Category

    owner = factory.SubFactory(OwnerFactory)
    name = factory.Sequence(lambda n: f"카테고리{n}")


class OptionGroupFactory(DjangoModelFactory):
    class Meta:
        model = OptionGroup

    owner = factory.SubFactory(OwnerFactory)
    name = factory.Sequence(lambda n: f"옵션그룹{n}")
    min_choices = 0
    max_choices = 1
    required = False


class OptionFactory(DjangoModelFactory):
    class Meta:
        model = Option

    group = factory.SubFactory(OptionGroupFactory)
    name = factory.Sequence(lambda n: f"옵션{n}")
    price_delta = 0


class ProductFactory(DjangoModelFactory):
    class Meta:
        model = Product
        skip_postgeneration_save = True

    owner = factory.SubFactory(OwnerFactory)
    name = factory.Sequence(lambda n: f"상품{n}")
    base_price = 4500

    @factory.post_generation
    def option_groups(obj, create, extracted, **kwargs):
        if create and extracted:
            for index, group in enumerate(extracted):
                ProductOptionGroup.objects.create(product=obj, group=group, sort_order=index)


def image_bytes(fmt: str = "PNG", size=(64, 48), color=(200, 120, 40), mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, color).save(buffer, fmt)
    return buffer.getvalue()
