"""Backward passes derived by hand (chapter 9), each also a ``torch.autograd.Function``.

For every operation there are three pieces:

* a plain ``*_forward`` function that also returns what the backward pass needs;
* a plain ``*_backward`` function: the hand-derived formulas, nothing else;
* an ``autograd.Function`` that uses the two, so ``torch.autograd.gradcheck`` can compare the
  hand-derived gradients with finite differences, and autograd can use them inside a model.

The operations: softmax + cross-entropy (gradient p - e_y, e_y the one-hot target), a linear
layer, scaled dot-product attention (through the softmax, the 1/sqrt(d_k) scale and a mask),
LayerNorm, and the feed-forward network (linear -> ReLU -> linear); plus the backward passes of
ReLU and dropout as plain functions.
"""

from __future__ import annotations

import math

import torch

from ._checks import check_int, check_number, check_tensor

# ---------------------------------------------------------------------------------------------
# Softmax + cross-entropy
# ---------------------------------------------------------------------------------------------


def _check_logits_targets(logits: torch.Tensor, targets: torch.Tensor, ignore_index: int | None,
                          name: str = "logits") -> torch.Tensor:
    check_tensor(logits, name, ndim=2, floating=True)
    check_tensor(targets, "targets", ndim=1, floating=False)
    if ignore_index is not None:
        check_int(ignore_index, "ignore_index")
    if targets.shape[0] == 0:
        raise ValueError("targets is empty (0 rows): the mean loss of no tokens is undefined")
    if targets.shape[0] != logits.shape[0]:
        raise ValueError(
            f"{name} {tuple(logits.shape)} and targets {tuple(targets.shape)} must have the same number of rows"
        )
    keep = targets != ignore_index if ignore_index is not None else torch.ones_like(targets, dtype=torch.bool)
    if not keep.any():
        raise ValueError("every target is ignore_index: the mean loss of no tokens is undefined")
    kept = targets[keep]
    if int(kept.min()) < 0 or int(kept.max()) >= logits.shape[1]:
        raise ValueError(
            f"targets must be class ids in [0, {logits.shape[1]}), "
            f"got values from {int(kept.min())} to {int(kept.max())}"
        )
    return keep


