"""helpers.order_probe: shuffled poems, frozen mean features, the linear probe (checked against scikit-learn)."""

from __future__ import annotations

import random
from collections import Counter

import pytest
import torch
from bad_inputs import check, params

from helpers import finetune, order_probe, poems
from helpers.gpt import GPT, GPTConfig

POEM = "床前明月光，疑是地上霜。举头望明月，低头思故乡。"


@pytest.fixture(scope="module")
def vocab():
    train, _ = poems.train_val_split(poems.load_poems(), 0.05)
    return poems.CharVocab.from_poems(train[:2000], max_size=800)


@pytest.fixture(scope="module")
def body(vocab):
    torch.manual_seed(0)
    return GPT(GPTConfig(vocab_size=len(vocab), block_size=40, n_layer=1, n_head=2, n_embd=16))


def test_shuffle_keeps_punctuation_and_the_bag():
    rng = random.Random(0)
    for _ in range(20):
        s = order_probe.shuffle_chars(POEM, rng)
        assert s != POEM and len(s) == len(POEM)
        assert [i for i, c in enumerate(s) if c in "，。"] == [i for i, c in enumerate(POEM) if c in "，。"]
        assert Counter(s) == Counter(POEM)
    assert order_probe.shuffle_chars("ab", random.Random(1)) == "ba"


def test_pairs_interleave_and_a_bag_of_characters_is_exactly_at_chance(vocab):
    texts = [p.text for p in poems.load_poems() if p.form.startswith("quatrain")][:40]
    data = order_probe.order_pairs(texts, vocab, 40, seed=3)
    assert data.y.tolist() == [1, 0] * 40 and data.texts[0::2] == texts
    counts = finetune.bag_of_characters(data, len(vocab))
    torch.testing.assert_close(counts[0::2], counts[1::2])  # the same bag in each pair
    acc = order_probe.probe_curve({"bag": counts}, data.y, [4, 8], [0, 1], n_test=10, n_val=5)
    assert all(a == 0.5 for accs in acc["bag"].values() for a in accs)


def test_mean_features_match_the_classifier_and_see_order(vocab, body):
    data = order_probe.order_pairs([POEM], vocab, 40)
    f = order_probe.mean_features(body, data, batch_size=1)
    assert f.shape == (2, 16) and body.training  # the body's mode is restored
    with torch.no_grad():
        ref = finetune.PoetClassifier(body).eval().pooled(data.x, data.lengths)
    torch.testing.assert_close(f, ref)
    assert (f[0] - f[1]).abs().max() > 1e-4  # a causal body's mean features depend on the order


def test_probe_finds_an_order_signal_and_matches_scikit_learn():
    sklearn_lm = pytest.importorskip("sklearn.linear_model")
    g = torch.Generator().manual_seed(0)
    base = torch.randn(60, 8, generator=g)
    x = torch.stack([base + 0.0, base + 0.0], 1).reshape(120, 8)
    x[0::2, 0] += 4.0  # the real row of each pair carries a signal in feature 0
    x += 0.3 * torch.randn(120, 8, generator=g)
    y = torch.tensor([1, 0] * 60)
    acc = order_probe.probe_curve({"x": x}, y, [20], [0, 1], n_test=20, n_val=10)
    assert min(acc["x"][20]) > 0.8
    l2 = 0.1
    lin = finetune.fit_logistic(x, y, l2)
    ref = sklearn_lm.LogisticRegression(C=2 / (l2 * len(y)), tol=1e-10, max_iter=10_000).fit(x.numpy(), y.numpy())
    ours = torch.softmax(lin(x), -1)[:, 1].detach()
    torch.testing.assert_close(
        ours, torch.tensor(ref.predict_proba(x.numpy())[:, 1], dtype=torch.float32), atol=2e-4, rtol=0
    )


def test_split_pairs_and_rows():
    assert order_probe.split_pairs(10, 3, 2) == ([0, 1, 2], [3, 4], [5, 6, 7, 8, 9])
    assert order_probe.rows_of([0, 2]) == [0, 1, 4, 5]


X = torch.zeros(8, 3)
Y = torch.tensor([1, 0] * 4)
CASES = [
    ("text-not-str", lambda: order_probe.shuffle_chars(5, random.Random(0)), TypeError, "text"),
    ("rng-wrong", lambda: order_probe.shuffle_chars(POEM, 0), TypeError, "rng"),
    ("keep-wrong", lambda: order_probe.shuffle_chars(POEM, random.Random(0), keep=1), TypeError, "keep"),
    ("one-char", lambda: order_probe.shuffle_chars("月月，", random.Random(0)), ValueError, "text"),
    ("texts-str", lambda: order_probe.order_pairs(POEM, None, 40), TypeError, "texts"),
    ("seed-float", lambda: order_probe.order_pairs([POEM], None, 40, seed=0.5), TypeError, "seed"),
    ("text-too-long", lambda: order_probe.order_pairs([POEM], None, 20), ValueError, "block_size"),
    ("texts-item", lambda: order_probe.order_pairs([POEM, 3], None, 40), TypeError, "texts[1]"),
    ("body-wrong", lambda: order_probe.mean_features("gpt", None), TypeError, "body"),
    ("split-too-big", lambda: order_probe.split_pairs(5, 3, 2), ValueError, "n_test + n_val"),
    ("split-zero", lambda: order_probe.split_pairs(5, 0, 2), ValueError, "n_test"),
    ("features-empty", lambda: order_probe.probe_curve({}, Y, [1], [0], 1, 1), TypeError, "features"),
    ("y-odd", lambda: order_probe.probe_curve({"a": X[:7]}, Y[:7], [1], [0], 1, 1), ValueError, "y"),
    ("rows-mismatch", lambda: order_probe.probe_curve({"a": X[:6]}, Y, [1], [0], 1, 1), ValueError, "features"),
    ("size-too-big", lambda: order_probe.probe_curve({"a": X}, Y, [5], [0], 1, 1), ValueError, "sizes"),
    ("features-int", lambda: order_probe.probe_curve({"a": X.long()}, Y, [1], [0], 1, 1), TypeError, "features"),
]


@params(CASES)
def test_bad_inputs(case):
    check(case)
