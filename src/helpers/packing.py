"""Packed sequences (chapter 5): several short documents in one training row, kept apart by a
document mask.

Pretraining fills every row of a batch with tokens: instead of padding one short document per
row, it concatenates several documents into one row ("packing"). A plain causal mask would then let
a document read the documents packed before it. The **document mask** is causal AND "same
document": block-diagonal, with a causal triangle in each block. With it, and with positions that
restart at 0 in each document, every document's outputs equal those of running it alone.

* ``pack(docs)``: 1-D id tensors -> (ids (T,), document index (T,), position in its document (T,));
* ``document_mask(doc)``: (T,) -> (T, T), or (B, T) -> (B, 1, T, T); bool, True = may attend.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from ._checks import check_tensor


def pack(docs: Sequence[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Concatenate documents into one row.

    docs: a non-empty sequence of 1-D integer tensors (token ids), each with at least one token.
    Returns ``(ids, doc, pos)``, each of shape (T,) with T the total length: the ids side by side,
    the index of the document each position belongs to (0, 0, 0, 1, 1, ...), and the position of
    each token inside its own document (0, 1, 2, 0, 1, ...).
    """
    if isinstance(docs, torch.Tensor) or not isinstance(docs, Sequence) or len(docs) == 0:
        raise ValueError(f"docs must be a non-empty list of 1-D id tensors, got {type(docs).__name__}")
    for i, d in enumerate(docs):
        check_tensor(d, f"docs[{i}]", ndim=1, floating=False)
        if d.numel() == 0:
            raise ValueError(f"docs[{i}] is empty: every document needs at least one token")
    ids = torch.cat(list(docs))
    doc = torch.cat([torch.full((len(d),), i, dtype=torch.long) for i, d in enumerate(docs)])
    pos = torch.cat([torch.arange(len(d)) for d in docs])
    return ids, doc, pos


def document_mask(doc: torch.Tensor) -> torch.Tensor:
    """Causal AND same document: query i may read key j iff j <= i and doc[j] == doc[i].

    doc: (T,) integer document index per position -> (T, T) bool; or (B, T) -> (B, 1, T, T),
    which broadcasts over the heads. True = may attend (the book's convention).
    """
    check_tensor(doc, "doc", ndim=(1, 2), floating=False)
    if doc.shape[-1] == 0:
        raise ValueError("doc must hold at least one position, got length 0")
    n = doc.shape[-1]
    causal = torch.tril(torch.ones(n, n, dtype=torch.bool, device=doc.device))
    same = doc[..., :, None] == doc[..., None, :]  # (..., T, T)
    mask = same & causal
    return mask if doc.dim() == 1 else mask[:, None]
