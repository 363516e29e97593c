"""Bad inputs to the public helpers of the tokenizer, attention, optimizer and explorer modules.

Each case is (id, call, exception type, fragment): the call must raise exactly that exception
type, and its message must contain the fragment, which names the argument at fault. One
parametrized test per module.

Run as a script (``python tests/test_bad_inputs_core.py``) to classify every case instead of
asserting: clear error naming the argument / deep or unclear error / silent result / hang.
That is how the counts in the tracker issue were made (before the fixes, with the old package
first on ``PYTHONPATH``).
"""

from __future__ import annotations

import functools
import json
import math

import matplotlib.colors
import pytest
import torch
from bad_inputs import check, params, run_with_timeout, sweep

from helpers import attention as attn
from helpers import backward as bw
from helpers import book as book_mod
from helpers import bpe, corpus, masks, optim, running_step, saturation, training, viz
from helpers.explorers import attention as ax
from helpers.explorers import mask as mx
from helpers.explorers import timeline as tl
from helpers.explorers import tokenizer as tx
from helpers.mha import MultiHeadAttention, merge_heads, split_heads
from helpers.vocab import Vocab

NAN, INF = float("nan"), float("inf")


# ---------------------------------------------------------------------------------- fixtures
@functools.cache
def tok() -> bpe.BPETokenizer:
    return bpe.BPETokenizer.train(["the cat sat on the mat", "猫坐着"], 256 + 10 + 4)


@functools.cache
def vocabs() -> tuple[Vocab, Vocab]:
    return corpus.build_vocabs()


@functools.cache
def model():
    from helpers import translator

    torch.manual_seed(0)
    en, zh = vocabs()
    return translator.build_model(translator.TrainSettings(d_model=8, d_ff=16, n_heads=2, n_layers=1,
                                                           dropout=0.0), en, zh)


@functools.cache
def pair() -> corpus.Pair:
    return corpus.make_pair(0, 0, place=0)


@functools.cache
def ax_data() -> dict:
    en, zh = vocabs()
    return ax.attention_data(model(), [pair()], en, zh)


@functools.cache
def tl_data() -> dict:
    snaps = [{"step": 0, "cross": [[0.5, 0.5], [0.2, 0.8]], "translation": ["猫"]}]
    return tl.timeline_data([2.0, 1.0], snaps, ["The", "cat"], ["猫", "<eos>"], ["猫"])


def param(*shape: int) -> torch.Tensor:
    return torch.randn(*shape, requires_grad=True)


def with_grad(*shape: int) -> torch.Tensor:
    p = param(*shape)
    p.grad = torch.ones(*shape)
    return p


def rows_by_key() -> dict:
    w = torch.tensor([[0.5, 0.5], [1.0, 0.0]])
    return {("encoder", 0): (w, w, torch.ones(2, 2, dtype=torch.bool))}


def saved(tmp_text: str):
    """A call that writes ``tmp_text`` to a temporary file and loads it as a tokenizer."""
    import tempfile
    from pathlib import Path

    def call():
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / "tok.json"
            path.write_text(tmp_text, encoding="utf-8")
            return bpe.BPETokenizer.load(path)

    return call


def saved_json(**fields) -> str:
    data = {"format": bpe.FORMAT_NAME, "version": 2, "merges": [], "special_tokens": [], "pattern": None}
    data.update(fields)
    return json.dumps(data)


q3 = torch.randn(2, 3, 4)
T = torch.tensor

