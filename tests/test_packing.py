"""Packed sequences and the document mask (chapter 5, helpers.packing)."""

from __future__ import annotations

import torch
import torch.nn as nn
from bad_inputs import check, params

from helpers.masks import causal_mask, to_pytorch_blocked
from helpers.packing import document_mask, pack
from helpers.positional import sinusoidal_encoding
from helpers.transformer import EncoderLayer


def test_pack_concatenates_and_restarts_positions():
    ids, doc, pos = pack([torch.tensor([5, 6, 7]), torch.tensor([8]), torch.tensor([9, 10])])
    assert ids.tolist() == [5, 6, 7, 8, 9, 10]
    assert doc.tolist() == [0, 0, 0, 1, 2, 2]
    assert pos.tolist() == [0, 1, 2, 0, 0, 1]


def test_document_mask_is_block_diagonal_causal():
    doc = torch.tensor([0, 0, 0, 1, 1, 2])
    mask = document_mask(doc)
    i, j = torch.arange(6)[:, None], torch.arange(6)[None, :]
    assert torch.equal(mask, (j <= i) & (doc[:, None] == doc[None, :]))
    assert torch.equal(document_mask(torch.zeros(6, dtype=torch.long)), causal_mask(6))
    batched = document_mask(torch.stack([doc, torch.zeros(6, dtype=torch.long)]))
    assert batched.shape == (2, 1, 6, 6) and torch.equal(batched[0, 0], mask)


def _layers(d: int = 16, heads: int = 2) -> list[EncoderLayer]:
    torch.manual_seed(0)
    refs = [nn.TransformerEncoderLayer(d, heads, 32, dropout=0.0, batch_first=True).eval() for _ in range(2)]
    return refs, [EncoderLayer(d, heads, 32, dropout=0.0).load_from_pytorch(r).eval() for r in refs]


def test_packed_documents_equal_running_each_alone():
    refs, layers = _layers()
    docs = [torch.tensor([4, 5, 6]), torch.tensor([7, 8, 9, 10]), torch.tensor([11, 12])]
    ids, doc, pos = pack(docs)
    emb, pe = nn.Embedding(20, 16), sinusoidal_encoding(16, 16)

    def run(x_ids, x_pos, mask, stack=layers):
        x = emb(x_ids)[None] + pe[x_pos][None]
        for layer in stack:
            x = layer(x, mask) if stack is layers else layer(x, src_mask=to_pytorch_blocked(mask))
        return x[0]

    with torch.no_grad():
        packed = run(ids, pos, document_mask(doc))
        assert torch.allclose(packed, run(ids, pos, document_mask(doc), refs), atol=1e-5)  # PyTorch's layers
        leaky = run(ids, pos, causal_mask(len(ids)))
        for k, d in enumerate(docs):
            alone = run(d, torch.arange(len(d)), causal_mask(len(d)))
            assert torch.allclose(packed[doc == k], alone, atol=1e-5)
            gap = (leaky[doc == k] - alone).abs().max()
            assert gap < 1e-5 if k == 0 else gap > 1e-3  # the first document has nothing before it


BAD = [
    ("pack-empty", lambda: pack([]), ValueError, "docs"),
    ("pack-tensor", lambda: pack(torch.tensor([1, 2])), ValueError, "docs"),
    ("pack-float", lambda: pack([torch.tensor([1.0])]), TypeError, "docs[0]"),
    ("pack-2d", lambda: pack([torch.tensor([[1]])]), ValueError, "docs[0]"),
    ("pack-empty-doc", lambda: pack([torch.tensor([1]), torch.tensor([], dtype=torch.long)]), ValueError, "docs[1]"),
    ("docmask-float", lambda: document_mask(torch.tensor([0.0, 1.0])), TypeError, "doc"),
    ("docmask-3d", lambda: document_mask(torch.zeros(1, 1, 2, dtype=torch.long)), ValueError, "doc"),
    ("docmask-empty", lambda: document_mask(torch.zeros(0, dtype=torch.long)), ValueError, "doc"),
    ("docmask-list", lambda: document_mask([0, 1]), TypeError, "doc"),
]


@params(BAD)
def test_bad_inputs(case):
    check(case)
