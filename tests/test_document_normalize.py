"""Normalisation for matching and its map back to original offsets."""

from __future__ import annotations

from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.inputs.document.normalize import fold_char, normalize


def _mapped(text: str) -> list[tuple[str, str]]:
    n = normalize(text)
    return [(c, text[n.offsets.to_original(i)]) for i, c in enumerate(n.text)]


def test_width_forms_traditional_spacing_and_pinyin() -> None:
    n = normalize("協(xié)議（甲方）：１２　　萬元\r\nＡ")
    assert n.text == "协议(甲方):12 万元\nA"
    assert [n.offsets.to_original(i) for i in range(len(n.text))] == [
        0, 6, 7, 8, 9, 10, 11, 12, 13, 14, 16, 17, 19, 20,
    ]  # fmt: skip


def test_lone_carriage_return_ends_a_line() -> None:
    assert normalize("a\rb\r\nc").text == "a\nb\nc"


def test_pinyin_needs_a_tone_mark_to_be_dropped() -> None:
    assert normalize("搜索引擎優化(SEO)(a)(de)").text == "搜索引擎优化(SEO)(a)(de)"


def test_offsets_of_the_end() -> None:
    n = normalize("甲  乙")
    assert n.text == "甲 乙"
    assert n.offsets.to_original(len(n.text)) == 4


_ALPHABET = st.sampled_from(
    [
        *"協議萬乾隆著於後髮臺甲乙（）：１２Ａ＿【】abcXé ",
        *("\u3000", "\t", "\r", "\n", "\u200b", "(xié)", "(hù)", "  "),
    ]
)


@settings(max_examples=examples(3), deadline=None)
@given(st.lists(_ALPHABET, max_size=40).map("".join))
def test_every_normalised_character_maps_to_an_original_one_that_normalises_to_it(
    text: str,
) -> None:
    n = normalize(text)
    previous = -1
    for i, c in enumerate(n.text):
        j = n.offsets.to_original(i)
        assert 0 <= j < len(text)
        assert j > previous  # order is kept
        previous = j
        assert fold_char(text[j]) == c
