"""The from-scratch byte-level BPE, checked against the Hugging Face tokenizers library."""

import json
import time

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


@pytest.fixture(scope="module")
def gpt2_tok(texts):
    return bpe.BPETokenizer.train(texts, vocab_size=256 + 300 + 4, pattern=bpe.GPT2_SPLIT_PATTERN)


@pytest.fixture(scope="module")
def hf_plain(texts):
    return bpe.hf_reference_tokenizer(texts, 300)


@pytest.fixture(scope="module")
def hf_regex(texts):
    return bpe.hf_reference_tokenizer(texts, 300, use_regex=True)


@pytest.fixture(scope="module")
def pairs_to_compare(tok, gpt2_tok, hf_plain, hf_regex):
    """(ours, the library's tokenizer, {library id: our id}) without and with the regex."""
    return [(tok, hf_plain, bpe.hf_id_map(hf_plain)), (gpt2_tok, hf_regex, bpe.hf_id_map(hf_regex))]


# Text the two regex engines read alike: every assigned character. (On code points that are
# unassigned, `regex` and the library's engine may use different Unicode versions' tables.)
assigned_text = st.text(st.characters(exclude_categories=("Cn", "Cs")))


def test_pair_counts_and_merge():
    assert bpe.get_pair_counts([1, 2, 3, 1, 2]) == {(1, 2): 2, (2, 3): 1, (3, 1): 1}
    assert bpe.merge([1, 2, 3, 1, 2], (1, 2), 9) == [9, 3, 9]
    assert bpe.merge([7, 7, 7], (7, 7), 8) == [8, 7]  # left to right, no overlap


def test_merges_equal_tokenizers_library(tok, hf_plain):
    assert bpe.hf_merges_as_ids(hf_plain) == tok.merges


def test_merges_with_gpt2_regex_equal_tokenizers_library(gpt2_tok, hf_regex):
    assert bpe.hf_merges_as_ids(hf_regex) == gpt2_tok.merges


def test_gpt2_regex_changes_the_merges_and_no_token_spans_two_words(tok, gpt2_tok):
    assert gpt2_tok.merges != tok.merges
    # without pre-splitting some tokens hold a space inside ("e t" in "the tree"); with it
    # a space can only start a token
    assert any(b" " in tok.token_bytes(t).strip(b" ") for t in range(256, 556))
    for t in range(256, 556):
        raw = gpt2_tok.token_bytes(t)
        assert raw.isspace() or b" " not in raw[1:], raw


@pytest.mark.parametrize("use_regex", [False, True], ids=["no-regex", "gpt2-regex"])
def test_chapter_corpus_equals_tokenizers_library(use_regex):
    """Chapter 1's own corpus and number of merges, merges and encodings."""
    texts = corpus.bpe_corpus(n_pairs=300, seed=0)
    pattern = bpe.GPT2_SPLIT_PATTERN if use_regex else None
    ours = bpe.BPETokenizer.train(texts, 256 + 1000 + 4, pattern=pattern)
    hf = bpe.hf_reference_tokenizer(texts, 1000, use_regex=use_regex)
    assert bpe.hf_merges_as_ids(hf) == ours.merges
    to_ours = bpe.hf_id_map(hf)
    for s in EXAMPLES + texts[::50]:
        assert [to_ours[i] for i in hf.encode(s).ids] == ours.encode(s), s


@pytest.mark.parametrize("pattern", [None, bpe.GPT2_SPLIT_PATTERN], ids=["no-regex", "gpt2-regex"])
def test_fast_trainer_equals_simple_trainer_and_is_faster(texts, pattern):
    start = time.perf_counter()
    simple = bpe.train_merges_simple(texts, 300, pattern=pattern)
    simple_seconds = time.perf_counter() - start
    start = time.perf_counter()
    fast = bpe.train_merges(texts, 300, pattern=pattern)
    fast_seconds = time.perf_counter() - start
    assert fast == simple
    # the point of the fast trainer (a generous margin: the machine may be busy)
    assert fast_seconds < simple_seconds / 2, (fast_seconds, simple_seconds)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text("ab c'", max_size=12), min_size=1, max_size=8), st.booleans())
