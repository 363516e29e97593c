"""The Tang-poem corpus, its character vocabulary, the split and the form checker (helpers.poems)."""

from __future__ import annotations

import gzip
import hashlib
import json

import pytest
import torch

from helpers import bpe, poems

JINGYESI = "床前看月光，疑是地上霜。举头望山月，低头思故乡。"


@pytest.fixture(scope="module")
def corpus():
    return poems.load_poems()


def test_corpus_matches_its_provenance(corpus):
    info = poems.provenance()
    c = info["counts"]
    assert info["source"]["package"] == "chinese-poetry" and info["source"]["version"] == "2.0.1"
    assert len(corpus) == c["poems"] and sum(len(p.text) for p in corpus) == c["characters"]
    assert {k: sum(p.form == k for p in corpus) for k in poems.FORMS} == c["forms"]
    data = (poems._data_dir(None) / poems.CORPUS_FILE).read_bytes()
    assert hashlib.sha256(data).hexdigest() == info["file"]["sha256"]
    assert len(data) == info["file"]["bytes"] < 4_000_000  # a few MB at most
    first = json.loads(gzip.decompress(data).decode("utf-8").splitlines()[0])
    assert set(first) == {"title", "author", "text"}


def test_every_poem_is_clean_simplified_and_regular(corpus):
    assert len(corpus) > 30_000
    assert all(p.form in poems.FORMS for p in corpus)
    assert len({p.text for p in corpus}) == len(corpus)  # no duplicates
    chars = {c for p in corpus for c in p.text}
    assert not chars & set("□○（）《》「」[]？！；：、")  # lacunae, notes and other marks are gone
    assert not chars & set("雲風頭萬歸後劒鴈")  # traditional and variant characters were converted
    assert [p for p in corpus if p.title == "静夜思" and p.author == "李白"][0].text == JINGYESI


def test_enough_poems_per_poet_for_a_classification_task(corpus):
    by = {a: sum(p.author == a for p in corpus) for a in ("李白", "杜甫", "白居易")}
    assert by["李白"] > 400 and by["杜甫"] > 900 and by["白居易"] > 1500
    assert len(poems.load_poems(author="李白")) == by["李白"]
    assert {p.form for p in poems.load_poems(form="quatrain5", author=["李白", "杜甫"])} == {"quatrain5"}


def test_load_poems_bad_inputs(tmp_path):
    with pytest.raises(ValueError, match="unknown form"):
        poems.load_poems(form="sonnet")
    with pytest.raises(ValueError, match="no poems by"):
        poems.load_poems(author="Shakespeare")
    with pytest.raises(FileNotFoundError, match="make poems"):
        poems.load_poems(folder=tmp_path)


@pytest.mark.parametrize(
    "text, form",
    [
        (JINGYESI, "quatrain5"),
        ("朝辞白帝彩云间，千里江陵一日还。两岸猿声啼不住，轻舟已过万重山。", "quatrain7"),
        ("国破山河在，城春草木深。感时花溅泪，恨别鸟惊心。烽火连三月，家书抵万金。白头搔更短，浑欲不胜簪。", "regulated5"),
        ("床前看月光。疑是地上霜，举头望山月，低头思故乡。", None),  # punctuation swapped
        ("床前看月光，疑是地上霜。举头望山月，低头思故。", None),  # a short line
        ("床前看月光，疑是地上霜。举头望山月，", None),  # three lines
        ("床前看月光，疑是地上霜。举头望山月，低头思故乡", None),  # no final mark
        ("", None),
    ],
)
def test_form_of(text, form):
    assert poems.form_of(text) == form
    assert poems.is_well_formed(text) == (form is not None)


def test_check_form_reports_what_it_measured():
    r = poems.check_form("床前看月光，疑是地上霜。举头望山月，低头思故")
    assert r.n_lines == 4 and r.line_lengths == (5, 5, 5, 4) and not r.punctuation_ok and r.form is None
    assert not r.well_formed and not r.even_lines
    assert poems.split_lines("ab，cd。e") == ["ab，", "cd。", "e"]
    assert poems.check_form(JINGYESI).even_lines
    assert poems.is_well_formed(JINGYESI, "quatrain5") and not poems.is_well_formed(JINGYESI, "quatrain7")
    with pytest.raises(ValueError, match="unknown form"):
        poems.is_well_formed(JINGYESI, "haiku")
    with pytest.raises(TypeError, match="text must be a str"):
        poems.check_form(["床前看月光，"])


def test_poem_lines_and_hash():
    p = poems.Poem("静夜思", "李白", JINGYESI)
    assert p.lines == ("床前看月光", "疑是地上霜", "举头望山月", "低头思故乡") and p.form == "quatrain5"
    assert p.key == int.from_bytes(hashlib.sha256(JINGYESI.encode()).digest()[:8], "big")


def test_split_is_deterministic_and_independent_of_the_other_poems(corpus):
    train, val = poems.train_val_split(corpus)
    assert len(train) + len(val) == len(corpus)
    assert 0.04 < len(val) / len(corpus) < 0.06
    assert not {p.text for p in train} & {p.text for p in val}
    sub_train, sub_val = poems.train_val_split(corpus[::7])
    assert set(sub_val) == set(val) & set(corpus[::7])
    assert poems.train_val_split(corpus) == (train, val)
    assert poems.train_val_split(corpus, 0.0)[1] == []
    with pytest.raises(ValueError, match="val_fraction"):
        poems.train_val_split(corpus[:3], 1.5)
    with pytest.raises(TypeError, match="Poem objects"):
        poems.train_val_split([JINGYESI])


