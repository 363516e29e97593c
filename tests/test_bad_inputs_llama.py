"""Bad inputs to the public helpers of ``helpers.llama`` (model, layers, generation, GGUF reader
and loader, tokenizer, quantisation, references).

Each case is (id, call, exception type, fragment): the call must raise exactly that exception
type, and its message must contain the fragment, which names the argument (or the file's field)
at fault. One parametrized test per module. Nothing here needs the 98 MB model file: the cases
run on a tiny random Llama, a tiny tokenizer and GGUF files written byte by byte.

Run as a script (``python tests/test_bad_inputs_llama.py``) to classify every case instead of
asserting: clear error naming the argument / deep or unclear error / silent result / hang.

Tally (issue 15), 189 bad inputs, classified by running this file as a script, before the fixes
(the package as committed, first on ``PYTHONPATH``) and after:

    module          cases    before: clear  deep  silent  hang    after: clear  deep  silent  hang
    model              34               14     8      12     0              34     0       0     0
    layers             31                8    11      12     0              31     0       0     0
    gguf_file          21                4    13       4     0              21     0       0     0
    gguf_loader        14                4     8       2     0              14     0       0     0
    generate           35                9    18       8     0              35     0       0     0
    quant              17                2    11       4     0              17     0       0     0
    tokenizer          28                6     9      13     0              28     0       0     0
    reference           9                1     2       6     0               9     0       0     0
    total             189               48    80      61     0             189     0       0     0

"clear": a ValueError/TypeError (KeyError for a missing name) whose message names the argument or
field. "deep": an error from deep inside, one that does not name the argument, or a misleading
one (the old ``temperature=-1`` message suggested a ``greedy=True`` argument that
``helpers.llama.generate`` does not have; the old GGUF reader's MemoryError on an array count of
2**40 and ZeroDivisionError on ``general.alignment = 0``). "silent": no error, the bad value used
as if it were good (NaN logits from ``rms_eps=-1``, a non-causal mask from shifted positions, a
duplicate tensor overwriting the first); for ``reference_outputs``, the bad value went unchecked
on to the 17 s model load (a tripwire stands in for the load here).
"""

from __future__ import annotations

import functools
import math
import struct
import tempfile
from pathlib import Path

import torch
from bad_inputs import check, params, sweep

from helpers.bpe import bytes_to_unicode
from helpers.llama import (
    GGUFFile,
    GGUFFormatError,
    GroupedQueryAttention,
    KVCache,
    LayerKVCache,
    Llama,
    LlamaBlock,
    LlamaConfig,
    LlamaTokenizer,
    RMSNorm,
    SwiGLU,
    apply_rope_half,
    chat,
    generate,
    half_to_interleaved,
    load_llama,
    open_gguf,
    parameter_name,
    permute_qk,
    quant,
    read_config,
    reference,
    repeat_kv,
    rope_cos_sin,
    rotate_half,
    sample_next,
    time_next_token,
    time_per_token,
    unpermute_qk,
)
from helpers.llama.layers import apply_rope_layout

NAN, INF = float("nan"), float("inf")
T = torch.tensor

TINY = dict(vocab_size=50, d_model=32, n_layers=2, n_heads=4, n_kv_heads=2, head_dim=8, d_ff=48,
            rope_base=10000.0, rms_eps=1e-5, context_length=64)


# ---------------------------------------------------------------------------------- fixtures
@functools.cache
def model() -> Llama:
    torch.manual_seed(0)
    return Llama(LlamaConfig(**TINY)).eval()


def config(**changes) -> LlamaConfig:
    return LlamaConfig(**{**TINY, **changes})


def filled_cache(n: int = 3, batch: int = 1) -> KVCache:
    cache = model().new_cache()
    with torch.no_grad():
        model()(torch.zeros(batch, n, dtype=torch.long), cache)
    return cache


def layer_cache(n: int = 3, batch: int = 1) -> LayerKVCache:
    cache = LayerKVCache()
    cache.append(torch.randn(batch, 3, n, 8), torch.randn(batch, 3, n, 8))
    return cache


def gqa() -> GroupedQueryAttention:
    torch.manual_seed(0)
    return GroupedQueryAttention(36, 9, 3, 8)


CHATML = ("{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
          "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")


def tok_args() -> dict:
    byte_char = bytes_to_unicode()
    tokens = [byte_char[b] for b in range(256)] + ["th", "<|im_start|>", "<|im_end|>"]
    return dict(tokens=tokens, merges=["t h"], special=["<|im_start|>", "<|im_end|>"], pre="gpt2",
                chat_template=CHATML, eos_id=258)


@functools.cache
def tok() -> LlamaTokenizer:
    return LlamaTokenizer(**tok_args())


def make_tok(**changes) -> LlamaTokenizer:
    return LlamaTokenizer(**{**tok_args(), **changes})


MESSAGES = [{"role": "user", "content": "hi"}]


