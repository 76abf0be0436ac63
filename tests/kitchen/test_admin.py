"""The owner sets stations and kitchen settings up in the admin; broken input is a form error."""

import pytest

from apps.kitchen.models import KitchenSettings, Station

pytestmark = pytest.mark.django_db


def test_a_second_default_station_is_a_form_error_not_a_500(owner_client, store, drinks_category):
    Station.objects.create(store=store, name="주방", is_default=True)
    response = owner_client.post(
        "/admin/kitchen/station/add/",
        {"store": store.pk, "name": "음료", "is_default": "on", "sort_order": "1", "categories": [drinks_category.pk]},
    )
    assert response.status_code == 200 and response.context["adminform"].form.errors
    assert Station.objects.filter(store=store).count() == 1
    response = owner_client.post(
        "/admin/kitchen/station/add/",
        {"store": store.pk, "name": "음료", "sort_order": "1", "categories": [drinks_category.pk]},
    )
    assert response.status_code == 302
    assert list(Station.objects.get(name="음료").categories.all()) == [drinks_category]


def test_late_threshold_below_warning_is_a_form_error(owner_client, store):
    response = owner_client.post(
        "/admin/kitchen/kitchensettings/add/",
        {"store": store.pk, "warn_after_minutes": "20", "late_after_minutes": "10", "board_ready_minutes": "10"},
    )
    assert response.status_code == 200 and "late_after_minutes" in response.context["adminform"].form.errors
    assert not KitchenSettings.objects.exists()