def test_fast_trainer_equals_simple_trainer_on_random_corpora(items, use_regex):
    pattern = bpe.GPT2_SPLIT_PATTERN if use_regex else None
    if not any(items):
        return
    assert bpe.train_merges(items, 15, pattern=pattern) == bpe.train_merges_simple(items, 15, pattern=pattern)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text("ab c'1\n", max_size=12), min_size=1, max_size=8), st.booleans())
def test_merges_equal_tokenizers_library_on_random_corpora(items, use_regex):
    if not any(items):
        return
    pattern = bpe.GPT2_SPLIT_PATTERN if use_regex else None
    ours = bpe.train_merges(items, 12, pattern=pattern)
    theirs = bpe.hf_merges_as_ids(bpe.hf_reference_tokenizer(items, 12, use_regex=use_regex))
    assert ours == theirs


def test_merge_word_lists_the_changed_pairs():
    for ids, pair in [([1, 2, 3, 1, 2], (1, 2)), ([7, 7, 7, 7], (7, 7)), ([7, 7, 7], (7, 7)), ([1, 2, 1, 2], (1, 2))]:
        new, changes = bpe.merge_word(list(ids), pair, 99)
        assert new == bpe.merge(ids, pair, 99)
        expected = bpe.get_pair_counts(new)
        expected.subtract(bpe.get_pair_counts(ids))
        got = {}
        for p, sign in changes:
            got[p] = got.get(p, 0) + sign
        assert {p: c for p, c in got.items() if c} == {p: c for p, c in expected.items() if c}


def test_pretokenize_gpt2():
    assert bpe.pretokenize("The cat's  mat!") == ["The", " cat", "'s", " ", " mat", "!"]
    assert bpe.pretokenize("ab  12 猫坐着", None) == ["ab  12 猫坐着"]
    assert bpe.pretokenize("", None) == []


@settings(max_examples=200, deadline=None)
@given(assigned_text)
def test_pretokenize_equals_tokenizers_library(s):
    from tokenizers import pre_tokenizers

    char = bpe.bytes_to_unicode()
    theirs = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True).pre_tokenize_str(s)
    ours = ["".join(char[b] for b in piece.encode("utf-8")) for piece in bpe.pretokenize(s)]
    assert ours == [piece for piece, _ in theirs]
    assert "".join(bpe.pretokenize(s)) == s


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


EXAMPLES = [
    "The cat sat on the mat",
    "猫在垫子上坐着",
    "Errors should never pass silently.",
    "zebra 🦓",
    "it's   the  cat's 42nd  life!\n\tindented",
]


def test_encode_equals_tokenizers_library(pairs_to_compare):
    for ours, hf, to_ours in pairs_to_compare:
        for s in EXAMPLES:
            assert [to_ours[i] for i in hf.encode(s).ids] == ours.encode(s), (ours, s)


@settings(max_examples=200, deadline=None)
@given(assigned_text)
def test_encode_equals_tokenizers_library_on_random_text(pairs_to_compare, s):
    for ours, hf, to_ours in pairs_to_compare:
        assert [to_ours[i] for i in hf.encode(s).ids] == ours.encode(s), ours


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_round_trip_any_unicode(tok, gpt2_tok, s):
    assert tok.decode(tok.encode(s)) == s
    assert gpt2_tok.decode(gpt2_tok.encode(s)) == s


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


def test_truncated_equals_training_fewer_merges(texts, tok, gpt2_tok):
    assert bpe.BPETokenizer.train(texts, 256 + 40 + 4).merges == tok.truncated(40).merges
    assert gpt2_tok.truncated(40).pattern == bpe.GPT2_SPLIT_PATTERN