# --------------------------------------------------------------------------------------- cases
BPE = [
    # the empty special token used to hang encode; a str is not a list of them
    ("empty special token", lambda: bpe.BPETokenizer([], special_tokens=["", "<eos>"]), ValueError, "special_tokens[0]"),
    ("encode with an empty special token", lambda: bpe.BPETokenizer([], special_tokens=["", "<eos>"]).encode(
        "abc", allowed_special=True), ValueError, "special_tokens[0]"),
    ("special tokens as one str", lambda: bpe.BPETokenizer([], special_tokens="<eos>"), TypeError, "special_tokens"),
    ("special token not str", lambda: bpe.BPETokenizer([], special_tokens=[1, 2]), TypeError, "special_tokens[0]"),
    ("special tokens None", lambda: bpe.BPETokenizer([], special_tokens=None), TypeError, "special_tokens"),
    ("duplicate special tokens", lambda: bpe.BPETokenizer([], special_tokens=["<a>", "<a>"]), ValueError, "special"),
    ("merges int", lambda: bpe.BPETokenizer(5), TypeError, "merges"),
    ("merges None", lambda: bpe.BPETokenizer(None), TypeError, "merges"),
    ("merges a str", lambda: bpe.BPETokenizer("ab"), TypeError, "merges"),
    ("merge of floats", lambda: bpe.BPETokenizer([(97.0, 98.0)]), ValueError, "merge 0"),
    ("merge of 3", lambda: bpe.BPETokenizer([(97, 98, 99)]), ValueError, "merge 0"),
    ("merge to the future", lambda: bpe.BPETokenizer([(97, 256)]), ValueError, "merge 0"),
    ("merge negative id", lambda: bpe.BPETokenizer([(-1, 98)]), ValueError, "merge 0"),
    ("pattern int", lambda: bpe.BPETokenizer([], pattern=5), TypeError, "pattern"),
    ("pattern empty", lambda: bpe.BPETokenizer([], pattern=""), ValueError, "pattern"),
    ("pattern invalid", lambda: bpe.BPETokenizer([], pattern="("), ValueError, "pattern"),
    ("train vocab_size str", lambda: bpe.BPETokenizer.train(["ab"], "300"), TypeError, "vocab_size"),
    ("train vocab_size float", lambda: bpe.BPETokenizer.train(["ab"], 300.0), TypeError, "vocab_size"),
    ("train vocab_size small", lambda: bpe.BPETokenizer.train(["ab"], 100), ValueError, "vocab_size"),
    ("train texts str", lambda: bpe.BPETokenizer.train("ab ab", 270), TypeError, "texts"),
    ("train texts None", lambda: bpe.BPETokenizer.train(None, 270), TypeError, "texts"),
    ("train texts int items", lambda: bpe.BPETokenizer.train(["ab", 3], 270), TypeError, "texts[1]"),
    ("train empty corpus", lambda: bpe.BPETokenizer.train([""], 270), ValueError, "empty corpus"),
    ("train empty special", lambda: bpe.BPETokenizer.train(["ab"], 270, special_tokens=[""]), ValueError,
     "special_tokens[0]"),
    ("train verbose str", lambda: bpe.BPETokenizer.train(["ab"], 270, verbose="yes"), TypeError, "verbose"),
    ("encode text None", lambda: tok().encode(None), TypeError, "text"),
    ("encode text bytes", lambda: tok().encode(b"abc"), TypeError, "text"),
    ("encode allowed_special set", lambda: tok().encode("a<eos>", allowed_special={"<eos>"}), TypeError,
     "allowed_special"),
    ("encode allowed_special str", lambda: tok().encode("a", allowed_special="all"), TypeError, "allowed_special"),
    ("decode str", lambda: tok().decode("abc"), TypeError, "ids"),
    ("decode None", lambda: tok().decode(None), TypeError, "ids"),
    ("decode int", lambda: tok().decode(5), TypeError, "ids"),
    ("decode float id", lambda: tok().decode([97.0]), TypeError, "token id"),
    ("decode float tensor", lambda: tok().decode(T([97.0, 98.0])), TypeError, "token id"),
    ("decode bool id", lambda: tok().decode([True]), TypeError, "token id"),
    ("decode id too big", lambda: tok().decode([10**6]), ValueError, "token id"),
    ("decode negative id", lambda: tok().decode([-1]), ValueError, "token id"),
    ("token_bytes str", lambda: tok().token_bytes("a"), TypeError, "token id"),
    ("token_to_id int", lambda: tok().token_to_id(5), TypeError, "token"),
    ("token_to_id unknown", lambda: tok().token_to_id("<mask>"), ValueError, "<mask>"),
    ("truncated str", lambda: tok().truncated("3"), TypeError, "num_merges"),
    ("truncated float", lambda: tok().truncated(2.0), TypeError, "num_merges"),
    ("truncated bool", lambda: tok().truncated(True), TypeError, "num_merges"),
    ("truncated too many", lambda: tok().truncated(99), ValueError, "num_merges"),
    ("truncated negative", lambda: tok().truncated(-1), ValueError, "num_merges"),
    ("save path int", lambda: tok().save(5), TypeError, "path"),
    ("load path None", lambda: bpe.BPETokenizer.load(None), TypeError, "path"),
    ("load missing file", lambda: bpe.BPETokenizer.load("/nonexistent/tok.json"), FileNotFoundError, "tok.json"),
    ("load not json", saved("{oops"), ValueError, "invalid JSON"),
    ("load json list", saved("[]"), ValueError, "format"),
    ("load version bool", saved(saved_json(version=True)), ValueError, "version"),
    ("load version str", saved(saved_json(version="2")), ValueError, "version"),
    ("load merges dict", saved(saved_json(merges={"a": 1})), ValueError, "merges"),
    ("load merge of str", saved(saved_json(merges=[["a", "b"]])), ValueError, "merge 0"),
    ("load merge of floats", saved(saved_json(merges=[[97.5, 98]])), ValueError, "merge 0"),
    ("load special not str", saved(saved_json(special_tokens=[3])), ValueError, "special_tokens"),
    ("load special empty", saved(saved_json(special_tokens=[""])), ValueError, "special_tokens[0]"),
    ("load special duplicate", saved(saved_json(special_tokens=["<a>", "<a>"])), ValueError, "special"),
    ("load pattern int", saved(saved_json(pattern=5)), ValueError, "pattern"),
    ("load pattern invalid", saved(saved_json(pattern="[")), ValueError, "pattern"),
    # core
    ("get_pair_counts str", lambda: bpe.get_pair_counts("abc"), TypeError, "ids"),
    ("get_pair_counts None", lambda: bpe.get_pair_counts(None), TypeError, "ids"),
    ("get_pair_counts tensor", lambda: bpe.get_pair_counts(T([1, 2, 1, 2])), TypeError, "ids"),
    ("get_pair_counts counts dict", lambda: bpe.get_pair_counts([1, 2], counts={}), TypeError, "counts"),
    ("get_pair_counts weight str", lambda: bpe.get_pair_counts([1, 2], weight="2"), TypeError, "weight"),
    ("get_pair_counts weight float", lambda: bpe.get_pair_counts([1, 2], weight=0.5), TypeError, "weight"),
    ("merge ids str", lambda: bpe.merge("abab", (97, 98), 256), TypeError, "ids"),
    ("merge pair short", lambda: bpe.merge([1, 2], (1,), 256), ValueError, "pair"),
    ("merge pair int", lambda: bpe.merge([1, 2], 1, 256), TypeError, "pair"),
    ("merge pair of str", lambda: bpe.merge([1, 2], ("a", "b"), 256), TypeError, "pair"),
    ("merge new_id str", lambda: bpe.merge([1, 2], (1, 2), "x"), TypeError, "new_id"),
    ("merge new_id float", lambda: bpe.merge([1, 2], (1, 2), 3.5), TypeError, "new_id"),
    ("merge new_id negative", lambda: bpe.merge([1, 2], (1, 2), -3), ValueError, "new_id"),
    ("merge_word ids str", lambda: bpe.merge_word("abab", (97, 98), 256), TypeError, "ids"),
    ("merge_word pair short", lambda: bpe.merge_word([1, 2], (1,), 256), ValueError, "pair"),
    ("merge_word new_id str", lambda: bpe.merge_word([1, 2], (1, 2), "x"), TypeError, "new_id"),
    ("tie_key negative", lambda: bpe.tie_key((-1, 2)), ValueError, "pair"),
    ("tie_key short", lambda: bpe.tie_key((300,)), ValueError, "pair"),
    ("tie_key str", lambda: bpe.tie_key("ab"), TypeError, "pair"),
    ("pretokenize text int", lambda: bpe.pretokenize(5), TypeError, "text"),
    ("pretokenize pattern list", lambda: bpe.pretokenize("a", ["a"]), TypeError, "pattern"),
    ("word_table texts None", lambda: bpe.word_table(None), TypeError, "texts"),
    ("word_table texts int", lambda: bpe.word_table(5), TypeError, "texts"),
    ("word_table pattern invalid", lambda: bpe.word_table(["a"], "("), ValueError, "pattern"),
    ("check_pattern bytes", lambda: bpe.check_pattern(b"a+"), TypeError, "pattern"),
    # train
    ("train_merges num str", lambda: bpe.train_merges(["ab"], "3"), TypeError, "num_merges"),
    ("train_merges num float", lambda: bpe.train_merges(["ab"], 3.0), TypeError, "num_merges"),
    ("train_merges num negative", lambda: bpe.train_merges(["ab"], -1), ValueError, "num_merges"),
    ("train_merges texts str", lambda: bpe.train_merges("ab", 3), TypeError, "texts"),
    ("train_merges verbose int", lambda: bpe.train_merges(["ab"], 3, verbose=2), TypeError, "verbose"),
    ("train_merges_simple num bool", lambda: bpe.train_merges_simple(["ab"], True), TypeError, "num_merges"),
    ("train_merges_simple texts None", lambda: bpe.train_merges_simple(None, 3), TypeError, "texts"),
    # subword
    ("wordpiece word list", lambda: bpe.wordpiece_word(["un", "aff"], {"un"}), TypeError, "word"),
    ("wordpiece word None", lambda: bpe.wordpiece_word(None, {"un"}), TypeError, "word"),
    ("wordpiece vocab str", lambda: bpe.wordpiece_word("ab", "abc"), TypeError, "vocab"),
    ("wordpiece vocab None", lambda: bpe.wordpiece_word("ab", None), TypeError, "vocab"),
    ("wordpiece unk int", lambda: bpe.wordpiece_word("ab", {"a"}, unk=0), TypeError, "unk"),
    ("wordpiece prefix int", lambda: bpe.wordpiece_word("ab", {"a"}, prefix=1), TypeError, "prefix"),
    ("wordpiece max_chars str", lambda: bpe.wordpiece_word("ab", {"a"}, max_chars="100"), TypeError, "max_chars"),
    ("wordpiece max_chars negative", lambda: bpe.wordpiece_word("ab", {"ab"}, max_chars=-1), ValueError,
     "max_chars"),
    ("metaspace None", lambda: bpe.metaspace(None), TypeError, "text"),
    ("metaspace int", lambda: bpe.metaspace(5), TypeError, "text"),
    ("byte_tokens bytes", lambda: bpe.byte_tokens(b"a"), TypeError, "piece"),
    ("unigram word int", lambda: bpe.unigram_word(5, {"a": -1.0}), TypeError, "word"),
    ("unigram scores empty", lambda: bpe.unigram_word("a", {}), ValueError, "scores"),
    ("unigram scores list", lambda: bpe.unigram_word("a", ["a"]), TypeError, "scores"),
    ("unigram scores nan", lambda: bpe.unigram_word("ab", {"a": NAN, "b": -1.0}), ValueError, "scores"),
    ("unigram scores inf", lambda: bpe.unigram_word("ab", {"a": -INF, "b": -1.0}), ValueError, "scores"),
    ("unigram scores str values", lambda: bpe.unigram_word("ab", {"a": "x"}), TypeError, "scores"),
    ("unigram scores int keys", lambda: bpe.unigram_word("ab", {1: -1.0}), TypeError, "scores"),
    ("unigram byte_fallback str", lambda: bpe.unigram_word("a", {"a": -1.0}, byte_fallback="yes"), TypeError,
     "byte_fallback"),
    # stream, display
    ("utf8_length str", lambda: bpe.utf8_length("a"), TypeError, "lead"),
    ("utf8_length float", lambda: bpe.utf8_length(65.0), TypeError, "lead"),
    ("utf8_length 256", lambda: bpe.utf8_length(256), ValueError, "lead"),
    ("stream feed str", lambda: bpe.StreamDecoder().feed("abc"), TypeError, "chunk"),
    ("stream feed int", lambda: bpe.StreamDecoder().feed(5), TypeError, "chunk"),
    ("stream feed None", lambda: bpe.StreamDecoder().feed(None), TypeError, "chunk"),
    ("stream feed 300", lambda: bpe.StreamDecoder().feed([300]), ValueError, "chunk"),
    ("display_width None", lambda: bpe.display_width(None), TypeError, "text"),
    ("display_width list", lambda: bpe.display_width(["ab"]), TypeError, "text"),
    ("pad text int", lambda: bpe.pad(5, 10), TypeError, "text"),
    ("pad width str", lambda: bpe.pad("a", "10"), TypeError, "width"),
    ("pad width float", lambda: bpe.pad("a", 10.5), TypeError, "width"),
    # reference (the tokenizers library)
    ("hf_reference texts str", lambda: bpe.hf_reference_tokenizer("ab", 3), TypeError, "texts"),
    ("hf_reference num_merges str", lambda: bpe.hf_reference_tokenizer(["ab"], "3"), TypeError, "num_merges"),
    ("hf_reference num_merges negative", lambda: bpe.hf_reference_tokenizer(["ab"], -3), ValueError, "num_merges"),
    ("hf_reference use_regex str", lambda: bpe.hf_reference_tokenizer(["ab"], 3, use_regex="no"), TypeError,
     "use_regex"),
    ("hf_wordpiece texts str", lambda: bpe.hf_wordpiece_tokenizer("some text", 50), TypeError, "texts"),
    ("hf_wordpiece vocab_size str", lambda: bpe.hf_wordpiece_tokenizer(["ab"], "50"), TypeError, "vocab_size"),
    ("hf_wordpiece vocab_size 0", lambda: bpe.hf_wordpiece_tokenizer(["ab"], 0), ValueError, "vocab_size"),
    ("hf_wordpiece unk empty", lambda: bpe.hf_wordpiece_tokenizer(["ab"], 50, unk=""), ValueError, "unk"),
    ("hf_unigram texts str", lambda: bpe.hf_unigram_tokenizer("some text", 50), TypeError, "texts"),
    ("hf_unigram vocab_size negative", lambda: bpe.hf_unigram_tokenizer(["ab"], -5), ValueError, "vocab_size"),
    ("hf_merges_as_ids not a tokenizer", lambda: bpe.hf_merges_as_ids("tok"), TypeError, "hf_tokenizer"),
    ("hf_id_map not a tokenizer", lambda: bpe.hf_id_map(None), TypeError, "hf_tokenizer"),
    ("unigram_scores not a tokenizer", lambda: bpe.unigram_scores(3), TypeError, "tok"),
    ("unigram_scores of a BPE", lambda: bpe.unigram_scores(bpe.hf_reference_tokenizer(["ab ab"], 1)), ValueError,
     "Unigram"),
    ("with_byte_fallback of a BPE", lambda: bpe.with_byte_fallback(bpe.hf_reference_tokenizer(["ab ab"], 1)),
     ValueError, "Unigram"),
]

