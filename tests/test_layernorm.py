"""LayerNorm from scratch against nn.LayerNorm; the naive variant differs; BatchNorm over tokens."""

import pytest
import torch
import torch.nn as nn

from helpers.layernorm import LayerNorm, batch_norm_tokens, layer_norm, naive_layer_norm
from helpers.running_example import encoder_input


@pytest.mark.parametrize("shape", [(5,), (3, 4), (2, 7, 16), (2, 3, 5, 64)])
def test_layer_norm_equals_pytorch(shape):
    torch.manual_seed(0)
    x = torch.randn(*shape) * 3 + 1
    ref = nn.LayerNorm(shape[-1])
    with torch.no_grad():
        ref.weight.normal_()
        ref.bias.normal_()
    assert torch.allclose(layer_norm(x, ref.weight, ref.bias, ref.eps), ref(x), atol=1e-5)
    ours = LayerNorm(shape[-1]).load_from_pytorch(ref)
    assert torch.allclose(ours(x), ref(x), atol=1e-5)


def test_fresh_module_equals_fresh_pytorch_and_gradients_match():
    torch.manual_seed(1)
    x = torch.randn(4, 6, 8, dtype=torch.float64, requires_grad=True)
    ours, ref = LayerNorm(8).double(), nn.LayerNorm(8).double()
    (ours(x) ** 3).sum().backward()
    g_ours = x.grad.clone()
    x.grad = None
    (ref(x) ** 3).sum().backward()
    assert torch.allclose(g_ours, x.grad)
    assert torch.allclose(ours.weight.grad, ref.weight.grad)


def test_tiny_variance_and_constant_rows():
    x = torch.full((2, 4), 1.7)
    assert torch.equal(layer_norm(x), torch.nn.functional.layer_norm(x, (4,)))
    x = torch.tensor([[0.0, 1e-3, 2e-3, 3e-3]])
    assert torch.allclose(layer_norm(x), nn.LayerNorm(4, elementwise_affine=False)(x), atol=1e-6)


def test_naive_version_differs():
    torch.manual_seed(0)
    x = torch.randn(10, 4)
    diff = (naive_layer_norm(x) - layer_norm(x)).abs().max()
    assert diff > 0.1  # d = 4: the unbiased std is sqrt(4/3) times larger
    x = torch.randn(10, 512)
    assert (naive_layer_norm(x) - layer_norm(x)).abs().max() < 0.01  # large d: close
    expected = (x - x.mean(-1, keepdim=True)) / (x.std(-1, keepdim=True) + 1e-5)
    assert torch.allclose(naive_layer_norm(x), expected)


def test_running_example_rows():
    x = encoder_input()
    y = layer_norm(x)
    assert torch.allclose(y, nn.LayerNorm(4)(x), atol=1e-5)
    assert torch.allclose(y[0], y[1], atol=1e-5)  # both rows are a + 0.2 k: the same after LayerNorm


def test_batch_norm_tokens_equals_pytorch():
    torch.manual_seed(0)
    x = torch.randn(3, 5, 8) * 2 + 0.5
    bn = nn.BatchNorm1d(8).train()
    assert torch.allclose(batch_norm_tokens(x), bn(x.transpose(1, 2)).transpose(1, 2), atol=1e-5)


def test_batch_norm_depends_on_batch_mates_layer_norm_does_not():
    torch.manual_seed(0)
    a, b, c = torch.randn(1, 5, 8), torch.randn(1, 5, 8), torch.randn(1, 5, 8) * 4
    assert not torch.allclose(batch_norm_tokens(torch.cat([a, b]))[0], batch_norm_tokens(torch.cat([a, c]))[0])
    assert torch.equal(layer_norm(torch.cat([a, b]))[0], layer_norm(torch.cat([a, c]))[0])


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: layer_norm([1.0, 2.0]), TypeError, "torch.Tensor"),
        (lambda: layer_norm(torch.tensor([1, 2, 3])), TypeError, "floating-point"),
        (lambda: layer_norm(torch.tensor(1.0)), ValueError, "last dimension"),
        (lambda: layer_norm(torch.zeros(2, 0)), ValueError, "last dimension"),
        (lambda: layer_norm(torch.zeros(2, 4), torch.ones(3)), ValueError, "(3,)"),
        (lambda: layer_norm(torch.zeros(2, 4), None, torch.ones(4, 1)), ValueError, "bias"),
        (lambda: layer_norm(torch.zeros(2, 4), eps=-1.0), ValueError, "eps"),
        (lambda: layer_norm(torch.zeros(2, 4), eps=float("nan")), ValueError, "eps"),
        (lambda: naive_layer_norm(torch.zeros(2, 1)), ValueError, "at least 2"),
        (lambda: LayerNorm(0), ValueError, "d_model"),
        (lambda: LayerNorm(4).load_from_pytorch(nn.LayerNorm(5)), ValueError, "(5,)"),
        (lambda: batch_norm_tokens(torch.zeros(2, 4)), ValueError, "3 dims"),
        (lambda: batch_norm_tokens(torch.zeros(1, 1, 4)), ValueError, "more than one"),
    ],
)
def test_bad_inputs(call, error, words):
    with pytest.raises(error) as info:
        call()
    assert words in str(info.value)