def softmax_cross_entropy_forward(logits: torch.Tensor, targets: torch.Tensor,
                                  ignore_index: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean cross-entropy of logits (N, V) against class ids (N,); returns (loss, probabilities (N, V)).

    Rows whose target is ``ignore_index`` (padding) count neither in the sum nor in the mean.
    """
    keep = _check_logits_targets(logits, targets, ignore_index)
    log_p = logits - torch.logsumexp(logits, dim=-1, keepdim=True)  # log-softmax, stable
    picked = log_p[keep].gather(1, targets[keep][:, None])[:, 0]
    return -picked.mean(), log_p.exp()


def softmax_cross_entropy_backward(probs: torch.Tensor, targets: torch.Tensor, grad_loss: torch.Tensor | float = 1.0,
                                   ignore_index: int | None = None) -> torch.Tensor:
    """dL/dlogits = (p - e_y) / n for the mean loss: p = softmax(logits) (N, V), e_y one-hot; padding rows get 0."""
    keep = _check_logits_targets(probs, targets, ignore_index, "probs")
    y = torch.zeros_like(probs)
    y[keep] = y[keep].scatter(1, targets[keep][:, None], 1.0)
    grad = (probs - y) * keep[:, None] / keep.sum()
    return grad * grad_loss


class SoftmaxCrossEntropy(torch.autograd.Function):
    """Mean cross-entropy whose backward is the hand-derived (p - e_y) / n."""

    @staticmethod
    def forward(ctx, logits: torch.Tensor, targets: torch.Tensor, ignore_index: int | None = None) -> torch.Tensor:
        loss, probs = softmax_cross_entropy_forward(logits, targets, ignore_index)
        ctx.save_for_backward(probs, targets)
        ctx.ignore_index = ignore_index
        return loss

    @staticmethod
    def backward(ctx, grad_loss: torch.Tensor):
        probs, targets = ctx.saved_tensors
        return softmax_cross_entropy_backward(probs, targets, grad_loss, ctx.ignore_index), None, None


def softmax_cross_entropy(logits: torch.Tensor, targets: torch.Tensor, ignore_index: int | None = None) -> torch.Tensor:
    """logits (N, V), targets (N,) -> mean loss, with the hand-derived backward."""
    return SoftmaxCrossEntropy.apply(logits, targets, ignore_index)


# ---------------------------------------------------------------------------------------------
# Linear layer
# ---------------------------------------------------------------------------------------------


def _check_linear(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None) -> None:
    check_tensor(x, "x", floating=True)
    check_tensor(weight, "weight", ndim=2, floating=True)
    if x.dim() < 1 or x.shape[-1] != weight.shape[1]:
        raise ValueError(
            f"x {tuple(x.shape)} must end in d_in = {weight.shape[1]} to match weight {tuple(weight.shape)} "
            "(weight is (d_out, d_in), as in nn.Linear)"
        )
    if bias is not None:
        check_tensor(bias, "bias", ndim=1, floating=True)
        if bias.shape[0] != weight.shape[0]:
            raise ValueError(f"bias {tuple(bias.shape)} must have d_out = {weight.shape[0]} entries")


def linear_forward(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None = None) -> torch.Tensor:
    """y = x W^T + b: x (..., d_in), weight (d_out, d_in), bias (d_out,) -> y (..., d_out)."""
    _check_linear(x, weight, bias)
    y = x @ weight.T
    return y + bias if bias is not None else y


def linear_backward(x: torch.Tensor, weight: torch.Tensor, grad_y: torch.Tensor
                    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Given dL/dy (..., d_out): dL/dx = dy W (..., d_in), dL/dW = dy^T x (d_out, d_in), dL/db = sum of dy (d_out,)."""
    _check_linear(x, weight, None)
    check_tensor(grad_y, "grad_y", floating=True)
    if grad_y.shape != x.shape[:-1] + (weight.shape[0],):
        want = tuple(x.shape[:-1]) + (weight.shape[0],)
        raise ValueError(f"grad_y {tuple(grad_y.shape)} must have the shape of y, {want}")
    dy2, x2 = grad_y.reshape(-1, weight.shape[0]), x.reshape(-1, weight.shape[1])  # every position is a row
    return grad_y @ weight, dy2.T @ x2, dy2.sum(0)


class Linear(torch.autograd.Function):
    """y = x W^T + b with the hand-derived backward."""

    @staticmethod
    def forward(ctx, x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None = None) -> torch.Tensor:
        ctx.save_for_backward(x, weight)
        ctx.has_bias = bias is not None
        return linear_forward(x, weight, bias)

    @staticmethod
    def backward(ctx, grad_y: torch.Tensor):
        x, weight = ctx.saved_tensors
        dx, dw, db = linear_backward(x, weight, grad_y)
        return dx, dw, db if ctx.has_bias else None


def linear(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None = None) -> torch.Tensor:
    """x (..., d_in) -> (..., d_out), with the hand-derived backward."""
    return Linear.apply(x, weight, bias)


# ---------------------------------------------------------------------------------------------
# Scaled dot-product attention
# ---------------------------------------------------------------------------------------------


def _check_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: torch.Tensor | None) -> None:
    for name, t in (("q", q), ("k", k), ("v", v)):
        check_tensor(t, name, floating=True)
        if t.dim() < 2:
            raise ValueError(f"{name} must be (..., T, d), got shape {tuple(t.shape)}")
    if q.shape[-1] != k.shape[-1]:
        raise ValueError(f"q {tuple(q.shape)} and k {tuple(k.shape)} must have the same last dim d_k")
    if k.shape[-2] != v.shape[-2]:
        raise ValueError(f"k {tuple(k.shape)} and v {tuple(v.shape)} must have the same length T_k")
    if q.shape[-1] == 0 or k.shape[-2] == 0:
        raise ValueError(f"q and k need d_k >= 1 and at least one key, got q {tuple(q.shape)} and k {tuple(k.shape)}")
    if not q.dtype == k.dtype == v.dtype:
        raise TypeError(f"q, k and v must have the same dtype, got {q.dtype}, {k.dtype} and {v.dtype}")
    try:
        torch.broadcast_shapes(q.shape[:-2], k.shape[:-2], v.shape[:-2])
    except RuntimeError:
        raise ValueError(f"the batch dims of q {tuple(q.shape)}, k {tuple(k.shape)} and v {tuple(v.shape)} "
                         "do not broadcast") from None
    if mask is not None:
        check_tensor(mask, "mask")
        if mask.dtype != torch.bool:
            raise TypeError(f"mask must be bool (True = may attend), got dtype {mask.dtype}")
        want = q.shape[:-1] + (k.shape[-2],)
        try:
            full = torch.broadcast_to(mask, want)
        except RuntimeError:
            raise ValueError(
                f"mask {tuple(mask.shape)} does not broadcast to the scores' shape {tuple(want)}"
            ) from None
        if not full.any(-1).all():
            raise ValueError("a row of the mask is all False: its softmax would be 0/0 (NaN)")