OPTIM = [
    ("SGD one tensor", lambda: optim.SGD(param(3, 2), lr=0.1), TypeError, "params"),
    ("SGD params None", lambda: optim.SGD(None, lr=0.1), TypeError, "params"),
    ("SGD params empty", lambda: optim.SGD([], lr=0.1), ValueError, "empty"),
    ("SGD params not tensors", lambda: optim.SGD([1.0], lr=0.1), TypeError, "parameter 0"),
    ("SGD non-leaf param", lambda: optim.SGD([param(2) * 2], lr=0.1), ValueError, "parameter 0"),
    ("SGD no grad param", lambda: optim.SGD([torch.zeros(2)], lr=0.1), ValueError, "parameter 0"),
    ("SGD duplicate param", lambda: (lambda p: optim.SGD([p, p], lr=0.1))(param(2)), ValueError, "parameter 1"),
    ("SGD lr str", lambda: optim.SGD([param(2)], lr="0.1"), TypeError, "lr"),
    ("SGD lr nan", lambda: optim.SGD([param(2)], lr=NAN), ValueError, "lr"),
    ("SGD lr inf", lambda: optim.SGD([param(2)], lr=INF), ValueError, "lr"),
    ("SGD lr negative", lambda: optim.SGD([param(2)], lr=-1.0), ValueError, "lr"),
    ("SGD lr None", lambda: optim.SGD([param(2)], lr=None), TypeError, "lr"),
    ("SGD lr tensor", lambda: optim.SGD([param(2)], lr=T([0.1, 0.2])), TypeError, "lr"),
    ("SGD momentum str", lambda: optim.SGD([param(2)], lr=0.1, momentum="0.9"), TypeError, "momentum"),
    ("SGD momentum nan", lambda: optim.SGD([param(2)], lr=0.1, momentum=NAN), ValueError, "momentum"),
    ("SGD momentum 1", lambda: optim.SGD([param(2)], lr=0.1, momentum=1.0), ValueError, "momentum"),
    ("SGD momentum None", lambda: optim.SGD([param(2)], lr=0.1, momentum=None), TypeError, "momentum"),
    ("SGD weight_decay nan", lambda: optim.SGD([param(2)], lr=0.1, weight_decay=NAN), ValueError, "weight_decay"),
    ("SGD weight_decay inf", lambda: optim.SGD([param(2)], lr=0.1, weight_decay=INF), ValueError, "weight_decay"),
    ("SGD weight_decay str", lambda: optim.SGD([param(2)], lr=0.1, weight_decay="0"), TypeError, "weight_decay"),
    ("SGD weight_decay negative", lambda: optim.SGD([param(2)], lr=0.1, weight_decay=-0.1), ValueError,
     "weight_decay"),
    ("step after lr set to nan", lambda: (lambda o: (setattr(o, "lr", NAN), o.step()))(optim.SGD([with_grad(2)], 0.1)),
     ValueError, "lr"),
    ("step after lr set to str", lambda: (lambda o: (setattr(o, "lr", "1"), o.step()))(optim.Adam([with_grad(2)])),
     TypeError, "lr"),
    ("Adam one tensor", lambda: optim.Adam(param(3)), TypeError, "params"),
    ("Adam lr nan", lambda: optim.Adam([param(2)], lr=NAN), ValueError, "lr"),
    ("Adam lr inf", lambda: optim.Adam([param(2)], lr=INF), ValueError, "lr"),
    ("Adam betas float", lambda: optim.Adam([param(2)], betas=0.9), TypeError, "betas"),
    ("Adam betas str", lambda: optim.Adam([param(2)], betas="ab"), TypeError, "betas"),
    ("Adam betas of str", lambda: optim.Adam([param(2)], betas=("0.9", "0.999")), TypeError, "betas"),
    ("Adam betas three", lambda: optim.Adam([param(2)], betas=(0.9, 0.99, 0.999)), ValueError, "betas"),
    ("Adam beta nan", lambda: optim.Adam([param(2)], betas=(0.9, NAN)), ValueError, "betas"),
    ("Adam beta 1", lambda: optim.Adam([param(2)], betas=(1.0, 0.999)), ValueError, "betas"),
    ("Adam eps inf", lambda: optim.Adam([param(2)], eps=INF), ValueError, "eps"),
    ("Adam eps nan", lambda: optim.Adam([param(2)], eps=NAN), ValueError, "eps"),
    ("Adam eps str", lambda: optim.Adam([param(2)], eps="1e-8"), TypeError, "eps"),
    ("Adam eps 0", lambda: optim.Adam([param(2)], eps=0.0), ValueError, "eps"),
    ("Adam weight_decay nan", lambda: optim.Adam([param(2)], weight_decay=NAN), ValueError, "weight_decay"),
    ("AdamW weight_decay inf", lambda: optim.AdamW([param(2)], weight_decay=INF), ValueError, "weight_decay"),
    ("AdamW weight_decay str", lambda: optim.AdamW([param(2)], weight_decay="0.01"), TypeError, "weight_decay"),
    ("AdamW lr str", lambda: optim.AdamW([param(2)], lr="1e-3"), TypeError, "lr"),
    ("AdamW one tensor", lambda: optim.AdamW(param(4)), TypeError, "params"),
    ("warmup_cosine step str", lambda: optim.warmup_cosine("1", 10, 2, 1.0), TypeError, "step"),
    ("warmup_cosine step float", lambda: optim.warmup_cosine(1.0, 10, 2, 1.0), TypeError, "step"),
    ("warmup_cosine step negative", lambda: optim.warmup_cosine(-1, 10, 2, 1.0), ValueError, "step"),
    ("warmup_cosine total bool", lambda: optim.warmup_cosine(1, True, 0, 1.0), TypeError, "total_steps"),
    ("warmup_cosine warmup >= total", lambda: optim.warmup_cosine(1, 10, 10, 1.0), ValueError, "warmup_steps"),
    ("warmup_cosine peak str", lambda: optim.warmup_cosine(1, 10, 2, "1e-3"), TypeError, "peak_lr"),
    ("warmup_cosine peak nan", lambda: optim.warmup_cosine(1, 10, 2, NAN), ValueError, "peak_lr"),
    ("warmup_cosine peak inf", lambda: optim.warmup_cosine(5, 10, 2, INF), ValueError, "peak_lr"),
    ("warmup_cosine peak negative", lambda: optim.warmup_cosine(5, 10, 2, -1.0), ValueError, "peak_lr"),
    ("warmup_cosine min nan", lambda: optim.warmup_cosine(5, 10, 2, 1.0, NAN), ValueError, "min_lr"),
    ("warmup_cosine min above peak", lambda: optim.warmup_cosine(5, 10, 2, 1.0, 2.0), ValueError, "min_lr"),
    ("warmup_cosine min str", lambda: optim.warmup_cosine(5, 10, 2, 1.0, "0"), TypeError, "min_lr"),
    ("clip one tensor", lambda: optim.clip_grad_norm(with_grad(3, 2), 1.0), TypeError, "params"),
    ("clip params None", lambda: optim.clip_grad_norm(None, 1.0), TypeError, "params"),
    ("clip params of ints", lambda: optim.clip_grad_norm([1, 2], 1.0), TypeError, "params"),
    ("clip max_norm str", lambda: optim.clip_grad_norm([with_grad(2)], "1"), TypeError, "max_norm"),
    ("clip max_norm nan", lambda: optim.clip_grad_norm([with_grad(2)], NAN), ValueError, "max_norm"),
    ("clip max_norm 0", lambda: optim.clip_grad_norm([with_grad(2)], 0.0), ValueError, "max_norm"),
    ("clip max_norm None", lambda: optim.clip_grad_norm([with_grad(2)], None), TypeError, "max_norm"),
]