# ------------------------------------------------------------------ GGUF files, byte by byte
def gstr(s: str | bytes) -> bytes:
    b = s.encode() if isinstance(s, str) else s
    return struct.pack("<Q", len(b)) + b


def kv(key: str, vtype: int, payload: bytes) -> bytes:
    return gstr(key) + struct.pack("<I", vtype) + payload


def kv_u32(key: str, value: int) -> bytes:
    return kv(key, 4, struct.pack("<I", value))


def kv_f32(key: str, value: float) -> bytes:
    return kv(key, 6, struct.pack("<f", value))


def kv_str(key: str, value: str) -> bytes:
    return kv(key, 8, gstr(value))


def kv_array(key: str, etype: int, count: int, payload: bytes) -> bytes:
    return kv(key, 9, struct.pack("<IQ", etype, count) + payload)


def tensor_info(name: str, dims: list[int], ggml_type: int = 0, offset: int = 0) -> bytes:
    return gstr(name) + struct.pack("<I", len(dims)) + b"".join(struct.pack("<Q", d) for d in dims) + \
        struct.pack("<IQ", ggml_type, offset)


def gguf_bytes(kvs: list[bytes] = (), tensors: list[bytes] = (), data: bytes = b"", version: int = 3,
               n_kv: int | None = None, n_tensors: int | None = None, align: int = 32) -> bytes:
    head = b"GGUF" + struct.pack("<IQQ", version, len(tensors) if n_tensors is None else n_tensors,
                                 len(kvs) if n_kv is None else n_kv)
    body = head + b"".join(kvs) + b"".join(tensors)
    return body + b"\0" * (-len(body) % align) + data


_DIR = Path(tempfile.mkdtemp(prefix="bad_gguf_"))


def gguf_path(name: str, **kwargs) -> Path:
    path = _DIR / f"{name}.gguf"
    path.write_bytes(gguf_bytes(**kwargs))
    return path


def llama_meta(**changes: bytes | None) -> list[bytes]:
    """The metadata of the tiny Llama; ``changes`` maps a key (dots as __) to its new entry or None."""
    base = {
        "general.architecture": kv_str("general.architecture", "llama"),
        "llama.block_count": kv_u32("llama.block_count", 2),
        "llama.context_length": kv_u32("llama.context_length", 64),
        "llama.embedding_length": kv_u32("llama.embedding_length", 32),
        "llama.feed_forward_length": kv_u32("llama.feed_forward_length", 48),
        "llama.attention.head_count": kv_u32("llama.attention.head_count", 4),
        "llama.attention.head_count_kv": kv_u32("llama.attention.head_count_kv", 2),
        "llama.rope.freq_base": kv_f32("llama.rope.freq_base", 10000.0),
        "llama.attention.layer_norm_rms_epsilon": kv_f32("llama.attention.layer_norm_rms_epsilon", 1e-5),
        "llama.vocab_size": kv_u32("llama.vocab_size", 50),
    }
    for key, entry in changes.items():
        key = key.replace("__", ".")
        if entry is None:
            base.pop(key)
        else:
            base[key] = entry
    return list(base.values())


def llama_file(name: str, **changes) -> GGUFFile:
    return GGUFFile(gguf_path(name, kvs=llama_meta(**changes)))


def tokenizer_meta(**changes) -> list[bytes]:
    byte_char = bytes_to_unicode()
    tokens = [byte_char[b] for b in range(256)]
    base = {
        "tokenizer.ggml.model": kv_str("tokenizer.ggml.model", "gpt2"),
        "tokenizer.ggml.tokens": kv_array("tokenizer.ggml.tokens", 8, 256, b"".join(gstr(t) for t in tokens)),
        "tokenizer.ggml.merges": kv_array("tokenizer.ggml.merges", 8, 0, b""),
    }
    for key, entry in changes.items():
        key = key.replace("__", ".")
        if entry is None:
            base.pop(key)
        else:
            base[key] = entry
    return list(base.values())


def u8s(n: int) -> bytes:
    return bytes(n)


# --------------------------------------------------------------------------- the references
class ReachedTheModel(Exception):
    """The bad argument got past the checks to the point where the reference model is loaded."""


def ref_call(*args, **kwargs):
    """``reference_outputs`` with the loading replaced by a tripwire (no transformers, no 17 s load)."""
    def trip(*_a, **_k):
        raise ReachedTheModel("reference_outputs went on to load the model with this input")

    saved = reference.load_reference_model, reference.load_reference_tokenizer
    reference.load_reference_model = reference.load_reference_tokenizer = trip
    try:
        return reference.reference_outputs(*args, **kwargs)
    finally:
        reference.load_reference_model, reference.load_reference_tokenizer = saved


def fwd(ids: torch.Tensor, **kwargs):
    with torch.no_grad():
        return model()(ids, **kwargs)


