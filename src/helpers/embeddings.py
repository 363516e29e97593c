"""Token embeddings: a lookup equals a one-hot vector times the matrix; similarity and 2-D projection."""

from __future__ import annotations

import torch

from ._checks import check_finite, check_positive_int, check_tensor


def one_hot(ids: torch.Tensor, num_classes: int) -> torch.Tensor:
    """One-hot rows for integer ``ids``.

    ids: (...) integer tensor with values in [0, num_classes)  ->  (..., num_classes) float32
    """
    check_tensor(ids, "ids", floating=False)
    check_positive_int(num_classes, "num_classes")
    if ids.numel() and (int(ids.min()) < 0 or int(ids.max()) >= num_classes):
        raise ValueError(
            f"ids must lie in [0, {num_classes}), got min {int(ids.min())} and max {int(ids.max())}"
        )
    out = torch.zeros(*ids.shape, num_classes)
    return out.scatter_(-1, ids.unsqueeze(-1), 1.0)


def embed_by_matmul(ids: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    """Embed ``ids`` as ``one_hot(ids) @ weight``; equal to ``weight[ids]``.

    ids: (...) integer;  weight: (vocab_size, d_model)  ->  (..., d_model)
    """
    check_tensor(weight, "weight", ndim=2, floating=True)
    return one_hot(ids, weight.shape[0]).to(weight.dtype) @ weight


def cosine_similarity_matrix(vectors: torch.Tensor) -> torch.Tensor:
    """Pairwise cosine similarity of the rows of ``vectors``: (n, d) -> (n, n)."""
    check_tensor(vectors, "vectors", ndim=2, floating=True)
    check_finite(vectors, "vectors")
    unit = vectors / vectors.norm(dim=-1, keepdim=True).clamp_min(1e-12)
    return unit @ unit.T


def principal_components(vectors: torch.Tensor, k: int = 2) -> tuple[torch.Tensor, torch.Tensor]:
    """Project the rows of ``vectors`` on their top ``k`` principal components (PCA by SVD).

    vectors: (n, d) -> (coords (n, k), explained (k,)): the coordinates of the centred rows along the
    k directions of largest variance, and the share of the total variance on each direction. The
    sign of each direction is arbitrary (as in every SVD).
    """
    check_tensor(vectors, "vectors", ndim=2, floating=True)
    check_positive_int(k, "k")
    if k > min(vectors.shape):
        raise ValueError(f"k must be <= min(n, d) = {min(vectors.shape)}, got {k}")
    check_finite(vectors, "vectors")
    centred = vectors - vectors.mean(0)
    _, s, vh = torch.linalg.svd(centred, full_matrices=False)
    if not float((s**2).sum()) > 0:
        raise ValueError(f"vectors has no variance (all {vectors.shape[0]} rows are equal): no principal direction")
    return centred @ vh[:k].T, s[:k] ** 2 / (s**2).sum()
