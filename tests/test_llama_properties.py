"""Property-based tests (hypothesis) of the book's Llama on tiny random models (no model file).

- The KV cache: for any small configuration, prompt and way of cutting it into pieces, the
  logits computed piece by piece with the cache equal those of one forward pass over the whole
  sequence, and greedy generation gives the same tokens with and without the cache.
- llama.cpp's Q/K row order: ``unpermute_qk`` undoes ``permute_qk`` for any head count.
- ``generate`` and the context: a request that fits runs to the end; one that does not is
  refused before anything runs.
"""

from __future__ import annotations

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers.llama import Llama, LlamaConfig, generate, permute_qk, unpermute_qk

SETTINGS = settings(
    max_examples=30, derandomize=True, database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@st.composite
def configs(draw) -> LlamaConfig:
    n_kv = draw(st.integers(1, 2), label="n_kv_heads")
    return LlamaConfig(
        vocab_size=draw(st.integers(2, 40), label="vocab_size"),
        d_model=draw(st.sampled_from([8, 12, 16]), label="d_model"),
        n_layers=draw(st.integers(1, 2), label="n_layers"),
        n_heads=n_kv * draw(st.integers(1, 3), label="group"),
        n_kv_heads=n_kv,
        head_dim=draw(st.sampled_from([2, 4, 8]), label="head_dim"),
        d_ff=draw(st.integers(4, 24), label="d_ff"),
        rope_base=draw(st.sampled_from([100.0, 10000.0]), label="rope_base"),
        rms_eps=1e-5,
        context_length=24,
        tie_embeddings=draw(st.booleans(), label="tie_embeddings"),
        rope_layout=draw(st.sampled_from(["half", "interleaved"]), label="rope_layout"),
    )


def random_model(config: LlamaConfig, seed: int) -> Llama:
    torch.manual_seed(seed)
    model = Llama(config).eval()
    with torch.no_grad():  # norms away from 1 so that their weights matter
        for name, p in model.named_parameters():
            if "norm" in name:
                p.uniform_(0.5, 1.5)
    return model


@SETTINGS
@given(config=configs(), seed=st.integers(0, 2**16), data=st.data())
def test_kv_cache_logits_equal_the_full_forward_pass(config, seed, data):
    model = random_model(config, seed)
    batch = data.draw(st.integers(1, 2), label="batch")
    length = data.draw(st.integers(1, config.context_length), label="length")
    ids = torch.tensor(
        data.draw(
            st.lists(
                st.lists(st.integers(0, config.vocab_size - 1), min_size=length, max_size=length),
                min_size=batch,
                max_size=batch,
            ),
            label="ids",
        )
    )
    cuts = sorted(set(data.draw(st.lists(st.integers(1, length - 1), max_size=4), label="cuts"))) if length > 1 else []
    cache = model.new_cache()
    with torch.no_grad():
        full = model(ids)
        pieces = [model(ids[:, a:b], cache) for a, b in zip([0, *cuts], [*cuts, length])]
    torch.testing.assert_close(torch.cat(pieces, dim=1), full, atol=1e-5, rtol=1e-4)
    assert len(cache) == length


@SETTINGS
@given(config=configs(), seed=st.integers(0, 2**16), data=st.data())
def test_generation_with_and_without_the_cache_agree(config, seed, data):
    model = random_model(config, seed)
    prompt = data.draw(st.lists(st.integers(0, config.vocab_size - 1), min_size=1, max_size=12), label="prompt")
    n_new = data.draw(st.integers(1, config.context_length - len(prompt) + 1), label="max_new_tokens")
    greedy = generate(model, prompt, n_new)
    assert len(greedy) == n_new and greedy == generate(model, prompt, n_new, use_cache=False)
    sampled = [generate(model, prompt, n_new, temperature=1.0, seed=seed, use_cache=c) for c in (True, False)]
    assert sampled[0] == sampled[1]


@SETTINGS
@given(n_heads=st.integers(1, 6), half_head=st.integers(1, 4), d_in=st.integers(1, 5), seed=st.integers(0, 99))
def test_unpermute_qk_undoes_permute_qk(n_heads, half_head, d_in, seed):
    w = torch.randn(n_heads * 2 * half_head, d_in, generator=torch.Generator().manual_seed(seed))
    assert torch.equal(unpermute_qk(permute_qk(w, n_heads), n_heads), w)
    assert torch.equal(permute_qk(unpermute_qk(w, n_heads), n_heads), w)


@SETTINGS
@given(prompt_length=st.integers(1, 30), max_new_tokens=st.integers(1, 30))
def test_generate_refuses_exactly_what_does_not_fit_the_context(prompt_length, max_new_tokens):
    """The prompt and the new tokens but the last need positions below the context length (24)."""
    model = random_model(
        LlamaConfig(
            vocab_size=5, d_model=8, n_layers=1, n_heads=2, n_kv_heads=1, head_dim=4, d_ff=8, context_length=24
        ),
        0,
    )
    if prompt_length + max_new_tokens - 1 <= 24:
        assert len(generate(model, [1] * prompt_length, max_new_tokens)) == max_new_tokens
    else:
        with pytest.raises(ValueError, match="prompt_ids|max_new_tokens"):
            generate(model, [1] * prompt_length, max_new_tokens)


def test_metadata_text_formats_numbers_as_a_table_shows_them():
    import numpy as np

    from helpers.llama import metadata_text

    assert metadata_text(float(np.float32(1e-5))) == "1e-05"  # 9.999997747378752e-06
    assert metadata_text(100000.0) == "100,000"
    assert metadata_text(8192) == "8,192"
    assert metadata_text(np.uint32(30)) == "30"
    assert metadata_text("llama") == "llama"
    assert metadata_text(True) == "True"