ATTENTION = [
    ("MHA n_heads 0", lambda: MultiHeadAttention(8, 0), ValueError, "n_heads"),
    ("MHA n_heads negative", lambda: MultiHeadAttention(8, -2), ValueError, "n_heads"),
    ("MHA d_model 0", lambda: MultiHeadAttention(0, 2), ValueError, "d_model"),
    ("MHA d_model str", lambda: MultiHeadAttention("8", 2), TypeError, "d_model"),
    ("MHA d_model float", lambda: MultiHeadAttention(8.0, 2), TypeError, "d_model"),
    ("MHA n_heads str", lambda: MultiHeadAttention(8, "2"), TypeError, "n_heads"),
    ("MHA not divisible", lambda: MultiHeadAttention(8, 3), ValueError, "n_heads"),
    ("MHA bias str", lambda: MultiHeadAttention(8, 2, bias="no"), TypeError, "bias"),
    ("MHA query 2-D", lambda: MultiHeadAttention(4, 2)(torch.randn(3, 4), torch.randn(3, 4), torch.randn(3, 4)),
     ValueError, "query"),
    ("MHA query list", lambda: MultiHeadAttention(4, 2)([[1.0] * 4], q3, q3), TypeError, "query"),
    ("MHA query int", lambda: MultiHeadAttention(4, 2)(torch.ones(2, 3, 4, dtype=torch.long), q3, q3), TypeError,
     "query"),
    ("MHA query float64", lambda: MultiHeadAttention(4, 2)(q3.double(), q3, q3), TypeError, "query"),
    ("MHA key batch", lambda: MultiHeadAttention(4, 2)(q3, torch.randn(3, 3, 4), torch.randn(3, 3, 4)), ValueError,
     "key"),
    ("MHA mask float", lambda: MultiHeadAttention(4, 2)(q3, q3, q3, mask=torch.ones(3, 3)), TypeError, "mask"),
    ("MHA mask shape", lambda: MultiHeadAttention(4, 2)(q3, q3, q3, mask=torch.ones(4, 4, dtype=torch.bool)),
     ValueError, "mask"),
    ("MHA load_from_pytorch str", lambda: MultiHeadAttention(4, 2).load_from_pytorch("ref"), TypeError, "ref"),
    ("MHA load_from_pytorch kdim", lambda: MultiHeadAttention(4, 2).load_from_pytorch(
        torch.nn.MultiheadAttention(4, 2, kdim=3, vdim=3)), ValueError, "ref"),
    ("MHA load_from_pytorch size", lambda: MultiHeadAttention(4, 2).load_from_pytorch(
        torch.nn.MultiheadAttention(8, 2)), ValueError, "d_model"),
    ("split_heads 2-D", lambda: split_heads(torch.randn(3, 4), 2), ValueError, "x"),
    ("split_heads not divisible", lambda: split_heads(q3, 3), ValueError, "n_heads"),
    ("split_heads n_heads 0", lambda: split_heads(q3, 0), ValueError, "n_heads"),
    ("split_heads list", lambda: split_heads([[1.0]], 1), TypeError, "x"),
    ("merge_heads 3-D", lambda: merge_heads(q3), ValueError, "x"),
    ("merge_heads None", lambda: merge_heads(None), TypeError, "x"),
    ("sdpa q list", lambda: attn.scaled_dot_product_attention([[1.0]], q3, q3), TypeError, "q"),
    ("sdpa q int", lambda: attn.scaled_dot_product_attention(torch.ones(3, 4, dtype=torch.long), q3, q3), TypeError,
     "q"),
    ("sdpa d_k mismatch", lambda: attn.scaled_dot_product_attention(torch.randn(3, 8), torch.randn(3, 4),
                                                                   torch.randn(3, 4)), ValueError, "d_k"),
    ("sdpa batch mismatch", lambda: attn.scaled_dot_product_attention(torch.randn(2, 3, 4), torch.randn(3, 3, 4),
                                                                     torch.randn(3, 3, 4)), ValueError, "batch"),
    ("sdpa dtype mismatch", lambda: attn.scaled_dot_product_attention(q3, q3.double(), q3), TypeError, "dtype"),
    ("sdpa no keys", lambda: attn.scaled_dot_product_attention(q3, torch.randn(2, 0, 4), torch.randn(2, 0, 4)),
     ValueError, "k"),
    ("sdpa d_k 0", lambda: attn.scaled_dot_product_attention(torch.randn(3, 0), torch.randn(3, 0),
                                                            torch.randn(3, 2)), ValueError, "d_k"),
    ("sdpa mask int", lambda: attn.scaled_dot_product_attention(q3, q3, q3, mask=torch.ones(3, 3, dtype=torch.long)),
     TypeError, "mask"),
    ("sdpa mask not broadcast", lambda: attn.scaled_dot_product_attention(
        torch.randn(3, 4), torch.randn(3, 4), torch.randn(3, 4), mask=torch.ones(2, 4, 3, dtype=torch.bool)),
     ValueError, "mask"),
    ("sdpa return_weights str", lambda: attn.scaled_dot_product_attention(q3, q3, q3, return_weights="yes"),
     TypeError, "return_weights"),
    ("masked_softmax list", lambda: attn.masked_softmax([[1.0, 2.0]]), TypeError, "scores"),
    ("masked_softmax int", lambda: attn.masked_softmax(torch.ones(2, 2, dtype=torch.long)), TypeError, "scores"),
    ("masked_softmax 0-d", lambda: attn.masked_softmax(torch.tensor(1.0)), ValueError, "scores"),
    ("masked_softmax mask not broadcast", lambda: attn.masked_softmax(torch.randn(3, 3),
                                                                      torch.ones(2, 3, dtype=torch.bool)),
     ValueError, "mask"),
    ("masked_softmax mask list", lambda: attn.masked_softmax(torch.randn(2, 2), [[True, False]]), TypeError, "mask"),
    ("attention_scores list", lambda: attn.attention_scores([[1.0]], q3), TypeError, "q"),
    ("attention_scores mismatch", lambda: attn.attention_scores(torch.randn(3, 4), torch.randn(3, 5)), ValueError,
     "d_k"),
    ("padding_mask pad_id str", lambda: masks.padding_mask(T([[1, 0]]), "0"), TypeError, "pad_id"),
    ("padding_mask pad_id float", lambda: masks.padding_mask(T([[1, 0]]), 0.5), TypeError, "pad_id"),
    ("padding_mask pad_id None", lambda: masks.padding_mask(T([[1, 0]]), None), TypeError, "pad_id"),
    ("padding_mask ids float", lambda: masks.padding_mask(T([[1.0, 0.0]]), 0), TypeError, "ids"),
    ("padding_mask ids 1-D", lambda: masks.padding_mask(T([1, 0]), 0), ValueError, "ids"),
    ("padding_mask ids list", lambda: masks.padding_mask([[1, 0]], 0), TypeError, "ids"),
    ("causal_mask 0", lambda: masks.causal_mask(0), ValueError, "size"),
    ("causal_mask float", lambda: masks.causal_mask(3.0), ValueError, "size"),
    ("causal_mask str", lambda: masks.causal_mask("3"), ValueError, "size"),
    ("combine_masks float", lambda: masks.combine_masks(torch.ones(2, 2)), TypeError, "mask 0"),
    ("combine_masks shapes", lambda: masks.combine_masks(masks.causal_mask(2), masks.causal_mask(3)), ValueError,
     "masks"),
    ("to_pytorch_blocked int", lambda: masks.to_pytorch_blocked(T([[1, 0]])), TypeError, "mask"),
    ("to_pytorch_blocked float", lambda: masks.to_pytorch_blocked(T([[1.0, 0.0]])), TypeError, "mask"),
    ("to_pytorch_blocked list", lambda: masks.to_pytorch_blocked([[True]]), TypeError, "mask"),
    # saturation
    ("softmax_jacobian list", lambda: saturation.softmax_jacobian([0.5, 0.5]), TypeError, "p"),
    ("softmax_jacobian negative", lambda: saturation.softmax_jacobian(T([-0.5, 1.5])), ValueError, "p"),
    ("softmax_jacobian nan", lambda: saturation.softmax_jacobian(T([NAN, 0.5])), ValueError, "p"),
    ("entropy int", lambda: saturation.entropy(T([0, 1])), TypeError, "p"),
    ("entropy empty", lambda: saturation.entropy(torch.zeros(2, 0)), ValueError, "p"),
    ("entropy nan", lambda: saturation.entropy(T([[NAN, 1.0]])), ValueError, "p"),
    ("saturated_share threshold str", lambda: saturation.saturated_share(torch.full((2, 2), 0.5), "0.9"), TypeError,
     "threshold"),
    ("saturated_share threshold 1", lambda: saturation.saturated_share(torch.full((2, 2), 0.5), 1.0), ValueError,
     "threshold"),
    ("saturated_share threshold nan", lambda: saturation.saturated_share(torch.full((2, 2), 0.5), NAN), ValueError,
     "threshold"),
    ("saturated_share 1-D", lambda: saturation.saturated_share(torch.full((2,), 0.5)), ValueError, "weights"),
    ("saturated_share mask float", lambda: saturation.saturated_share(torch.full((2, 2), 0.5), mask=torch.ones(2, 2)),
     TypeError, "mask"),
    ("row_sharpness mask None", lambda: saturation.row_sharpness(torch.full((2, 2), 0.5), torch.zeros(2, 2), None),
     TypeError, "mask"),
    ("row_sharpness scores shape", lambda: saturation.row_sharpness(torch.full((2, 2), 0.5), torch.zeros(3, 2),
                                                                   torch.ones(2, 2, dtype=torch.bool)),
     ValueError, "scores"),
    ("row_sharpness scores list", lambda: saturation.row_sharpness(torch.full((2, 2), 0.5), [[0.0, 0.0]] * 2,
                                                                  torch.ones(2, 2, dtype=torch.bool)),
     TypeError, "scores"),
    ("count_saturated threshold str", lambda: saturation.count_saturated(rows_by_key(), [("encoder", 0)], "0.9"),
     TypeError, "threshold"),
    ("count_saturated threshold 5", lambda: saturation.count_saturated(rows_by_key(), [("encoder", 0)], 5.0),
     ValueError, "threshold"),
    ("count_saturated missing key", lambda: saturation.count_saturated(rows_by_key(), [("cross", 3)]), ValueError,
     "keys"),
    ("count_saturated rows list", lambda: saturation.count_saturated([], [("cross", 3)]), TypeError, "rows_by_key"),
    ("attention_rows net str", lambda: saturation.attention_rows("net", [pair()], *vocabs()), TypeError, "net"),
    ("attention_rows one pair", lambda: saturation.attention_rows(model(), pair(), *vocabs()), TypeError, "pairs"),
    ("attention_rows no pairs", lambda: saturation.attention_rows(model(), [], *vocabs()), ValueError, "pairs"),
    ("attention_rows width str", lambda: saturation.attention_rows(model(), [pair()], *vocabs(), width="32"),
     TypeError, "width"),
    ("attention_rows width 0", lambda: saturation.attention_rows(model(), [pair()], *vocabs(), width=0), ValueError,
     "width"),
]

