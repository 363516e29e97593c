"""The gradient of a tied embedding matrix (chapter 9), split into its two parts.

In a model whose output layer reuses the token embedding matrix E (|V|, C) (weight tying: GPT-2,
SmolLM2, ``helpers.gpt.GPT``), E is used twice: as the lookup E[ids] at the bottom and as the
output layer Z = H E^T at the top. Its gradient is the sum of the two uses' gradients:

    dE = dZ^T H            (the output layer: every row, for every position)
       + scatter-add of dX (the lookup: row ids[n] gets the gradient of position n's embedding)

``tied_parts`` computes both parts by hand from one forward/backward pass of a ``GPT``.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from ._checks import check_tensor
from .gpt import GPT


@dataclass
class TiedParts:
    """Gradients of the tied matrix, each (|V|, C): ``head`` through the output layer, ``lookup``
    through the embedding lookup, ``autograd`` what ``loss.backward()`` stored in the one shared
    ``.grad``; ``d_logits`` (N, |V|) the logits' gradient by hand, (p - e_y) / N."""

    head: torch.Tensor
    lookup: torch.Tensor
    autograd: torch.Tensor
    d_logits: torch.Tensor
    loss: float


def tied_parts(model: GPT, idx: torch.Tensor, targets: torch.Tensor) -> TiedParts:
    """One forward/backward pass of ``model`` on ``idx`` (B, T) against ``targets`` (B, T), and the
    tied matrix's gradient split by hand into its output-layer part and its lookup part.

    The loss is the mean cross-entropy over all B T positions. The model's ``.grad`` fields are
    cleared first and hold autograd's gradients afterwards.
    """
    if not isinstance(model, GPT):
        raise TypeError(f"model must be a helpers.gpt.GPT, got {type(model).__name__}")
    wte = model.transformer.wte
    if wte.weight is not model.lm_head.weight:
        raise ValueError("model must tie its embedding and output layer (wte.weight is lm_head.weight)")
    check_tensor(idx, "idx", ndim=2, floating=False)
    check_tensor(targets, "targets", ndim=2, floating=False)
    if targets.shape != idx.shape:
        raise ValueError(f"targets must have the shape of idx {tuple(idx.shape)}, got {tuple(targets.shape)}")
    v = model.config.vocab_size
    if bool(((targets < 0) | (targets >= v)).any()):
        raise ValueError(f"targets must be token ids in 0..{v - 1}")
    kept: dict[str, torch.Tensor] = {}

    def keep(name: str):
        def hook(_module: torch.nn.Module, _inputs: tuple, out: torch.Tensor) -> None:
            out.retain_grad()
            kept[name] = out

        return hook

    handles = [wte.register_forward_hook(keep("X")), model.transformer.ln_f.register_forward_hook(keep("H"))]
    try:
        model.zero_grad(set_to_none=True)
        logits, _ = model(idx)  # (B, T, |V|); checks the ids
        loss = F.cross_entropy(logits.reshape(-1, v), targets.reshape(-1))
        loss.backward()
    finally:
        for handle in handles:
            handle.remove()
    n = idx.numel()
    h = kept["H"].detach().reshape(n, -1)  # (N, C): what the output layer reads
    p = torch.softmax(logits.detach().reshape(n, v), dim=-1)
    d_logits = (p - F.one_hot(targets.reshape(-1), v).to(p.dtype)) / n  # (N, |V|)
    head = d_logits.T @ h  # (|V|, C)
    d_x = kept["X"].grad.reshape(n, -1)  # (N, C): the gradient of each looked-up row
    lookup = torch.zeros_like(head).index_add_(0, idx.reshape(-1), d_x)
    return TiedParts(head, lookup, wte.weight.grad.detach().clone(), d_logits, loss.item())
