"""One-hot x matrix equals nn.Embedding; input checks."""

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from helpers.embeddings import cosine_similarity_matrix, embed_by_matmul, one_hot, translator_init_scales


def test_one_hot_matches_torch():
    ids = torch.tensor([[0, 3], [2, 1]])
    assert torch.equal(one_hot(ids, 5), F.one_hot(ids, 5).float())


def test_matmul_equals_nn_embedding():
    torch.manual_seed(0)
    layer = nn.Embedding(11, 6)
    ids = torch.randint(0, 11, (4, 7))
    assert torch.allclose(embed_by_matmul(ids, layer.weight), layer(ids), atol=1e-6)


def test_cosine_matches_torch():
    x = torch.randn(5, 3)
    ref = F.cosine_similarity(x[:, None], x[None], dim=-1)
    assert torch.allclose(cosine_similarity_matrix(x), ref, atol=1e-6)


def test_bad_input():
    w = torch.randn(4, 3)
    with pytest.raises(TypeError, match="integer tensor of token ids"):
        embed_by_matmul(torch.tensor([0.0, 1.0]), w)
    with pytest.raises(ValueError, match=r"ids must lie in \[0, 4\)"):
        embed_by_matmul(torch.tensor([0, 4]), w)
    with pytest.raises(ValueError, match=r"weight must have 2 dims, got shape \(4,\)"):
        embed_by_matmul(torch.tensor([0]), torch.randn(4))
    with pytest.raises(TypeError, match="must be a torch.Tensor"):
        one_hot([0, 1], 3)
    with pytest.raises(ValueError, match="num_classes must be a positive int"):
        one_hot(torch.tensor([0]), 0)


def test_principal_components_match_numpy():
    import numpy as np

    from helpers.embeddings import principal_components

    torch.manual_seed(0)
    x = torch.randn(30, 6) @ torch.randn(6, 6)
    coords, explained = principal_components(x, 2)
    xc = x.double().numpy() - x.double().numpy().mean(0)
    _, s, vt = np.linalg.svd(xc, full_matrices=False)
    ref = xc @ vt[:2].T
    signs = np.sign((coords.double().numpy() * ref).sum(0))
    assert np.allclose(coords.double().numpy(), ref * signs, atol=1e-4)
    assert np.allclose(explained.numpy(), s[:2] ** 2 / (s**2).sum(), atol=1e-5)
    # the first direction carries the most variance
    assert coords[:, 0].var() >= coords[:, 1].var()
    with pytest.raises(ValueError, match="k must be <= min"):
        principal_components(x, 7)


def test_pad_row_gets_no_gradient_with_key_mask_and_ignore_index():
    """With a key mask and ignore_index no loss term reads the <pad> row; without them it does."""
    from helpers.attention import scaled_dot_product_attention

    torch.manual_seed(0)
    pad, vocab = 0, 9
    inputs = torch.tensor([[1, 2, 3, pad, pad], [1, 4, 5, 6, 7]])
    targets = torch.tensor([[2, 3, 8, pad, pad], [4, 5, 6, 7, 8]])
    emb, out = nn.Embedding(vocab, 6), nn.Linear(6, vocab)
    w = [torch.randn(6, 6) for _ in range(3)]

    def pad_grad(masked: bool) -> float:
        emb.weight.grad = None
        x = emb(inputs)
        allowed = torch.ones(5, 5, dtype=torch.bool).tril()
        if masked:
            allowed = allowed & (inputs != pad)[:, None, :]
        h = x + scaled_dot_product_attention(x @ w[0], x @ w[1], x @ w[2], allowed)
        logits = out(h).flatten(0, 1)
        loss = F.cross_entropy(logits, targets.flatten(), ignore_index=pad if masked else -100)
        loss.backward()
        return emb.weight.grad[pad].norm().item()

    assert pad_grad(masked=False) > 0
    assert pad_grad(masked=True) == 0


def test_translator_init_scales_are_pytorchs_defaults():
    """A fresh translator: N(0, 1) embeddings times sqrt(d), U(±1/sqrt(d_in)) linear layers."""
    import math

    r = translator_init_scales(seed=0)
    assert abs(r["emb_std"] - 1) < 0.1
    assert r["input_std"] == pytest.approx(r["emb_std"] * math.sqrt(r["d_model"]))
    assert r["linear_std"] == pytest.approx(1 / math.sqrt(3 * r["d_model"]), rel=0.05)
    assert r["after_norm_rms"] == pytest.approx(1.0, abs=1e-3)  # LayerNorm, gain 1
    assert r["pe_rms"] == pytest.approx(math.sqrt(0.5), abs=1e-4)  # sin² + cos² = 1 per pair
    assert abs(r["loss"] - r["ln_v"]) < 0.5 and r["logit_std"] < 1.0
    assert translator_init_scales(seed=0) == r  # seeded


@pytest.mark.parametrize("seed, exc", [(-1, ValueError), ("0", TypeError), (1.5, TypeError)])
def test_translator_init_scales_bad_seed(seed, exc):
    with pytest.raises(exc, match="seed"):
        translator_init_scales(seed=seed)
