"""Softmax saturation helpers against autograd and closed forms."""

import math

import pytest
import torch

from helpers.saturation import entropy, saturated_share, softmax_jacobian


def test_jacobian_equals_autograd():
    torch.manual_seed(0)
    for s in (torch.randn(5, dtype=torch.float64), 20 * torch.randn(7, dtype=torch.float64)):
        auto = torch.autograd.functional.jacobian(lambda x: torch.softmax(x, -1), s)
        assert torch.allclose(softmax_jacobian(torch.softmax(s, -1)), auto, atol=1e-12)


def test_jacobian_batched_and_rows_sum_to_zero():
    p = torch.softmax(torch.randn(3, 4, 6), -1)
    j = softmax_jacobian(p)
    assert j.shape == (3, 4, 6, 6)
    assert torch.allclose(j.sum(-1), torch.zeros(3, 4, 6), atol=1e-6)  # weights always sum to 1
    assert torch.allclose(j, j.transpose(-1, -2))


def test_jacobian_vanishes_when_one_hot():
    assert torch.all(softmax_jacobian(torch.tensor([0.0, 1.0, 0.0])) == 0)


def test_entropy_extremes():
    assert entropy(torch.full((8,), 1 / 8)).item() == pytest.approx(math.log(8))
    assert entropy(torch.tensor([0.0, 1.0, 0.0])).item() == 0
    assert entropy(torch.ones(2, 3, 1)).shape == (2, 3)


def test_saturated_share_counts_rows():
    w = torch.tensor([[1.0, 0.0], [0.5, 0.5], [0.995, 0.005], [0.2, 0.8]])
    assert saturated_share(w) == pytest.approx(0.5)
    assert saturated_share(w, threshold=0.7) == pytest.approx(0.75)


def test_saturated_share_skips_rows_with_one_key():
    causal = torch.tril(torch.ones(3, 3, dtype=torch.bool))
    w = torch.softmax(torch.zeros(3, 3).masked_fill(~causal, float("-inf")), -1)
    # row 0 is one-hot only because it has a single key; the other rows are uniform
    assert saturated_share(w, mask=causal) == 0
    assert saturated_share(w) == pytest.approx(1 / 3)


def test_bad_input():
    with pytest.raises(TypeError, match="p must be a torch.Tensor"):
        softmax_jacobian([0.5, 0.5])
    with pytest.raises(TypeError, match="floating-point"):
        entropy(torch.tensor([1, 0]))
    with pytest.raises(ValueError, match=r"in \[0, 1\]"):
        entropy(torch.tensor([2.0, -1.0]))
    with pytest.raises(ValueError, match="T_q, T_k"):
        saturated_share(torch.tensor([0.5, 0.5]))
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        saturated_share(torch.full((2, 2), 0.5), threshold=1.5)
    with pytest.raises(TypeError, match="bool tensor"):
        saturated_share(torch.full((2, 2), 0.5), mask=torch.ones(2, 2))
    with pytest.raises(ValueError, match=r"mask of shape \(3, 3\) does not broadcast to weights of shape \(2, 2\)"):
        saturated_share(torch.full((2, 2), 0.5), mask=torch.ones(3, 3, dtype=torch.bool))
    with pytest.raises(ValueError, match="no row has two or more keys"):
        saturated_share(torch.ones(2, 1))


def test_attention_rows_and_row_sharpness_match_the_model():
    from helpers import corpus, translator
    from helpers.saturation import attention_rows, count_saturated, row_sharpness

    model, _ = translator.load()
    en, zh = translator.vocabularies()
    pairs = [corpus.RUNNING_EXAMPLE, corpus.make_pair(1, 2, companion=3, place=2, time=3)]
    rows = attention_rows(model, pairs, en, zh)
    assert set(rows) == {(k, i) for k in ("encoder", "decoder", "cross") for i in range(2)}
    w, s, m = rows["decoder", 0]
    # one row per sentence, head and query: 4 heads x (3 + 10) decoder positions
    assert w.shape == (4 * (3 + 10), 32) and m.dtype == torch.bool
    assert torch.allclose(w.sum(-1), torch.ones(len(w)), atol=1e-5)
    assert torch.all(w[~m] == 0)  # the causal mask and the right padding
    # the scaled scores reproduce the weights through a masked softmax
    ref = torch.softmax(s.masked_fill(~m, float("-inf")), -1)
    assert torch.allclose(ref, w, atol=1e-5)
    share, spread = row_sharpness(w, s, m)
    assert 0 <= share <= 1 and spread > 0
    sat, total = count_saturated(rows, [("decoder", 0)])
    assert total == int((m.sum(-1) >= 2).sum()) and sat == round(share * total)


def test_row_sharpness_on_known_rows():
    from helpers.saturation import row_sharpness

    s = torch.tensor([[10.0, 0.0, 0.0], [1.0, 0.0, -1.0], [5.0, 0.0, 0.0]])
    m = torch.tensor([[True, True, True], [True, True, True], [True, False, False]])
    w = torch.softmax(s.masked_fill(~m, float("-inf")), -1)
    share, spread = row_sharpness(w, s, m)
    assert share == 0.5  # the third row has one key: not counted; the first is > 0.99
    expected = torch.tensor([s[0].std(unbiased=False), s[1].std(unbiased=False)]).median()
    assert math.isclose(spread, expected.item(), rel_tol=1e-6)


def test_untrained_networks_and_seed_summary():
    from helpers import translator
    from helpers.saturation import UNTRAINED, seed_summary, untrained_networks

    model, _ = translator.load()
    nets = untrained_networks(model.config, 0)
    assert tuple(nets) == UNTRAINED
    assert not nets["at init"].training and nets["at init, pre-norm"].config.norm_first
    d = model.config.d_model
    small = nets["at init, small embeddings"].src_emb.weight.std().item()
    assert math.isclose(small, d**-0.5, rel_tol=0.1)  # N(0, 1/d_model) entries
    assert 0.9 < nets["at init"].src_emb.weight.std().item() < 1.1  # PyTorch's default N(0, 1)
    # the same seed draws the same network; another seed another one
    again = untrained_networks(model.config, 0)["at init"]
    other = untrained_networks(model.config, 1)["at init"]
    assert torch.equal(again.src_emb.weight, nets["at init"].src_emb.weight)
    assert not torch.equal(other.src_emb.weight, nets["at init"].src_emb.weight)

    mean, low, high = seed_summary([{"a": (0.2, 10.0)}, {"a": (0.4, 14.0)}, {"a": (0.3, 12.0)}])
    assert low == {"a": (0.2, 10.0)} and high == {"a": (0.4, 14.0)}
    assert all(math.isclose(x, y) for x, y in zip(mean["a"], (0.3, 12.0)))


def test_untrained_networks_and_seed_summary_bad_inputs():
    from helpers import translator
    from helpers.saturation import seed_summary, untrained_networks

    model, _ = translator.load()
    with pytest.raises(TypeError, match="config must be a transformer.TransformerConfig"):
        untrained_networks({"d_model": 64}, 0)
    with pytest.raises(ValueError, match="seed"):
        untrained_networks(model.config, -1)
    with pytest.raises(ValueError, match="per_seed must be a non-empty list"):
        seed_summary([])
    with pytest.raises(ValueError, match=r"per_seed\[1\] must be a dict with the keys"):
        seed_summary([{"a": (0.1, 1.0)}, {"b": (0.1, 1.0)}])