def test_training_stops_when_no_pairs_left():
    assert bpe.train_merges(["aaaa"], 100) == [(97, 97), (256, 256)]
    assert bpe.train_merges_simple(["aaaa"], 100) == [(97, 97), (256, 256)]
    assert bpe.train_merges(["a b c"], 100, pattern=bpe.GPT2_SPLIT_PATTERN) == [(32, 98), (32, 99)]


def test_save_load_round_trip(tok, gpt2_tok, tmp_path):
    for t in (tok, gpt2_tok):
        path = tmp_path / "tok.json"
        t.save(path)
        again = bpe.BPETokenizer.load(path)
        assert again.merges == t.merges and again.special_tokens == t.special_tokens
        assert again.pattern == t.pattern
        assert again.encode("猫 坐着 it's") == t.encode("猫 坐着 it's")


def test_load_version_1_file(tmp_path):
    path = tmp_path / "v1.json"
    path.write_text(json.dumps({"format": bpe.FORMAT_NAME, "version": 1, "merges": [[97, 98]], "special_tokens": []}))
    again = bpe.BPETokenizer.load(path)
    assert again.merges == [(97, 98)] and again.pattern is None


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


def test_bad_pattern_and_num_merges_rejected():
    with pytest.raises(ValueError, match="not a valid regular expression"):
        bpe.BPETokenizer.train(["abc"], 300, pattern="(unclosed")
    with pytest.raises(ValueError, match="not a valid regular expression"):
        bpe.BPETokenizer(pattern="[a-")
    with pytest.raises(ValueError, match="must not be empty"):
        bpe.train_merges(["abc"], 3, pattern="")
    with pytest.raises(TypeError, match="pattern must be a regular expression str"):
        bpe.pretokenize("abc", pattern=3)
    with pytest.raises(TypeError, match="text must be str"):
        bpe.pretokenize(b"abc")
    for train in (bpe.train_merges, bpe.train_merges_simple):
        with pytest.raises(ValueError, match="num_merges must be >= 0"):
            train(["abc"], -1)
        with pytest.raises(TypeError, match="num_merges must be an int"):
            train(["abc"], 2.0)
        with pytest.raises(TypeError, match="iterable of strings"):
            train("abc", 2, pattern=bpe.GPT2_SPLIT_PATTERN)


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
        (json.dumps({"format": bpe.FORMAT_NAME, "version": 2, "merges": [], "special_tokens": [], "pattern": 5}), "pattern must be"),
        (json.dumps({"format": bpe.FORMAT_NAME, "version": 2, "merges": [], "special_tokens": [], "pattern": "("}), "not a valid"),
    ],
)
def test_corrupt_saved_file_rejected(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        bpe.BPETokenizer.load(path)


def test_verbose_training_prints_each_merge_in_the_editions_language(capsys, monkeypatch):
    monkeypatch.setenv("BOOK_LANGUAGE", "en")
    merges = bpe.train_merges(["abab ab"], 2, verbose=True)
    first = f"merge 1/2: {merges[0]} -> 256"
    assert capsys.readouterr().out.splitlines()[0] == first
    monkeypatch.setenv("BOOK_LANGUAGE", "zh_CN")
    assert bpe.train_merges(["abab ab"], 2, verbose=True) == merges
    assert capsys.readouterr().out.splitlines()[0] == f"合并规则 1/2：{merges[0]} -> 256"


def test_reference_trainers_print_nothing(capfd):
    """The library's progress display writes newlines to the process's stdout, which a notebook
    shows as stray blank lines among the cell's own lines: it is off."""
    items = ["the cat sat on the mat"] * 20
    bpe.hf_reference_tokenizer(items, 10)
    bpe.hf_wordpiece_tokenizer(items, 40)
    bpe.hf_unigram_tokenizer(items, 20)
    assert capfd.readouterr().out == ""