BACKWARD = [
    ("linear_backward x list", lambda: bw.linear_backward([[1.0]], torch.randn(2, 1), torch.randn(1, 2)), TypeError,
     "x"),
    ("linear_backward grad_y list", lambda: bw.linear_backward(torch.randn(1, 1), torch.randn(2, 1), [[1.0, 1.0]]),
     TypeError, "grad_y"),
    ("linear_backward weight 1-D", lambda: bw.linear_backward(torch.randn(1, 2), torch.randn(2), torch.randn(1, 2)),
     ValueError, "weight"),
    ("linear_forward x int", lambda: bw.linear_forward(T([[1, 2]]), torch.randn(3, 2)), TypeError, "x"),
    ("softmax_backward shapes", lambda: bw.softmax_backward(torch.full((3, 4), 0.25), torch.randn(4)), ValueError,
     "grad_weights"),
    ("softmax_backward list", lambda: bw.softmax_backward([[0.5, 0.5]], torch.randn(1, 2)), TypeError, "weights"),
    ("attention_forward batch mismatch", lambda: bw.attention_forward(torch.randn(2, 3, 4), torch.randn(3, 3, 4),
                                                                      torch.randn(3, 3, 4)), ValueError, "batch"),
    ("attention_forward dtype mismatch", lambda: bw.attention_forward(q3, q3.double(), q3.double()), TypeError,
     "dtype"),
    ("attention_backward weights shape", lambda: bw.attention_backward(q3, q3, q3, torch.randn(2, 3, 2),
                                                                       torch.randn(2, 3, 4)), ValueError, "weights"),
    ("attention_backward grad list", lambda: bw.attention_backward(q3, q3, q3, torch.randn(2, 3, 3), [[0.0]]),
     TypeError, "grad_out"),
    ("layer_norm eps str", lambda: bw.layer_norm_forward(torch.randn(2, 3), torch.ones(3), torch.zeros(3), "1e-5"),
     TypeError, "eps"),
    ("layer_norm eps inf", lambda: bw.layer_norm_forward(torch.randn(2, 3), torch.ones(3), torch.zeros(3), INF),
     ValueError, "eps"),
    ("layer_norm eps nan", lambda: bw.layer_norm_forward(torch.randn(2, 3), torch.ones(3), torch.zeros(3), NAN),
     ValueError, "eps"),
    ("layer_norm_backward rstd shape", lambda: bw.layer_norm_backward(torch.randn(2, 3), torch.randn(2, 3),
                                                                      torch.randn(3, 1), torch.ones(3)),
     ValueError, "rstd"),
    ("layer_norm_backward gamma shape", lambda: bw.layer_norm_backward(torch.randn(2, 3), torch.randn(2, 3),
                                                                       torch.randn(2, 1), torch.ones(2)),
     ValueError, "gamma"),
    ("layer_norm_backward list", lambda: bw.layer_norm_backward([[0.0]], torch.randn(2, 3), torch.randn(2, 1),
                                                                torch.ones(3)), TypeError, "grad_y"),
    ("relu_backward list", lambda: bw.relu_backward([1.0], torch.ones(1)), TypeError, "x"),
    ("relu_backward shapes", lambda: bw.relu_backward(torch.randn(3), torch.randn(4)), ValueError, "grad_out"),
    ("dropout_backward p str", lambda: bw.dropout_backward(torch.ones(2, dtype=torch.bool), "0.1", torch.ones(2)),
     TypeError, "p"),
    ("dropout_backward p nan", lambda: bw.dropout_backward(torch.ones(2, dtype=torch.bool), NAN, torch.ones(2)),
     ValueError, "p"),
    ("dropout_backward p 1", lambda: bw.dropout_backward(torch.ones(2, dtype=torch.bool), 1.0, torch.ones(2)),
     ValueError, "p"),
    ("dropout_backward keep float", lambda: bw.dropout_backward(torch.ones(2), 0.1, torch.ones(2)), TypeError,
     "keep"),
    ("dropout_backward keep shape", lambda: bw.dropout_backward(torch.ones(3, dtype=torch.bool), 0.1, torch.ones(2)),
     ValueError, "keep"),
    ("cross_entropy ignore_index str", lambda: bw.softmax_cross_entropy(torch.randn(2, 3), T([0, 1]), "0"),
     TypeError, "ignore_index"),
    ("cross_entropy ignore_index float", lambda: bw.softmax_cross_entropy(torch.randn(2, 3), T([0, 1]), 0.5),
     TypeError, "ignore_index"),
    ("cross_entropy targets list", lambda: bw.softmax_cross_entropy(torch.randn(2, 3), [0, 1]), TypeError, "targets"),
    ("cross_entropy zero rows", lambda: bw.softmax_cross_entropy(torch.randn(0, 3), T([], dtype=torch.long)),
     ValueError, "targets"),
    ("cross_entropy_backward list", lambda: bw.softmax_cross_entropy_backward([[0.5, 0.5]], T([0])), TypeError,
     "probs"),
    ("feed_forward w1 shape", lambda: bw.feed_forward(torch.randn(2, 4), torch.randn(8, 3), torch.zeros(8),
                                                      torch.randn(4, 8), torch.zeros(4)), ValueError, "weight"),
]

