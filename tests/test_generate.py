"""Generation (helpers.generate): filters equal to transformers' warpers, seeding, and the KV cache."""

from __future__ import annotations

import pytest
import torch
from torch.nn import functional as F

from helpers.generate import (
    cut_at_eos,
    filter_logits,
    generate,
    next_token_probs,
    pick_next,
    token_log_probs,
    top_k_filter,
    top_p_filter,
)
from helpers.gpt import GPT, GPTConfig

warpers = pytest.importorskip("transformers.generation.logits_process")


def tiny(attention: str = "manual", block_size: int = 16) -> GPT:
    torch.manual_seed(0)
    return GPT(GPTConfig(vocab_size=40, block_size=block_size, n_layer=2, n_head=2, n_embd=32,
                         attention=attention)).eval()


@pytest.mark.parametrize("p", [0.05, 0.3, 0.5, 0.9, 0.99, 1.0])
def test_top_p_equals_transformers(p):
    torch.manual_seed(1)
    logits = torch.randn(16, 50) * 3
    ref = warpers.TopPLogitsWarper(p)(torch.zeros(16, 1, dtype=torch.long), logits.clone())
    assert torch.equal(top_p_filter(logits, p), ref)


def test_top_p_keeps_the_token_that_crosses_p():
    probs = torch.tensor([0.5, 0.3, 0.15, 0.05])
    kept = torch.isfinite(top_p_filter(probs.log(), 0.6))
    assert kept.tolist() == [True, True, False, False]  # 0.5 < 0.6, so 0.3 (which crosses 0.6) is kept
    assert torch.isfinite(top_p_filter(probs.log(), 0.5)).tolist() == [True, False, False, False]
    assert torch.isfinite(top_p_filter(probs.log(), 1e-9)).sum() == 1  # the most probable one always stays


@pytest.mark.parametrize("k", [1, 3, 10, 50, 80])
def test_top_k_equals_transformers(k):
    torch.manual_seed(2)
    logits = torch.randn(8, 50)
    ref = warpers.TopKLogitsWarper(k)(torch.zeros(8, 1, dtype=torch.long), logits.clone())
    assert torch.equal(top_k_filter(logits, k), ref)


def test_temperature_top_k_top_p_in_order_equals_transformers():
    torch.manual_seed(3)
    logits = torch.randn(8, 50) * 2
    ids = torch.zeros(8, 1, dtype=torch.long)
    ref = logits.clone()
    for w in (warpers.TemperatureLogitsWarper(0.7), warpers.TopKLogitsWarper(20), warpers.TopPLogitsWarper(0.8)):
        ref = w(ids, ref)
    assert torch.equal(filter_logits(logits, 0.7, 20, 0.8), ref)
    probs = next_token_probs(logits, 0.7, 20, 0.8)
    assert torch.allclose(probs, F.softmax(ref, dim=-1)) and torch.allclose(probs.sum(-1), torch.ones(8))


def test_bad_sampling_settings_have_clear_messages():
    logits = torch.randn(2, 10)
    for kwargs, msg in [({"top_p": 0.0}, "top_p must be in"), ({"top_p": 1.5}, "top_p must be in"),
                        ({"top_k": 0}, "top_k must be an int >= 1"), ({"temperature": 0}, "temperature must be"),
                        ({"temperature": -1.0}, "temperature must be")]:
        with pytest.raises(ValueError, match=msg):
            filter_logits(logits, **kwargs)
    with pytest.raises(TypeError, match="floating-point"):
        top_k_filter(torch.ones(3, dtype=torch.long), 2)
    with pytest.raises(ValueError, match=r"shape \(batch, vocab\)"):
        pick_next(torch.randn(10))


def test_pick_next_greedy_and_seeded_sampling():
    logits = torch.tensor([[0.0, 3.0, 1.0], [2.0, 0.0, 2.0]])
    assert pick_next(logits, greedy=True).tolist() == [[1], [0]]  # ties: the first
    a = pick_next(logits.repeat(50, 1), generator=torch.Generator().manual_seed(0))
    b = pick_next(logits.repeat(50, 1), generator=torch.Generator().manual_seed(0))
    assert torch.equal(a, b)
    picked = pick_next(logits.repeat(50, 1), top_k=1, generator=torch.Generator().manual_seed(0)).view(50, 2)
    assert set(picked[:, 0].tolist()) == {1} and set(picked[:, 1].tolist()) == {0, 2}  # top-k keeps ties with the k-th