ids3 = torch.zeros(1, 3, dtype=torch.long)
x36 = torch.randn(1, 5, 36)
logits5 = torch.log(T([0.5, 0.2, 0.15, 0.1, 0.05]))
ref3, oth3 = torch.randn(1, 4, 10), torch.randn(1, 4, 10)
tgt3 = torch.randint(0, 10, (1, 4))
w64 = torch.randn(2, 64)


def nan_w() -> torch.Tensor:
    w = torch.randn(2, 32)
    w[1, 3] = NAN
    return w


# --------------------------------------------------------------------------------------- cases
MODEL = [
    ("config rms_eps -1", lambda: config(rms_eps=-1), ValueError, "rms_eps"),
    ("config rms_eps nan", lambda: config(rms_eps=NAN), ValueError, "rms_eps"),
    ("config rms_eps 0", lambda: config(rms_eps=0.0), ValueError, "rms_eps"),
    ("config rms_eps str", lambda: config(rms_eps="1e-5"), TypeError, "rms_eps"),
    ("config rope_base 0", lambda: config(rope_base=0.0), ValueError, "rope_base"),
    ("config rope_base negative", lambda: config(rope_base=-10000.0), ValueError, "rope_base"),
    ("config rope_base inf", lambda: config(rope_base=INF), ValueError, "rope_base"),
    ("config rope_base nan", lambda: config(rope_base=NAN), ValueError, "rope_base"),
    ("config vocab_size 0", lambda: config(vocab_size=0), ValueError, "vocab_size"),
    ("config d_model float", lambda: config(d_model=32.0), TypeError, "d_model"),
    ("config n_layers bool", lambda: config(n_layers=True), TypeError, "n_layers"),
    ("config n_heads negative", lambda: config(n_heads=-4), ValueError, "n_heads"),
    ("config n_kv_heads not a divisor", lambda: config(n_kv_heads=3), ValueError, "n_kv_heads"),
    ("config head_dim odd", lambda: config(head_dim=7), ValueError, "head_dim"),
    ("config context_length 0", lambda: config(context_length=0), ValueError, "context_length"),
    ("config tie_embeddings str", lambda: config(tie_embeddings="no"), TypeError, "tie_embeddings"),
    ("config tie_embeddings None", lambda: config(tie_embeddings=None), TypeError, "tie_embeddings"),
    ("config rope_layout unknown", lambda: config(rope_layout="spiral"), ValueError, "rope_layout"),
    ("config rope_layout None", lambda: config(rope_layout=None), TypeError, "rope_layout"),
    ("KVCache n_layers 0", lambda: KVCache(0), ValueError, "n_layers"),
    ("KVCache crop negative", lambda: filled_cache().crop(-1), ValueError, "length"),
    ("KVCache crop float", lambda: filled_cache().crop(1.5), TypeError, "length"),
    ("Llama config not a LlamaConfig", lambda: Llama(TINY), TypeError, "config"),
    ("LlamaBlock config str", lambda: LlamaBlock("tiny"), TypeError, "config"),
    ("new_cache takes no argument", lambda: model().new_cache(-1), TypeError, "new_cache"),
    ("forward cache not a KVCache", lambda: fwd(ids3, cache="cache"), TypeError, "cache"),
    ("forward cache of another batch", lambda: fwd(torch.zeros(2, 1, dtype=torch.long), cache=filled_cache()),
     ValueError, "cache"),
    ("forward attention_layers int", lambda: fwd(ids3, attention_layers=1), TypeError, "attention_layers"),
    ("forward attention_layers str items", lambda: fwd(ids3, attention_layers=["0"]), TypeError,
     "attention_layers"),
    ("forward attention_layers float items", lambda: fwd(ids3, attention_layers=[0.5]), TypeError,
     "attention_layers"),
    ("forward empty ids", lambda: fwd(torch.zeros(1, 0, dtype=torch.long)), ValueError, "ids"),
    ("forward ids 1-D", lambda: fwd(T([1, 2])), ValueError, "ids"),
    ("forward ids list", lambda: fwd([[1, 2]]), TypeError, "ids"),
    ("forward past the context with a cache", lambda: fwd(torch.zeros(1, 5, dtype=torch.long),
                                                          cache=filled_cache(62)), ValueError, "context"),
]

