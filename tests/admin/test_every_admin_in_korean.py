"""Every admin the owner may open renders for an owner with data, and speaks Korean: the app
section, the model name, every column header, filter title, form field and read-only field label
and every inline column. The admins are read from `admin.site._registry` (as in the 404 walk), so a
model registered tomorrow is walked too."""

from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.contrib.admin.templatetags.admin_list import result_headers
from django.contrib.admin.utils import quote
from django.urls import reverse

from apps.stores.admin_labels import is_money
from tests.admin.test_cross_owner_404 import _owned_by
from tests.factories import OwnerFactory

pytestmark = pytest.mark.django_db

HANGUL = re.compile("[가-힣]")
REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)
# Column headers that are Korean for a reason of their own (the action checkbox has none).
NO_TEXT = {""}


def _korean(text) -> bool:
    return bool(HANGUL.search(str(text)))


@pytest.fixture
def owner(client):
    owner = OwnerFactory(email="owner.ko@example.com")
    client.force_login(owner)
    client.cookies["django_language"] = "ko"
    return owner


def _visible_to_owner(model, owner) -> bool:
    opts = model._meta
    return owner.has_perm(f"{opts.app_label}.view_{opts.model_name}") or owner.has_perm(
        f"{opts.app_label}.change_{opts.model_name}"
    )


def _untranslated_on_changelist(response) -> list[str]:
    cl = response.context["cl"]
    headers = [str(h["text"]) for h in result_headers(cl)]
    bad = [f"column {text!r}" for text in headers if text not in NO_TEXT and not _korean(text)]
    bad += [f"filter {spec.title!r}" for spec in cl.filter_specs if not _korean(spec.title)]
    return bad


def _untranslated_on_change_page(response) -> list[str]:
    bad = []
    for fieldset in response.context["adminform"]:
        for line in fieldset:
            for field in line:
                label = field.field["label"] if field.is_readonly else field.field.label
                if not _korean(label):
                    bad.append(f"field {label!r}")
    for inline in response.context["inline_admin_formsets"]:
        if not _korean(inline.opts.verbose_name_plural):
            bad.append(f"inline {inline.opts.verbose_name_plural!r}")
        for column in inline.fields():
            if getattr(column.get("widget"), "is_hidden", False):
                continue
            if not _korean(column["label"]):
                bad.append(f"inline column {column['label']!r}")
    return bad


@pytest.mark.parametrize("model", REGISTERED, ids=[model._meta.label for model in REGISTERED])
def test_every_admin_renders_for_an_owner_with_data_and_speaks_korean(client, owner, model):
    if not _visible_to_owner(model, owner):
        pytest.skip(f"{model._meta.label} is not part of the owner's admin")
    # given one row of the model that belongs to the owner
    obj = _owned_by(model, owner)
    opts = model._meta

    # when the owner opens the change list and the row's page
    changelist = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    change = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[quote(obj.pk)]))

    # then both render, with the row on the list
    assert changelist.status_code == 200, changelist.status_code
    assert change.status_code == 200, change.status_code
    assert changelist.context["cl"].result_count >= 1

    # and the app section, the model and every label are Korean
    bad = []
    if not _korean(opts.app_config.verbose_name):
        bad.append(f"app {opts.app_config.verbose_name!r}")
    if not _korean(opts.verbose_name_plural):
        bad.append(f"model {opts.verbose_name_plural!r}")
    bad += _untranslated_on_changelist(changelist) + _untranslated_on_change_page(change)
    assert not bad, f"{opts.label}: untranslated in Korean mode: {bad}"
    # and no object is shown by its Python name ("ProductOptionGroup object (46)")
    assert " object (" not in change.content.decode()


def test_the_header_is_cloudpos_with_a_language_switch(client, owner):
    response = client.get(reverse("admin:index"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "CloudPOS" in html and "Django 관리" not in html and "Django administration" not in html
    assert reverse("set_language") in html and 'value="en"' in html and 'value="ko"' in html


def test_the_app_sections_on_the_home_are_korean(client, owner):
    response = client.get(reverse("admin:index"))
    names = [app["name"] for app in response.context["app_list"]]
    assert names, "the owner sees no app on the home"
    assert all(_korean(name) for name in names), names


CELL = re.compile(r'<t[dh] class="field-(\w+)[^"]*">(.*?)</t[dh]>', re.S)
TAG = re.compile(r"<[^>]+>")


def _money_names(model) -> set[str]:
    return {field.name for field in model._meta.concrete_fields if is_money(field)}


@pytest.mark.parametrize("model", REGISTERED, ids=[model._meta.label for model in REGISTERED])
def test_every_amount_on_every_admin_is_shown_in_won(client, owner, model):
    if not _visible_to_owner(model, owner):
        pytest.skip(f"{model._meta.label} is not part of the owner's admin")
    obj = _owned_by(model, owner)
    opts = model._meta
    changelist = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")).content.decode()
    change = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[quote(obj.pk)]))
    money = _money_names(model)
    # the list: every amount column reads "12,300원" (an editable price is an input, left alone)
    raw = [
        (name, text)
        for name, cell in CELL.findall(changelist)
        if name in money and "<input" not in cell
        for text in [TAG.sub("", cell).strip()]
        if text and not text.endswith("원")
    ]
    # the object's page: every amount shown read-only, inlines included
    for fieldset in change.context["adminform"]:
        for line in fieldset:
            for field in line:
                if field.is_readonly and field.field["name"] in money:
                    text = str(field.contents()).strip()
                    if text and text != "-" and not text.endswith("원"):
                        raw.append((field.field["name"], text))
    for inline in change.context["inline_admin_formsets"]:
        inline_money = _money_names(inline.opts.model)
        for inline_form in inline:
            for fieldset in inline_form:
                for line in fieldset:
                    for field in line:
                        if field.is_readonly and field.field["name"] in inline_money:
                            text = str(field.contents()).strip()
                            if text and text != "-" and not text.endswith("원"):
                                raw.append((field.field["name"], text))
    assert not raw, f"{opts.label}: amounts not in won: {raw}"


def test_the_language_switch_in_the_header_turns_the_admin_english(client, owner):
    # when the owner presses "English" in the admin's header
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("admin:index")})
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")
    # then the admin speaks English (Django's own words at least; ours come from locale/en)
    html = client.get(reverse("admin:index")).content.decode()
    assert '<html lang="en"' in html and "Log out" in html
    # and back to Korean
    client.post(reverse("set_language"), {"language": "ko", "next": reverse("admin:index")})
    assert '<html lang="ko"' in client.get(reverse("admin:index")).content.decode()