def attention_forward(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: torch.Tensor | None = None
                      ) -> tuple[torch.Tensor, torch.Tensor]:
    """softmax(q k^T / sqrt(d_k) + mask) v; returns (output (..., T_q, d_v), weights P (..., T_q, T_k)).

    q (..., T_q, d_k), k (..., T_k, d_k), v (..., T_k, d_v); mask bool, True = may attend,
    broadcastable to (..., T_q, T_k).
    """
    _check_attention(q, k, v, mask)
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return weights @ v, weights


def softmax_backward(weights: torch.Tensor, grad_weights: torch.Tensor) -> torch.Tensor:
    """Through P = softmax(S) along the last dim: dS = P * (dP - sum_j dP_j P_j), row by row."""
    check_tensor(weights, "weights", floating=True)
    check_tensor(grad_weights, "grad_weights", floating=True)
    if grad_weights.shape != weights.shape:
        raise ValueError(f"grad_weights {tuple(grad_weights.shape)} must have the shape of weights "
                         f"{tuple(weights.shape)}")
    return weights * (grad_weights - (grad_weights * weights).sum(-1, keepdim=True))


def attention_backward(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, weights: torch.Tensor,
                       grad_out: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Given dL/dO (..., T_q, d_v) and the forward's weights P, return dL/dq, dL/dk, dL/dv.

    O = P V        ->  dV = P^T dO,  dP = dO V^T
    P = softmax(S) ->  dS = P * (dP - rowsum(dP * P))    (masked entries: P = 0, so dS = 0)
    S = q k^T / sqrt(d_k) -> dq = dS k / sqrt(d_k),  dk = dS^T q / sqrt(d_k)
    """
    _check_attention(q, k, v, None)
    check_tensor(weights, "weights", floating=True)
    check_tensor(grad_out, "grad_out", floating=True)
    want = q.shape[:-1] + (k.shape[-2],)
    if weights.dim() < 2 or weights.shape[-2:] != want[-2:]:
        raise ValueError(f"weights {tuple(weights.shape)} must be the forward's P, (..., T_q, T_k) = {tuple(want)}")
    if grad_out.shape != weights.shape[:-1] + (v.shape[-1],):
        raise ValueError(f"grad_out {tuple(grad_out.shape)} must have the output's shape "
                         f"{tuple(weights.shape[:-1]) + (v.shape[-1],)}")
    scale = 1.0 / math.sqrt(q.shape[-1])
    grad_v = weights.transpose(-2, -1) @ grad_out
    grad_weights = grad_out @ v.transpose(-2, -1)
    grad_scores = softmax_backward(weights, grad_weights)
    grad_q = grad_scores @ k * scale
    grad_k = grad_scores.transpose(-2, -1) @ q * scale
    return grad_q, grad_k, grad_v


class Attention(torch.autograd.Function):
    """Scaled dot-product attention with the hand-derived backward (the mask gets no gradient)."""

    @staticmethod
    def forward(ctx, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: torch.Tensor | None = None):
        out, weights = attention_forward(q, k, v, mask)
        ctx.save_for_backward(q, k, v, weights)
        return out

    @staticmethod
    def backward(ctx, grad_out: torch.Tensor):
        q, k, v, weights = ctx.saved_tensors
        return (*attention_backward(q, k, v, weights, grad_out), None)


def attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
    """softmax(q k^T / sqrt(d_k) + mask) v with the hand-derived backward; shapes as ``attention_forward``."""
    return Attention.apply(q, k, v, mask)


# ---------------------------------------------------------------------------------------------
# LayerNorm
# ---------------------------------------------------------------------------------------------


def _check_layer_norm(x: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor, eps: float) -> None:
    check_tensor(x, "x", floating=True)
    for name, t in (("gamma", gamma), ("beta", beta)):
        check_tensor(t, name, ndim=1, floating=True)
        if x.dim() < 1 or t.shape[0] != x.shape[-1]:
            raise ValueError(f"{name} {tuple(t.shape)} must have one entry per feature of x {tuple(x.shape)}")
    check_number(eps, "eps", low=0.0, low_open=True)


def layer_norm_forward(x: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor, eps: float = 1e-5
                       ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """LayerNorm over the last dim (biased variance, eps inside the root, as nn.LayerNorm).

    x (..., d), gamma (d,), beta (d,) -> (y (..., d), x_hat (..., d), rstd = 1/sigma (..., 1)).
    """
    _check_layer_norm(x, gamma, beta, eps)
    mu = x.mean(-1, keepdim=True)
    var = ((x - mu) ** 2).mean(-1, keepdim=True)
    rstd = 1.0 / torch.sqrt(var + eps)
    x_hat = (x - mu) * rstd
    return gamma * x_hat + beta, x_hat, rstd


def layer_norm_backward(grad_y: torch.Tensor, x_hat: torch.Tensor, rstd: torch.Tensor, gamma: torch.Tensor
                        ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Given dL/dy (..., d): dL/dx, dL/dgamma (d,), dL/dbeta (d,).

    g = dy * gamma (the gradient reaching x_hat), then per row
    dx = (g - mean(g) - x_hat * mean(g * x_hat)) / sigma.
    """
    for name, t in (("grad_y", grad_y), ("x_hat", x_hat), ("rstd", rstd), ("gamma", gamma)):
        check_tensor(t, name, floating=True)
    if grad_y.shape != x_hat.shape:
        raise ValueError(f"grad_y {tuple(grad_y.shape)} must have the shape of x {tuple(x_hat.shape)}")
    if x_hat.dim() < 1 or rstd.shape != x_hat.shape[:-1] + (1,):
        raise ValueError(f"rstd {tuple(rstd.shape)} must be (..., 1), one per row of x {tuple(x_hat.shape)}")
    if gamma.shape != x_hat.shape[-1:]:
        raise ValueError(f"gamma {tuple(gamma.shape)} must have one entry per feature of x {tuple(x_hat.shape)}")
    g = grad_y * gamma
    grad_x = rstd * (g - g.mean(-1, keepdim=True) - x_hat * (g * x_hat).mean(-1, keepdim=True))
    rows = grad_y.reshape(-1, grad_y.shape[-1])
    return grad_x, (rows * x_hat.reshape(rows.shape)).sum(0), rows.sum(0)


class LayerNorm(torch.autograd.Function):
    """LayerNorm over the last dim with the hand-derived backward."""

    @staticmethod
    def forward(ctx, x: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor, eps: float = 1e-5) -> torch.Tensor:
        y, x_hat, rstd = layer_norm_forward(x, gamma, beta, eps)
        ctx.save_for_backward(x_hat, rstd, gamma)
        return y

    @staticmethod
    def backward(ctx, grad_y: torch.Tensor):
        x_hat, rstd, gamma = ctx.saved_tensors
        return (*layer_norm_backward(grad_y, x_hat, rstd, gamma), None)


def layer_norm(x: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor, eps: float = 1e-5) -> torch.Tensor:
    """x (..., d) -> LayerNorm(x) (..., d), with the hand-derived backward."""
    return LayerNorm.apply(x, gamma, beta, eps)


# ---------------------------------------------------------------------------------------------
# ReLU, dropout and the position-wise feed-forward network
# ---------------------------------------------------------------------------------------------


def relu_backward(x: torch.Tensor, grad_out: torch.Tensor) -> torch.Tensor:
    """Through relu(x) = max(x, 0): the gradient passes where x > 0 and is 0 elsewhere ("max routes")."""
    check_tensor(x, "x")
    check_tensor(grad_out, "grad_out")
    if grad_out.shape != x.shape:
        raise ValueError(f"grad_out {tuple(grad_out.shape)} must have the shape of x {tuple(x.shape)}")
    return grad_out * (x > 0)


def dropout_backward(keep: torch.Tensor, p: float, grad_out: torch.Tensor) -> torch.Tensor:
    """Through dropout(x) = x * keep / (1 - p): the same mask and the same scale, applied to the gradient."""
    check_number(p, "p", 0.0, 1.0, high_open=True)
    check_tensor(keep, "keep")
    check_tensor(grad_out, "grad_out")
    if keep.dtype != torch.bool:
        raise TypeError(f"keep must be a bool tensor (True = kept), got dtype {keep.dtype}")
    if keep.shape != grad_out.shape:
        raise ValueError(f"keep {tuple(keep.shape)} must have the shape of grad_out {tuple(grad_out.shape)}")
    return grad_out * keep / (1.0 - p)


def feed_forward_forward(x: torch.Tensor, w1: torch.Tensor, b1: torch.Tensor, w2: torch.Tensor,
                         b2: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Linear(d, d_ff) -> ReLU -> Linear(d_ff, d), weights in nn.Linear layout (d_out, d_in).

    x (..., d) -> (output (..., d), pre-activation z1 (..., d_ff), hidden a = relu(z1) (..., d_ff)).
    """
    z1 = linear_forward(x, w1, b1)
    a = torch.relu(z1)
    return linear_forward(a, w2, b2), z1, a


def feed_forward_backward(x: torch.Tensor, z1: torch.Tensor, a: torch.Tensor, w1: torch.Tensor, w2: torch.Tensor,
                          grad_out: torch.Tensor) -> tuple[torch.Tensor, ...]:
    """The chain linear -> ReLU -> linear, undone in reverse: returns dx, dw1, db1, dw2, db2."""
    da, dw2, db2 = linear_backward(a, w2, grad_out)
    dz1 = relu_backward(z1, da)
    dx, dw1, db1 = linear_backward(x, w1, dz1)
    return dx, dw1, db1, dw2, db2


class FeedForward(torch.autograd.Function):
    """The position-wise feed-forward network with the hand-derived backward."""

    @staticmethod
    def forward(ctx, x: torch.Tensor, w1: torch.Tensor, b1: torch.Tensor, w2: torch.Tensor,
                b2: torch.Tensor) -> torch.Tensor:
        out, z1, a = feed_forward_forward(x, w1, b1, w2, b2)
        ctx.save_for_backward(x, z1, a, w1, w2)
        return out

    @staticmethod
    def backward(ctx, grad_out: torch.Tensor):
        return feed_forward_backward(*ctx.saved_tensors, grad_out)


def feed_forward(x: torch.Tensor, w1: torch.Tensor, b1: torch.Tensor, w2: torch.Tensor,
                 b2: torch.Tensor) -> torch.Tensor:
    """x (..., d) -> (..., d) through Linear -> ReLU -> Linear, with the hand-derived backward."""
    return FeedForward.apply(x, w1, b1, w2, b2)