LAYERS = [
    ("RMSNorm eps negative", lambda: RMSNorm(8, eps=-1.0), ValueError, "eps"),
    ("RMSNorm eps nan", lambda: RMSNorm(8, eps=NAN), ValueError, "eps"),
    ("RMSNorm eps str", lambda: RMSNorm(8, eps="1e-5"), TypeError, "eps"),
    ("RMSNorm dim 0", lambda: RMSNorm(0), ValueError, "dim"),
    ("RMSNorm x list", lambda: RMSNorm(4)([1.0, 2.0, 3.0, 4.0]), TypeError, "x"),
    ("rope_cos_sin head_dim odd", lambda: rope_cos_sin(torch.arange(3), 7), ValueError, "head_dim"),
    ("rope_cos_sin base negative", lambda: rope_cos_sin(torch.arange(3), 8, base=-1.0), ValueError, "base"),
    ("rope_cos_sin base 0", lambda: rope_cos_sin(torch.arange(3), 8, base=0.0), ValueError, "base"),
    ("rope_cos_sin dtype long", lambda: rope_cos_sin(torch.arange(3), 8, dtype=torch.long), TypeError, "dtype"),
    ("rope_cos_sin positions float", lambda: rope_cos_sin(T([0.0, 1.0]), 8), TypeError, "positions"),
    ("rope_cos_sin positions list", lambda: rope_cos_sin([0, 1], 8), TypeError, "positions"),
    ("rotate_half odd last dim", lambda: rotate_half(torch.randn(2, 5)), ValueError, "x"),
    ("rotate_half list", lambda: rotate_half([1.0, 2.0]), TypeError, "x"),
    ("apply_rope_half positions list", lambda: apply_rope_half(torch.randn(3, 8), [0, 1, 2]), TypeError,
     "positions"),
    ("apply_rope_half base nan", lambda: apply_rope_half(torch.randn(3, 8), base=NAN), ValueError, "base"),
    ("apply_rope_half positions wrong length", lambda: apply_rope_half(torch.randn(3, 8), torch.arange(2)),
     ValueError, "positions"),
    ("half_to_interleaved odd", lambda: half_to_interleaved(5), ValueError, "d must"),
    ("apply_rope_layout unknown", lambda: apply_rope_layout(torch.randn(3, 8), torch.arange(3), 1e4, "spiral"),
     ValueError, "layout"),
    ("SwiGLU d_ff 0", lambda: SwiGLU(8, 0), ValueError, "d_ff"),
    ("SwiGLU x wrong last dim", lambda: SwiGLU(8, 16)(torch.randn(2, 5)), ValueError, "x"),
    ("SwiGLU x integer", lambda: SwiGLU(8, 16)(torch.ones(2, 8, dtype=torch.long)), TypeError, "x"),
    ("LayerKVCache append k, v differ", lambda: LayerKVCache().append(torch.randn(1, 2, 3, 4),
                                                                        torch.randn(1, 2, 3, 5)), ValueError, "v"),
    ("LayerKVCache append another head_dim", lambda: layer_cache().append(torch.randn(1, 3, 1, 4),
                                                                            torch.randn(1, 3, 1, 4)),
     ValueError, "k"),
    ("LayerKVCache crop str", lambda: layer_cache().crop("1"), TypeError, "length"),
    ("GQA rope_base negative", lambda: GroupedQueryAttention(36, 9, 3, 4, rope_base=-1.0), ValueError,
     "rope_base"),
    ("GQA x wrong last dim", lambda: gqa()(torch.randn(1, 5, 20)), ValueError, "x"),
    ("GQA positions not after the cache", lambda: gqa()(x36, torch.arange(10, 15)), ValueError, "positions"),
    ("GQA cache str", lambda: gqa()(x36, cache="cache"), TypeError, "cache"),
    ("GQA cache of another batch", lambda: gqa()(torch.randn(2, 1, 36), cache=layer_cache()), ValueError,
     "cache"),
    ("repeat_kv n_rep 0", lambda: repeat_kv(torch.randn(1, 2, 3, 4), 0), ValueError, "n_rep"),
    ("repeat_kv n_rep float", lambda: repeat_kv(torch.randn(1, 2, 3, 4), 1.5), ValueError, "n_rep"),
]