@pytest.mark.parametrize("attention", ["manual", "sdpa"])
@pytest.mark.parametrize(
    "kwargs",
    [{"greedy": True}, {"temperature": 1.0}, {"temperature": 0.7, "top_k": 8}, {"temperature": 1.3, "top_p": 0.9}],
)
def test_kv_cache_gives_identical_tokens_within_and_past_the_context(attention, kwargs):
    m = tiny(attention, block_size=16)
    prompt = torch.randint(40, (3, 5))
    for new in (11, 40):  # exactly up to the context length (16), and far past it (45 > 16)
        a = generate(m, prompt, new, use_cache=False, generator=torch.Generator().manual_seed(7), **kwargs)
        b = generate(m, prompt, new, use_cache=True, generator=torch.Generator().manual_seed(7), **kwargs)
        assert a.shape == (3, 5 + new) and torch.equal(a, b)
        assert torch.equal(a[:, :5], prompt)


def test_past_the_context_the_window_slides():
    m = tiny(block_size=8)
    out = generate(m, [1, 2, 3], 12, greedy=True)
    for t in range(8, out.size(1)):  # each token past the context is the argmax given the last 8 tokens
        window = out[:, t - 8:t]
        assert out[0, t] == m(window)[0][0, -1].argmax()


def test_generation_is_seeded_and_stops_at_eos():
    m = tiny()
    a = generate(m, [1, 2], 20, generator=torch.Generator().manual_seed(1))
    b = generate(m, [1, 2], 20, generator=torch.Generator().manual_seed(1))
    assert torch.equal(a, b)
    eos = int(a[0, 4])  # pretend the 3rd generated token is <eos>
    c = generate(m, [1, 2], 20, generator=torch.Generator().manual_seed(1), eos_id=eos)
    first = (a[0, 2:] == eos).nonzero()[0].item() + 2
    assert torch.equal(c[0], a[0, :first + 1])
    assert cut_at_eos(c[0], eos) == a[0, :first].tolist() and cut_at_eos([5, 6], 2) == [5, 6]
    m.train()
    generate(m, [1], 2)
    assert m.training  # mode restored


def test_generate_bad_inputs():
    m = tiny(block_size=16)
    with pytest.raises(ValueError, match="the prompt has 17 tokens, more than the model's context length"):
        generate(m, list(range(17)), 3)
    with pytest.raises(ValueError, match="at least one token"):
        generate(m, [], 3)
    with pytest.raises(ValueError, match=r"prompt token ids must be in 0..39"):
        generate(m, [1, 40], 3)
    with pytest.raises(ValueError, match="top_p must be in"):
        generate(m, [1], 3, top_p=0.0)
    with pytest.raises(ValueError, match="max_new_tokens"):
        generate(m, [1], -1)
    with pytest.raises(TypeError, match="helpers.gpt.GPT"):
        generate(torch.nn.Linear(2, 2), [1], 3)
    with pytest.raises(TypeError, match="integer token ids"):
        generate(m, torch.ones(1, 3), 3)


def test_token_log_probs_and_the_chain_rule():
    m = tiny()
    idx = torch.randint(40, (2, 10))
    lp = token_log_probs(m, idx)
    assert lp.shape == (2, 9)
    step_by_step = torch.stack([F.log_softmax(m(idx[:, :t])[0][:, -1], dim=-1).gather(-1, idx[:, t:t + 1])[:, 0]
                                for t in range(1, 10)], dim=1)
    assert torch.allclose(lp, step_by_step, atol=1e-5)
    with pytest.raises(ValueError, match="time >= 2"):
        token_log_probs(m, idx[:, :1])


# ---- beam search and the repetition penalty (checked against transformers)

def peaky(seed: int, vocab_size: int = 12) -> GPT:
    torch.manual_seed(seed)
    m = GPT(GPTConfig(vocab_size=vocab_size, block_size=16, n_layer=2, n_head=2, n_embd=32)).eval()
    with torch.no_grad():
        for p in m.parameters():
            p.add_(0.5 * torch.randn_like(p))  # sharper distributions: beams that differ from greedy
    return m


