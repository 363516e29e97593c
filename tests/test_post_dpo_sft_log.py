"""The shipped log of chapter 13's DPO + SFT runs (``scripts/post_train.py dpo_sft``): the SFT term was on,
the runs compare with the plain DPO runs (the same SFT start, pairs, steps and learning rate), the summaries
are those of the runs, and the stdout log beside it reports the same runs."""

from __future__ import annotations

import pytest
from post_log_checks import check_stdout_log, check_summaries

from helpers.post import store


@pytest.fixture(scope="module")
def logs() -> tuple[dict, dict]:
    return store.load_log("dpo_sft"), store.load_log("dpo")


def test_the_runs_differ_from_plain_dpo_only_by_the_sft_term(logs):
    log, plain = logs
    s, res = log["settings"], log["results"]
    assert log["stage"] == "dpo_sft" and s["sft_weight"] > 0
    for key in ("steps", "batch_size", "lr", "seeds", "n_eval", "pair_prompts", "group_size"):
        assert s[key] == plain["settings"][key], key
    assert set(s["betas"]) <= set(plain["settings"]["betas"])
    # the same SFT start (measured on the same requests) and the same pairs
    assert res["sft"] == plain["results"]["sft"]
    assert (res["n_prompts"], res["n_pairs"]) == (plain["results"]["n_prompts"], plain["results"]["n_pairs"])
    runs = sorted((r["beta"], r["seed"]) for r in res["runs"])
    assert runs == sorted((b, seed) for b in s["betas"] for seed in s["seeds"])
    for r in res["runs"]:
        assert r["sft_weight"] == s["sft_weight"] and r["n"] == s["n_eval"]
        assert r["log"][-1]["step"] == s["steps"]
        assert all("nll" in e for e in r["log"])  # train_dpo logs the SFT term only when it is on
        assert 0 <= r["both"] <= min(r["form_ok"], r["first_ok"]) <= 1 and r["kl"] >= 0


def test_the_summaries_are_those_of_the_runs(logs):
    check_summaries(logs[0])


def test_the_stdout_log_reports_the_same_runs(logs):
    check_stdout_log(logs[0], "dpo_sft")
