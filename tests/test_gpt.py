"""The decoder-only GPT (helpers.gpt), its KV cache, and the pretraining script (helpers.pretrain)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import torch.nn as nn
from torch.nn import functional as F

from helpers import poems, pretrain
from helpers.gpt import GPT, GPTConfig, KVCache, load_checkpoint, save_checkpoint

ROOT = Path(__file__).resolve().parents[1]


def tiny(attention: str = "manual", **kw) -> GPT:
    torch.manual_seed(0)
    cfg = dict(vocab_size=30, block_size=12, n_layer=2, n_head=2, n_embd=16, attention=attention)
    return GPT(GPTConfig(**{**cfg, **kw})).eval()


def test_shapes_tying_and_parameter_count():
    m = tiny()
    idx = torch.randint(30, (3, 10))
    logits, loss = m(idx)
    assert logits.shape == (3, 10, 30) and loss is None
    assert m.lm_head.weight is m.transformer.wte.weight  # weight tying
    C, L, V, T = 16, 2, 30, 12
    per_block = 4 * C * C + 8 * C * C + 2 * C  # attention (q,k,v,out) + MLP + two LayerNorm weights (no bias)
    assert m.num_params() == V * C + T * C + L * per_block + C
    assert m.num_params(non_embedding=True) == m.num_params() - T * C


def test_initial_loss_is_about_ln_vocab():
    torch.manual_seed(0)
    m = GPT(GPTConfig(vocab_size=500, block_size=32, n_layer=2, n_head=2, n_embd=32))
    idx, targets = torch.randint(500, (2, 8, 32))
    _, loss = m(idx, targets)  # (targets = idx would score lower: with tied weights each token 'sees itself')
    assert abs(loss.item() - math.log(500)) < 0.05


def test_loss_equals_cross_entropy_and_ignores_minus_100():
    m = tiny()
    idx = torch.randint(30, (2, 8))
    targets = torch.randint(30, (2, 8))
    targets[0, :3] = -100
    logits, loss = m(idx, targets)
    keep = targets != -100
    assert torch.allclose(loss, F.cross_entropy(logits[keep], targets[keep]))


def test_causal_a_later_token_does_not_change_earlier_outputs():
    m = tiny()
    a = torch.randint(30, (1, 10))
    b = a.clone()
    b[0, 6:] = (b[0, 6:] + 1) % 30
    assert torch.allclose(m(a)[0][:, :6], m(b)[0][:, :6], atol=1e-6)
    assert not torch.allclose(m(a)[0][:, 6:], m(b)[0][:, 6:])


def test_bidirectional_mode_sees_later_tokens_and_equals_sdpa():
    m, m2 = tiny(causal=False), tiny("sdpa", causal=False)
    m2.load_state_dict(m.state_dict())
    a = torch.randint(30, (1, 10))
    b = a.clone()
    b[0, 9] = (b[0, 9] + 1) % 30
    assert not torch.allclose(m(a)[0][:, 0], m(b)[0][:, 0])  # position 0 sees position 9
    assert torch.allclose(m(a)[0], m2(a)[0], atol=1e-5)
    one = tiny(causal=False, n_layer=1)
    ref = tiny(n_layer=1)
    ref.load_state_dict(one.state_dict())  # one layer, same weights: the last position sees everything either way
    assert torch.allclose(ref(a)[0][:, -1], one(a)[0][:, -1], atol=1e-5)
    assert not torch.allclose(ref(a)[0][:, 0], one(a)[0][:, 0])
    with pytest.raises(ValueError, match="KV cache needs causal"):
        m(a, cache=m.new_cache(1))


def test_features_are_what_the_output_layer_reads():
    m = tiny()
    idx = torch.randint(30, (2, 7))
    h = m.features(idx)
    assert h.shape == (2, 7, 16) and torch.allclose(m(idx)[0], h @ m.transformer.wte.weight.T)


def test_manual_and_sdpa_attention_agree():
    m1, m2 = tiny("manual"), tiny("sdpa")
    m2.load_state_dict(m1.state_dict())
    idx = torch.randint(30, (2, 12))
    assert torch.allclose(m1(idx)[0], m2(idx)[0], atol=1e-5)


def test_block_equals_a_written_out_pre_norm_block():
    m = tiny()
    block, C, H = m.transformer.h[0], 16, 2
    x = torch.randn(2, 7, C)
    h = F.layer_norm(x, (C,), block.ln_1.weight)
    q, k, v = ((t.view(2, 7, H, C // H).transpose(1, 2)) for t in (h @ block.attn.c_attn.weight.T).split(C, dim=-1))
    scores = q @ k.transpose(-2, -1) / math.sqrt(C // H) + torch.full((7, 7), float("-inf")).triu(1)
    heads = (F.softmax(scores, dim=-1) @ v).transpose(1, 2).reshape(2, 7, C)  # heads side by side
    x1 = x + heads @ block.attn.c_proj.weight.T
    h2 = F.layer_norm(x1, (C,), block.ln_2.weight)
    expected = x1 + F.gelu(h2 @ block.mlp.c_fc.weight.T) @ block.mlp.c_proj.weight.T
    assert torch.allclose(block(x), expected, atol=1e-6)


def test_attention_equals_pytorch_multihead_attention():
    m = tiny(bias=True)
    attn, C = m.transformer.h[0].attn, 16
    ref = nn.MultiheadAttention(C, 2, batch_first=True)
    with torch.no_grad():
        ref.in_proj_weight.copy_(attn.c_attn.weight)
        ref.in_proj_bias.copy_(attn.c_attn.bias)
        ref.out_proj.weight.copy_(attn.c_proj.weight)
        ref.out_proj.bias.copy_(attn.c_proj.bias)
    x = torch.randn(2, 9, C)
    mask = nn.Transformer.generate_square_subsequent_mask(9)
    expected, _ = ref(x, x, x, attn_mask=mask, need_weights=False)
    assert torch.allclose(attn(x), expected, atol=1e-6)


@pytest.mark.parametrize("attention", ["manual", "sdpa"])
def test_kv_cache_gives_the_same_logits_as_a_full_pass(attention):
    m = tiny(attention)
    idx = torch.randint(30, (2, 12))
    full = m(idx)[0]
    cache = m.new_cache(2)
    first = m(idx[:, :5], cache=cache)[0]
    steps = [m(idx[:, t:t + 1], cache=cache)[0] for t in range(5, 12)]
    assert cache.length == 12
    assert torch.allclose(torch.cat([first, *steps], dim=1), full, atol=1e-5)
    with pytest.raises(ValueError, match="exceed the context length"):
        m(idx[:, :1], cache=cache)


def test_bad_inputs_have_clear_messages():
    m = tiny()
    with pytest.raises(ValueError, match=r"token ids must be in 0..29"):
        m(torch.tensor([[1, 30]]))
    with pytest.raises(ValueError, match="exceed the context length block_size=12"):
        m(torch.zeros(1, 13, dtype=torch.long))
    with pytest.raises(ValueError, match=r"shape \(batch, time\)"):
        m(torch.zeros(5, dtype=torch.long))
    with pytest.raises(TypeError, match="integer token ids"):
        m(torch.zeros(1, 3))
    with pytest.raises(ValueError, match="targets must have the shape"):
        m(torch.zeros(1, 3, dtype=torch.long), torch.zeros(1, 4, dtype=torch.long))
    with pytest.raises(ValueError, match="batch size 2"):
        m(torch.zeros(1, 3, dtype=torch.long), cache=m.new_cache(2))
    with pytest.raises(ValueError, match="divisible by n_head"):
        GPTConfig(n_embd=10, n_head=3)
    with pytest.raises(ValueError, match="attention must be one of"):
        GPTConfig(attention="flash")
    with pytest.raises(ValueError, match="vocab_size must be a positive int"):
        GPTConfig(vocab_size=0)
    with pytest.raises(TypeError, match="GPTConfig"):
        GPT({"vocab_size": 3})
    assert isinstance(m.new_cache(1), KVCache)


def test_chapter_11_listings_show_the_idea_only():
    """Chapter 11 prints GPT.forward and the attention through teaching_source: no checks of the
    targets left behind, and the attention written out (the fused call is one line)."""
    from helpers import gpt
    from helpers.llama.show import teaching_source

    forward = teaching_source(gpt.GPT.forward)
    assert "bad" not in forward and "raise" not in forward and "cross_entropy" in forward
    attention = teaching_source(gpt.CausalSelfAttention.forward)
    assert "cache.append" in attention and "F.softmax(att" in attention
    assert "scaled_dot_product_attention" not in attention and len(attention.splitlines()) <= 25
    m = tiny()
    with pytest.raises(ValueError, match=r"token ids in 0..29 or -100 \(ignored\), found 30"):
        m(torch.zeros(1, 2, dtype=torch.long), torch.tensor([[1, 30]]))


def test_checkpoint_round_trip_with_weights_only(tmp_path):
    m = tiny()
    save_checkpoint(m, tmp_path / "m.pt", extra={"vocab": ["a", "b"]}, half=False)
    ckpt = torch.load(tmp_path / "m.pt", weights_only=True)
    assert ckpt["vocab"] == ["a", "b"] and "transformer.wte.weight" not in ckpt["state_dict"]
    m2, _ = load_checkpoint(tmp_path / "m.pt")
    idx = torch.randint(30, (2, 12))
    assert torch.equal(m(idx)[0], m2(idx)[0]) and m2.lm_head.weight is m2.transformer.wte.weight


def test_lr_schedule():
    s = pretrain.PretrainSettings(steps=100, warmup=10, lr=1.0, min_lr=0.1)
    assert pretrain.lr_at(0, s) == pytest.approx(0.1) and pretrain.lr_at(9, s) == pytest.approx(1.0)
    assert pretrain.lr_at(10, s) == pytest.approx(1.0) and pretrain.lr_at(100, s) == pytest.approx(0.1)


def test_form_accuracy():
    ok = "床前看月光，疑是地上霜。举头望山月，低头思故乡。"
    acc = pretrain.form_accuracy([ok, ok[:-1], "床前看月光，疑是地上霜。"])
    assert acc["n"] == 3 and acc["well_formed"] == pytest.approx(1 / 3) and acc["forms"] == {"quatrain5": 1}
    assert acc["even_lines"] == pytest.approx(1.0) and acc["punctuation_ok"] == pytest.approx(2 / 3)
    unk = pretrain.form_accuracy(["床前□月光，疑是地上霜。举头望山月，低头思故乡。"])
    assert unk["well_formed"] == 1.0 and unk["with_unk"] == 1.0 and acc["with_unk"] == 0.0
    with pytest.raises(ValueError, match="no texts"):
        pretrain.form_accuracy([])


def test_pretraining_script_runs_and_the_loss_falls(tmp_path):
    cmd = [sys.executable, str(ROOT / "scripts" / "pretrain_gpt.py"), "--steps", "40", "--n-layer", "1",
           "--n-head", "2", "--n-embd", "32", "--block-size", "32", "--batch-size", "16", "--vocab-max-size", "600",
           "--eval-every", "20", "--eval-batches", "2", "--sample-poems", "4", "--lr", "0.01", "--warmup", "5",
           "--out", str(tmp_path), "--no-progress"]
    subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=300, cwd=ROOT)
    info = json.loads((tmp_path / pretrain.LOG_FILE).read_text(encoding="utf-8"))
    log = info["log"]
    assert [e["step"] for e in log] == [0, 20, 40] and all(e["form"]["n"] == 4 for e in log)
    assert log[-1]["val_loss"] < log[0]["val_loss"] - 0.5
    assert info["metrics"]["form"]["n"] == 4 and info["checkpoint_bytes"] < 10_000_000
    model, vocab, info2 = pretrain.load(tmp_path)
    assert len(vocab) == 600 == model.config.vocab_size and info2 == info
    torch.load(tmp_path / pretrain.CHECKPOINT_FILE, weights_only=True)


def test_evaluating_does_not_change_the_training_run():
    """Loss and form use their own generators (dropout draws from the global one): eval_every leaves the weights."""
    small = dict(steps=12, n_layer=1, n_head=2, n_embd=16, block_size=24, batch_size=4, vocab_max_size=300,
                 eval_batches=1, sample_poems=3, warmup=2, max_minutes=0, dropout=0.1)
    often = pretrain.train(pretrain.PretrainSettings(eval_every=3, **small), progress=False)
    rarely = pretrain.train(pretrain.PretrainSettings(eval_every=100, **small), progress=False)
    assert [e["step"] for e in often.log] == [0, 3, 6, 9, 12] and [e["step"] for e in rarely.log] == [0, 12]
    a, b = often.model.state_dict(), rarely.model.state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert often.log[-1]["form"] == rarely.log[-1]["form"] == often.metrics["form"]
    assert all(e["form"]["n"] == 3 for e in often.log)


def test_shipped_checkpoint_loads_and_is_small():
    path = Path(str(poems._data_dir(None))) / pretrain.CHECKPOINT_FILE
    if not path.exists():
        pytest.skip("no shipped checkpoint yet (make pretrain)")
    assert path.stat().st_size <= 10_000_000
    model, vocab, info = pretrain.load()
    assert model.config.vocab_size == len(vocab) and not model.training
    assert info["metrics"]["val_loss"] < 6.0 and info["checkpoint_bytes"] == path.stat().st_size
    ids = torch.tensor([vocab.encode("床前看月光，", add_sos=True)])
    assert model(ids)[0].shape == (1, 7, len(vocab))


def test_pretraining_reads_the_clock_through_helpers_clock(monkeypatch):
    """The log's seconds (and the live run's time in chapter 11) come from helpers.clock, which the
    Chinese build replays from the English one: both editions show the same numbers."""
    from helpers import clock

    ticks = iter(range(100))
    monkeypatch.setattr(clock, "perf_counter", lambda: 100 + 2.5 * next(ticks))
    small = dict(steps=4, n_layer=1, n_head=2, n_embd=16, block_size=24, batch_size=4, vocab_max_size=300,
                 eval_batches=1, sample_poems=2, warmup=2, eval_every=2, max_minutes=0)
    result = pretrain.train(pretrain.PretrainSettings(**small), progress=False)
    assert [e["seconds"] for e in result.log] == [2.5, 5.0, 7.5]  # the start, then one reading per evaluation
    assert result.seconds == 10.0 and result.metrics["train_seconds"] == 10.0
