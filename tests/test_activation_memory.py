"""Saved activations (chapter 9): the count by hand for a GPT block equals what autograd saves."""

import pytest
import torch
from bad_inputs import check, params

from helpers import activation_memory as am
from helpers.gpt import Block, GPTConfig


def _block_saved(b, t, c, h, attention="manual"):
    torch.manual_seed(0)
    block = Block(GPTConfig(block_size=t, n_head=h, n_embd=c, attention=attention)).eval()
    x = torch.randn(b, t, c, requires_grad=True)
    keep = [*block.parameters(), *block.buffers()]
    return am.measure_saved(lambda: block(x), exclude=keep)


@pytest.mark.parametrize("shape", [(2, 8, 16, 2), (3, 5, 12, 4), (1, 16, 8, 1)])
def test_count_by_hand_equals_measurement(shape):
    saved = _block_saved(*shape)
    assert saved.n_bytes == 4 * sum(am.block_saved_elements(*shape).values())
    b, t, c, h = shape
    assert sum(am.block_saved_elements(*shape).values()) == 16 * b * t * c + b * h * t * t + 4 * b * t


def test_sdpa_keeps_no_attention_matrix():
    saved = _block_saved(2, 6, 16, 2, attention="sdpa")  # A would be (2, 2, 6, 6)
    assert (2, 2, 6, 6) not in saved.shapes
    assert (2, 2, 6, 6) in _block_saved(2, 6, 16, 2).shapes


def test_shared_storage_counts_once_and_parameters_are_left_out():
    w = torch.randn(4, 4, requires_grad=True)
    x = torch.randn(3, 4, requires_grad=True)
    saved = am.measure_saved(lambda: (x @ w) * (x @ w), exclude=[w])
    # x saved twice (two matmuls) counts once; w is excluded; the two products are saved by *
    assert saved.n_tensors == 3 and saved.n_bytes == 4 * (12 + 12 + 12)


def test_no_grad_saves_nothing():
    x = torch.randn(3, 4, requires_grad=True)
    with torch.no_grad():
        assert am.measure_saved(lambda: torch.exp(x)).n_bytes == 0


@params(
    [
        ("fn", lambda: am.measure_saved(3), TypeError, "fn"),
        ("exclude", lambda: am.measure_saved(lambda: None, exclude=[3]), TypeError, "exclude"),
        ("batch", lambda: am.block_saved_elements(0, 4, 8, 2), ValueError, "batch"),
        ("length", lambda: am.block_saved_elements(1, 1.5, 8, 2), TypeError, "length"),
        ("width", lambda: am.block_saved_elements(1, 4, -8, 2), ValueError, "width"),
        ("heads", lambda: am.block_saved_elements(1, 4, 8, 3), ValueError, "heads"),
    ]
)
def test_bad_inputs(case):
    check(case)
