"""The from-scratch byte-level BPE, checked against the Hugging Face tokenizers library."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import bpe, corpus


@pytest.fixture(scope="module")
def texts():
    return corpus.bpe_corpus(n_pairs=150, seed=1, prose_bytes=15_000)


@pytest.fixture(scope="module")
def tok(texts):
    return bpe.BPETokenizer.train(texts, vocab_size=256 + 300 + 4)


def test_pair_counts_and_merge():
    assert bpe.get_pair_counts([1, 2, 3, 1, 2]) == {(1, 2): 2, (2, 3): 1, (3, 1): 1}
    assert bpe.merge([1, 2, 3, 1, 2], (1, 2), 9) == [9, 3, 9]
    assert bpe.merge([7, 7, 7], (7, 7), 8) == [8, 7]  # left to right, no overlap


def test_merges_equal_tokenizers_library(tok, texts):
    hf = bpe.hf_reference_tokenizer(texts, 300)
    assert bpe.hf_merges_as_ids(hf) == tok.merges


@pytest.mark.parametrize(
    "items",
    [
        ["aaaa", "aaab", "abab ab ab"],  # repeated letters and ties everywhere
        ["hello world", "hello there", "world wide web", "  spaces  "],
        ["猫坐着", "猫在垫子上坐着", "狗 跑步", "猫猫猫"],
        ["x"] * 5 + ["xy", "yx", "xyxyxy"],
    ],
)
def test_tie_breaking_equals_tokenizers_library(items):
    n = 20
    ours = bpe.train_merges(items, n)
    theirs = bpe.hf_merges_as_ids(bpe.hf_reference_tokenizer(items, n))
    assert ours == theirs[: len(ours)] and len(ours) == len(theirs)


def test_encode_equals_tokenizers_library(tok, texts):
    hf = bpe.hf_reference_tokenizer(texts, 300)
    char = bpe.bytes_to_unicode()
    to_ours = {hf.token_to_id("".join(char[b] for b in tok.token_bytes(i))): i for i in range(256 + 300)}
    for s in ["The cat sat on the mat", "猫在垫子上坐着", "Errors should never pass silently.", "zebra 🦓"]:
        assert [to_ours[i] for i in hf.encode(s).ids] == tok.encode(s)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_round_trip_any_unicode(tok, s):
    assert tok.decode(tok.encode(s)) == s


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=10), st.sampled_from(bpe.SPECIAL_TOKENS)), max_size=6))
def test_round_trip_with_special_tokens(tok, parts):
    s = "".join(parts)
    assert tok.decode(tok.encode(s, allowed_special=True)) == s


def test_special_tokens(tok):
    eos = tok.token_to_id("<eos>")
    assert eos == 256 + 300 + 1
    assert tok.encode("猫<eos>", allowed_special=True)[-1] == eos
    assert eos not in tok.encode("猫<eos>")
    assert tok.vocab_size == 256 + 300 + 4


def test_truncated_equals_training_fewer_merges(texts, tok):
    assert bpe.BPETokenizer.train(texts, 256 + 40 + 4).merges == tok.truncated(40).merges


def test_training_stops_when_no_pairs_left():
    assert bpe.train_merges(["aaaa"], 100) == [(97, 97), (256, 256)]


def test_save_load_round_trip(tok, tmp_path):
    path = tmp_path / "tok.json"
    tok.save(path)
    again = bpe.BPETokenizer.load(path)
    assert again.merges == tok.merges and again.special_tokens == tok.special_tokens
    assert again.encode("猫 坐着") == tok.encode("猫 坐着")


# ---------------------------------------------------------------- bad input
def test_empty_corpus_rejected():
    with pytest.raises(ValueError, match="empty corpus"):
        bpe.BPETokenizer.train([], 300)
    with pytest.raises(ValueError, match="empty corpus"):
        bpe.BPETokenizer.train(["", ""], 300)


def test_str_instead_of_list_rejected():
    with pytest.raises(TypeError, match="iterable of strings"):
        bpe.BPETokenizer.train("just one string", 300)
    with pytest.raises(TypeError, match=r"texts\[1\] is int"):
        bpe.BPETokenizer.train(["ok", 3], 300)


def test_vocab_smaller_than_byte_alphabet_rejected():
    with pytest.raises(ValueError, match="smaller than the byte alphabet"):
        bpe.BPETokenizer.train(["abc"], 200)
    with pytest.raises(TypeError, match="vocab_size must be an int"):
        bpe.BPETokenizer.train(["abc"], 300.0)


def test_unknown_ids_and_tokens_rejected(tok):
    with pytest.raises(ValueError, match="unknown token id 99999"):
        tok.decode([99999])
    with pytest.raises(ValueError, match="unknown token id -1"):
        tok.decode([-1])
    with pytest.raises(TypeError, match="token ids must be int"):
        tok.decode([1.5])
    with pytest.raises(TypeError, match="not a string"):
        tok.decode("abc")
    with pytest.raises(ValueError, match="unknown special token '<mask>'"):
        tok.token_to_id("<mask>")
    with pytest.raises(TypeError, match="text must be str"):
        tok.encode(b"bytes")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "invalid JSON"),
        (json.dumps({"format": "other"}), "'format' is not"),
        (json.dumps({"format": bpe.FORMAT_NAME, "version": 99}), "unsupported version"),
        (json.dumps({"format": bpe.FORMAT_NAME, "version": 1, "merges": 3, "special_tokens": []}), "'merges'"),
        (json.dumps({"format": bpe.FORMAT_NAME, "version": 1, "merges": [[1, 2, 3]], "special_tokens": []}), "pair of int"),
        (json.dumps({"format": bpe.FORMAT_NAME, "version": 1, "merges": [[1, 300]], "special_tokens": []}), "does not exist yet"),
        (json.dumps({"format": bpe.FORMAT_NAME, "version": 1, "merges": [], "special_tokens": [1]}), "strings"),
    ],
)
def test_corrupt_saved_file_rejected(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        bpe.BPETokenizer.load(path)
