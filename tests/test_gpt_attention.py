"""Attention maps of the poem GPT (helpers.gpt_attention, helpers.plots.poem_attention), chapter 11.

The weights are checked against transformers' GPT-2 (``output_attentions=True``, eager attention)
holding the same network; the shares against hand-made attention patterns; the n-gram baselines of
the same section against NLTK on real poems.
"""

from __future__ import annotations

import math

import pytest
import torch
from bad_inputs import check, params

from helpers import gpt_attention
from helpers.gpt import GPT, GPTConfig, to_hf_gpt2
from helpers.gpt_attention import MEASURES, attention_shares, attention_weights, uniform_shares
from helpers.ngram import NGramLM

LINE, LINES = 5, 4  # a five-character quatrain
T = 1 + LINES * (LINE + 1)  # <sos> + 4 lines of 5 characters and a mark: 25
COMMA, STOP = 3, 4


def small_model(seed: int = 0) -> GPT:
    torch.manual_seed(seed)
    return GPT(GPTConfig(vocab_size=20, block_size=32, n_layer=2, n_head=2, n_embd=16)).eval()


def poem_ids(n: int = 3, seed: int = 0) -> list[list[int]]:
    g = torch.Generator().manual_seed(seed)
    out = []
    for _ in range(n):
        row = [1]
        for j in range(LINES):
            row += torch.randint(5, 20, (LINE,), generator=g).tolist() + [COMMA if j % 2 == 0 else STOP]
        out.append(row)
    return out


def test_weights_equal_transformers_gpt2():
    pytest.importorskip("transformers")
    model = small_model()
    idx = torch.tensor(poem_ids())
    ours = attention_weights(model, idx)  # (L, B, H, T, T)
    hf = to_hf_gpt2(model)
    hf.set_attn_implementation("eager")
    with torch.no_grad():
        ref = torch.stack(hf(idx, output_attentions=True).attentions)
    assert ours.shape == (2, 3, 2, T, T)
    torch.testing.assert_close(ours, ref, atol=1e-6, rtol=1e-5)


def test_weights_are_causal_distributions():
    w = attention_weights(small_model(1), torch.tensor(poem_ids(2, 1)))
    torch.testing.assert_close(w.sum(-1), torch.ones(w.shape[:-1]))
    assert torch.all(w.triu(1) == 0)  # no query reads a later key


def one_hot_pattern(offset: int) -> torch.Tensor:
    """(1, 1, T, T): every query i puts all its attention on key i - offset (or 0)."""
    w = torch.zeros(1, 1, T, T)
    for i in range(T):
        w[0, 0, i, max(0, i - offset)] = 1.0
    return w


@pytest.mark.parametrize(
    "offset,measure",
    [(1, "previous token"), (LINE + 1, "same place, previous line"), (LINE, "next place, previous line")],
)
def test_shares_find_hand_made_patterns(offset, measure):
    ids = poem_ids(1)
    s = attention_shares(one_hot_pattern(offset), ids, [COMMA, STOP], LINE, LINES)  # (1, 5)
    assert s[0, MEASURES.index(measure)].item() == pytest.approx(1.0)
    assert s.shape == (1, len(MEASURES))


def test_marks_and_sos_shares():
    ids = poem_ids(1)
    to_sos = torch.zeros(1, 1, T, T)
    to_sos[..., 0] = 1.0
    s = attention_shares(to_sos, ids, [COMMA, STOP], LINE, LINES)[0]
    assert s[MEASURES.index("<sos>")].item() == 1.0 and s[MEASURES.index("marks")].item() == 0.0
    # all attention on the marks seen so far, split evenly: the marks' share is 1
    mark = torch.tensor([tok in (COMMA, STOP) for tok in ids[0]], dtype=torch.float)
    w = mark.expand(T, T).tril()
    w = (w / w.sum(-1, keepdim=True).clamp_min(1))[None, None]
    s = attention_shares(w, ids, [COMMA, STOP], LINE, LINES)[0]
    assert s[MEASURES.index("marks")].item() == pytest.approx(1.0)


def test_uniform_shares_by_hand():
    ids = poem_ids(2)
    u = uniform_shares(ids, [COMMA, STOP], LINE, LINES, T)
    queries = range(LINE + 2, T)  # from the second line on
    expect = sum(1 / (i + 1) for i in queries) / len(queries)
    for m in ("previous token", "same place, previous line", "next place, previous line", "<sos>"):
        assert u[MEASURES.index(m)].item() == pytest.approx(expect)
    marks = sum(sum(tok in (COMMA, STOP) for tok in ids[0][: i + 1]) / (i + 1) for i in queries) / len(queries)
    assert u[MEASURES.index("marks")].item() == pytest.approx(marks)


def test_plot_head_maps_draws_one_panel_per_head():
    import matplotlib

    matplotlib.use("Agg")
    from helpers.plots.poem_attention import plot_head_maps

    w = attention_weights(small_model(), torch.tensor(poem_ids(1)))
    tokens = ["S"] + list("白日依山尽，黄河入海流。欲穷千里目，更上一层楼。")
    fig = plot_head_maps({"a": w[0, 0, 0], "b": w[1, 0, 1]}, tokens)
    panels = [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]
    assert len(panels) == 2 and len(fig.axes) == 3  # one colour bar for both
    assert fig.axes[-1].get_xlabel() == "attention weight"
    # every second token labels its row and column, and so every mark of the poem
    for ax in panels:
        for labels in (ax.get_xticklabels(), ax.get_yticklabels()):
            assert [x.get_text() for x in labels] == tokens[::2]
            assert {"，", "。"} <= {x.get_text() for x in labels}


