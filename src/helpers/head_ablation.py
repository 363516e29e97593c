"""Switching attention heads off in the poem GPT (chapter 11): head ablation.

A head's output is its slice of the concatenated head outputs ``y`` (B, T, C) that the attention's
output projection ``c_proj`` mixes back into the residual stream: head ``h`` owns channels
``h * d_head .. (h + 1) * d_head - 1``. Ablating a head sets that slice to zero just before
``c_proj`` (a forward pre-hook, ``helpers.head_slices.zero_head_slices``), so the rest of the
network runs unchanged but never receives what the head read. The same thing done by editing
weights: zero the head's columns of ``c_proj.weight`` (``weights_without``), the reference the
chapter and the tests compare against.

``token_nll`` gives the per-token loss with some heads off; ``ablation_effects`` switches off each
head in turn and reports how much the held-out loss rises, overall and on chosen groups of
positions (e.g. the positions that must predict a line-ending mark), with a standard error over
the sequences (the change is paired: the same tokens with and without the head).
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

import torch

from ._checks import check_list, check_tensor, show
from .generate import token_log_probs
from .gpt import GPT
from .head_slices import zero_head_slices

Head = tuple[int, int]  # (layer, head), both numbered from 0


def _check_model(model: object) -> GPT:
    if not isinstance(model, GPT):
        raise TypeError(f"model must be a helpers.gpt.GPT, got {type(model).__name__}")
    return model


def check_heads(model: GPT, heads: object) -> list[Head]:
    """``heads`` as a list of distinct (layer, head) pairs that exist in ``model``."""
    _check_model(model)
    items = check_list(heads, "heads", "(layer, head) pairs")
    n_layer, n_head = model.config.n_layer, model.config.n_head
    out: list[Head] = []
    for item in items:
        ok = (
            isinstance(item, (tuple, list))
            and len(item) == 2
            and all(isinstance(x, int) and not isinstance(x, bool) for x in item)
        )
        if not ok:
            raise TypeError(f"heads must hold (layer, head) pairs of ints, got {show(item)}")
        layer, head = int(item[0]), int(item[1])
        if not (0 <= layer < n_layer and 0 <= head < n_head):
            raise ValueError(
                f"heads: {(layer, head)} is not a head of this model "
                f"(layer in 0..{n_layer - 1}, head in 0..{n_head - 1})"
            )
        if (layer, head) in out:
            raise ValueError(f"heads: {(layer, head)} is listed twice")
        out.append((layer, head))
    return out


@contextlib.contextmanager
def heads_off(model: GPT, heads: Iterable[Head]) -> Iterator[GPT]:
    """Within the block, ``model`` runs with ``heads`` ablated: each one's output (B, T, d_head)
    is set to zero before the output projection ``c_proj`` of its layer. The hooks are removed on
    exit, even after an error; the weights are never changed."""
    heads = check_heads(model, heads)
    d_head = model.config.n_embd // model.config.n_head
    by_layer: dict[int, list[int]] = {}
    for layer, head in heads:
        by_layer.setdefault(layer, []).append(head)
    with contextlib.ExitStack() as stack:
        for layer, off in by_layer.items():
            stack.enter_context(zero_head_slices(model.transformer.h[layer].attn.c_proj, off, d_head))
        yield model


def weights_without(model: GPT, heads: Iterable[Head]) -> GPT:
    """A copy of ``model`` whose ``c_proj`` weights ignore ``heads``: the head's d_head columns of
    its layer's (C, C) output projection set to zero. The reference for ``heads_off``."""
    heads = check_heads(model, heads)
    d_head = model.config.n_embd // model.config.n_head
    edited = copy.deepcopy(model)
    with torch.no_grad():
        for layer, head in heads:
            weight = edited.transformer.h[layer].attn.c_proj.weight  # (C out, C in)
            weight[:, head * d_head : (head + 1) * d_head] = 0
    return edited


def token_nll(model: GPT, idx: torch.Tensor, heads: Iterable[Head] = ()) -> torch.Tensor:
    """-log p(y_t | y_<t) of every token after the first, with ``heads`` off: idx (B, T) -> (B, T-1)."""
    _check_model(model)
    check_tensor(idx, "idx", ndim=2, floating=False)
    with heads_off(model, heads), torch.no_grad():
        return -token_log_probs(model, idx)


@dataclass
class AblationResult:
    """What switching off each head does to the loss on each group of positions.

    ``groups``: the group names; ``base`` (G,): mean loss per token with every head on;
    ``delta`` (n_layer, n_head, G): rise of that mean loss with the head off; ``se``
    (n_layer, n_head, G): its standard error over the sequences (paired differences).
    """

    groups: list[str]
    base: torch.Tensor
    delta: torch.Tensor
    se: torch.Tensor


def _group_means(nll: torch.Tensor, masks: torch.Tensor) -> torch.Tensor:
    """(B, T-1) losses, (G, B, T-1) masks -> (G, B): each sequence's mean loss on each group."""
    m = masks.to(nll.dtype)
    return (m * nll).sum(-1) / m.sum(-1)


def ablation_effects(model: GPT, idx: torch.Tensor, groups: Mapping[str, torch.Tensor]) -> AblationResult:
    """Switch off each head in turn (one at a time) and measure the loss on ``groups``.

    idx (B, T): B sequences of token ids; ``groups`` maps a name to a bool mask (B, T-1) over the
    predicted tokens (column t is the prediction of token t+1), each row with at least one True.
    A group's loss is the mean over sequences of each sequence's mean loss on its positions.
    """
    _check_model(model)
    check_tensor(idx, "idx", ndim=2, floating=False)
    if not isinstance(groups, Mapping) or not groups:
        raise TypeError(f"groups must be a non-empty dict of name -> bool mask, got {show(groups)}")
    B, T = idx.shape
    if B < 2:
        raise ValueError(f"idx must hold at least 2 sequences for a standard error, got shape {tuple(idx.shape)}")
    masks = []
    for name, mask in groups.items():
        check_tensor(mask, f"groups[{name!r}]", ndim=2)
        if mask.dtype != torch.bool or tuple(mask.shape) != (B, T - 1):
            raise ValueError(
                f"groups[{name!r}] must be a bool mask of shape {(B, T - 1)}, got {mask.dtype} {tuple(mask.shape)}"
            )
        if not bool(mask.any(-1).all()):
            raise ValueError(f"groups[{name!r}] must mark at least one position in every sequence")
        masks.append(mask)
    stacked = torch.stack(masks)  # (G, B, T-1)
    base = _group_means(token_nll(model, idx).double(), stacked)  # (G, B)
    n_layer, n_head = model.config.n_layer, model.config.n_head
    delta = torch.zeros(n_layer, n_head, len(masks), dtype=torch.float64)
    se = torch.zeros_like(delta)
    for layer in range(n_layer):
        for head in range(n_head):
            diff = _group_means(token_nll(model, idx, [(layer, head)]).double(), stacked) - base
            delta[layer, head] = diff.mean(-1)
            se[layer, head] = diff.std(-1) / B**0.5
    return AblationResult(list(groups), base.mean(-1), delta, se)
