"""One-hot x matrix equals nn.Embedding; input checks."""

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from helpers.embeddings import cosine_similarity_matrix, embed_by_matmul, one_hot


def test_one_hot_matches_torch():
    ids = torch.tensor([[0, 3], [2, 1]])
    assert torch.equal(one_hot(ids, 5), F.one_hot(ids, 5).float())


def test_matmul_equals_nn_embedding():
    torch.manual_seed(0)
    layer = nn.Embedding(11, 6)
    ids = torch.randint(0, 11, (4, 7))
    assert torch.allclose(embed_by_matmul(ids, layer.weight), layer(ids), atol=1e-6)


def test_cosine_matches_torch():
    x = torch.randn(5, 3)
    ref = F.cosine_similarity(x[:, None], x[None], dim=-1)
    assert torch.allclose(cosine_similarity_matrix(x), ref, atol=1e-6)


def test_bad_input():
    w = torch.randn(4, 3)
    with pytest.raises(TypeError, match="integer tensor of token ids"):
        embed_by_matmul(torch.tensor([0.0, 1.0]), w)
    with pytest.raises(ValueError, match=r"ids must lie in \[0, 4\)"):
        embed_by_matmul(torch.tensor([0, 4]), w)
    with pytest.raises(ValueError, match=r"weight must have 2 dims, got shape \(4,\)"):
        embed_by_matmul(torch.tensor([0]), torch.randn(4))
    with pytest.raises(TypeError, match="must be a torch.Tensor"):
        one_hot([0, 1], 3)
    with pytest.raises(ValueError, match="num_classes must be a positive int"):
        one_hot(torch.tensor([0]), 0)