GGUF_FILE = [
    ("array count 2**40 of u8", lambda: GGUFFile(gguf_path("a40", kvs=[kv_array("x", 0, 2**40, u8s(8))])),
     GGUFFormatError, "array"),
    ("array count 2**40 of strings", lambda: GGUFFile(gguf_path("s40", kvs=[kv_array("x", 8, 2**40, gstr("a"))])),
     GGUFFormatError, "array"),
    ("array of unknown element type", lambda: GGUFFile(gguf_path("et", kvs=[kv_array("x", 99, 0, b"")])),
     GGUFFormatError, "element type"),
    ("arrays nested 5000 deep", lambda: GGUFFile(gguf_path("deep", kvs=[kv("x", 9, struct.pack("<IQ", 9, 1) * 5000
                                                                               + struct.pack("<IQ", 0, 0))])),
     GGUFFormatError, "nested"),
    ("general.alignment 0", lambda: GGUFFile(gguf_path("al0", kvs=[kv_u32("general.alignment", 0)])),
     GGUFFormatError, "general.alignment"),
    ("general.alignment 3", lambda: GGUFFile(gguf_path("al3", kvs=[kv_u32("general.alignment", 3)])),
     GGUFFormatError, "general.alignment"),
    ("general.alignment str", lambda: GGUFFile(gguf_path("als", kvs=[kv_str("general.alignment", "abc")])),
     GGUFFormatError, "general.alignment"),
    ("metadata count 2**60", lambda: GGUFFile(gguf_path("nkv", n_kv=2**60)), GGUFFormatError, "metadata"),
    ("tensor count 2**60", lambda: GGUFFile(gguf_path("nt", n_tensors=2**60)), GGUFFormatError, "tensor"),
    ("string length 2**63", lambda: GGUFFile(gguf_path("sl", kvs=[kv("x", 8, struct.pack("<Q", 2**63))])),
     GGUFFormatError, "string"),
    ("unknown value type", lambda: GGUFFile(gguf_path("vt", kvs=[kv("x", 99, b"")])), GGUFFormatError,
     "value type"),
    ("duplicate metadata key", lambda: GGUFFile(gguf_path("dk", kvs=[kv_u32("x", 1), kv_u32("x", 2)])),
     GGUFFormatError, "'x'"),
    ("tensor n_dims 2**31", lambda: GGUFFile(gguf_path("nd", tensors=[gstr("w") + struct.pack("<I", 2**31) + bytes(40)])),
     GGUFFormatError, "dims"),
    ("tensor n_dims 0", lambda: GGUFFile(gguf_path("nd0", tensors=[tensor_info("w", [])], data=u8s(32))).raw("w"),
     GGUFFormatError, "dims"),
    ("tensor dims overflow int64", lambda: GGUFFile(gguf_path("ov", tensors=[tensor_info("w", [2**32] * 3)],
                                                              data=u8s(64))).raw("w"), GGUFFormatError, "'w'"),
    ("tensor offset past the end", lambda: GGUFFile(gguf_path("off", tensors=[tensor_info("w", [4], 0, 2**40)],
                                                              data=u8s(16))).raw("w"), GGUFFormatError, "w"),
    ("duplicate tensor name", lambda: GGUFFile(gguf_path("dt", tensors=[tensor_info("w", [4]), tensor_info("w", [4])],
                                                         data=u8s(16))), GGUFFormatError, "'w'"),
    ("unknown ggml type", lambda: GGUFFile(gguf_path("gt", tensors=[tensor_info("w", [4], 999)],
                                                     data=u8s(16))).raw("w"), GGUFFormatError, "ggml type"),
    ("path int", lambda: GGUFFile(5), TypeError, "path"),
    ("version 1", lambda: GGUFFile(gguf_path("v1", version=1)), GGUFFormatError, "version"),
    ("raw name int", lambda: GGUFFile(gguf_path("ok", tensors=[tensor_info("w", [4])], data=u8s(16))).raw(5),
     TypeError, "name"),
]

GGUF_LOADER = [
    ("permute_qk n_heads 0", lambda: permute_qk(torch.randn(8, 4), 0), ValueError, "n_heads"),
    ("permute_qk rows not a multiple", lambda: permute_qk(torch.randn(10, 4), 3), ValueError, "n_heads"),
    ("permute_qk w list", lambda: permute_qk([[1.0]], 1), TypeError, "w"),
    ("unpermute_qk n_heads 0", lambda: unpermute_qk(torch.randn(8, 4), 0), ValueError, "n_heads"),
    ("parameter_name int", lambda: parameter_name(5), TypeError, "gguf_name"),
    ("parameter_name unknown", lambda: parameter_name("blk.x.attn_q.weight"), GGUFFormatError, "blk.x"),
    ("open_gguf path int", lambda: open_gguf(5), TypeError, "path"),
    ("load_llama path int", lambda: load_llama(5), TypeError, "path"),
    ("read_config file str", lambda: read_config("tiny.gguf"), TypeError, "file"),
    ("read_config head_count 0", lambda: read_config(llama_file("hc0", llama__attention__head_count=kv_u32(
        "llama.attention.head_count", 0))), GGUFFormatError, "head_count"),
    ("read_config rms epsilon negative", lambda: read_config(llama_file("eps", **{
        "llama__attention__layer_norm_rms_epsilon": kv_f32("llama.attention.layer_norm_rms_epsilon", -1.0)})),
     GGUFFormatError, "layer_norm_rms_epsilon"),
    ("read_config context_length str", lambda: read_config(llama_file("cl", llama__context_length=kv_str(
        "llama.context_length", "abc"))), GGUFFormatError, "context_length"),
    ("read_config block_count float", lambda: read_config(llama_file("bc", llama__block_count=kv_f32(
        "llama.block_count", 2.7))), GGUFFormatError, "block_count"),
    ("read_config rope_layout unknown", lambda: read_config(llama_file("rl"), rope_layout="spiral"), ValueError,
     "rope_layout"),
]

