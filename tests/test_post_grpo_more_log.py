"""The shipped log of chapter 13's longer GRPO runs (``scripts/post_train.py grpo_more``): the runs differ
from the shipped GRPO runs only in how many prompts they saw (steps x prompts per step), the summaries
are those of the runs, and the stdout log beside it reports the same runs."""

from __future__ import annotations

import re
import statistics

import pytest

from helpers.post import store


@pytest.fixture(scope="module")
def logs() -> tuple[dict, dict]:
    return store.load_log("grpo_more"), store.load_log("grpo")


def test_the_runs_differ_from_grpo_only_in_the_prompts_seen(logs):
    log, short = logs
    s, res = log["settings"], log["results"]
    assert log["stage"] == "grpo_more" and res["reward"] == short["results"]["reward"] == "form"
    for key in ("lr", "seeds", "n_eval", "group_size", "inner_steps", "clip", "kl_beta", "sft_weight"):
        assert s.get(key, 0.0) == short["settings"].get(key, 0.0), key
    more = s["steps"] * s["prompts_per_step"]
    assert more >= 4 * short["settings"]["steps"] * short["settings"]["prompts_per_step"]
    assert res["sft"] == short["results"]["sft"]  # the same SFT start, measured on the same requests
    assert sorted(r["seed"] for r in res["runs"]) == s["seeds"]
    for r in res["runs"]:
        assert [e["step"] for e in r["log"]] == list(range(1, s["steps"] + 1))
        assert r["n"] == s["n_eval"] and 0 <= r["both"] <= min(r["form_ok"], r["first_ok"]) <= 1
        assert r["kl"] >= 0


def test_the_summary_is_that_of_the_runs(logs):
    res = logs[0]["results"]
    for key in ("both", "form_ok", "regular", "kl"):
        values = [r[key] for r in res["runs"]]
        assert res["summary"][key]["values"] == values
        assert res["summary"][key]["mean"] == pytest.approx(statistics.mean(values))
        assert (res["summary"][key]["min"], res["summary"][key]["max"]) == (min(values), max(values))


def test_the_stdout_log_reports_the_same_runs(logs):
    log = logs[0]
    text = (store.data_dir() / "post_grpo_more.log").read_text(encoding="utf-8")
    line = re.compile(r"grpo\[form\] seed=(\d+): regular (\S+) both (\S+) KL (\S+) last reward (\S+) \((\d+) s\)")
    printed = {int(seed): tuple(map(float, rest)) for seed, *rest in line.findall(text)}
    assert len(printed) == len(log["results"]["runs"])
    for r in log["results"]["runs"]:
        reg, both, kl, last, sec = printed[r["seed"]]
        assert (reg, both) == (round(r["regular"], 3), round(r["both"], 3))
        assert kl == round(r["kl"], 2) and last == round(r["log"][-1]["reward"], 3)
        assert abs(sec - r["train_seconds"]) <= 1
