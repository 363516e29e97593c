"""helpers.char_pieces: tokens lined up with the characters they hold bytes of (chapter 1)."""

from __future__ import annotations

import random

import pytest
from bad_inputs import check, params

from helpers.char_pieces import (
    Piece,
    bytes_label,
    cut_pieces,
    segment_words,
    spaced_label,
    tokens_per_character,
)


def random_split(raw: bytes, rng: random.Random) -> list[bytes]:
    cuts = sorted(rng.sample(range(1, len(raw)), rng.randint(0, len(raw) - 1)))
    return [raw[a:b] for a, b in zip([0, *cuts], [*cuts, len(raw)])]


def test_a_character_cut_in_two():
    pieces = cut_pieces("猫a坐", [b"\xe7\x8c", b"\xaba\xe5", b"\x9d\x90"])
    assert [p.chars for p in pieces] == ["猫", "猫a坐", "坐"]
    assert [p.whole for p in pieces] == [False, False, False]
    assert pieces[0].label == "⟨e7 8c⟩"
    assert tokens_per_character("猫a坐", [b"\xe7\x8c", b"\xaba\xe5", b"\x9d\x90"]) == [2, 1, 2]


def test_whole_pieces_are_text():
    assert cut_pieces("猫坐", ["猫坐".encode()]) == [Piece("猫坐".encode(), "猫坐", True, "猫坐")]
    assert tokens_per_character("猫坐", ["猫".encode(), "坐".encode()]) == [1, 1]
    assert bytes_label(b"\xf0\x9f") == "⟨f0 9f⟩" and bytes_label(b"ok") == "ok"


def test_against_a_byte_by_byte_count():
    rng = random.Random(0)
    for _ in range(200):
        text = "".join(rng.choice("ab 猫坐着é🙂") for _ in range(rng.randint(1, 8)))
        raw = text.encode()
        owner = [i for i, c in enumerate(text) for _ in c.encode()]  # byte -> its character
        pieces = random_split(raw, rng)
        counts, pos = [0] * len(text), 0
        for p in pieces:
            for i in sorted({owner[b] for b in range(pos, pos + len(p))}):
                counts[i] += 1
            pos += len(p)
        assert tokens_per_character(text, pieces) == counts
        cut = cut_pieces(text, pieces)
        assert b"".join(p.raw for p in cut) == raw
        for p in cut:
            try:
                p.raw.decode()
                assert p.whole and p.label == p.chars
            except UnicodeDecodeError:
                assert not p.whole and p.label.startswith("⟨")


CASES = [
    ("text-not-str", lambda: cut_pieces(b"x", [b"x"]), TypeError, "text"),
    ("pieces-bytes", lambda: cut_pieces("x", b"x"), TypeError, "pieces"),
    ("pieces-str-items", lambda: cut_pieces("x", ["x"]), TypeError, "pieces[0]"),
    ("pieces-empty-item", lambda: cut_pieces("x", [b"", b"x"]), TypeError, "pieces[0]"),
    ("pieces-wrong-bytes", lambda: cut_pieces("猫", [b"\xe7\x8c"]), ValueError, "pieces"),
    ("count-wrong-bytes", lambda: tokens_per_character("ab", [b"a", b"c"]), ValueError, "pieces"),
    ("count-not-list", lambda: tokens_per_character("ab", 3), TypeError, "pieces"),
    ("label-not-bytes", lambda: bytes_label("x"), TypeError, "raw"),
    ("spaced-not-bytes", lambda: spaced_label(" x"), TypeError, "raw"),
]


def test_spaced_label_marks_spaces_only_in_text():
    assert spaced_label(b" cat") == "\u2423cat" and spaced_label(b"cat") == "cat"
    assert spaced_label(b"a b") == "a\u2423b"
    assert spaced_label("猫".encode()[:2]) == "⟨e7 8c⟩"  # hex: its spaces separate bytes
    assert spaced_label(" ⟨x⟩".encode()) == "\u2423⟨x⟩"


@params(CASES)
def test_bad_inputs(case):
    check(case)


def test_empty_text_has_no_pieces():
    assert cut_pieces("", []) == [] and tokens_per_character("", []) == []


@pytest.mark.parametrize("text", ["猫坐着。", "The cat sat"])
def test_one_piece_per_byte(text):
    pieces = [bytes([b]) for b in text.encode()]
    assert tokens_per_character(text, pieces) == [len(c.encode()) for c in text]


def test_segment_words_cuts_like_jieba_and_keeps_every_character():
    jieba = pytest.importorskip("jieba")
    text = "猫昨天在垫子上坐着"
    words = segment_words(text)
    assert "".join(words) == text and words == jieba.lcut(text)
    assert "昨天" in words and "垫子" in words
    assert segment_words("") == []


def test_segment_words_rejects_a_non_string():
    with pytest.raises(TypeError, match=r"text must be a str, got"):
        segment_words(["猫"])
