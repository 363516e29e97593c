"""``bpe.words.crosses_words``: whitespace between two other bytes, not a word's own space."""

import pytest

from helpers.bpe.words import crosses_words


@pytest.mark.parametrize(
    "raw",
    [b"e ", b" the", b"the ", b" the ", b", ", b"ing\n", b" \n", b"\t", b"cat", "猫 ".encode()],
)
def test_a_word_with_its_own_space_does_not_cross(raw):
    assert not crosses_words(raw)


@pytest.mark.parametrize(
    "raw",
    [b"of the", b" of the ", b"t c", b"a\tb", b"a\nb", b"end.\n\nThe", "猫 坐".encode()],
)
def test_whitespace_between_two_words_crosses(raw):
    assert crosses_words(raw)


def test_bad_input_names_the_argument():
    with pytest.raises(TypeError, match="raw must be bytes"):
        crosses_words("of the")
