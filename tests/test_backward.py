"""Hand-derived backward passes: equal to autograd, pass gradcheck (float64), reject bad input."""

import pytest
import torch
import torch.nn.functional as F
from torch.autograd import gradcheck

from helpers import backward

F64 = {"dtype": torch.float64, "requires_grad": True}


def grads(fn, inputs, seed=0):
    out = fn(*inputs)
    torch.manual_seed(seed)
    w = torch.randn_like(out)
    return out, torch.autograd.grad((out * w).sum(), inputs)


def assert_same_grads(ours, reference, inputs, atol=1e-12):
    out_a, ga = grads(ours, inputs)
    out_b, gb = grads(reference, inputs)
    assert torch.allclose(out_a, out_b, atol=atol)
    for a, b in zip(ga, gb):
        assert torch.allclose(a, b, atol=atol), (a - b).abs().max()


# --- softmax + cross-entropy -----------------------------------------------------------------
def test_cross_entropy_equals_pytorch_and_passes_gradcheck():
    torch.manual_seed(0)
    logits, targets = torch.randn(7, 11, **F64), torch.randint(0, 11, (7,))
    assert_same_grads(lambda z: backward.softmax_cross_entropy(z, targets),
                      lambda z: F.cross_entropy(z, targets), (logits,))
    assert gradcheck(lambda z: backward.softmax_cross_entropy(z, targets), (logits,))


def test_cross_entropy_ignores_padding():
    torch.manual_seed(1)
    logits = torch.randn(6, 5, **F64)
    targets = torch.tensor([1, 0, 3, 0, 4, 2])
    assert_same_grads(lambda z: backward.softmax_cross_entropy(z, targets, 0),
                      lambda z: F.cross_entropy(z, targets, ignore_index=0), (logits,))
    loss = backward.softmax_cross_entropy(logits, targets, 0)
    (g,) = torch.autograd.grad(loss, logits)
    assert torch.all(g[targets == 0] == 0)
    assert gradcheck(lambda z: backward.softmax_cross_entropy(z, targets, 0), (logits,))


def test_cross_entropy_gradient_is_p_minus_y():
    logits = torch.tensor([[2.0, 1.0, 0.1, 3.0, -1.0]], dtype=torch.float64)
    _, probs = backward.softmax_cross_entropy_forward(logits, torch.tensor([3]))
    g = backward.softmax_cross_entropy_backward(probs, torch.tensor([3]))
    expected = torch.softmax(logits, -1) - torch.tensor([[0, 0, 0, 1.0, 0]], dtype=torch.float64)
    assert torch.allclose(g, expected)


@pytest.mark.parametrize(
    "logits, targets, match",
    [
        (torch.randn(3, 4), torch.tensor([0, 1]), r"logits \(3, 4\) and targets \(2,\)"),
        (torch.randn(3, 4), torch.tensor([0, 1, 4]), r"\[0, 4\).*from 0 to 4"),
        (torch.randn(3, 4), torch.tensor([0.0, 1.0, 2.0]), "integer"),
        (torch.randn(2, 3, 4), torch.tensor([0, 1]), r"2 dims, got shape \(2, 3, 4\)"),
        (torch.randint(0, 3, (3, 4)), torch.tensor([0, 1, 2]), "floating-point"),
    ],
)
def test_cross_entropy_bad_input(logits, targets, match):
    with pytest.raises((ValueError, TypeError), match=match):
        backward.softmax_cross_entropy(logits, targets)


def test_cross_entropy_all_padding_is_an_error():
    with pytest.raises(ValueError, match="every target is ignore_index"):
        backward.softmax_cross_entropy(torch.randn(2, 3), torch.tensor([0, 0]), ignore_index=0)


# --- linear ----------------------------------------------------------------------------------
def test_linear_equals_pytorch_and_passes_gradcheck():
    torch.manual_seed(2)
    x, w, b = torch.randn(2, 3, 4, **F64), torch.randn(5, 4, **F64), torch.randn(5, **F64)
    assert_same_grads(backward.linear, F.linear, (x, w, b))
    assert_same_grads(lambda a, c: backward.linear(a, c), lambda a, c: F.linear(a, c), (x, w))
    assert gradcheck(backward.linear, (x, w, b))


def test_linear_bad_input():
    with pytest.raises(ValueError, match=r"x \(2, 3\) must end in d_in = 4.*weight \(5, 4\)"):
        backward.linear(torch.randn(2, 3), torch.randn(5, 4))
    with pytest.raises(ValueError, match=r"bias \(4,\) must have d_out = 5"):
        backward.linear(torch.randn(2, 4), torch.randn(5, 4), torch.randn(4))
    with pytest.raises(ValueError, match=r"grad_y \(2, 4\) must have the shape of y, \(2, 5\)"):
        backward.linear_backward(torch.randn(2, 4), torch.randn(5, 4), torch.randn(2, 4))