GENERATE = [
    ("sample_next temperature -1", lambda: sample_next(logits5, -1.0), ValueError, "temperature=0"),
    ("sample_next temperature nan", lambda: sample_next(logits5, NAN), ValueError, "temperature"),
    ("sample_next temperature inf", lambda: sample_next(logits5, INF), ValueError, "temperature"),
    ("sample_next temperature str", lambda: sample_next(logits5, "1"), TypeError, "temperature"),
    ("sample_next NaN logits greedy", lambda: sample_next(T([0.0, NAN, 1.0]), 0), ValueError, "logits"),
    ("sample_next all -inf greedy", lambda: sample_next(T([-INF, -INF]), 0), ValueError, "logits"),
    ("sample_next logits 2-D", lambda: sample_next(logits5[None], 0), ValueError, "logits"),
    ("sample_next top_k 0", lambda: sample_next(logits5, 1.0, top_k=0), ValueError, "top_k"),
    ("sample_next top_k 0 greedy", lambda: sample_next(logits5, 0, top_k=0), ValueError, "top_k"),
    ("sample_next top_p 1.5", lambda: sample_next(logits5, 1.0, top_p=1.5), ValueError, "top_p"),
    ("sample_next generator str", lambda: sample_next(logits5, 1.0, generator="g"), TypeError, "generator"),
    ("generate model str", lambda: generate("model", [1, 2], 3), TypeError, "model"),
    ("generate empty prompt", lambda: generate(model(), [], 3), ValueError, "prompt_ids"),
    ("generate prompt str", lambda: generate(model(), "hello", 3), TypeError, "prompt_ids"),
    ("generate prompt floats", lambda: generate(model(), [1.5, 2.0], 3), TypeError, "prompt_ids"),
    ("generate prompt nested", lambda: generate(model(), [[1, 2]], 3), TypeError, "prompt_ids"),
    ("generate prompt 2-D tensor", lambda: generate(model(), T([[1, 2]]), 3), ValueError, "prompt_ids"),
    ("generate prompt id past the vocabulary", lambda: generate(model(), [1, 99], 3), ValueError, "prompt_ids"),
    ("generate max_new_tokens 0", lambda: generate(model(), [1, 2], 0), ValueError, "max_new_tokens"),
    ("generate max_new_tokens float", lambda: generate(model(), [1, 2], 2.0), TypeError, "max_new_tokens"),
    ("generate temperature -1", lambda: generate(model(), [1, 2], 3, temperature=-1.0), ValueError,
     "temperature=0"),
    ("generate top_p 0 greedy", lambda: generate(model(), [1, 2], 3, top_p=0.0), ValueError, "top_p"),
    ("generate stop_ids int", lambda: generate(model(), [1, 2], 3, stop_ids=5), TypeError, "stop_ids"),
    ("generate stop_ids str items", lambda: generate(model(), [1, 2], 3, stop_ids=["a"]), TypeError, "stop_ids"),
    ("generate seed str", lambda: generate(model(), [1, 2], 3, temperature=1.0, seed="1"), TypeError, "seed"),
    ("generate on_token not callable", lambda: generate(model(), [1, 2], 3, on_token=5), TypeError, "on_token"),
    ("generate use_cache str", lambda: generate(model(), [1, 2], 3, use_cache="no"), TypeError, "use_cache"),
    ("generate prompt fills the context", lambda: generate(model(), [1] * 64, 3), ValueError, "max_new_tokens"),
    ("generate prompt past the context", lambda: generate(model(), [1] * 65, 1), ValueError, "prompt_ids"),
    ("chat tokenizer str", lambda: chat(model(), "tok", MESSAGES), TypeError, "tokenizer"),
    ("chat messages str", lambda: chat(model(), tok(), "hello"), TypeError, "messages"),
    ("time_next_token empty ids", lambda: time_next_token(model(), torch.zeros(1, 0, dtype=torch.long), True),
     ValueError, "ids"),
    ("time_next_token use_cache str", lambda: time_next_token(model(), ids3, "yes"), TypeError, "use_cache"),
    ("time_per_token float positions", lambda: time_per_token(model(), ids3, [1.5]), TypeError, "positions"),
    ("time_per_token positions int", lambda: time_per_token(model(), ids3, 3), TypeError, "positions"),
]

