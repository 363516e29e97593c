"""Checks shared by the tests of chapter 13's DPO logs (post_dpo_sft, post_dpo_gentle)."""
import re
import statistics

import pytest

from helpers.post import store


def check_summaries(log: dict) -> None:
    """Each beta's summary (values, mean, min, max) is that of its runs."""
    res = log["results"]
    for b in log["settings"]["betas"]:
        runs = [r for r in res["runs"] if r["beta"] == b]
        for key in ("both", "form_ok", "regular", "kl"):
            values = [r[key] for r in runs]
            summary = res[f"summary_beta_{b}"][key]
            assert summary["values"] == values
            assert summary["mean"] == pytest.approx(statistics.mean(values))
            assert (summary["min"], summary["max"]) == (min(values), max(values))


def check_stdout_log(log: dict, stage: str) -> None:
    """The stage's stdout log (post_<stage>.log) prints the same runs as its JSON log."""
    text = (store.data_dir() / f"post_{stage}.log").read_text(encoding="utf-8")
    line = re.compile(rf"{stage} beta=(\S+) seed=(\d+): regular (\S+) both (\S+) KL (\S+) \((\d+) s\)")
    printed = {(float(b), int(seed)): (float(reg), float(both), float(kl), int(sec))
               for b, seed, reg, both, kl, sec in line.findall(text)}
    assert len(printed) == len(log["results"]["runs"])
    for r in log["results"]["runs"]:
        reg, both, kl, sec = printed[r["beta"], r["seed"]]
        assert (reg, both) == (round(r["regular"], 3), round(r["both"], 3))
        assert kl == round(r["kl"], 2) and abs(sec - r["train_seconds"]) <= 1
    assert f"{log['results']['n_pairs']} pairs from {log['results']['n_prompts']} prompts" in text
