"""Particles follow the word's last syllable (ㄹ takes 로), never "을(를)"."""

import pytest
from django.template import Context, Template
from django.utils import translation

from apps.core.korean import particle, with_particle


@pytest.mark.parametrize(
    ("word", "pair", "expected"),
    [
        ("아메리카노", "을/를", "를"),
        ("빵", "을/를", "을"),
        ("케이크", "이/가", "가"),
        ("샷", "이/가", "이"),
        ("라떼", "은/는", "는"),
        ("쿠키 세트", "은/는", "는"),
        ("우유", "과/와", "와"),
        ("빙수", "으로/로", "로"),
        ("음료", "으로/로", "로"),
        ("홀", "으로/로", "로"),  # ㄹ takes 로
        ("주방", "으로/로", "으로"),
        ("'홀 3'", "으로/로", "으로"),  # 삼: ㅁ, after the quote
        ("'테이블 2'", "을/를", "를"),  # 이: a vowel
        ("T1", "으로/로", "로"),  # 일: ㄹ
        ("Latte", "을/를", "를"),
        ("Cold brew", "을/를", "를"),
        ("Bagel", "으로/로", "로"),
        ("", "을/를", "를"),
    ],
)
def test_the_particle_follows_the_last_sounded_character(word, pair, expected):
    assert particle(word, pair) == expected


def test_with_particle_only_while_korean_is_active():
    with translation.override("ko"):
        assert with_particle("카페라떼", "을/를") == "카페라떼를"
        assert Template('{% load korean %}{{ n|with_particle:"으로/로" }}').render(Context({"n": "홀"})) == "홀로"
    with translation.override("en"):
        assert with_particle("카페라떼", "을/를") == "카페라떼"
