"""Chapter 13's trainers read the clock through helpers.clock, so that the seconds in their logs are the
English build's in the Chinese build too (helpers.clock replays them there)."""

from __future__ import annotations

import copy
import itertools

import pytest
import torch

from helpers import clock, poems
from helpers.gpt import GPT, GPTConfig
from helpers.post import chat, dpo, grpo, rewards, sft


@pytest.fixture
def fake_clock(monkeypatch):
    """helpers.clock.perf_counter reading 100, 102.5, 105, ... (2.5 s a reading)."""
    ticks = itertools.count()
    monkeypatch.setattr(clock, "perf_counter", lambda: 100 + 2.5 * next(ticks))


@pytest.fixture
def small():
    vocab = poems.CharVocab("春风花月夜江山，。写一首五言七绝句律诗以字开头")
    fmt = chat.ChatFormat(vocab)
    torch.manual_seed(0)
    base = GPT(GPTConfig(vocab_size=len(vocab), block_size=96, n_layer=1, n_head=2, n_embd=8)).eval()
    return fmt, chat.extend_model(base, 2).eval()


def test_sft_log_seconds_come_from_helpers_clock(fake_clock, small):
    fmt, model = small
    example = fmt.example_ids(chat.Request("quatrain5", "春"), "春风花月夜，江山写一首。")
    log = sft.train_sft(model, [example] * 4, fmt.pad_id, steps=3, batch_size=2, log_every=1)
    assert [e["seconds"] for e in log] == [2.5, 5.0, 7.5]  # one reading at the start, one per log entry


def test_dpo_log_seconds_come_from_helpers_clock(fake_clock, small):
    fmt, model = small
    r = chat.Request("quatrain5", "春")
    n = len(fmt.prompt_ids(r))
    chosen, _ = fmt.example_ids(r, "春风花月夜，")
    rejected, _ = fmt.example_ids(r, "江山，")
    ref = copy.deepcopy(model)
    log = dpo.train_dpo(model, ref, [(chosen, rejected, n)], fmt.pad_id, beta=0.1, steps=2, log_every=1)
    assert [e["seconds"] for e in log] == [2.5, 5.0]


def test_grpo_log_seconds_come_from_helpers_clock(fake_clock, small):
    fmt, model = small
    ref = copy.deepcopy(model)
    reqs = [chat.Request("quatrain5", "春"), chat.Request("quatrain7", "月")]
    log = grpo.train_grpo(model, ref, fmt, reqs, rewards.form_reward, steps=2, prompts_per_step=1, group_size=2,
                          inner_steps=1, max_new_tokens=4)
    assert [e["seconds"] for e in log] == [2.5, 5.0]
