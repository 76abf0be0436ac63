"""Factories for discounts (products and categories are built directly: the catalog's own
factories belong to the catalog tests)."""

import factory
from factory.django import DjangoModelFactory

from apps.catalog.models import Category, Product
from apps.discounts.models import Coupon, Discount
from tests.factories import StoreFactory


def make_category(owner, name="커피", parent=None) -> Category:
    return Category.objects.create(owner=owner, name=name, parent=parent)


def make_product(owner, name="아메리카노", price=4_500, categories=()) -> Product:
    product = Product.objects.create(owner=owner, name=name, base_price=price)
    if categories:
        product.categories.set(categories)
    return product


class DiscountFactory(DjangoModelFactory):
    class Meta:
        model = Discount

    store = factory.SubFactory(StoreFactory)
    name = factory.Sequence(lambda n: f"할인{n}")
    scope = Discount.Scope.ORDER
    kind = Discount.Kind.PERCENT
    value = 10


class CouponFactory(DjangoModelFactory):
    class Meta:
        model = Coupon

    store = factory.SubFactory(StoreFactory)
    code = factory.Sequence(lambda n: f"CODE{n}")
    discount = factory.SubFactory(
        DiscountFactory, store=factory.SelfAttribute("..store"), kind="AMOUNT", value=1_000, coupon_only=True
    )
