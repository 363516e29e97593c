"""WordPiece and Unigram encoding, byte fallback and streaming UTF-8 decoding, against references:
the ``tokenizers`` library and Python's incremental UTF-8 decoder."""

import codecs
import random

import pytest

from helpers import bpe, corpus


@pytest.fixture(scope="module")
def texts():
    return corpus.bpe_corpus(n_pairs=100, seed=1, prose_bytes=20_000)


HELD = [
    "The cat sat on the mat.",
    "unbelievably readable  code, isn't it?",
    "猫在垫子上坐着",
    "The zebra 斑马 🦓 sat",
    "naïve café x² — ½",
    "",
    "   ",
]


def held(texts):
    rng = random.Random(0)
    return HELD + rng.sample(texts, 40)


def test_wordpiece_equals_library(texts):
    hf = bpe.hf_wordpiece_tokenizer(texts, 600)
    vocab = hf.get_vocab()
    for s in held(texts):
        words = [w for w, _ in hf.pre_tokenizer.pre_tokenize_str(s)]
        ours = [t for w in words for t in bpe.wordpiece_word(w, vocab)]
        assert ours == hf.encode(s).tokens, s


def test_wordpiece_unknown_part_makes_the_whole_word_unknown():
    vocab = {"cat", "##s", "s"}
    assert bpe.wordpiece_word("cats", vocab) == ["cat", "##s"]
    assert bpe.wordpiece_word("catz", vocab) == ["[UNK]"]
    assert bpe.wordpiece_word("c" * 101, vocab | {"c", "##c"}) == ["[UNK]"]


def test_metaspace_equals_library(texts):
    hf = bpe.hf_unigram_tokenizer(texts[:50], 300)
    for s in held(texts) + ["a  b", " lead", "trail "]:
        assert bpe.metaspace(s) == [w for w, _ in hf.pre_tokenizer.pre_tokenize_str(s)], s


def test_unigram_viterbi_equals_library(texts):
    hf = bpe.hf_unigram_tokenizer(texts, 500)
    scores = bpe.unigram_scores(hf)
    ids = {piece: i for i, piece in enumerate(scores)}
    for s in held(texts):
        ours = [t for w in bpe.metaspace(s) for t in bpe.unigram_word(w, scores)]
        assert [ids[t] for t in ours] == hf.encode(s).ids, s


def test_unigram_picks_the_most_probable_cut():
    scores = {"<unk>": 0.0, "a": -1.0, "b": -1.0, "ab": -3.0, "abc": -2.5, "c": -1.0}
    assert bpe.unigram_word("ab", scores) == ["a", "b"]  # -2 beats -3
    assert bpe.unigram_word("abc", scores) == ["abc"]  # -2.5 beats -3
    assert bpe.unigram_word("axxb", scores) == ["a", "<unk>", "b"]  # unknown neighbours fused


def test_byte_fallback_equals_library(texts):
    english = [t for t in texts if t.isascii()]
    hf = bpe.with_byte_fallback(bpe.hf_unigram_tokenizer(english, 400))
    scores = bpe.unigram_scores(hf)
    for s in held(texts):
        ours = [t for w in bpe.metaspace(s) for t in bpe.unigram_word(w, scores, byte_fallback=True)]
        assert ours == hf.encode(s).tokens, s
        assert "<unk>" not in ours


@pytest.mark.parametrize("lead,n", [(0x41, 1), (0xC3, 2), (0xE7, 3), (0xF0, 4), (0x8C, 0), (0xFF, 0)])
def test_utf8_length(lead, n):
    assert bpe.utf8_length(lead) == n


def test_stream_decoder_equals_incremental_decoder():
    rng = random.Random(0)
    alphabet = "ab 猫坐着é²🦓\n" + "".join(chr(rng.randrange(0x20, 0x2FFFF)) for _ in range(200))
    alphabet = "".join(c for c in alphabet if not 0xD800 <= ord(c) <= 0xDFFF)
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 30)))
        data = text.encode("utf-8")
        cuts = sorted(rng.sample(range(len(data) + 1), min(len(data) + 1, rng.randrange(0, 8))))
        chunks = [data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)])]
        ours, ref = bpe.StreamDecoder(), codecs.getincrementaldecoder("utf-8")()
        for chunk in chunks:
            assert ours.feed(chunk) == ref.decode(chunk)
        assert ours.finish() == ref.decode(b"", final=True) == ""


def test_stream_decoder_holds_back_partial_character():
    d = bpe.StreamDecoder()
    assert d.feed(b"\xe7") == "" and d.feed(b"\x8c") == "" and d.feed(b"\xab!") == "猫!"
    assert d.feed(b"\xe7") == "" and d.finish() == "\ufffd"


def test_display_width_and_pad():
    assert bpe.display_width("猫 cat") == 6
    assert bpe.display_width("café") == 4 == bpe.display_width("cafe\u0301")
    assert bpe.pad("猫", 4) == "猫  " and bpe.pad("cat", 2) == "cat"