# --- attention -------------------------------------------------------------------------------
def sdpa(q, k, v, mask=None):
    return F.scaled_dot_product_attention(q, k, v, attn_mask=mask)


@pytest.mark.parametrize("masked", [False, True])
def test_attention_equals_pytorch_and_passes_gradcheck(masked):
    torch.manual_seed(3)
    q, k, v = torch.randn(2, 3, 4, 8, **F64), torch.randn(2, 3, 4, 8, **F64), torch.randn(2, 3, 4, 6, **F64)
    mask = torch.tril(torch.ones(4, 4, dtype=torch.bool)) if masked else None
    assert_same_grads(lambda a, b, c: backward.attention(a, b, c, mask), lambda a, b, c: sdpa(a, b, c, mask), (q, k, v))
    assert gradcheck(lambda a, b, c: backward.attention(a, b, c, mask), (q, k, v))


def test_cross_attention_shapes_and_padding_mask():
    torch.manual_seed(4)
    q, k, v = torch.randn(2, 3, 4, **F64), torch.randn(2, 5, 4, **F64), torch.randn(2, 5, 7, **F64)
    mask = torch.tensor([[True] * 5, [True, True, True, False, False]])[:, None, :]  # (B, 1, S)
    out = backward.attention(q, k, v, mask)
    assert out.shape == (2, 3, 7)
    assert_same_grads(lambda a, b, c: backward.attention(a, b, c, mask), lambda a, b, c: sdpa(a, b, c, mask), (q, k, v))
    # padded keys and values get no gradient
    _, (_, gk, gv) = grads(lambda a, b, c: backward.attention(a, b, c, mask), (q, k, v))
    assert torch.all(gk[1, 3:] == 0) and torch.all(gv[1, 3:] == 0)
    assert gradcheck(lambda a, b, c: backward.attention(a, b, c, mask), (q, k, v))


def test_masked_scores_get_exactly_zero_gradient():
    torch.manual_seed(5)
    q, k, v = (torch.randn(4, 4, dtype=torch.float64) for _ in range(3))
    mask = torch.tril(torch.ones(4, 4, dtype=torch.bool))
    _, weights = backward.attention_forward(q, k, v, mask)
    d_scores = backward.softmax_backward(weights, torch.randn(4, 4, dtype=torch.float64))
    assert torch.all(d_scores[~mask] == 0)
    assert torch.allclose(d_scores.sum(-1), torch.zeros(4, dtype=torch.float64), atol=1e-12)


def test_attention_bad_input():
    q = torch.randn(3, 4)
    with pytest.raises(ValueError, match=r"q \(3, 4\) and k \(5, 6\) must have the same last dim"):
        backward.attention(q, torch.randn(5, 6), torch.randn(5, 6))
    with pytest.raises(ValueError, match=r"k \(5, 4\) and v \(6, 4\) must have the same length"):
        backward.attention(q, torch.randn(5, 4), torch.randn(6, 4))
    with pytest.raises(TypeError, match="mask must be bool"):
        backward.attention(q, q, q, torch.ones(3, 3))
    with pytest.raises(ValueError, match=r"mask \(2, 2\) does not broadcast to the scores' shape \(3, 3\)"):
        backward.attention(q, q, q, torch.ones(2, 2, dtype=torch.bool))
    with pytest.raises(ValueError, match="all False"):
        backward.attention(q, q, q, torch.zeros(3, 3, dtype=torch.bool))
    with pytest.raises(ValueError, match=r"q must be \(\.\.\., T, d\), got shape \(4,\)"):
        backward.attention(torch.randn(4), q, q)
    with pytest.raises(ValueError, match=r"grad_out \(3, 5\) must have the output's shape \(3, 4\)"):
        _, w = backward.attention_forward(q, q, q)
        backward.attention_backward(q, q, q, w, torch.randn(3, 5))


# --- LayerNorm -------------------------------------------------------------------------------
def test_layer_norm_equals_pytorch_and_passes_gradcheck():
    torch.manual_seed(6)
    x, g, b = torch.randn(2, 3, 8, **F64), torch.randn(8, **F64), torch.randn(8, **F64)
    assert_same_grads(backward.layer_norm, lambda a, c, d: F.layer_norm(a, (8,), c, d, 1e-5), (x, g, b))
    assert gradcheck(backward.layer_norm, (x, g, b))
    # the gradient of x has no mean: shifting a row does not change LayerNorm's output
    _, (gx, _, _) = grads(backward.layer_norm, (x, g, b))
    assert torch.allclose(gx.sum(-1), torch.zeros(2, 3, dtype=torch.float64), atol=1e-10)


