"""Django's and allauth's own Korean put a particle after a name they cannot know ("보기위한 1주문
를(을) 선택", "데모 점주 으로 로그인 되었습니다", "뷰 재고 이동"); locale/ko overrides them with
wording that needs no particle after the name."""

from __future__ import annotations

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from tests.factories import OwnerFactory, StoreFactory
from tests.settlement import factories as fx

pytestmark = pytest.mark.django_db

# A particle written for both cases, or one glued to a name with a space before it.
BROKEN = re.compile(r"을\(를\)|를\(을\)|\(으\)로|을/를|이/가|이\(가\)|은\(는\)| 으로 로그인|보기위한|뷰 ")


@pytest.fixture
def owner(client):
    owner = OwnerFactory(email="demo@example.com", name="데모 점주")
    client.force_login(owner)
    client.cookies["django_language"] = "ko"
    return owner


def test_the_view_only_order_list_says_which_orders_to_view_without_a_double_particle(client, owner):
    store = StoreFactory(owner=owner)
    fx.sale(store, fx_now(), [(fx.product(store), 1, 4500, 0)])
    html = client.get(reverse("admin:orders_order_changelist")).content.decode()
    assert "볼 주문 선택" in html
    assert not BROKEN.search(html), BROKEN.search(html)


def test_a_view_only_page_is_titled_with_the_name_first(client, owner):
    store = StoreFactory(owner=owner)
    order = fx.sale(store, fx_now(), [(fx.product(store), 1, 4500, 0)])
    html = client.get(reverse("admin:orders_order_change", args=[order.pk])).content.decode()
    assert "주문 보기" in html
    assert not BROKEN.search(html), BROKEN.search(html)


def test_the_sign_in_message_names_the_owner_without_a_particle(client):
    owner = OwnerFactory(email="demo@example.com", name="데모 점주")
    StoreFactory(owner=owner)
    client.cookies["django_language"] = "ko"
    response = client.post(reverse("account_login"), {"login": "demo@example.com", "password": "pass-word-1234"})
    texts = [str(message) for message in get_messages(response.wsgi_request)]
    assert any("로그인했습니다" in text for text in texts), texts
    assert not any(BROKEN.search(text) for text in texts), texts


def test_the_delete_action_and_the_filters_read_naturally(client, owner):
    fx.product(StoreFactory(owner=owner))
    html = client.get(reverse("admin:catalog_product_changelist")).content.decode()
    assert "선택한 상품 삭제" in html
    assert not BROKEN.search(html), BROKEN.search(html)


def fx_now():
    from django.utils import timezone

    return timezone.now()
