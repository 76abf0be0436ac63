"""A changelist action POST naming ids that are not ids (a NUL, a word) selects nothing on every
registered admin: a warning, never a 500. The admins are read from the registry, as in the 404 walk."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

pytestmark = pytest.mark.django_db

REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)


@pytest.mark.parametrize("model", REGISTERED, ids=[model._meta.label for model in REGISTERED])
@pytest.mark.parametrize("hostile", ["\x00", "1\x00", "abc", "1 OR 1=1", "９"])
def test_an_action_on_ids_that_are_not_ids_selects_nothing(admin_client, model, hostile):
    # given any registered admin with its actions, and a selection that is not an id of the model
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    model_admin = admin.site._registry[model]
    actions = list(model_admin.get_actions(admin_client.get(url).wsgi_request))
    action = "delete_selected" if "delete_selected" in actions else (actions[0] if actions else "delete_selected")
    before = model._default_manager.count()
    # when an action is posted on it
    response = admin_client.post(url, {"action": action, "index": 0, "_selected_action": [hostile]})
    # then the owner sees the change list again, and nothing was touched
    assert response.status_code in (200, 302), response.status_code
    assert model._default_manager.count() == before
