"""The toy English -> Chinese corpus: deterministic, contains the running example, reorders."""

import pytest

from helpers import corpus
from helpers.vocab import Vocab


def test_deterministic():
    assert corpus.all_pairs() == corpus.all_pairs()
    assert corpus.sample_pairs(50, seed=3) == corpus.sample_pairs(50, seed=3)
    assert corpus.sample_pairs(50, seed=3) != corpus.sample_pairs(50, seed=4)
    assert corpus.split_pairs() == corpus.split_pairs()
    assert corpus.bpe_corpus(20, 0, 2000) == corpus.bpe_corpus(20, 0, 2000)


def test_known_sentences():
    pairs = corpus.all_pairs()
    assert corpus.RUNNING_EXAMPLE in pairs
    assert corpus.make_pair(0, 0, place=0, time=0) == corpus.Pair(
        ("The", "cat", "sat", "on", "the", "mat", "yesterday"), ("猫", "昨天", "在", "垫子", "上", "坐着")
    )
    assert len(pairs) == len(set(pairs))


def test_word_order_differs():
    """In some pairs the Chinese order of aligned words is not the English order."""
    p = corpus.make_pair(1, 2, companion=0, place=1, time=3)
    en_time, zh_time = p.en.index("night"), p.zh.index("晚上")
    en_verb, zh_verb = p.en.index("ran"), p.zh.index("跑步")
    assert en_time > en_verb and zh_time < zh_verb


def test_split_is_disjoint_and_about_ten_percent():
    train, test = corpus.split_pairs()
    assert not set(train) & set(test)
    assert 0.07 < len(test) / (len(train) + len(test)) < 0.13
    assert corpus.RUNNING_EXAMPLE in train


def test_vocabularies_cover_everything():
    en, zh = corpus.build_vocabs()
    for p in corpus.all_pairs():
        assert en.unk_id not in en.encode(p.en) and zh.unk_id not in zh.encode(p.zh)
    assert (en.pad_id, en.sos_id, en.eos_id, en.unk_id) == (0, 1, 2, 3)


def test_bad_input():
    with pytest.raises(ValueError, match="companion must differ"):
        corpus.make_pair(0, 0, companion=0)
    with pytest.raises(ValueError, match="n must be >= 0"):
        corpus.sample_pairs(-1)


def test_vocab_encode_decode_and_errors():
    v = Vocab(["cat", "sat"])
    assert v.encode(["cat", "dog"]) == [4, v.unk_id]
    assert v.encode(["cat"], add_sos=True, add_eos=True) == [1, 4, 2]
    assert v.decode([1, 4, 2], skip_specials=True) == ["cat"]
    with pytest.raises(ValueError, match="unknown token 'dog'"):
        v.encode(["dog"], strict=True)
    with pytest.raises(ValueError, match="unknown token id 99"):
        v.decode([99])
    with pytest.raises(TypeError, match="split it first"):
        v.encode("cat sat")
    with pytest.raises(TypeError, match="must be str"):
        Vocab(["cat", 3])
