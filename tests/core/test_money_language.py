"""Amounts and names in the reader's language: `12,300원` in Korean, `₩12,300` in English, from one
place (apps/core/money.py::format_won and the builtin `won` / `localized` template filters)."""

from __future__ import annotations

from django.template import Context, Template
from django.utils import translation

from apps.core.money import KOREAN, format_won
from apps.core.templatetags.names import localized_name


def render(source: str, **context) -> str:
    return Template(source).render(Context(context))


def test_format_won_follows_the_active_language():
    with translation.override("ko"):
        assert format_won(12_300) == "12,300원"
        assert format_won(-500) == "-500원"
    with translation.override("en"):
        assert format_won(12_300) == "₩12,300"
        assert format_won(-500) == "-₩500"
        assert format_won(0) == "₩0"
        assert format_won(None) == ""


def test_format_won_in_a_fixed_language_ignores_the_active_one():
    # a printed Korean receipt or an export keeps the Korean form whoever is reading
    with translation.override("en"):
        assert format_won(12_300, KOREAN) == "12,300원"
    with translation.override("ko"):
        assert format_won(12_300, "en") == "₩12,300"


def test_the_builtin_won_filter_follows_the_active_language_without_a_load():
    with translation.override("ko"):
        assert render("{{ amount|won }}", amount=4_500) == "4,500원"
    with translation.override("en"):
        assert render("{{ amount|won }}", amount=4_500) == "₩4,500"


def test_the_kiosk_library_no_longer_shadows_won():
    # before: `{% load kiosk %}` replaced `won`, so only kiosk templates said ₩ in English
    with translation.override("en"):
        assert render("{% load kiosk %}{{ amount|won }}", amount=4_500) == "₩4,500"
    with translation.override("ko"):
        assert render("{% load kiosk %}{{ amount|won }}", amount=4_500) == "4,500원"


class Named:
    def __init__(self, name: str, name_en: str = "") -> None:
        self.name, self.name_en = name, name_en


class MenuItem:
    def __init__(self, listing: Named) -> None:
        self.listing = listing


def test_localized_is_the_english_name_in_english_mode_and_falls_back_to_korean():
    latte, tea = Named("카페라떼", "Caffe Latte"), Named("유자차")
    with translation.override("en"):
        assert render("{{ p|localized }} / {{ q|localized }}", p=latte, q=tea) == "Caffe Latte / 유자차"
    with translation.override("ko"):
        assert render("{{ p|localized }}", p=latte) == "카페라떼"


def test_localized_reads_menu_items_and_json_snapshots():
    given_line = {"name": "카페라떼", "name_en": "Caffe Latte"}
    given_option = {"name": "샷 추가", "price": 500}  # snapshot without an English name
    given_cart_json = {"name": "아메리카노", "nameEn": "Americano"}
    with translation.override("en"):
        assert localized_name(MenuItem(Named("아메리카노", "Americano"))) == "Americano"
        assert localized_name(given_line) == "Caffe Latte"
        assert localized_name(given_option) == "샷 추가"
        assert localized_name(given_cart_json) == "Americano"
        assert localized_name(None) == ""
    with translation.override("ko"):
        assert localized_name(given_line) == "카페라떼"
