"""Korean particles chosen by the word they follow, for text built from a name: 을/를, 이/가, 은/는,
과/와, 으로/로. "아메리카노를", "라떼를", "케이크를", "빵을", "'홀 3'으로", "'음료'로" (ㄹ takes 로).

Never "을(를)". `with_particle` attaches the particle only while Korean is the active language: an
English message takes the bare name (its msgstr has no particle to fill), so one msgid serves both.
"""

from __future__ import annotations

from django.utils.translation import get_language

# (after a final consonant, after a vowel)
PAIRS: dict[str, tuple[str, str]] = {
    "을/를": ("을", "를"),
    "이/가": ("이", "가"),
    "은/는": ("은", "는"),
    "과/와": ("과", "와"),
    "으로/로": ("으로", "로"),
}
_HANGUL_FIRST, _HANGUL_LAST = 0xAC00, 0xD7A3
_RIEUL = 8  # the final-consonant index of ㄹ in a Hangul syllable
# How a trailing digit or Latin letter is read aloud in Korean: its final consonant, if any.
_DIGIT_FINAL = {"0": "ㅇ", "1": "ㄹ", "2": "", "3": "ㅁ", "4": "", "5": "", "6": "ㄱ", "7": "ㄹ", "8": "ㄹ", "9": ""}
_LATIN_FINAL = {"l": "ㄹ", "r": "ㄹ", "m": "ㅁ", "n": "ㄴ"}


def _final(word: str) -> str:
    """The final consonant of the word's last sounded character ("" for a vowel), skipping
    trailing quotes, brackets and spaces; "" when there is nothing to read."""
    for char in reversed(word):
        if _HANGUL_FIRST <= ord(char) <= _HANGUL_LAST:
            index = (ord(char) - _HANGUL_FIRST) % 28
            return "" if index == 0 else ("ㄹ" if index == _RIEUL else "ㅂ")  # any other final
        if char.isascii() and char.isdigit():
            return _DIGIT_FINAL[char]
        if char.isascii() and char.isalpha():
            return _LATIN_FINAL.get(char.lower(), "")
    return ""


def particle(word: str, pair: str) -> str:
    """The particle of `pair` ("을/를", "이/가", "은/는", "과/와", "으로/로") that follows `word`."""
    with_final, without_final = PAIRS[pair]
    final = _final(word)
    if pair == "으로/로":
        return without_final if final in ("", "ㄹ") else with_final
    return with_final if final else without_final


def with_particle(word: str, pair: str) -> str:
    """`word` followed by its particle while Korean is active; `word` alone otherwise."""
    if not (get_language() or "ko").startswith("ko"):
        return word
    return f"{word}{particle(word, pair)}"
