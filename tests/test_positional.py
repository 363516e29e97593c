"""Sinusoidal encoding against the paper's formula; the offset map; RoPE against complex numbers."""

import math

import pytest
import torch

from helpers.positional import (
    alibi_bias,
    alibi_slopes,
    apply_rope,
    offset_matrix,
    rope_angles,
    rotate_pairs,
    sinusoidal_encoding,
    t5_bucket,
)


def test_sinusoidal_matches_formula():
    pe = sinusoidal_encoding(50, 12)
    for p in range(50):
        for i in range(6):
            w = 1 / 10000 ** (2 * i / 12)
            assert math.isclose(pe[p, 2 * i].item(), math.sin(p * w), abs_tol=1e-6)
            assert math.isclose(pe[p, 2 * i + 1].item(), math.cos(p * w), abs_tol=1e-6)


@pytest.mark.parametrize("delta", [1, 3, 17])
def test_offset_is_a_fixed_linear_map(delta):
    """Row vectors: PE(pos + delta) = PE(pos) @ M for every pos."""
    pe = sinusoidal_encoding(300, 32)
    m = offset_matrix(delta, 32)
    assert torch.allclose(pe[:-delta] @ m, pe[delta:], atol=1e-4)
    assert torch.allclose(m @ m.T, torch.eye(32), atol=1e-5)
    assert torch.allclose(offset_matrix(-delta, 32), m.T, atol=1e-6)