TRAINING_CORPUS_VOCAB = [
    ("layer_grad_norms str", lambda: training.layer_grad_norms("model"), TypeError, "model"),
    ("cross_attention layer str", lambda: training.cross_attention(model(), pair(), *vocabs(), layer="0"), TypeError,
     "layer"),
    ("cross_attention layer out of range", lambda: training.cross_attention(model(), pair(), *vocabs(), layer=3),
     ValueError, "layer"),
    ("cross_attention pair tuple", lambda: training.cross_attention(model(), (("The", "cat"), ("猫",)), *vocabs()),
     TypeError, "pair"),
    ("cross_attention en list", lambda: training.cross_attention(model(), pair(), ["The"], vocabs()[1]), TypeError,
     "en"),
    ("snapshot step str", lambda: training.snapshot(model(), pair(), *vocabs(), step="3"), TypeError, "step"),
    ("snapshot step float", lambda: training.snapshot(model(), pair(), *vocabs(), step=3.7), TypeError, "step"),
    ("snapshot step negative", lambda: training.snapshot(model(), pair(), *vocabs(), step=-1), ValueError, "step"),
    ("make_pair subject -1", lambda: corpus.make_pair(-1, 0), ValueError, "subject"),
    ("make_pair subject 99", lambda: corpus.make_pair(99, 0), ValueError, "subject"),
    ("make_pair verb str", lambda: corpus.make_pair(0, "0"), TypeError, "verb"),
    ("make_pair place -1", lambda: corpus.make_pair(0, 0, place=-1), ValueError, "place"),
    ("make_pair time 9", lambda: corpus.make_pair(0, 0, time=9), ValueError, "time"),
    ("make_pair companion float", lambda: corpus.make_pair(0, 0, companion=1.0), TypeError, "companion"),
    ("make_pair companion = subject", lambda: corpus.make_pair(0, 0, companion=0), ValueError, "companion"),
    ("Pair of str", lambda: corpus.Pair("The cat", "猫"), TypeError, "en"),
    ("Pair of ints", lambda: corpus.Pair(("The",), (1,)), TypeError, "zh"),
    ("is_held_out not a pair", lambda: corpus.is_held_out(("The", "cat")), TypeError, "pair"),
    ("is_held_out percent str", lambda: corpus.is_held_out(pair(), "10"), TypeError, "percent"),
    ("is_held_out percent 150", lambda: corpus.is_held_out(pair(), 150), ValueError, "percent"),
    ("split_pairs percent -1", lambda: corpus.split_pairs(-1), ValueError, "percent"),
    ("sample_pairs n str", lambda: corpus.sample_pairs("5"), TypeError, "n"),
    ("sample_pairs n float", lambda: corpus.sample_pairs(2.5), TypeError, "n"),
    ("sample_pairs n negative", lambda: corpus.sample_pairs(-1), ValueError, "n"),
    ("sample_pairs one pair", lambda: corpus.sample_pairs(1, pairs=pair()), TypeError, "pairs"),
    ("sample_pairs pairs of str", lambda: corpus.sample_pairs(1, pairs=["The cat sat"]), TypeError, "pairs[0]"),
    ("build_vocabs empty", lambda: corpus.build_vocabs([]), ValueError, "pairs"),
    ("build_vocabs of str", lambda: corpus.build_vocabs(["The cat"]), TypeError, "pairs[0]"),
    ("python_docs_prose str", lambda: corpus.python_docs_prose("100"), TypeError, "max_bytes"),
    ("python_docs_prose negative", lambda: corpus.python_docs_prose(-5), ValueError, "max_bytes"),
    ("bpe_corpus n_pairs negative", lambda: corpus.bpe_corpus(-1), ValueError, "n_pairs"),
    ("bpe_corpus prose_bytes str", lambda: corpus.bpe_corpus(3, prose_bytes="1"), TypeError, "prose_bytes"),
    ("Vocab tokens None", lambda: Vocab(None), TypeError, "tokens"),
    ("Vocab tokens str", lambda: Vocab("abc"), TypeError, "tokens"),
    ("Vocab tokens ints", lambda: Vocab([1, 2]), TypeError, "tokens"),
    ("Vocab specials str", lambda: Vocab(["a"], specials="<pad>"), TypeError, "specials"),
    ("Vocab specials duplicate", lambda: Vocab(["a"], specials=["<pad>", "<pad>"]), ValueError, "specials"),
    ("Vocab specials ints", lambda: Vocab(["a"], specials=[0]), TypeError, "specials"),
    ("Vocab encode None", lambda: Vocab(["a"]).encode(None), TypeError, "tokens"),
    ("Vocab encode ints", lambda: Vocab(["a"]).encode([1, 2]), TypeError, "tokens"),
    ("Vocab encode add_sos str", lambda: Vocab(["a"]).encode(["a"], add_sos="yes"), TypeError, "add_sos"),
    ("Vocab encode strict int", lambda: Vocab(["a"]).encode(["a"], strict=1), TypeError, "strict"),
    ("Vocab decode float ids", lambda: Vocab(["a"]).decode([4.7]), TypeError, "ids"),
    ("Vocab decode float tensor", lambda: Vocab(["a"]).decode(T([4.0])), TypeError, "ids"),
    ("Vocab decode str ids", lambda: Vocab(["a"]).decode(["4"]), TypeError, "ids"),
    ("Vocab decode bool ids", lambda: Vocab(["a"]).decode([True]), TypeError, "ids"),
    ("Vocab decode None", lambda: Vocab(["a"]).decode(None), TypeError, "ids"),
    ("Vocab decode str", lambda: Vocab(["a"]).decode("12"), TypeError, "ids"),
    ("Vocab decode 2-D tensor", lambda: Vocab(["a"]).decode(T([[1, 2]])), TypeError, "ids"),
    ("Vocab decode out of range", lambda: Vocab(["a"]).decode([99]), ValueError, "token id"),
    ("Vocab decode negative", lambda: Vocab(["a"]).decode([-1]), ValueError, "token id"),
    ("running_step build seed str", lambda: running_step.build(seed="0"), TypeError, "seed"),
    ("running_step build requires_grad str", lambda: running_step.build(requires_grad="yes"), TypeError,
     "requires_grad"),
    ("running_step forward str", lambda: running_step.forward("step"), TypeError, "step"),
    ("running_step attend mismatch", lambda: running_step.attend(torch.randn(3, 4), torch.randn(3, 5),
                                                                 torch.randn(3, 4)), ValueError, "d_k"),
    ("running_step attend mask int", lambda: running_step.attend(torch.randn(3, 4), torch.randn(3, 4),
                                                                 torch.randn(3, 4), T([[1, 0, 0]] * 3)),
     TypeError, "mask"),
    ("running_step attend list", lambda: running_step.attend([[1.0]], torch.randn(3, 4), torch.randn(3, 4)),
     TypeError, "q"),
    # viz, book
    ("heatmap strings", lambda: viz.heatmap([["a", "b"]]), TypeError, "matrix"),
    ("heatmap None", lambda: viz.heatmap(None), TypeError, "matrix"),
    ("heatmap 1-D", lambda: viz.heatmap([1.0, 2.0]), ValueError, "matrix"),
    ("heatmap empty", lambda: viz.heatmap(torch.zeros(0, 3)), ValueError, "matrix"),
    ("heatmap row_labels str", lambda: viz.heatmap(torch.zeros(3, 3), row_labels="abc"), TypeError, "row_labels"),
    ("heatmap col_labels length", lambda: viz.heatmap(torch.zeros(2, 2), col_labels=["a"]), ValueError, "col_labels"),
    ("heatmap fmt int", lambda: viz.heatmap(torch.zeros(2, 2), fmt=2), TypeError, "fmt"),
    ("heatmap fmt bad", lambda: viz.heatmap(torch.zeros(2, 2), fmt="{:d}"), ValueError, "fmt"),
    ("heatmap vmin > vmax", lambda: viz.heatmap(torch.zeros(2, 2), vmin=1.0, vmax=0.0), ValueError, "vmin"),
    ("heatmap vmin nan", lambda: viz.heatmap(torch.zeros(2, 2), vmin=NAN), ValueError, "vmin"),
    ("heatmap norm str", lambda: viz.heatmap(torch.zeros(2, 2), norm="log"), TypeError, "norm"),
    (
        "heatmap norm and vmin",
        lambda: viz.heatmap(torch.zeros(2, 2), norm=matplotlib.colors.Normalize(0, 1), vmin=0.0),
        ValueError,
        "norm",
    ),
    ("heatmap cmap int", lambda: viz.heatmap(torch.zeros(2, 2), cmap=3), TypeError, "cmap"),
    ("text_colour_on str", lambda: viz.text_colour_on("red"), TypeError, "rgba"),
    ("text_colour_on short", lambda: viz.text_colour_on((0.5,)), ValueError, "rgba"),
    ("text_colour_on nan", lambda: viz.text_colour_on((NAN, 0.0, 0.0)), ValueError, "rgba"),
    ("glue name int", lambda: book_mod.glue(3, 1), ValueError, "glue name"),
    ("glue name with space", lambda: book_mod.glue("a b", 1), ValueError, "glue name"),
    ("glue display str", lambda: book_mod.glue("a", 1, display="yes"), TypeError, "display"),
]