def test_to_hf_gpt2_gives_the_same_logits():
    from helpers.gpt import to_hf_gpt2
    m = peaky(0, 40)
    x = torch.randint(0, 40, (2, 12))
    assert torch.allclose(m(x)[0], to_hf_gpt2(m)(x).logits, atol=1e-5)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("num_beams,length_penalty", [(1, 1.0), (3, 1.0), (5, 0.0), (4, 2.0)])
def test_beam_search_equals_transformers(seed, num_beams, length_penalty):
    from helpers.generate import beam_search
    from helpers.gpt import to_hf_gpt2
    m = peaky(seed)
    hf = to_hf_gpt2(m)
    for prompt in ([1], [3, 5]):
        ours, _ = beam_search(m, prompt, 10, num_beams, eos_id=2, length_penalty=length_penalty)
        ref = hf.generate(torch.tensor([prompt]), attention_mask=torch.ones(1, len(prompt), dtype=torch.long),
                          num_beams=num_beams, max_new_tokens=10, do_sample=False, early_stopping=False,
                          length_penalty=length_penalty, eos_token_id=2, pad_token_id=0)[0].tolist()
        assert ours == ref[: len(ours)] and set(ref[len(ours):]) <= {0}


@pytest.mark.parametrize("num_beams,length_penalty", [(1, 1.0), (3, 1.0), (5, 0.0), (4, 2.0)])
def test_beam_search_with_and_without_the_cache_agree(num_beams, length_penalty):
    from helpers.generate import beam_search
    for seed in range(3):
        m = peaky(seed)
        for prompt in ([1], [3, 5]):
            cached = beam_search(m, prompt, 10, num_beams, eos_id=2, length_penalty=length_penalty)
            plain = beam_search(m, prompt, 10, num_beams, eos_id=2, length_penalty=length_penalty,
                                use_cache=False)
            assert cached[0] == plain[0]
            assert cached[1] == pytest.approx(plain[1], abs=1e-5)


def test_beam_search_past_the_context_slides_the_window():
    from helpers.generate import beam_search
    m = peaky(0)  # block_size 16: 20 new tokens slide the window, the cache is not used
    ours, _ = beam_search(m, [1], 20, 3)
    assert len(ours) == 21


def test_beam_search_without_eos_finds_the_most_probable_sequence():
    from helpers.generate import beam_search
    m = peaky(3, vocab_size=6)
    steps = 3
    # exhaustive search over all 6**3 continuations of the prompt [1]
    seqs = torch.cartesian_prod(*[torch.arange(6)] * steps)
    idx = torch.cat([torch.ones(len(seqs), 1, dtype=torch.long), seqs], dim=1)
    total = token_log_probs(m, idx).double().sum(-1)
    best = idx[total.argmax()].tolist()
    ours, score = beam_search(m, [1], steps, num_beams=36, length_penalty=0.0)  # 36 beams: exhaustive
    assert ours == best
    assert score == pytest.approx(total.max().item(), abs=1e-5)


@pytest.mark.parametrize("penalty", [0.8, 1.2, 2.0])
def test_repetition_penalty_equals_transformers(penalty):
    from helpers.generate import repetition_penalty
    torch.manual_seed(4)
    logits = torch.randn(3, 30) * 3
    idx = torch.randint(0, 30, (3, 9))
    ref = warpers.RepetitionPenaltyLogitsProcessor(penalty)(idx, logits.clone())
    assert torch.equal(repetition_penalty(logits, idx, penalty), ref)


def test_generate_penalized_equals_transformers_generate():
    from helpers.generate import generate_penalized
    from helpers.gpt import to_hf_gpt2
    m = peaky(5, vocab_size=20)
    hf = to_hf_gpt2(m)
    prompt = [1, 4, 4]
    ref = hf.generate(torch.tensor([prompt]), attention_mask=torch.ones(1, 3, dtype=torch.long), do_sample=False,
                      repetition_penalty=1.5, max_new_tokens=10, eos_token_id=None, pad_token_id=0)[0].tolist()
    assert generate_penalized(m, prompt, 10, 1.5)[0].tolist() == ref
    plain = generate(m, torch.tensor([prompt]), 10, greedy=True)[0].tolist()
    assert generate_penalized(m, prompt, 10, 1.0)[0].tolist() == plain  # penalty 1: no change


def test_beam_search_refuses_a_use_cache_that_is_not_a_bool():
    from helpers.generate import beam_search
    with pytest.raises(TypeError, match="use_cache"):
        beam_search(peaky(0), [1], 2, 2, use_cache=1)