QUANT = [
    ("q4_1_round empty", lambda: quant.q4_1_round(torch.zeros(0, 32)), ValueError, "w"),
    ("q4_1_round NaN", lambda: quant.q4_1_round(nan_w()), ValueError, "w"),
    ("q8_0_round inf", lambda: quant.q8_0_round(torch.full((1, 32), INF)), ValueError, "w"),
    ("q8_0_round integer", lambda: quant.q8_0_round(torch.ones(1, 32, dtype=torch.long)), TypeError, "w"),
    ("q4_1_round block 0", lambda: quant.q4_1_round(torch.randn(1, 32), block=0), ValueError, "block"),
    ("shifted shift float", lambda: quant.shifted(quant.q4_1_round, 16.5)(w64), TypeError, "shift"),
    ("shifted rounding str", lambda: quant.shifted("round")(w64), TypeError, "rounding"),
    ("shifted block 0", lambda: quant.shifted(quant.q4_1_round, 8, block=0), ValueError, "block"),
    ("q4_1_blocks file str", lambda: quant.q4_1_blocks("file", "w"), TypeError, "file"),
    ("q4_1_blocks missing tensor", lambda: quant.q4_1_blocks(GGUFFile(gguf_path(
        "ok2", tensors=[tensor_info("w", [4])], data=u8s(16))), "missing"), KeyError, "no tensor"),
    ("block_matrices model str", lambda: quant.block_matrices("model"), TypeError, "model"),
    ("logits_with_rounded_weights ids past the vocabulary", lambda: quant.logits_with_rounded_weights(
        model(), T([[1, 99]]), {}), ValueError, "ids"),
    ("logits_with_rounded_weights roundings list", lambda: quant.logits_with_rounded_weights(
        model(), ids3, [quant.q4_1_round]), TypeError, "roundings"),
    ("logits_with_rounded_weights ids past the context", lambda: quant.logits_with_rounded_weights(
        model(), torch.zeros(1, 70, dtype=torch.long), {}), ValueError, "context"),
    ("compare_logits other list", lambda: quant.compare_logits(ref3, [1.0], tgt3), TypeError, "other"),
    ("compare_logits targets float", lambda: quant.compare_logits(ref3, oth3, tgt3.float()), TypeError, "targets"),
    ("compare_logits targets out of range", lambda: quant.compare_logits(ref3, oth3, tgt3 + 10), ValueError,
     "targets"),
]

TOKENIZER = [
    ("tokens one str", lambda: make_tok(tokens="abc", special=[], merges=[]), TypeError, "tokens"),
    ("tokens ints", lambda: make_tok(tokens=[1, 2], special=[], merges=[]), TypeError, "tokens"),
    ("tokens empty", lambda: make_tok(tokens=[], special=[], merges=[]), ValueError, "tokens"),
    ("merges one str", lambda: make_tok(merges="t h"), TypeError, "merges"),
    ("merges ints", lambda: make_tok(merges=[1]), TypeError, "merges"),
    ("special one str", lambda: make_tok(special="<|im_end|>"), TypeError, "special"),
    ("pre int", lambda: make_tok(pre=5), TypeError, "pre"),
    ("chat_template int", lambda: make_tok(chat_template=5), TypeError, "chat_template"),
    ("eos_id past the vocabulary", lambda: make_tok(eos_id=10**6), ValueError, "eos_id"),
    ("bos_id str", lambda: make_tok(bos_id="1"), TypeError, "bos_id"),
    ("encode text int", lambda: tok().encode(5), TypeError, "text"),
    ("encode allowed_special str", lambda: tok().encode("a", allowed_special="yes"), TypeError, "allowed_special"),
    ("decode floats", lambda: tok().decode([1.7]), TypeError, "ids"),
    ("decode int", lambda: tok().decode(5), TypeError, "ids"),
    ("decode bools", lambda: tok().decode([True]), TypeError, "ids"),
    ("decode 2-D tensor", lambda: tok().decode(T([[1, 2]])), ValueError, "ids"),
    ("decode float tensor", lambda: tok().decode(T([1.0])), TypeError, "ids"),
    ("token_bytes negative", lambda: tok().token_bytes(-1), ValueError, "token_id"),
    ("token_bytes str", lambda: tok().token_bytes("a"), TypeError, "token_id"),
    ("id_to_token float", lambda: tok().id_to_token(1.0), TypeError, "token_id"),
    ("token_to_id int", lambda: tok().token_to_id(5), TypeError, "token"),
    ("apply_chat_template add_generation_prompt str", lambda: tok().apply_chat_template(
        MESSAGES, add_generation_prompt="no"), TypeError, "add_generation_prompt"),
    ("encode_chat messages int", lambda: tok().encode_chat(5), TypeError, "messages"),
    ("encode_chat messages of str", lambda: tok().encode_chat(["hi"]), TypeError, "messages"),
    ("from_gguf path int", lambda: LlamaTokenizer.from_gguf(5), TypeError, "path"),
    ("from_gguf without tokens", lambda: LlamaTokenizer.from_gguf(gguf_path(
        "nt", kvs=tokenizer_meta(tokenizer__ggml__tokens=None))), GGUFFormatError, "tokenizer.ggml.tokens"),
    ("from_gguf token_type too short", lambda: LlamaTokenizer.from_gguf(gguf_path("tt", kvs=tokenizer_meta(
        tokenizer__ggml__token_type=kv_array("tokenizer.ggml.token_type", 5, 2, struct.pack("<ii", 1, 1))))),
     GGUFFormatError, "tokenizer.ggml.token_type"),
    ("from_gguf tokens as numbers", lambda: LlamaTokenizer.from_gguf(gguf_path("ti", kvs=tokenizer_meta(
        tokenizer__ggml__tokens=kv_array("tokenizer.ggml.tokens", 5, 2, struct.pack("<ii", 1, 2))))),
     GGUFFormatError, "tokenizer.ggml.tokens"),
]

