"""The training loss, from scratch: softmax, log-softmax, cross-entropy, perplexity.

Shapes follow the book's models: logits are (..., V) with the **classes last** (for example
(B, T, V) from the translator) and targets are integer ids of shape (...). PyTorch's
``F.cross_entropy`` wants the classes in dim 1 instead; ``cross_entropy(logits, targets)`` here
equals ``F.cross_entropy(logits.reshape(-1, V), targets.reshape(-1))`` with the same options.

    log_softmax(z)_i = z_i - logsumexp(z),  logsumexp(z) = m + log(sum_j exp(z_j - m)),  m = max(z)
    cross-entropy    = -sum_i q_i log_softmax(z)_i,  q = (1 - eps) * one_hot(y) + eps / V
"""

from __future__ import annotations

import math

import torch

from ._checks import check_tensor

REDUCTIONS = ("mean", "sum", "none")


def _check_logits(logits: torch.Tensor, name: str = "logits") -> torch.Tensor:
    check_tensor(logits, name, floating=True)
    if logits.dim() == 0 or logits.shape[-1] == 0:
        raise ValueError(f"{name} must have shape (..., V) with V >= 1 classes, got {tuple(logits.shape)}")
    return logits


def _shift(logits: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(m, z - m) with m the row maximum, (..., 1) and (..., V); an all -inf row is not shifted."""
    _check_logits(logits)
    m = logits.amax(dim=-1, keepdim=True).detach()  # the shift changes no value and no gradient
    m = torch.where(torch.isfinite(m), m, torch.zeros_like(m))
    return m, logits - m


def logsumexp(logits: torch.Tensor) -> torch.Tensor:
    """log(sum_j exp(z_j)) over the last dim, computed stably: (..., V) -> (...).

    Subtracting the row maximum m first makes every exponent <= 0, so nothing overflows;
    adding m back outside the log gives the same value. A row of all -inf gives -inf.
    """
    m, shifted = _shift(logits)
    return (m + torch.log(torch.exp(shifted).sum(dim=-1, keepdim=True))).squeeze(-1)


def log_softmax(logits: torch.Tensor) -> torch.Tensor:
    """Log-probabilities over the last dim, z - logsumexp(z): (..., V) -> (..., V).

    Computed as (z - m) - log(sum_j exp(z_j - m)), which keeps small log-probabilities exact
    even when the logits are large (z - logsumexp(z) would subtract two large, rounded numbers).
    """
    _, shifted = _shift(logits)
    return shifted - torch.log(torch.exp(shifted).sum(dim=-1, keepdim=True))


def softmax(logits: torch.Tensor) -> torch.Tensor:
    """Probabilities over the last dim, exp(z - logsumexp(z)): (..., V) -> (..., V); rows sum to 1."""
    return torch.exp(log_softmax(logits))


def smoothed_targets(targets: torch.Tensor, num_classes: int, label_smoothing: float = 0.0) -> torch.Tensor:
    """Target distributions q: (...) ids -> (..., V), q = (1 - eps) * one_hot + eps / V.

    With ``label_smoothing`` eps = 0 this is the one-hot vector of each target; with eps > 0 every
    class, the correct one included, gets eps / V of the probability (PyTorch's definition).
    """
    check_tensor(targets, "targets", floating=False)
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes <= 0:
        raise ValueError(f"num_classes must be a positive int, got {num_classes!r}")
    _check_smoothing(label_smoothing)
    if targets.numel() and (int(targets.min()) < 0 or int(targets.max()) >= num_classes):
        raise ValueError(
            f"targets must be class ids in [0, {num_classes}), got values from {int(targets.min())} "
            f"to {int(targets.max())}"
        )
    one_hot = torch.nn.functional.one_hot(targets, num_classes).float()
    return (1.0 - label_smoothing) * one_hot + label_smoothing / num_classes


def _check_smoothing(label_smoothing: float) -> None:
    if isinstance(label_smoothing, bool) or not isinstance(label_smoothing, (int, float)):
        raise TypeError(f"label_smoothing must be a float in [0, 1], got {label_smoothing!r}")
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"label_smoothing must be in [0, 1], got {label_smoothing}")


def cross_entropy(
    logits: torch.Tensor,
    targets: torch.Tensor,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> torch.Tensor:
    """Cross-entropy between softmax(logits) and the targets.

    logits (..., V) float, targets (...) integer class ids -> a scalar for ``reduction`` "mean"
    (the average over the positions whose target is not ``ignore_index``) or "sum", or (...) per
    position for "none" (0 at ignored positions). ``label_smoothing`` eps mixes the one-hot target
    with the uniform distribution (see ``smoothed_targets``). If every target is ignored, "mean"
    divides 0 by 0 and returns nan, as PyTorch does.
    """
    _check_logits(logits)
    check_tensor(targets, "targets", floating=False)
    if targets.shape != logits.shape[:-1]:
        raise ValueError(
            f"targets must have the shape of logits without the class dim: logits {tuple(logits.shape)} "
            f"needs targets {tuple(logits.shape[:-1])}, got {tuple(targets.shape)}"
        )
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of {REDUCTIONS}, got {reduction!r}")
    if isinstance(ignore_index, bool) or not isinstance(ignore_index, int):
        raise TypeError(f"ignore_index must be an int, got {ignore_index!r}")
    _check_smoothing(label_smoothing)
    n_classes = logits.shape[-1]
    keep = targets != ignore_index  # (...) True where the position counts
    bad = keep & ((targets < 0) | (targets >= n_classes))
    if bad.any():
        raise ValueError(
            f"targets must be in [0, {n_classes}) or equal ignore_index={ignore_index}; "
            f"found {int(targets[bad][0])}"
        )
    safe = torch.where(keep, targets, torch.zeros_like(targets))  # any valid id at ignored positions
    logp = log_softmax(logits)  # (..., V)
    q = smoothed_targets(safe, n_classes, label_smoothing).to(logp.dtype)
    per_position = -(q * logp).sum(dim=-1) * keep  # (...)
    if reduction == "none":
        return per_position
    if reduction == "sum":
        return per_position.sum()
    return per_position.sum() / keep.sum()


def perplexity(loss: float | torch.Tensor) -> float:
    """exp(mean cross-entropy in nats): the number of equally likely choices with the same loss."""
    if isinstance(loss, torch.Tensor):
        if loss.numel() != 1:
            raise ValueError(f"perplexity needs one mean loss (a scalar), got shape {tuple(loss.shape)}")
        loss = loss.item()
    if isinstance(loss, bool) or not isinstance(loss, (int, float)):
        raise TypeError(f"loss must be a number or a one-element tensor, got {type(loss).__name__}")
    if math.isnan(loss) or loss < 0:
        raise ValueError(f"a cross-entropy loss is a number >= 0, got {loss}")
    return math.exp(loss)


def _check_probs(probs: torch.Tensor, name: str) -> torch.Tensor:
    """Probabilities (..., V): a float tensor with entries in [0, 1] (no NaN)."""
    _check_logits(probs, name)
    if not bool(((probs >= 0) & (probs <= 1 + 1e-6)).all()):  # 1e-6: rounding of a sum to 1
        raise ValueError(f"{name} must hold probabilities in [0, 1], got values from {float(probs.min()):g} "
                         f"to {float(probs.max()):g} (or NaN)")
    return probs


def entropy(probs: torch.Tensor) -> torch.Tensor:
    """Entropy in nats of distributions over the last dimension, -sum p ln p (with 0 ln 0 = 0).

    probs: (..., V), each row summing to 1 -> (...).
    """
    probs = _check_probs(probs, "probs")
    return -torch.where(probs > 0, probs * torch.log(probs.clamp_min(1e-45)), torch.zeros_like(probs)).sum(-1)


def kl_divergence(target: torch.Tensor, logits: torch.Tensor) -> torch.Tensor:
    """KL(target || softmax(logits)) in nats over the last dimension: sum t (ln t - ln p).

    target: (..., V) probabilities; logits: (..., V) -> (...). Cross-entropy = entropy + KL.
    """
    target, logits = _check_probs(target, "target"), _check_logits(logits)
    if target.shape != logits.shape:
        raise ValueError(f"target and logits must have the same shape (..., V), got {tuple(target.shape)} and "
                         f"{tuple(logits.shape)}")
    log_t = torch.log(target.clamp_min(1e-45))
    return torch.where(target > 0, target * (log_t - log_softmax(logits)), torch.zeros_like(target)).sum(-1)
