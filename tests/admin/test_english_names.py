"""The owner's admin in English names products, option groups, categories and payment methods by
their English names (the Korean one where there is none) and writes amounts as `₩4,500`; in Korean
it shows the Korean names and `4,500원`. The name stays the change page's link."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from apps.catalog.models import Category, OptionGroup
from apps.payments.models import PaymentMethod
from tests.catalog.factories import ProductFactory
from tests.factories import OwnerFactory, StoreFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(client):
    owner = OwnerFactory(email="owner.en@example.com")
    client.force_login(owner)
    return owner


def _link_texts(html: str, url: str) -> list[str]:
    """The texts of the links to `url` (the product's preview image links there too)."""
    return re.findall(rf'<a href="{re.escape(url)}[^"]*"[^>]*>([^<]*)</a>', html)


def test_product_names_and_prices_follow_the_admins_language(client, owner):
    latte = ProductFactory(owner=owner, name="카페라떼", name_en="Caffe Latte", base_price=4500)
    ProductFactory(owner=owner, name="유자차", name_en="", base_price=5000)  # no English name
    url = reverse("admin:catalog_product_changelist")
    latte_url = reverse("admin:catalog_product_change", args=[latte.pk])

    client.cookies["django_language"] = "en"
    english = client.get(url).content.decode()
    client.cookies["django_language"] = "ko"
    korean = client.get(url).content.decode()

    assert "Caffe Latte" in _link_texts(english, latte_url) and "유자차" in english
    assert "₩4,500" in english and "4,500원" not in english
    assert "카페라떼" in _link_texts(korean, latte_url) and "4,500원" in korean


@pytest.mark.parametrize(
    ("model", "make"),
    [
        (Category, lambda owner: Category.objects.create(owner=owner, name="커피", name_en="Coffee")),
        (OptionGroup, lambda owner: OptionGroup.objects.create(owner=owner, name="사이즈", name_en="Size")),
        (
            PaymentMethod,
            lambda owner: PaymentMethod.objects.create(
                store=StoreFactory(owner=owner), kind=PaymentMethod.Kind.CASH, name="현금", name_en="Cash"
            ),
        ),
    ],
)
def test_categories_option_groups_and_payment_methods_are_named_in_english(client, owner, model, make):
    obj = make(owner)
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    client.cookies["django_language"] = "en"
    html = client.get(url).content.decode()
    first_cell = re.search(r'<th class="field-name">(.*?)</th>|<td class="field-name">(.*?)</td>', html, re.DOTALL)
    assert first_cell, html[:2000]
    cell = first_cell.group(1) or first_cell.group(2)
    assert obj.name_en in cell and obj.name not in cell
