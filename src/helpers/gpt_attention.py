"""What the poem GPT's heads attend to (chapter 11): attention weights and where they go.

``attention_weights`` recomputes every layer's attention probabilities of a ``helpers.gpt.GPT``
(softmax(Q Kᵀ / sqrt(d_head) + causal mask), the formula of chapter 4) while the model runs its
ordinary blocks, so the weights belong to exactly the forward pass that gives the logits.
``attention_shares`` measures, for every head, how much of each query's attention goes to a few
places that a poem's layout defines: the previous token, the same place in the previous line, the
line-ending marks, ``<sos>``. ``uniform_shares`` gives the same measures for attention spread
evenly over the visible keys: the yardstick a head's share is read against.
"""

from __future__ import annotations

import math

import torch
from torch.nn import functional as F

from ._checks import check_int, check_list, check_tensor
from .gpt import GPT
from .i18n import t

#: The measures of ``attention_shares``, in the order they are returned.
MEASURES = ("previous token", "same place, previous line", "next place, previous line", "marks", "<sos>")


def measure_labels() -> list[str]:
    """Short names of ``MEASURES`` for a table header (narrow enough for a phone; "above" means
    "in the previous line"), in the edition's language."""
    return [
        t("prev. token"),
        t("same place above"),
        t("next place above"),
        t("marks"),
        "<sos>",
    ]


def attention_weights(model: GPT, idx: torch.Tensor) -> torch.Tensor:
    """Attention probabilities of every layer and head: idx (B, T) -> (n_layer, B, n_head, T, T).

    Row ``i`` of a head's (T, T) matrix is query position ``i``'s distribution over the key
    positions ``0..i`` (zero above the diagonal). Needs a causal model; runs without gradients.
    """
    if not isinstance(model, GPT):
        raise TypeError(f"model must be a helpers.gpt.GPT, got {type(model).__name__}")
    if not model.config.causal:
        raise ValueError("model must be causal (config.causal=True): the weights are those of causal attention")
    model._check_idx(idx, None)
    out = []
    with torch.no_grad():
        B, T = idx.shape
        pos = torch.arange(T, device=idx.device)
        x = model.transformer.wte(idx) + model.transformer.wpe(pos)  # (B, T, C)
        for block in model.transformer.h:
            attn = block.attn
            C = x.size(-1)
            q, k, _ = attn.c_attn(block.ln_1(x)).split(C, dim=2)
            q = q.view(B, T, attn.n_head, C // attn.n_head).transpose(1, 2)  # (B, nh, T, hd)
            k = k.view(B, T, attn.n_head, C // attn.n_head).transpose(1, 2)
            scores = q @ k.transpose(-2, -1) / math.sqrt(k.size(-1)) + attn.mask[:T, :T]
            out.append(F.softmax(scores, dim=-1))  # (B, nh, T, T)
            x = block(x)  # the model's own block: the next layer reads what the model computes
    return torch.stack(out)


def _query_positions(line_chars: int, n_lines: int) -> list[int]:
    """Query positions from the second line on: every character and mark of lines 2..n_lines."""
    width = line_chars + 1  # a line: its characters and its mark
    return list(range(1 + width, 1 + n_lines * width))


def _check_layout(weights: torch.Tensor, line_chars: int, n_lines: int) -> None:
    check_int(line_chars, "line_chars", 1)
    check_int(n_lines, "n_lines", 2)
    T = weights.size(-1)
    need = 1 + n_lines * (line_chars + 1)
    if T < need - 1:
        raise ValueError(
            f"weights cover {T} positions; <sos> + {n_lines} lines of {line_chars} characters "
            f"and a mark need at least {need - 1} (the last mark may be left out)"
        )


def attention_shares(
    weights: torch.Tensor, ids: list[list[int]], mark_ids: list[int], line_chars: int, n_lines: int
) -> torch.Tensor:
    """Mean share of attention on each of ``MEASURES``: (..., B, n_head, T, T) -> (..., n_head, 5).

    ``weights`` are ``attention_weights`` of B poems of one form (``<sos>``, then ``n_lines`` lines of
    ``line_chars`` characters, each followed by its mark); ``ids`` their token ids (B lists, as fed
    to the model). The mean runs over the poems and over every query position from the second line
    on. "Same place" is the key one line (``line_chars + 1`` positions) back; "next place" the key
    one position after it, aligned with the token the query predicts. "marks" sums the weights on
    keys whose token is in ``mark_ids``; "<sos>" is the weight on position 0.
    """
    check_tensor(weights, "weights", floating=True)
    if weights.dim() < 4 or weights.size(-1) != weights.size(-2):
        raise ValueError(f"weights must have shape (..., B, n_head, T, T), got {tuple(weights.shape)}")
    _check_layout(weights, line_chars, n_lines)
    ids = check_list(ids, "ids", "token id lists, one per poem")
    B, T = weights.size(-4), weights.size(-1)
    if len(ids) != B or any(len(row) < T for row in ids):
        raise ValueError(f"ids must hold {B} token id lists of at least {T} ids (one per poem in weights)")
    mark_ids = check_list(mark_ids, "mark_ids", "token ids of the marks")
    width = line_chars + 1
    queries = torch.tensor(_query_positions(line_chars, n_lines))
    queries = queries[queries < T]
    is_mark = torch.tensor([[tok in mark_ids for tok in row[:T]] for row in ids])  # (B, T)
    rows = weights[..., queries, :]  # (..., B, nh, Q, T)
    prev = rows.gather(-1, (queries - 1).expand(rows.shape[:-1]).unsqueeze(-1)).squeeze(-1)
    same = rows.gather(-1, (queries - width).expand(rows.shape[:-1]).unsqueeze(-1)).squeeze(-1)
    nxt = rows.gather(-1, (queries - width + 1).expand(rows.shape[:-1]).unsqueeze(-1)).squeeze(-1)
    marks = (rows * is_mark[:, None, None, :].to(rows.dtype)).sum(-1)  # (..., B, nh, Q)
    sos = rows[..., 0]
    per_query = torch.stack([prev, same, nxt, marks, sos], dim=-1)  # (..., B, nh, Q, 5)
    return per_query.mean(dim=-2).mean(dim=-3)  # over queries, then poems: (..., nh, 5)


def uniform_shares(ids: list[list[int]], mark_ids: list[int], line_chars: int, n_lines: int, T: int) -> torch.Tensor:
    """``attention_shares`` of attention spread evenly over the visible keys: (5,), the yardstick."""
    check_int(T, "T", 2)
    uniform = torch.ones(T, T).tril()
    uniform = uniform / uniform.sum(-1, keepdim=True)  # row i: 1/(i+1) on keys 0..i
    B = len(check_list(ids, "ids", "token id lists, one per poem"))
    weights = uniform.expand(B, 1, T, T)
    return attention_shares(weights, ids, mark_ids, line_chars, n_lines)[0]