REFERENCE = [
    ("reference_outputs prompt tensor", lambda: ref_call(T([1, 2]), 1), TypeError, "prompt_ids"),
    ("reference_outputs prompt str", lambda: ref_call("abc", 1), TypeError, "prompt_ids"),
    ("reference_outputs prompt floats", lambda: ref_call([1.5], 1), TypeError, "prompt_ids"),
    ("reference_outputs prompt negative", lambda: ref_call([-1], 1), ValueError, "prompt_ids"),
    ("reference_outputs max_new_tokens 0", lambda: ref_call([1, 2], 0), ValueError, "max_new_tokens"),
    ("reference_outputs texts of ints", lambda: ref_call([1], 1, texts=[5]), TypeError, "texts"),
    ("reference_outputs chats str", lambda: ref_call([1], 1, chats="hi"), TypeError, "chats"),
    ("reference_outputs path int", lambda: ref_call([1], 1, path=5), TypeError, "path"),
    ("reference_outputs scored str", lambda: ref_call([1], 1, scored="abc"), TypeError, "scored"),
    ("reference_outputs scored short", lambda: ref_call([1], 1, scored=[[1]]), TypeError, "scored[0]"),
    ("reference_outputs scored floats", lambda: ref_call([1], 1, scored=[[1, 2.5]]), TypeError, "scored[0]"),
    ("reference_outputs scored negative", lambda: ref_call([1], 1, scored=[[1, 2], [3, -1]]), TypeError,
     "scored[1]"),
    ("smollm2_original_tokenizer str", lambda: reference.smollm2_original_tokenizer("tok"), TypeError,
     "tokenizer"),
]

MODULES = {"model": MODEL, "layers": LAYERS, "gguf_file": GGUF_FILE, "gguf_loader": GGUF_LOADER,
           "generate": GENERATE, "quant": QUANT, "tokenizer": TOKENIZER, "reference": REFERENCE}


# --------------------------------------------------------------------------------------- checks
@params(MODEL)
def test_model(case):
    check(case)


@params(LAYERS)
def test_layers(case):
    check(case)


@params(GGUF_FILE)
def test_gguf_file(case):
    check(case)


@params(GGUF_LOADER)
def test_gguf_loader(case):
    check(case)


@params(GENERATE)
def test_generate(case):
    check(case)


@params(QUANT)
def test_quant(case):
    check(case)


@params(TOKENIZER)
def test_tokenizer(case):
    check(case)


@params(REFERENCE)
def test_reference(case):
    check(case)


def test_every_case_id_is_unique():
    ids = [c[0] for cases in MODULES.values() for c in cases]
    assert len(ids) == len(set(ids))


def test_what_is_valid_still_passes_the_checks():
    """The checks refuse the cases above, not their valid neighbours."""
    import numpy as np

    m = model()
    assert config(rms_eps=1e-6, rope_base=500000, d_model=np.int64(32)).d_model == 32  # ints for floats, numpy
    assert KVCache(2) is not None and LayerKVCache().crop(0) is None
    cache = filled_cache(3)
    cache.crop(np.int64(2))
    assert len(cache) == 2
    assert sample_next(logits5, 0) == 0 and sample_next(T([-INF, 1.0]), 0) == 1  # -inf is a masked token
    assert sample_next(logits5, 1, top_k=np.int64(2), generator=torch.Generator().manual_seed(0)) in (0, 1)
    # the prompt may fill the context: the one new token needs no position of its own
    assert len(generate(m, [1] * 64, 1)) == 1 and len(generate(m, [1] * 60, 5)) == 5
    assert len(generate(m, T([1, 2]), 2, stop_ids=T([7]))) == 2  # a tensor prompt and tensor stop ids
    assert len(generate(m, np.array([1, 2]), 2, seed=np.int64(3), temperature=np.float32(0.5))) == 2
    assert rope_cos_sin(T([-1, 0]), 8)[0].shape == (2, 8)
    t = tok()
    ids = t.encode("the")
    assert t.decode(T(ids)) == t.decode(np.array(ids)) == t.decode(ids) == "the"
    assert t.token_bytes(np.int64(ids[0])) == t.token_bytes(T(ids[0]))
    assert isinstance(chat(Llama(config(vocab_size=259)).eval(), t, MESSAGES, max_new_tokens=2), str)
    w = torch.randn(8, 4)
    assert torch.equal(unpermute_qk(permute_qk(w, 2), 2), w)
    assert read_config(llama_file("valid")).context_length == 64
    assert quant.q4_1_round(torch.zeros(1, 32)).abs().max() == 0  # a block of one value
    assert math.isfinite(quant.compare_logits(ref3, oth3, tgt3)["kl"])


# --------------------------------------------------------------------------------- the sweep


if __name__ == "__main__":
    if reference.transformers_available():
        import transformers  # noqa: F401  (imported once here, so that its import time never looks like a hang)
    # ReachedTheModel: the bad value went on, unchecked, to where the model is loaded
    sweep(MODULES, width=14, clear=(ValueError, TypeError, KeyError, FileNotFoundError), silent=(ReachedTheModel,))