EXPLORERS = [
    ("token_label tok str", lambda: tx.token_label("tok", 3), TypeError, "tok"),
    ("token_label id float", lambda: tx.token_label(tok(), 3.0), TypeError, "token id"),
    ("token_label id too big", lambda: tx.token_label(tok(), 10**6), ValueError, "token id"),
    ("chip_html int", lambda: tx.chip_html(3), TypeError, "label"),
    ("tokens_html tok None", lambda: tx.tokens_html(None, "a"), TypeError, "tok"),
    ("tokens_html text int", lambda: tx.tokens_html(tok(), 5), TypeError, "text"),
    ("tokenizer_explorer text int", lambda: tx.tokenizer_explorer_html(tok(), 5), TypeError, "text"),
    ("tokenizer_explorer examples str", lambda: tx.tokenizer_explorer_html(tok(), "a", examples="abc"), TypeError,
     "examples"),
    ("tokenizer_explorer examples ints", lambda: tx.tokenizer_explorer_html(tok(), "a", examples=[1]), TypeError,
     "examples[0]"),
    ("tokenizer_explorer tok str", lambda: tx.tokenizer_explorer_html("tok", "a"), TypeError, "tok"),
    ("tokenizer_widget tok str", lambda: tx.tokenizer_widget("tok", "a"), TypeError, "tok"),
    ("tokenizer_widget text None", lambda: tx.tokenizer_widget(tok(), None), TypeError, "text"),
    ("attention_data model str", lambda: ax.attention_data("model", [pair()], *vocabs()), TypeError, "model"),
    ("attention_data one pair", lambda: ax.attention_data(model(), pair(), *vocabs()), TypeError, "pairs"),
    ("attention_data no pairs", lambda: ax.attention_data(model(), [], *vocabs()), ValueError, "pairs"),
    ("text_pair text int", lambda: ax.text_pair(model(), 5, *vocabs()), TypeError, "text"),
    ("text_pair empty", lambda: ax.text_pair(model(), "  ", *vocabs()), ValueError, "text"),
    ("explorer_stages d_k 0", lambda: ax.explorer_stages([[1.0]], [[True]], 0), ValueError, "d_k"),
    ("explorer_stages d_k str", lambda: ax.explorer_stages([[1.0]], [[True]], "4"), TypeError, "d_k"),
    ("explorer_stages raw strings", lambda: ax.explorer_stages([["a"]], [[True]], 4), TypeError, "raw"),
    ("explorer_stages mask shape", lambda: ax.explorer_stages([[1.0, 2.0]], [[True, True, True]], 4), ValueError,
     "mask"),
    ("explorer_stages values shape", lambda: ax.explorer_stages([[1.0, 2.0]], [[True, True]], 4, [[1.0]]),
     ValueError, "values"),
    ("attention_view sentence 5", lambda: ax.attention_view_html(ax_data(), sentence=5), ValueError, "sentence"),
    ("attention_view kind bad", lambda: ax.attention_view_html(ax_data(), kind="self"), ValueError, "kind"),
    ("attention_view layer str", lambda: ax.attention_view_html(ax_data(), layer="0"), TypeError, "layer"),
    ("attention_view head 9", lambda: ax.attention_view_html(ax_data(), head=9), ValueError, "head"),
    ("attention_view query 99", lambda: ax.attention_view_html(ax_data(), query=99), ValueError, "query"),
    ("attention_view stage bad", lambda: ax.attention_view_html(ax_data(), stage="soft"), ValueError, "stage"),
    ("attention_view data list", lambda: ax.attention_view_html([]), ValueError, "data"),
    ("attention_explorer layer str", lambda: ax.attention_explorer_html(ax_data(), layer="0"), TypeError, "layer"),
    ("attention_explorer kind bad", lambda: ax.attention_explorer_html(ax_data(), kind="x"), ValueError, "kind"),
    ("attention_explorer data empty", lambda: ax.attention_explorer_html({}), ValueError, "data"),
    ("attention_widget data None", lambda: ax.attention_widget(None), ValueError, "data"),
    ("attention_widget compute str", lambda: ax.attention_widget(ax_data(), compute="f"), TypeError, "compute"),
    ("mask_stages fill bad", lambda: mx.mask_stages([[0.0, 0.0]] * 2, ["a", "b"], True, True, fill="zero"),
     ValueError, "fill"),
    ("mask_stages tokens str", lambda: mx.mask_stages([[0.0, 0.0]] * 2, "ab", True, True), TypeError, "tokens"),
    ("mask_stages tokens empty", lambda: mx.mask_stages([], [], True, True), ValueError, "tokens"),
    ("mask_stages scores shape", lambda: mx.mask_stages([[0.0, 0.0]], ["a", "b"], True, True), ValueError, "scores"),
    ("mask_stages pad str", lambda: mx.mask_stages([[0.0, 0.0]] * 2, ["a", "b"], "yes", True), TypeError, "pad"),
    ("mask_explorer tokens str", lambda: mx.mask_explorer_html("ab", [[0.0, 0.0]] * 2), TypeError, "tokens"),
    ("mask_explorer scores 1-D", lambda: mx.mask_explorer_html(["a", "b", "c"], [1.0, 2.0, 3.0]), ValueError,
     "scores"),
    ("mask_explorer layer_names length", lambda: mx.mask_explorer_html(["a", "b"], [[[[0.0, 0.0]] * 2]],
                                                                       layer_names=["x", "y"]), ValueError,
     "layer_names"),
    ("mask_explorer head str", lambda: mx.mask_explorer_html(["a", "b"], [[0.0, 0.0]] * 2, head="0"), TypeError,
     "head"),
    ("mask_widget tokens str", lambda: mx.mask_widget("ab", [[0.0, 0.0]] * 2), TypeError, "tokens"),
    ("loss_points ndarray with nan", lambda: tl.loss_points(__import__("numpy").array([1.0, NAN])), ValueError,
     "losses"),
    ("loss_points bool", lambda: tl.loss_points([True, 1.0]), TypeError, "losses"),
    ("loss_points str", lambda: tl.loss_points("12"), TypeError, "losses"),
    ("loss_points zero", lambda: tl.loss_points([1.0, 0.0]), ValueError, "losses"),
    ("timeline_data step float", lambda: tl.timeline_data([2.0, 1.0], [{"step": 0.5, "cross": [[1.0]],
                                                                        "translation": []}], ["a"], ["b"], []),
     TypeError, "step"),
    ("timeline_data step str", lambda: tl.timeline_data([2.0, 1.0], [{"step": "0", "cross": [[1.0]],
                                                                      "translation": []}], ["a"], ["b"], []),
     TypeError, "step"),
    ("timeline_data snapshots str", lambda: tl.timeline_data([2.0], "snap", ["a"], ["b"], []), TypeError, "snapshots"),
    ("timeline_data snapshot list", lambda: tl.timeline_data([2.0], [[0, [[1.0]], []]], ["a"], ["b"], []),
     TypeError, "snapshots[0]"),
    ("timeline_data src str", lambda: tl.timeline_data([2.0], [{"step": 0, "cross": [[1.0]], "translation": []}],
                                                       "a", ["b"], []), TypeError, "src_tokens"),
    ("timeline_data cross nan", lambda: tl.timeline_data([2.0], [{"step": 0, "cross": [[NAN]], "translation": []}],
                                                         ["a"], ["b"], []), ValueError, "cross"),
    ("timeline_data accuracy 5", lambda: tl.timeline_data([2.0], [{"step": 0, "cross": [[1.0]], "translation": []}],
                                                          ["a"], ["b"], [], accuracy=[5.0]), ValueError, "accuracy"),
    ("timeline_data accuracy nan", lambda: tl.timeline_data([2.0], [{"step": 0, "cross": [[1.0]],
                                                                     "translation": []}],
                                                            ["a"], ["b"], [], accuracy=[NAN]), ValueError, "accuracy"),
    ("timeline_view index str", lambda: tl.timeline_view_html(tl_data(), "0"), TypeError, "index"),
    ("timeline_view data None", lambda: tl.timeline_view_html(None), ValueError, "data"),
    ("timeline_explorer index 10", lambda: tl.timeline_explorer_html(tl_data(), 10), ValueError, "index"),
    ("timeline_explorer index str", lambda: tl.timeline_explorer_html(tl_data(), "0"), TypeError, "index"),
    ("timeline_widget data list", lambda: tl.timeline_widget([]), ValueError, "data"),
]

