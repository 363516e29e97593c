"""Property-based tests (hypothesis) of the tokenizer, the optimizers and the learning-rate schedule.

* BPE: encode-then-decode returns any text, with any special tokens and any pre-tokenizer pattern,
  including patterns that do not cover the text (what they miss must not vanish), patterns with
  groups and patterns that match the empty string; the fast trainer equals the reference one;
  save-then-load keeps the encodings.
* SGD, momentum, Adam, AdamW: the same parameters as ``torch.optim`` after several steps, on
  random hyperparameters, parameters, gradients and per-step learning rates; clipping equals
  ``torch.nn.utils.clip_grad_norm_``.
* ``warmup_cosine``: finite, within [0, peak], the stated peak at the end of the warm-up, rising
  then falling, ``min_lr`` at the end.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import pytest
import torch
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from helpers import bpe, optim

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# ------------------------------------------------------------------------------------------ BPE
# Pieces of pre-tokenizer patterns: some cover every character, some do not ("[a-c]", "\d"),
# one has a group ("(x)y"), some match the empty string ("a*", "(?:)").
ATOMS = [r"\p{L}+", r"\d", r"[a-c]", r" ?\w+", r"\s+", r"a*", r"(x)y", r"(?:ab)+", r"'s", r".", r"(?:)",
         r"[^\s\p{L}]+", r"猫+"]
patterns = st.one_of(
    st.none(),
    st.just(bpe.GPT2_SPLIT_PATTERN),
    st.lists(st.sampled_from(ATOMS), min_size=1, max_size=3).map("|".join),
)
# a small alphabet, so that pairs repeat and merges happen, plus any character at all
# any character that UTF-8 can encode (lone surrogates are not text)
chars = st.one_of(st.sampled_from("abcxy 's猫坐\n1é"), st.characters(blacklist_categories=("Cs",)))
words = st.text(chars, max_size=12)
special_lists = st.lists(st.text(chars, min_size=1, max_size=5), unique=True, max_size=4)


@st.composite
def texts_with_specials(draw):
    """(special tokens, a text that holds some of them among ordinary text)."""
    specials = draw(special_lists)
    parts = draw(st.lists(st.one_of(words, st.sampled_from(specials)) if specials else words, max_size=6))
    return specials, "".join(parts)


def trained(corpus: list[str], specials: list[str], pattern: str | None, merges: int) -> bpe.BPETokenizer:
    if not any(corpus):
        return bpe.BPETokenizer([], specials, pattern)
    return bpe.BPETokenizer.train(corpus, 256 + merges + len(specials), special_tokens=specials, pattern=pattern)


@SETTINGS
@given(texts_with_specials(), st.lists(words, max_size=5), patterns, st.integers(0, 20))
def test_bpe_round_trip_with_any_specials_and_pattern(sample, corpus, pattern, merges):
    specials, text = sample
    tok = trained(corpus + [text], specials, pattern, merges)
    for allowed in (False, True):
        ids = tok.encode(text, allowed_special=allowed)
        assert tok.decode(ids) == text, (text, pattern, specials, allowed)
    plain = tok.encode(text)
    assert all(0 <= i < 256 + len(tok.merges) for i in plain)  # no special id without allowed_special
    assert len(plain) <= len(text.encode("utf-8"))  # merges only shorten


@SETTINGS
@given(st.text(chars, max_size=40), patterns)
def test_pretokenize_loses_no_text(text, pattern):
    pieces = bpe.pretokenize(text, pattern)
    assert "".join(pieces) == text
    assert all(pieces)  # no empty pieces


@SETTINGS
@given(st.lists(words, min_size=1, max_size=6), patterns, st.integers(0, 25))
def test_fast_trainer_equals_the_reference_trainer(corpus, pattern, merges):
    assume(any(corpus))
    fast = bpe.train_merges(corpus, merges, pattern=pattern)
    assert fast == bpe.train_merges_simple(corpus, merges, pattern=pattern)
    assert len(fast) <= merges


@SETTINGS
@given(texts_with_specials(), patterns, st.integers(0, 10))
def test_save_then_load_keeps_the_tokenizer(sample, pattern, merges):
    specials, text = sample
    tok = trained([text, "abcabc xyxy 猫猫"], specials, pattern, merges)
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "tok.json"
        tok.save(path)
        back = bpe.BPETokenizer.load(path)
    assert back.merges == tok.merges and back.special_tokens == tok.special_tokens and back.pattern == pattern
    assert back.encode(text, allowed_special=True) == tok.encode(text, allowed_special=True)


# ----------------------------------------------------------------------------------- optimizers
@st.composite
def problems(draw):
    """Random parameters (float64) and a gradient and a learning rate for each of a few steps."""
    seed = draw(st.integers(0, 2**31 - 1))
    shapes = draw(st.lists(st.lists(st.integers(1, 4), min_size=1, max_size=2).map(tuple), min_size=1, max_size=3))
    steps = draw(st.integers(1, 6))
    scale = draw(st.sampled_from([1e-3, 1.0, 1e3]))
    gen = torch.Generator().manual_seed(seed)
    params = [torch.randn(s, generator=gen, dtype=torch.float64) for s in shapes]
    grads = [[torch.randn(s, generator=gen, dtype=torch.float64) * scale for s in shapes] for _ in range(steps)]
    for step in grads:  # sometimes a parameter gets no gradient, or a zero one
        if draw(st.booleans()):
            step[draw(st.integers(0, len(step) - 1))] = draw(st.sampled_from([None, "zero"]))
    lrs = draw(st.lists(st.floats(1e-4, 1.0), min_size=steps, max_size=steps))
    return params, grads, lrs


def run_both(ours_cls, theirs_cls, problem, **hyper):
    params, grads, lrs = problem
    a = [p.clone().requires_grad_() for p in params]
    b = [p.clone().requires_grad_() for p in params]
    ours, theirs = ours_cls(a, lr=lrs[0], **hyper), theirs_cls(b, lr=lrs[0], **hyper)
    for step, lr in zip(grads, lrs):
        for ps in (a, b):
            for p, g in zip(ps, step):
                p.grad = None if g is None else torch.zeros_like(p) if isinstance(g, str) else g.clone()
        ours.lr = lr
        theirs.param_groups[0]["lr"] = lr
        ours.step()
        theirs.step()
    for x, y in zip(a, b):
        assert torch.allclose(x, y, rtol=1e-9, atol=1e-12), (hyper, (x - y).abs().max())


unit = st.floats(0.0, 0.999)


@SETTINGS
@given(problems(), st.floats(0.0, 0.99), st.floats(0.0, 1.0))
def test_sgd_and_momentum_equal_torch(problem, momentum, weight_decay):
    run_both(optim.SGD, torch.optim.SGD, problem, momentum=momentum, weight_decay=weight_decay)


@SETTINGS
@given(problems(), unit, unit, st.floats(1e-10, 1e-3), st.floats(0.0, 1.0))
def test_adam_equals_torch(problem, b1, b2, eps, weight_decay):
    run_both(optim.Adam, torch.optim.Adam, problem, betas=(b1, b2), eps=eps, weight_decay=weight_decay)


@SETTINGS
@given(problems(), unit, unit, st.floats(1e-10, 1e-3), st.floats(0.0, 1.0))
def test_adamw_equals_torch(problem, b1, b2, eps, weight_decay):
    run_both(optim.AdamW, torch.optim.AdamW, problem, betas=(b1, b2), eps=eps, weight_decay=weight_decay)


@SETTINGS
@given(problems(), st.floats(1e-3, 1e3) | st.just(math.inf))
def test_clip_grad_norm_equals_torch(problem, max_norm):
    params, grads, _ = problem
    a = [p.clone().requires_grad_() for p in params]
    b = [p.clone().requires_grad_() for p in params]
    for ps in (a, b):
        for p, g in zip(ps, grads[0]):
            p.grad = None if g is None else torch.zeros_like(p) if isinstance(g, str) else g.clone()
    norm = optim.clip_grad_norm(a, max_norm)
    ref = torch.nn.utils.clip_grad_norm_(b, max_norm)
    assert torch.allclose(norm.double(), ref.double(), rtol=1e-9)
    for x, y in zip(a, b):
        assert (x.grad is None) == (y.grad is None)
        if x.grad is not None:
            assert torch.allclose(x.grad, y.grad, rtol=1e-9, atol=1e-15)


@SETTINGS
@given(st.floats(-10, 10), st.floats(0.0, 0.99))
def test_optimizer_refuses_a_bad_learning_rate_set_between_steps(good_lr_sign, momentum):
    p = torch.zeros(2, requires_grad=True)
    opt = optim.SGD([p], lr=0.1, momentum=momentum)
    p.grad = torch.ones(2)
    opt.lr = abs(good_lr_sign)  # 0 is allowed here: the end of a decay
    opt.step()
    for bad in (math.nan, math.inf, -1.0):
        opt.lr = bad
        with pytest.raises(ValueError, match="lr"):
            opt.step()


# ------------------------------------------------------------------------------------- schedule
@st.composite
def schedules(draw):
    total = draw(st.integers(1, 5000))
    warmup = draw(st.integers(0, total - 1))
    peak = draw(st.floats(0.0, 10.0))
    low = draw(st.floats(0.0, 1.0)) * peak
    return total, warmup, peak, low


@SETTINGS
@given(schedules())
def test_warmup_cosine_is_bounded_and_peaks_where_stated(schedule):
    total, warmup, peak, low = schedule
    steps = sorted({0, max(warmup - 1, 0), warmup, total - 1, total, total + 3}
                   | set(range(0, total + 4, max(1, total // 50))))
    lrs = [optim.warmup_cosine(s, total, warmup, peak, low) for s in steps]
    assert all(math.isfinite(x) and -1e-12 <= x <= peak * (1 + 1e-12) + 1e-300 for x in lrs)
    at = dict(zip(steps, lrs))
    assert math.isclose(at[warmup], peak, rel_tol=1e-12, abs_tol=1e-300)  # the stated peak
    if warmup:
        assert math.isclose(at[warmup - 1], peak, rel_tol=1e-12, abs_tol=1e-300)  # warm-up ends at it
    assert math.isclose(at[total], low, rel_tol=1e-9, abs_tol=1e-12)  # and decays to min_lr
    assert math.isclose(at[total + 3], low, rel_tol=1e-9, abs_tol=1e-12)  # where it stays
    rising = [at[s] for s in steps if s < warmup]
    falling = [at[s] for s in steps if s >= warmup]
    assert all(x <= y * (1 + 1e-12) for x, y in zip(rising, rising[1:]))
    assert all(y <= x * (1 + 1e-12) + 1e-15 for x, y in zip(falling, falling[1:]))
    assert all(x >= low * (1 - 1e-12) - 1e-15 for x in falling)


@SETTINGS
@given(schedules(), st.sampled_from([math.nan, math.inf, -math.inf, -1.0, "1e-3"]))
def test_warmup_cosine_refuses_a_bad_peak(schedule, bad):
    total, warmup, _, _ = schedule
    with pytest.raises((ValueError, TypeError), match="peak_lr"):
        optim.warmup_cosine(0, total, warmup, bad)
