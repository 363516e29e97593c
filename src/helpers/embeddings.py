"""Token embeddings: a lookup equals a one-hot vector times the matrix; similarity and 2-D projection."""

from __future__ import annotations

import torch

from ._checks import check_finite, check_int, check_positive_int, check_tensor


def one_hot(ids: torch.Tensor, num_classes: int) -> torch.Tensor:
    """One-hot rows for integer ``ids``.

    ids: (...) integer tensor with values in [0, num_classes)  ->  (..., num_classes) float32
    """
    check_tensor(ids, "ids", floating=False)
    check_positive_int(num_classes, "num_classes")
    if ids.numel() and (int(ids.min()) < 0 or int(ids.max()) >= num_classes):
        raise ValueError(f"ids must lie in [0, {num_classes}), got min {int(ids.min())} and max {int(ids.max())}")
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


def translator_init_scales(seed: int = 0) -> dict[str, float]:
    """The sizes a freshly built toy translator starts with (the book's ``translator`` settings).

    Builds ``Seq2SeqTransformer`` with ``translator.DEFAULT_SETTINGS`` (PyTorch's default
    initialisation everywhere) under ``torch.manual_seed(seed)``, in eval mode (no dropout), and
    measures on the training pairs:

    - ``emb_std``: std of the source embedding's entries (pad row excluded; N(0, 1));
    - ``input_std``: std of the entries of ``emb * sqrt(d_model)`` (pad row excluded) and ``pe_rms``
      the positions' root mean square;
    - ``after_norm_rms``: root mean square of the first encoder layer's output after its first
      LayerNorm (post-norm: the input's scale does not survive that normalisation);
    - ``linear_std`` / ``linear_expected``: std of an attention projection's weight and
      ``1 / sqrt(3 d_model)`` (``nn.Linear`` draws U(-1/sqrt(fan_in), 1/sqrt(fan_in)));
    - ``logit_std`` and ``loss``: the untied output layer's logits and the mean loss per token,
      to compare with ``ln_v`` = ln |V_zh| (a uniform guess).
    """
    import math

    from . import corpus, translator
    from .masks import padding_mask

    check_int(seed, "seed", 0)
    settings = translator.DEFAULT_SETTINGS
    en, zh = translator.vocabularies()
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        model = translator.build_model(settings, en, zh).eval()
    pairs = corpus.split_pairs()[0][:256]  # a batch of training pairs is enough
    src, tgt_in, tgt_out = translator.encode_pairs(pairs, en, zh)
    d = settings.d_model
    with torch.no_grad():
        emb = model.src_emb.weight[torch.arange(len(en)) != en.pad_id]
        x = model.embed(model.src_emb, src)  # (B, S, d)
        layer = model.encoder[0]
        mask = padding_mask(src, en.pad_id)  # (B, 1, 1, S)
        h = layer.norm1(x + layer.self_attn(x, x, x, mask))  # (B, S, d)
        keep = src != en.pad_id
        logits = model(src, tgt_in)  # (B, T, |V_zh|)
        loss = translator.loss_on(model, pairs, en, zh).item()
    return {
        "d_model": float(d),
        "emb_std": emb.std().item(),
        "input_std": emb.std().item() * math.sqrt(d),
        "pe_rms": model.pe[: src.shape[1]].pow(2).mean().sqrt().item(),
        "after_norm_rms": h[keep].pow(2).mean().sqrt().item(),
        "linear_std": layer.self_attn.q_proj.weight.std().item(),
        "linear_expected": 1 / math.sqrt(3 * d),
        "logit_std": logits[tgt_out != zh.pad_id].std().item(),
        "loss": loss,
        "ln_v": math.log(len(zh)),
    }
