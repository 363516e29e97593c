"""Optimizers, a learning-rate schedule and gradient clipping, from scratch (chapter 9).

Each follows the update rule of its ``torch.optim`` counterpart step for step, so that the
tests can run both side by side and compare the parameters:

    SGD + momentum:  m <- rho m + g           p <- p - lr m
    Adam:            m <- b1 m + (1 - b1) g   s <- b2 s + (1 - b2) g^2
                     p <- p - lr m_hat / (sqrt(s_hat) + eps),  m_hat = m / (1 - b1^t), s_hat = s / (1 - b2^t)
    AdamW:           Adam, but weight decay shrinks p directly: p <- p (1 - lr wd), not through g.

The names follow the book's notation (appendix/notation.md): the momentum buffer m (rho is
``momentum``), Adam's first and second moments m_t and s_t (torch.optim calls them
``exp_avg`` and ``exp_avg_sq``).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable

import torch

from ._checks import check_list, check_number, show


def _tensor_list(params: object) -> list[torch.Tensor]:
    """A list of tensors; one tensor alone is refused (iterating it would give its rows)."""
    if isinstance(params, torch.Tensor):
        raise TypeError(
            f"params must be an iterable of tensors, got a single Tensor of shape {tuple(params.shape)}: "
            "wrap it in a list, [w]"
        )
    params = check_list(params, "params", "tensors (e.g. model.parameters())")
    for i, p in enumerate(params):
        if not isinstance(p, torch.Tensor):
            raise TypeError(f"parameter {i} must be a torch.Tensor, got {type(p).__name__} (in params)")
    return params


def _param_list(params: Iterable[torch.Tensor]) -> list[torch.Tensor]:
    params = _tensor_list(params)
    if not params:
        raise ValueError("the optimizer got an empty list of parameters (params)")
    seen: dict[int, int] = {}
    for i, p in enumerate(params):
        if not p.requires_grad:
            raise ValueError(f"parameter {i} (shape {tuple(p.shape)}) does not require grad")
        if not p.is_leaf:
            raise ValueError(
                f"parameter {i} (shape {tuple(p.shape)}) is not a leaf tensor: it is computed from other "
                "tensors, so backward() never fills its .grad; optimize the tensors it comes from"
            )
        if id(p) in seen:
            raise ValueError(f"parameter {i} is the same tensor as parameter {seen[id(p)]}: it would be updated twice")
        seen[id(p)] = i
    return params


def _check_lr(lr: float) -> float:
    what = "a positive number"
    if isinstance(lr, bool) or not isinstance(lr, (int, float, numbers.Real)):
        raise TypeError(f"lr must be {what}, got {show(lr)}")
    if not (lr > 0 and math.isfinite(lr)):
        raise ValueError(f"lr must be {what}, got {lr!r} (NaN and inf are refused)")
    return float(lr)


class Optimizer:
    """Holds the parameters and a learning rate ``lr`` that a schedule may change between steps."""

    def __init__(self, params: Iterable[torch.Tensor], lr: float):
        self.params = _param_list(params)
        self.lr = _check_lr(lr)
        self.state: list[dict[str, torch.Tensor]] = [{} for _ in self.params]

    def zero_grad(self) -> None:
        """Forget the gradients of the last backward pass (``.grad = None``, as torch does by default)."""
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self) -> None:
        """Update every parameter that has a gradient."""
        # a schedule sets self.lr between steps: it may be 0 (the end of a decay), never NaN or a str
        self.lr = check_number(self.lr, "lr (set on the optimizer)", low=0.0)
        for p, state in zip(self.params, self.state):
            if p.grad is not None:
                self.update(p, p.grad, state)

    def update(self, p: torch.Tensor, g: torch.Tensor, state: dict) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent with (heavy-ball) momentum and L2 weight decay, like ``torch.optim.SGD``."""

    def __init__(self, params: Iterable[torch.Tensor], lr: float, momentum: float = 0.0, weight_decay: float = 0.0):
        super().__init__(params, lr)
        check_number(momentum, "momentum", 0.0, 1.0, high_open=True)
        check_number(weight_decay, "weight_decay", low=0.0)
        self.momentum, self.weight_decay = momentum, weight_decay

    def update(self, p: torch.Tensor, g: torch.Tensor, state: dict) -> None:
        if self.weight_decay:
            g = g + self.weight_decay * p
        if self.momentum:
            if "m" not in state:
                state["m"] = g.clone()  # the first step starts m at g
            else:
                state["m"].mul_(self.momentum).add_(g)
            g = state["m"]
        p.sub_(self.lr * g)


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015), like ``torch.optim.Adam``; ``weight_decay`` adds wd * p to the gradient."""

    decoupled = False

    def __init__(self, params: Iterable[torch.Tensor], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0):
        super().__init__(params, lr)
        if not isinstance(betas, (tuple, list)):
            raise TypeError(f"betas must be two numbers in [0, 1), e.g. (0.9, 0.999), got {show(betas)}")
        if len(betas) != 2:
            raise ValueError(f"betas must be two numbers in [0, 1), got {len(betas)}: {betas!r}")
        for b in betas:
            if isinstance(b, bool) or not isinstance(b, numbers.Real):
                raise TypeError(f"betas must be two numbers in [0, 1), got {show(betas)}")
            if not 0.0 <= b < 1.0:
                raise ValueError(f"betas must be two numbers in [0, 1), got {betas!r}")
        check_number(eps, "eps", low=0.0, low_open=True)
        check_number(weight_decay, "weight_decay", low=0.0)
        self.betas, self.eps, self.weight_decay = betas, eps, weight_decay

    def update(self, p: torch.Tensor, g: torch.Tensor, state: dict) -> None:
        b1, b2 = self.betas
        if self.weight_decay:
            if self.decoupled:
                p.mul_(1 - self.lr * self.weight_decay)  # AdamW: shrink p directly
            else:
                g = g + self.weight_decay * p  # Adam: L2 penalty, via m and s
        if "m" not in state:
            state["t"] = 0
            state["m"], state["s"] = torch.zeros_like(p), torch.zeros_like(p)
        state["t"] += 1
        t, m, s = state["t"], state["m"], state["s"]
        m.mul_(b1).add_((1 - b1) * g)  # running mean of the gradient
        s.mul_(b2).add_((1 - b2) * g * g)  # running mean of its square
        m_hat = m / (1 - b1**t)  # bias correction: m and s start at 0
        s_hat = s / (1 - b2**t)
        p.sub_(self.lr * m_hat / (s_hat.sqrt() + self.eps))


class AdamW(Adam):
    """AdamW (Loshchilov & Hutter, 2019), like ``torch.optim.AdamW``: decoupled weight decay (default 0.01)."""

    decoupled = True

    def __init__(self, params: Iterable[torch.Tensor], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.01):
        super().__init__(params, lr, betas, eps, weight_decay)


def warmup_cosine(step: int, total_steps: int, warmup_steps: int, peak_lr: float, min_lr: float = 0.0) -> float:
    """Learning rate at ``step`` (0-based): linear warm-up to ``peak_lr``, then cosine decay to ``min_lr``.

    Steps 0 .. warmup-1 rise as peak * (step + 1) / warmup; from ``warmup`` to ``total_steps`` the rate
    follows half a cosine from ``peak_lr`` down to ``min_lr``.
    """
    for name, value in (("step", step), ("total_steps", total_steps), ("warmup_steps", warmup_steps)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{name} must be an int >= 0, got {show(value)}")
        if value < 0:
            raise ValueError(f"{name} must be an int >= 0, got {value!r}")
    if warmup_steps >= total_steps:
        raise ValueError(f"warmup_steps={warmup_steps} must be smaller than total_steps={total_steps}")
    check_number(peak_lr, "peak_lr", low=0.0)
    check_number(min_lr, "min_lr", low=0.0)
    if not 0 <= min_lr <= peak_lr:
        raise ValueError(f"need 0 <= min_lr <= peak_lr, got min_lr={min_lr!r}, peak_lr={peak_lr!r}")
    if step < warmup_steps:
        return peak_lr * (step + 1) / warmup_steps
    progress = min(1.0, (step - warmup_steps) / (total_steps - warmup_steps))
    return min_lr + 0.5 * (peak_lr - min_lr) * (1 + math.cos(math.pi * progress))


@torch.no_grad()
def clip_grad_norm(params: Iterable[torch.Tensor], max_norm: float) -> torch.Tensor:
    """Scale all gradients together so that their joint L2 norm is at most ``max_norm``.

    The joint norm is that of all gradients concatenated into one vector; if it exceeds
    ``max_norm`` every gradient is multiplied by max_norm / (norm + 1e-6), as in
    ``torch.nn.utils.clip_grad_norm_``. Returns the norm before clipping.
    """
    if isinstance(max_norm, bool) or not isinstance(max_norm, numbers.Real):
        raise TypeError(f"max_norm must be a number > 0 (inf: measure, do not clip), got {show(max_norm)}")
    if not max_norm > 0:
        raise ValueError(f"max_norm must be > 0, got {max_norm!r}")
    grads = [p.grad for p in _tensor_list(params) if p.grad is not None]
    if not grads:
        return torch.tensor(0.0)
    total = torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(g) for g in grads]))
    scale = torch.clamp(max_norm / (total + 1e-6), max=1.0)
    for g in grads:
        g.mul_(scale)
    return total
