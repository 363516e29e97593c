"""Cross-attention's cost and key/value cache (chapter 6, helpers.cross_cache)."""

from __future__ import annotations

import functools

import torch
from bad_inputs import check, params

from helpers import corpus, translator
from helpers.cross_cache import greedy_decode_steps, score_counts
from helpers.transformer import Seq2SeqTransformer, TransformerConfig


@functools.cache
def shipped():
    model, _ = translator.load()
    en, zh = translator.vocabularies()
    return model.eval(), en, zh


def test_score_counts():
    assert score_counts(3, 3) == {"encoder self": 9, "decoder self": 9, "cross": 9}
    assert score_counts(15, 20) == {"encoder self": 400, "decoder self": 225, "cross": 300}


def test_cache_gives_identical_outputs_on_the_translator():
    model, en, zh = shipped()
    pairs = [corpus.make_pair(1, 2, companion=3, place=2, time=3), corpus.RUNNING_EXAMPLE]
    src, _, _ = translator.encode_pairs(pairs, en, zh)
    plain = greedy_decode_steps(model, src, zh.sos_id, zh.eos_id, cache_cross_kv=False)
    cached = greedy_decode_steps(model, src, zh.sos_id, zh.eos_id, cache_cross_kv=True)
    assert torch.equal(plain.tokens, cached.tokens) and torch.equal(plain.logits, cached.logits)
    steps, layers, rows = plain.logits.shape[1], len(model.decoder), src.numel()
    assert cached.kv_rows == 2 * layers * rows and plain.kv_rows == steps * cached.kv_rows
    greedy = model.greedy_decode(src, zh.sos_id, zh.eos_id)
    for k, ids in enumerate(greedy):
        assert plain.tokens[k, : len(ids)].tolist() == ids


def test_cache_with_pre_norm_and_training_mode_restored():
    torch.manual_seed(0)
    cfg = TransformerConfig(
        src_vocab_size=12, tgt_vocab_size=10, d_model=16, n_heads=2, n_layers=2, d_ff=32, norm_first=True
    )
    model = Seq2SeqTransformer(cfg).train()
    src = torch.randint(4, 12, (2, 5))
    a = greedy_decode_steps(model, src, 1, 2, cache_cross_kv=False, max_len=6)
    b = greedy_decode_steps(model, src, 1, 2, cache_cross_kv=True, max_len=6)
    assert torch.allclose(a.logits, b.logits, atol=1e-6) and model.training


BAD = [
    ("counts-zero", lambda: score_counts(0, 3), ValueError, "n_target"),
    ("counts-float", lambda: score_counts(3, 2.5), TypeError, "n_source"),
    (
        "steps-model",
        lambda: greedy_decode_steps(torch.nn.Linear(2, 2), torch.ones(1, 2, dtype=torch.long), 1, 2, True),
        TypeError,
        "model",
    ),
    ("steps-src-float", lambda: greedy_decode_steps(shipped()[0], torch.ones(1, 3), 1, 2, True), TypeError, "src"),
    (
        "steps-sos",
        lambda: greedy_decode_steps(shipped()[0], torch.ones(1, 3, dtype=torch.long), -1, 2, True),
        ValueError,
        "sos_id",
    ),
    (
        "steps-cache",
        lambda: greedy_decode_steps(shipped()[0], torch.ones(1, 3, dtype=torch.long), 1, 2, "yes"),
        TypeError,
        "cache_cross_kv",
    ),
    (
        "steps-maxlen",
        lambda: greedy_decode_steps(shipped()[0], torch.ones(1, 3, dtype=torch.long), 1, 2, True, max_len=0),
        ValueError,
        "max_len",
    ),
]


@params(BAD)
def test_bad_inputs(case):
    check(case)
