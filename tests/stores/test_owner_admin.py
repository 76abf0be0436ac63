"""Owner-scoped admin: owner B never sees, edits or picks owner A's stores, staff or devices."""

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from apps.stores import services
from apps.stores.models import Device, StoreMember
from tests.factories import DeviceFactory, StoreFactory, StoreMemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop_a():
    store = StoreFactory(name="A카페")
    return {
        "owner": store.owner,
        "store": store,
        "member": StoreMemberFactory(store=store, display_name="A직원", pin="1111"),
        "device": DeviceFactory(store=store, name="A포스"),
    }


@pytest.fixture
def shop_b():
    store = StoreFactory(name="B식당")
    return {
        "owner": store.owner,
        "store": store,
        "member": StoreMemberFactory(store=store, display_name="B직원", pin="2222"),
        "device": DeviceFactory(store=store, name="B포스"),
    }


@pytest.mark.parametrize("kind", ["store", "member", "device"])
@pytest.mark.parametrize("page", ["change", "delete", "history"])
def test_another_owners_object_is_a_404(client, shop_a, shop_b, kind, page):
    client.force_login(shop_b["owner"])
    obj = shop_a[kind]
    url = reverse(f"admin:stores_{obj._meta.model_name}_{page}", args=[obj.pk])
    assert client.get(url).status_code == 404
    # and their own is there
    own = shop_b[kind]
    assert client.get(reverse(f"admin:stores_{own._meta.model_name}_{page}", args=[own.pk])).status_code == 200


def test_posting_to_another_owners_change_page_changes_nothing(client, shop_a, shop_b):
    client.force_login(shop_b["owner"])
    url = reverse("admin:stores_storemember_change", args=[shop_a["member"].pk])
    response = client.post(url, {"store": shop_a["store"].pk, "display_name": "탈취", "role": "MANAGER"})
    assert response.status_code == 404
    shop_a["member"].refresh_from_db()
    assert shop_a["member"].display_name == "A직원"


@pytest.mark.parametrize("model", ["store", "storemember", "device"])
def test_change_lists_show_only_the_owners_rows(client, shop_a, shop_b, model, django_assert_max_num_queries):
    client.force_login(shop_b["owner"])
    with django_assert_max_num_queries(12):
        page = client.get(reverse(f"admin:stores_{model}_changelist"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "B" in html
    # not in the rows, and not in the sidebar filters either
    for name in ("A카페", "A직원", "A포스"):
        assert name not in html


def test_foreign_key_choices_offer_only_the_owners_stores(client, shop_a, shop_b):
    client.force_login(shop_b["owner"])
    for model in ("storemember", "device"):
        form = client.get(reverse(f"admin:stores_{model}_add")).context["adminform"].form
        assert list(form.fields["store"].queryset) == [shop_b["store"]]


def test_choosing_another_owners_store_by_id_is_refused(client, shop_a, shop_b):
    client.force_login(shop_b["owner"])
    response = client.post(
        reverse("admin:stores_device_add"), {"store": shop_a["store"].pk, "kind": "POS", "name": "침입"}
    )
    assert response.status_code == 200
    assert "store" in response.context["adminform"].form.errors
    assert not Device.objects.filter(name="침입").exists()


def test_superuser_sees_every_store(admin_client, shop_a, shop_b):
    html = admin_client.get(reverse("admin:stores_store_changelist")).content.decode()
    assert "A카페" in html and "B식당" in html


def test_owner_creates_a_store_in_the_admin_as_its_owner(client, shop_b):
    client.force_login(shop_b["owner"])
    response = client.post(
        reverse("admin:stores_store_add"),
        {
            "name": "B식당 2호점",
            "business_number": "124-81-00998",
            "timezone": "Asia/Seoul",
            "cutoff_hour": 4,
            "settlement_day": 1,
            "manual_discount_limit_percent": 10,
            "manual_discount_limit_amount": 5000,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert shop_b["owner"].stores.filter(name="B식당 2호점").exists()


def test_owner_adds_staff_with_a_pin_that_works_at_the_counter(client, shop_b):
    client.force_login(shop_b["owner"])
    url = reverse("admin:stores_storemember_add")
    data = {"store": shop_b["store"].pk, "display_name": "신입", "role": "CASHIER", "is_active": "on"}

    missing = client.post(url, data)
    assert "pin" in missing.context["adminform"].form.errors
    taken = client.post(url, {**data, "pin": "2222"})  # B직원's PIN
    assert "pin" in taken.context["adminform"].form.errors
    bad = client.post(url, {**data, "pin": "12a4"})
    assert "pin" in bad.context["adminform"].form.errors

    assert client.post(url, {**data, "pin": "4321"}).status_code == 302
    member = StoreMember.objects.get(display_name="신입")
    assert "4321" not in member.pin_digest
    assert services.member_authenticate(shop_b["store"], "4321", throttle_key="t") == member


def test_editing_staff_without_a_pin_keeps_the_old_one(client, shop_b):
    client.force_login(shop_b["owner"])
    member = shop_b["member"]
    url = reverse("admin:stores_storemember_change", args=[member.pk])
    response = client.post(url, {"store": shop_b["store"].pk, "display_name": "B직원(수정)", "role": "MANAGER"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.display_name, member.role, member.is_active) == ("B직원(수정)", "MANAGER", False)
    assert member.pin_digest == services.pin_digest(shop_b["store"], "2222")


def test_adding_a_device_shows_its_one_time_pairing_code_that_pairs(client, shop_b):
    client.force_login(shop_b["owner"])
    response = client.post(
        reverse("admin:stores_device_add"), {"store": shop_b["store"].pk, "kind": "KIOSK", "name": "입구"}
    )
    assert response.status_code == 302
    text = " ".join(str(m) for m in get_messages(response.wsgi_request))
    code = re.search(r"\b(\d{6})\b", text).group(1)
    device = Device.objects.get(name="입구")
    assert code not in device.pairing_code_digest  # only a digest is stored
    paired, _token = services.device_pair(code, client_address="kiosk")
    assert paired == device


def test_revoke_action_unpairs_only_the_owners_devices(client, shop_a, shop_b):
    client.force_login(shop_b["owner"])
    response = client.post(
        reverse("admin:stores_device_changelist"),
        {"action": "revoke", "_selected_action": [shop_b["device"].pk, shop_a["device"].pk]},
    )
    assert response.status_code == 302
    shop_a["device"].refresh_from_db()
    shop_b["device"].refresh_from_db()
    assert shop_b["device"].revoked_at is not None and not shop_b["device"].is_paired
    assert shop_a["device"].revoked_at is None and shop_a["device"].is_paired


def test_owners_group_grants_store_permissions_but_not_users(shop_b):
    owner = shop_b["owner"]
    for perm in ("stores.view_store", "stores.add_storemember", "stores.delete_device"):
        assert owner.has_perm(perm)
    assert not owner.has_perm("accounts.view_user")
    assert not owner.has_perm("auth.change_group")
