"""The counted n-gram models (helpers.ngram) against NLTK's, and their basic laws."""

from __future__ import annotations

import math
import random

import pytest

from helpers.ngram import NGramLM

lm_mod = pytest.importorskip("nltk.lm")
everygrams = pytest.importorskip("nltk.util").everygrams


def corpus(seed: int = 0, n: int = 40) -> list[list[int]]:
    rng = random.Random(seed)
    return [[1] + [rng.randint(3, 9) for _ in range(rng.randint(2, 9))] + [2] for _ in range(n)]


def nltk_fit(model, lm: NGramLM, seqs):
    model.fit([list(everygrams([str(x) for x in lm.pad(s)], max_len=lm.order)) for s in seqs],
              vocabulary_text=[str(i) for i in range(lm.vocab_size - 1)])  # NLTK adds <UNK>
    return model


@pytest.mark.parametrize("order", [1, 2, 3, 4])
def test_witten_bell_equals_nltk(order):
    seqs = corpus(order)
    ours = NGramLM(order, 10, "witten_bell").fit(seqs)
    ref = nltk_fit(lm_mod.WittenBellInterpolated(order), ours, seqs)
    rng = random.Random(5)
    for _ in range(200):
        ctx = [rng.choice([1, 3, 4, 5, 9]) for _ in range(order - 1)]
        w = rng.randint(1, 9)
        assert math.isclose(ours.prob(w, ctx), ref.score(str(w), [str(c) for c in ctx]), abs_tol=1e-12)


@pytest.mark.parametrize("order,k", [(1, 0.5), (2, 1.0), (3, 0.1)])
def test_lidstone_equals_nltk(order, k):
    seqs = corpus(10 + order)
    ours = NGramLM(order, 10, "lidstone", k=k).fit(seqs)
    ref = nltk_fit(lm_mod.Lidstone(k, order), ours, seqs)
    assert len(ref.vocab) == ours.vocab_size
    for ctx in ([1, 1], [3, 4], [9, 9], [5, 2]):
        ctx = ctx[len(ctx) - (order - 1):] if order > 1 else []
        for w in range(1, 10):
            assert math.isclose(ours.prob(w, ctx), ref.score(str(w), [str(c) for c in ctx]), abs_tol=1e-12)


@pytest.mark.parametrize("smoothing", ["witten_bell", "lidstone"])
def test_probabilities_sum_to_one_and_loss_is_mean_nll(smoothing):
    seqs = corpus(3)
    lm = NGramLM(3, 10, smoothing, k=0.2).fit(seqs)
    for ctx in ([1, 1], [3, 4], [8, 8]):
        assert math.isclose(sum(lm.prob(w, ctx) for w in range(10)), 1.0, abs_tol=1e-12)
    test = corpus(99, 5)
    lps = [lp for s in test for lp in lm.log_probs(s)]
    assert len(lps) == sum(len(s) - 1 for s in test)
    assert math.isclose(lm.loss(test), -sum(lps) / len(lps))


def test_more_context_fits_training_text_better():
    seqs = corpus(7, 200)
    losses = [NGramLM(n, 10).fit(seqs).loss(seqs) for n in (1, 2, 3)]
    assert losses[0] > losses[1] > losses[2]


def test_bad_arguments():
    with pytest.raises(ValueError):
        NGramLM(0, 10)
    with pytest.raises(ValueError):
        NGramLM(2, 10, "kneser")
    with pytest.raises(ValueError):
        NGramLM(2, 10, "lidstone", k=0)
