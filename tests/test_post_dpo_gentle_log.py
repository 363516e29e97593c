"""The shipped log of chapter 13's gentle DPO runs (``scripts/post_train.py dpo_gentle``): the same SFT start,
pairs, seeds and batches as the plain DPO runs, with fewer steps, a smaller learning rate and larger betas; the
summaries are those of the runs; each run's per-instruction record agrees with its shares; the stdout log beside
it reports the same runs."""

from __future__ import annotations

import pytest
from post_log_checks import check_stdout_log, check_summaries

from helpers.post import store


@pytest.fixture(scope="module")
def logs() -> tuple[dict, dict]:
    return store.load_log("dpo_gentle"), store.load_log("dpo")


def test_the_runs_are_gentler_than_plain_dpo(logs):
    log, plain = logs
    s, p, res = log["settings"], plain["settings"], log["results"]
    assert log["stage"] == "dpo_gentle" and s["sft_weight"] == 0
    for key in ("batch_size", "seeds", "n_eval", "pair_prompts", "group_size"):
        assert s[key] == p[key], key
    assert s["steps"] < p["steps"] and s["lr"] < p["lr"] and min(s["betas"]) >= max(p["betas"])
    # the same SFT start (measured on the same requests) and the same pairs
    start = res["sft"]
    assert {k: v for k, v in start.items() if k != "per_request"} == plain["results"]["sft"]
    assert (res["n_prompts"], res["n_pairs"]) == (plain["results"]["n_prompts"], plain["results"]["n_pairs"])
    runs = sorted((r["beta"], r["seed"]) for r in res["runs"])
    assert runs == sorted((b, seed) for b in s["betas"] for seed in s["seeds"])
    for r in res["runs"]:
        assert r["n"] == s["n_eval"] and r["log"][-1]["step"] == s["steps"]
        assert 0 <= r["both"] <= min(r["form_ok"], r["first_ok"]) <= 1 and r["kl"] >= 0


def test_the_per_instruction_record_gives_the_shares(logs):
    log, _ = logs
    res = log["results"]
    for r in [res["sft"], *res["runs"]]:
        rec = r["per_request"]
        for key in ("both", "first_ok"):
            assert len(rec[key]) == r["n"] and set(rec[key]) <= {"0", "1"}
            assert rec[key].count("1") / r["n"] == r[key]
        # following the whole instruction needs the right first character
        assert all(b <= f for b, f in zip(rec["both"], rec["first_ok"]))


def test_the_summaries_are_those_of_the_runs(logs):
    check_summaries(logs[0])


def test_the_stdout_log_reports_the_same_runs(logs):
    check_stdout_log(logs[0], "dpo_gentle")