def rope_complex(x):
    t, d = x.shape[-2], x.shape[-1]
    omega = 10000 ** (-torch.arange(0, d, 2, dtype=torch.float64) / d)
    rot = torch.polar(torch.ones(t, d // 2, dtype=torch.float64), torch.arange(t)[:, None] * omega)
    z = torch.view_as_complex(x.double().reshape(*x.shape[:-1], d // 2, 2).contiguous())
    return torch.view_as_real(z * rot).reshape(x.shape).to(x.dtype)


def test_rope_matches_complex_reference():
    x = torch.randn(3, 2, 9, 16)
    assert torch.allclose(apply_rope(x), rope_complex(x), atol=1e-5)


def test_rope_scores_depend_only_on_offset():
    q, k = torch.randn(8), torch.randn(8)
    qs, ks = apply_rope(q.expand(40, 8).clone()), apply_rope(k.expand(40, 8).clone())
    scores = torch.stack([qs[m] @ ks[m + 5] for m in range(30)])
    assert (scores - scores[0]).abs().max() < 1e-4


def test_rotate_pairs_and_fractional_positions():
    x = torch.randn(2, 7, 10)
    assert torch.allclose(rotate_pairs(x, rope_angles(torch.arange(7), 10)), apply_rope(x), atol=1e-6)
    # positions scaled by 1/2 (position interpolation): position 6 rotates like position 3
    half = rotate_pairs(x, rope_angles(torch.arange(7) * 0.5, 10))
    assert torch.allclose(half[:, 6], apply_rope(x[:, 6:7], positions=torch.tensor([3]))[:, 0], atol=1e-5)
    with pytest.raises(ValueError, match="angles must have shape"):
        rotate_pairs(x, torch.zeros(7, 4))


def test_interleaved_and_rotate_half_give_the_same_scores():
    """Moving the layout permutation into W^Q and W^K columns leaves every score unchanged."""
    from helpers.llama.layers import apply_rope_half, half_to_interleaved

    torch.manual_seed(0)
    d = 16
    x, wq, wk = torch.randn(9, d), torch.randn(d, d), torch.randn(d, d)
    perm = half_to_interleaved(d)
    assert perm.tolist() == [i for j in range(d // 2) for i in (j, j + d // 2)]
    half = apply_rope_half(x @ wq, base=10000.0) @ apply_rope_half(x @ wk, base=10000.0).T
    inter = apply_rope(x @ wq[:, perm]) @ apply_rope(x @ wk[:, perm]).T
    assert torch.allclose(half, inter, atol=1e-4)
    # without the permutation the two layouts disagree
    plain = apply_rope(x @ wq) @ apply_rope(x @ wk).T
    assert not torch.allclose(half, plain, atol=1e-2)


def test_rotate_half_matches_transformers():
    llama = pytest.importorskip("transformers.models.llama.modeling_llama")
    from helpers.llama.layers import apply_rope_half

    torch.manual_seed(0)
    d, T = 8, 6
    q, k = torch.randn(1, 1, T, d), torch.randn(1, 1, T, d)
    angles = rope_angles(torch.arange(T), d)
    cos = torch.cat([angles, angles], -1).cos().float()[None]
    sin = torch.cat([angles, angles], -1).sin().float()[None]
    ref_q, ref_k = llama.apply_rotary_pos_emb(q, k, cos, sin)
    assert torch.allclose(apply_rope_half(q, base=10000.0), ref_q, atol=1e-6)
    assert torch.allclose(apply_rope_half(k, base=10000.0), ref_k, atol=1e-6)


def test_t5_bucket_matches_transformers():
    t5 = pytest.importorskip("transformers.models.t5.modeling_t5")
    rel = torch.arange(-300, 301)[None, :] - torch.zeros(1, 1, dtype=torch.long)
    for bidirectional in (True, False):
        for n, dist in ((32, 128), (16, 64)):
            ref = t5.T5Attention._relative_position_bucket(rel, bidirectional, n, dist)
            assert torch.equal(t5_bucket(rel, bidirectional, n, dist), ref)


def test_alibi_matches_bloom_and_paper():
    # the paper: for 8 heads the slopes are 1/2, 1/4, ..., 1/256
    assert torch.allclose(alibi_slopes(8), torch.tensor([2.0 ** -(h + 1) for h in range(8)]))
    bloom = pytest.importorskip("transformers.models.bloom.modeling_bloom")
    for heads in (4, 6, 8, 12):
        T = 7
        ref = bloom.build_alibi_tensor(torch.ones(1, T), heads, torch.float32)  # (heads, 1, T)
        assert torch.allclose(alibi_slopes(heads), ref[:, 0, 1], atol=1e-6)
        # Bloom adds slope * j; ALiBi's -slope * (i - j) differs by a constant per row: same softmax
        scores = torch.randn(heads, T, T)
        causal = torch.ones(T, T, dtype=torch.bool).tril()
        ours = torch.softmax((scores + alibi_bias(T, heads)).masked_fill(~causal, float("-inf")), -1)
        theirs = torch.softmax((scores + ref).masked_fill(~causal, float("-inf")), -1)
        assert torch.allclose(ours, theirs, atol=1e-5)


def test_length_generalization_model():
    from helpers.length_generalization import OneLayerAttention, copy_back_batch, train_and_test

    ids, targets = copy_back_batch(4, 10, 3, 16, torch.Generator().manual_seed(0))
    assert torch.equal(targets[:, 3:], ids[:, :-3]) and (targets[:, :3] == -100).all()
    # causal: changing a later token leaves earlier logits unchanged, for every kind
    for kind in ("none", "sinusoidal", "learned", "rope", "alibi"):
        model = OneLayerAttention(kind)
        changed = ids.clone()
        changed[:, -1] = (changed[:, -1] + 1) % 16
        assert torch.allclose(model(ids)[:, :-1], model(changed)[:, :-1], atol=1e-6)
    with pytest.raises(ValueError, match="kind must be one of"):
        OneLayerAttention("t5")
    model = OneLayerAttention("rope")
    x = torch.randn(3, 20, 32)
    assert torch.allclose(model.rope(x), apply_rope(x), atol=1e-5)
    # the fused attention equals softmax(q k^T / sqrt(d) + causal mask) v written out
    q, k, v = torch.randn(3, 3, 5, 8).unbind(0)
    scores = (q @ k.transpose(-2, -1) / 8**0.5).masked_fill(torch.ones(5, 5).triu(1).bool(), float("-inf"))
    ref = torch.softmax(scores, -1) @ v
    assert torch.allclose(torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True), ref, atol=1e-5)
    acc = train_and_test("rope", seed=0, T_train=12, T_test=24, steps=150)
    assert acc[:3].isnan().all() and acc[3:12].mean() > 0.9


def test_bad_input():
    with pytest.raises(ValueError, match="d_model must be even"):
        sinusoidal_encoding(4, 5)
    with pytest.raises(ValueError, match="n_positions must be a positive int"):
        sinusoidal_encoding(0, 4)
    with pytest.raises(ValueError, match="positions has 3 entries but x has T=4"):
        apply_rope(torch.randn(4, 8), positions=torch.arange(3))
    with pytest.raises(TypeError, match="floating-point"):
        apply_rope(torch.ones(4, 8, dtype=torch.long))