def test_char_vocab_encode_decode(corpus):
    vocab = poems.CharVocab.from_poems(corpus[:2000], max_size=500)
    assert len(vocab) == 500 and vocab.itos[:5] == list(poems.SPECIALS)
    assert (vocab.pad_id, vocab.sos_id, vocab.eos_id, vocab.unk_id, vocab.mask_id) == (0, 1, 2, 3, 4)
    assert vocab.itos[5:7] == ["，", "。"]
    ids = vocab.encode("月光，", add_sos=True, add_eos=True)
    assert ids[0] == vocab.sos_id and ids[-1] == vocab.eos_id and len(ids) == 5
    assert vocab.decode(ids) == "<sos>月光，<eos>" and vocab.decode(ids, skip_specials=True) == "月光，"
    unk = vocab.encode("月X光，", add_sos=True)  # X is not in the vocabulary: <unk>
    assert vocab.decode(unk) == "<sos>月<unk>光，" and vocab.decode(unk, skip_specials=True) == "月□光，"
    assert poems.check_form(vocab.decode(unk, skip_specials=True)).line_lengths == (3,)
    assert vocab.decode(torch.tensor(ids)) == vocab.decode(ids)
    assert vocab.encode("𠀀") == [vocab.unk_id]  # unknown character -> <unk>
    assert vocab.encode("<") == [vocab.unk_id]
    assert poems.CharVocab.from_list(vocab.to_list()) == vocab
    full = poems.CharVocab.from_poems(corpus)
    assert all(full.decode(full.encode(p.text)) == p.text for p in corpus[:500])


def test_char_vocab_bad_inputs():
    vocab = poems.CharVocab("月光")
    with pytest.raises(ValueError, match="unknown character '𠀀'"):
        vocab.encode("月𠀀", strict=True)
    with pytest.raises(ValueError, match="unknown token id 99"):
        vocab.decode([99])
    with pytest.raises(ValueError, match="single characters"):
        poems.CharVocab(["月光"])
    with pytest.raises(ValueError, match="must start with"):
        poems.CharVocab.from_list(["月", "光"])
    with pytest.raises(ValueError, match="max_size"):
        poems.CharVocab.from_poems([], max_size=3)
    with pytest.raises(TypeError, match="text must be a str"):
        vocab.encode(["月"])
    with pytest.raises(ValueError, match="1 dim"):
        vocab.decode(torch.zeros(2, 2, dtype=torch.long))


def test_stream_and_batches(corpus):
    vocab = poems.CharVocab.from_poems(corpus[:100])
    stream = poems.encode_stream(corpus[:100], vocab)
    assert stream.dtype == torch.long
    assert stream.numel() == sum(len(p.text) + 2 for p in corpus[:100])
    assert (stream == vocab.sos_id).sum() == 100 == (stream == vocab.eos_id).sum()
    x, y = poems.get_batch(stream, 4, 16, torch.Generator().manual_seed(0))
    assert x.shape == y.shape == (4, 16) and torch.equal(x[:, 1:], y[:, :-1])
    x2, _ = poems.get_batch(stream, 4, 16, torch.Generator().manual_seed(0))
    assert torch.equal(x, x2)
    with pytest.raises(ValueError, match="more than block_size"):
        poems.get_batch(stream[:10], 2, 16)
    with pytest.raises(ValueError, match="1-D tensor"):
        poems.get_batch(stream[None], 2, 16)
    with pytest.raises(ValueError, match="no poems"):
        poems.encode_stream([], vocab)


def test_tokenizer_tradeoff_characters_vs_bpe(corpus):
    sample = corpus[:300]
    rows = poems.tokenizer_tradeoff(sample, merges=(0, 300))
    chars, raw_bytes, merged = rows
    n_chars = sum(len(p.text) for p in sample) / len(sample)
    assert chars["tokens_per_poem"] == pytest.approx(n_chars)
    n_bytes = sum(len(p.text.encode("utf-8")) for p in sample) / len(sample)  # 3 bytes per character, 4 for rare ones
    assert raw_bytes["vocab_size"] == 256 and raw_bytes["tokens_per_poem"] == pytest.approx(n_bytes)
    assert merged["vocab_size"] == 556 and chars["tokens_per_poem"] < merged["tokens_per_poem"] < raw_bytes["tokens_per_poem"]
    merges = bpe.train_merges([p.text for p in sample], 300, pattern=None)
    assert merged["tokens_per_poem"] == pytest.approx(poems.tokens_per_poem(sample, bpe.BPETokenizer(merges).encode))
    held_out = poems.tokenizer_tradeoff(sample, merges=(300,), measure_on=corpus[300:400])
    assert held_out[0]["tokens_per_poem"] == pytest.approx(sum(len(p.text) for p in corpus[300:400]) / 100)
    assert held_out[1]["tokens_per_poem"] == pytest.approx(
        poems.tokens_per_poem(corpus[300:400], bpe.BPETokenizer(merges).encode))
    with pytest.raises(ValueError, match="merges"):
        poems.tokenizer_tradeoff(sample, merges=(-1,))
    assert [r["tokenizer"] for r in rows] == ["characters", "byte-level BPE, 0 merges", "byte-level BPE, 300 merges"]
    with pytest.raises(ValueError, match="no poems"):
        poems.tokens_per_poem([], len)


def test_tokenizer_names_follow_the_book_language(corpus, monkeypatch):
    monkeypatch.setenv("BOOK_LANGUAGE", "zh_CN")  # the names are printed in chapter 11's table
    rows = poems.tokenizer_tradeoff(corpus[:20], merges=(0, 10))
    assert [r["tokenizer"] for r in rows] == ["字", "字节级 BPE，0 次合并", "字节级 BPE，10 次合并"]