MODULES = {"bpe": BPE, "optim": OPTIM, "attention": ATTENTION, "backward": BACKWARD,
           "training_corpus_vocab": TRAINING_CORPUS_VOCAB, "explorers": EXPLORERS}


# --------------------------------------------------------------------------------------- checks
@params(BPE)
def test_bpe(case):
    check(case)


@params(OPTIM)
def test_optim(case):
    check(case)


@params(ATTENTION)
def test_attention_masks_mha_saturation(case):
    check(case)


@params(BACKWARD)
def test_backward(case):
    check(case)


@params(TRAINING_CORPUS_VOCAB)
def test_training_corpus_vocab_running_step_viz_book(case):
    check(case)


@params(EXPLORERS)
def test_explorers(case):
    check(case)


def test_no_hang_on_the_empty_special_token_the_old_constructor_accepted():
    """The tracker issue's hang: an empty special token matched at every position."""
    tokenizer = bpe.BPETokenizer([], special_tokens=["<eos>"])
    tokenizer.special_tokens[""] = 999  # even if one sneaks past the constructor
    with pytest.raises(ValueError, match="empty"):
        run_with_timeout(lambda: tokenizer.encode("abc", allowed_special=True))


def test_what_is_valid_still_passes_the_checks():
    """The checks refuse the cases above, not their valid neighbours."""
    import numpy as np

    t = tok()
    ids = t.encode("the cat")
    assert t.decode(torch.tensor(ids)) == t.decode(np.array(ids)) == "the cat"  # integer tensors and arrays
    v = Vocab(["a", "b"], specials=("<pad>", "<unk>"))
    assert v.decode(torch.tensor([2, 3])) == v.decode([np.int64(2), 3]) == ["a", "b"]
    assert corpus.Pair(["The", "cat"], ["猫"]) == corpus.Pair(("The", "cat"), ("猫",))  # lists become tuples
    assert bpe.StreamDecoder().feed([0xE7, 0x8C, 0xAB]) == "猫"
    assert bpe.pretokenize("ab 12", r"[a-z]+") == ["ab", " 12"]  # what the pattern misses is kept
    assert optim.clip_grad_norm([with_grad(2)], math.inf) > 0  # inf: measure without clipping
    assert optim.SGD([param(2)], lr=np.float32(0.1)).lr == pytest.approx(0.1)
    assert optim.warmup_cosine(5, 10, 0, 1, 0) >= 0  # ints for the rates
    assert tl.timeline_explorer_html(tl_data(), -1)  # counted from the end
    assert tl.loss_points(np.array([2.0, 1.0]))[1]["n"] == 2
    assert masks.padding_mask(T([[1, 0]]), np.int64(0)).tolist() == [[[[True, False]]]]


def test_every_case_id_is_unique():
    ids = [c[0] for cases in MODULES.values() for c in cases]
    assert len(ids) == len(set(ids))


# --------------------------------------------------------------------------------- the sweep


if __name__ == "__main__":
    import matplotlib

    matplotlib.use("Agg")
    sweep(MODULES, clear=(ValueError, TypeError, FileNotFoundError))