def poem_seqs():
    from helpers import poems, pretrain

    _, vocab, _ = pretrain.load()
    train, val = poems.train_val_split(poems.load_poems())
    enc = [vocab.encode(p.text, add_sos=True, add_eos=True) for p in train[:400]]
    held = [vocab.encode(p.text, add_sos=True, add_eos=True) for p in val[:40]]
    return vocab, enc, held


@pytest.mark.parametrize("order", [3, 4])
def test_ngram_baselines_on_poems_equal_nltk(order):
    """The chapter's trigram and 4-gram rows: the same probabilities and unseen contexts as NLTK."""
    lm_mod = pytest.importorskip("nltk.lm")
    everygrams = pytest.importorskip("nltk.util").everygrams
    vocab, train, held = poem_seqs()
    ours = NGramLM(order, len(vocab), pad_id=vocab.sos_id).fit(train)
    held = [s for s in held if all(ours.counts[(x,)] for x in s)]  # no zero probability
    assert held
    ref = lm_mod.WittenBellInterpolated(order)
    ref.fit(
        [list(everygrams([str(x) for x in ours.pad(s)], max_len=order)) for s in train],
        vocabulary_text=[str(x) for x in range(len(vocab) - 1)],
    )
    unseen, n, nll = 0, 0, 0.0
    for seq in held:
        s = ours.pad(seq)
        for i in range(order, len(s)):
            ctx = s[i - order + 1 : i]
            p = ref.score(str(s[i]), [str(x) for x in ctx])
            assert math.isclose(ours.prob(s[i], ctx), p, rel_tol=1e-9, abs_tol=1e-15)
            unseen += ref.counts[[str(x) for x in ctx]].N() == 0
            n += 1
            nll -= math.log(p)
    assert ours.unseen_context_share(held) == pytest.approx(unseen / n)
    assert ours.loss(held) == pytest.approx(nll / n)


def _model():
    return small_model()


BAD = [
    ("weights-model", lambda: attention_weights("gpt", torch.zeros(1, 3, dtype=torch.long)), TypeError, "model"),
    (
        "weights-noncausal",
        lambda: attention_weights(
            GPT(GPTConfig(vocab_size=20, block_size=8, n_layer=1, n_head=1, n_embd=8, causal=False)),
            torch.zeros(1, 3, dtype=torch.long),
        ),
        ValueError,
        "causal",
    ),
    ("weights-idx-float", lambda: attention_weights(_model(), torch.zeros(1, 3)), TypeError, "idx"),
    (
        "weights-idx-long",
        lambda: attention_weights(_model(), torch.zeros(1, 40, dtype=torch.long)),
        ValueError,
        "block_size",
    ),
    ("shares-weights-type", lambda: attention_shares([[1.0]], poem_ids(1), [3], LINE, LINES), TypeError, "weights"),
    (
        "shares-weights-shape",
        lambda: attention_shares(torch.ones(T, T), poem_ids(1), [3], LINE, LINES),
        ValueError,
        "weights",
    ),
    (
        "shares-line-chars",
        lambda: attention_shares(one_hot_pattern(1), poem_ids(1), [3], 0, LINES),
        ValueError,
        "line_chars",
    ),
    ("shares-n-lines", lambda: attention_shares(one_hot_pattern(1), poem_ids(1), [3], LINE, 1), ValueError, "n_lines"),
    (
        "shares-too-short",
        lambda: attention_shares(one_hot_pattern(1), poem_ids(1), [3], 7, LINES),
        ValueError,
        "positions",
    ),
    (
        "shares-ids-count",
        lambda: attention_shares(one_hot_pattern(1), poem_ids(2), [3], LINE, LINES),
        ValueError,
        "ids",
    ),
    ("shares-ids-type", lambda: attention_shares(one_hot_pattern(1), "abc", [3], LINE, LINES), TypeError, "ids"),
    (
        "shares-marks-type",
        lambda: attention_shares(one_hot_pattern(1), poem_ids(1), 3, LINE, LINES),
        TypeError,
        "mark_ids",
    ),
    ("uniform-T", lambda: uniform_shares(poem_ids(1), [3], LINE, LINES, 1), ValueError, "T"),
    ("ngram-unseen-empty", lambda: NGramLM(2, 5).fit([[1, 2, 3]]).unseen_context_share([[1]]), ValueError, "sequences"),
]


@params(BAD)
def test_bad_inputs(case):
    check(case)


def test_plot_bad_inputs():
    from helpers.plots.poem_attention import plot_head_maps

    with pytest.raises(ValueError, match="maps"):
        plot_head_maps({}, ["a"])
    with pytest.raises(ValueError, match="maps"):
        plot_head_maps({"x": torch.zeros(2, 3)}, ["a", "b"])


def test_module_is_documented():
    assert gpt_attention.__doc__ and attention_weights.__doc__ and attention_shares.__doc__


@pytest.mark.parametrize("order", [2, 3, 4])
def test_fit_only_for_gives_the_full_models_probabilities(order):
    """fit(only_for=held) keeps only the contexts held reads: the same losses, less memory."""
    import random

    rng = random.Random(order)
    train = [[1] + [rng.randint(3, 12) for _ in range(rng.randint(3, 15))] + [2] for _ in range(60)]
    held = [[1] + [rng.randint(3, 12) for _ in range(8)] + [2] for _ in range(5)]
    full = NGramLM(order, 14).fit(train)
    part = NGramLM(order, 14).fit(train, only_for=held)
    assert part.loss(held) == full.loss(held)
    assert part.unseen_context_share(held) == full.unseen_context_share(held)
    assert len(part.counts) <= len(full.counts)
    with pytest.raises(ValueError, match="only_for"):  # 13 occurs in no held-out sequence
        part.prob(3, [13] * (order - 1))