def test_layer_norm_equals_nn_layer_norm_in_float32():
    torch.manual_seed(7)
    ln = torch.nn.LayerNorm(16)
    with torch.no_grad():
        ln.weight.normal_()
        ln.bias.normal_()
    x = torch.randn(4, 16, requires_grad=True)
    y_ref = ln(x)
    y = backward.layer_norm(x, ln.weight, ln.bias, ln.eps)
    assert torch.allclose(y, y_ref, atol=1e-5)
    w = torch.randn(4, 16)
    ours = torch.autograd.grad((y * w).sum(), (x, ln.weight, ln.bias))
    ref = torch.autograd.grad((y_ref * w).sum(), (x, ln.weight, ln.bias))
    for a, b in zip(ours, ref):
        assert torch.allclose(a, b, atol=1e-4)


def test_layer_norm_bad_input():
    x = torch.randn(2, 4)
    with pytest.raises(ValueError, match=r"gamma \(3,\) must have one entry per feature of x \(2, 4\)"):
        backward.layer_norm(x, torch.ones(3), torch.zeros(4))
    with pytest.raises(ValueError, match="eps must be > 0"):
        backward.layer_norm(x, torch.ones(4), torch.zeros(4), eps=0.0)
    with pytest.raises(TypeError, match="x must be a torch.Tensor"):
        backward.layer_norm([[1.0, 2.0]], torch.ones(2), torch.zeros(2))
    with pytest.raises(ValueError, match=r"grad_y \(2, 3\) must have the shape of x \(2, 4\)"):
        _, x_hat, rstd = backward.layer_norm_forward(x, torch.ones(4), torch.zeros(4))
        backward.layer_norm_backward(torch.randn(2, 3), x_hat, rstd, torch.ones(4))


# --- ReLU, dropout, feed-forward ---------------------------------------------------------------
def test_feed_forward_equals_pytorch_and_passes_gradcheck():
    torch.manual_seed(5)
    x = torch.randn(2, 3, 4, **F64)
    w1, b1 = torch.randn(6, 4, **F64), torch.randn(6, **F64)
    w2, b2 = torch.randn(4, 6, **F64), torch.randn(4, **F64)

    def reference(a, c, d, e, g):
        return F.linear(torch.relu(F.linear(a, c, d)), e, g)

    assert_same_grads(backward.feed_forward, reference, (x, w1, b1, w2, b2))
    assert gradcheck(backward.feed_forward, (x, w1, b1, w2, b2))


def test_feed_forward_matches_the_translator_module():
    from helpers.transformer import FeedForward

    torch.manual_seed(6)
    ff = FeedForward(4, 8, dropout=0.0).double()
    x = torch.randn(3, 4, **F64)
    ours = backward.feed_forward(x, ff.linear1.weight, ff.linear1.bias, ff.linear2.weight, ff.linear2.bias)
    assert torch.allclose(ours, ff(x))
    ours.sum().backward()
    grad_ours = ff.linear1.weight.grad.clone()
    ff.zero_grad()
    ff(x).sum().backward()
    assert torch.allclose(grad_ours, ff.linear1.weight.grad)


def test_relu_routes_the_gradient_to_positive_inputs_only():
    x = torch.tensor([[-1.0, 0.0, 2.0, 3.0]], dtype=torch.float64, requires_grad=True)
    up = torch.tensor([[5.0, 6.0, 7.0, 8.0]], dtype=torch.float64)
    (ref,) = torch.autograd.grad(torch.relu(x), x, up)
    assert torch.equal(backward.relu_backward(x.detach(), up), ref)
    assert backward.relu_backward(x.detach(), up).tolist() == [[0.0, 0.0, 7.0, 8.0]]


def test_dropout_backward_uses_the_forward_mask_and_scale():
    torch.manual_seed(7)
    x = torch.randn(1000, dtype=torch.float64, requires_grad=True)
    torch.manual_seed(8)
    y = F.dropout(x, p=0.25, training=True)
    keep = y.detach() != 0
    up = torch.randn(1000, dtype=torch.float64)
    (ref,) = torch.autograd.grad(y, x, up)
    assert torch.allclose(backward.dropout_backward(keep, 0.25, up), ref)
    with pytest.raises(ValueError, match="p must be"):
        backward.dropout_backward(keep, 1.0, up)
