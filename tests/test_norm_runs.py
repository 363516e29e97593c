"""The pre- vs post-norm comparison: the script's output format, the shipped log, bad inputs."""

import json
import os
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import pytest

from helpers import norm_runs, translator

ROOT = Path(__file__).resolve().parents[1]
NAMES = [name for name, _, _ in norm_runs.RUNS]


def check_log(log: dict) -> None:
    assert set(log) >= {"torch", "base_settings", "n_test", "seeds", "runs"}
    assert set(log["base_settings"]) == {f.name for f in fields(translator.TrainSettings)}
    seeds = log["seeds"]
    main = [run for run in log["runs"] if run["name"] in NAMES]
    extra = [run for run in log["runs"] if run["name"] not in NAMES]
    # the four variants, in order, once per seed, grouped by seed
    assert [(run["seed"], run["name"]) for run in main] == [(seed, name) for seed in seeds for name in NAMES]
    for run, (_, norm_first, warm) in zip(main, norm_runs.RUNS * len(seeds)):
        assert run["norm_first"] is norm_first
        assert (run["warmup"] > norm_runs.NO_WARMUP) is warm
        assert run["lr"] == log["base_settings"]["lr"]
    for run in extra:  # the extra learning rates: post-norm, no warm-up, first seed only
        assert run["name"] == f"post-norm, no warm-up, lr {run['lr']:g}"
        assert run["norm_first"] is False and run["warmup"] == norm_runs.NO_WARMUP
        assert run["seed"] == seeds[0]
    for run in log["runs"]:
        assert 0.0 <= run["test_exact_match"] <= 1.0 and run["test_loss"] > 0
        steps = [row["step"] for row in run["log"]]
        assert steps[0] == 0 and steps[-1] == log["base_settings"]["steps"] - 1 and steps == sorted(steps)
        assert all(set(row) == {"step", "loss", "lr"} for row in run["log"])


def check_schedule(run: dict, settings: dict) -> None:
    """The logged rates are the rates the steps were taken with: peak reached, as stated."""
    factor = {row["step"]: row["lr"] / run["lr"] for row in run["log"]}
    for step, value in factor.items():
        assert value == pytest.approx(translator.lr_factor(step, run["warmup"], settings["steps"]))
    assert factor[0] == pytest.approx(1.0 if run["warmup"] == norm_runs.NO_WARMUP else 1 / run["warmup"])


def test_script_runs_briefly_and_writes_the_log(tmp_path):
    cmd = [sys.executable, str(ROOT / "scripts" / "compare_norms.py"), "--steps", "2", "--n-layers", "1",
           "--log-every", "1", "--n-test", "8", "--extra-lr", "1e-4", "--seeds", "0", "5", "--quiet", "--out", str(tmp_path)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert done.returncode == 0, done.stderr
    log = json.loads((tmp_path / norm_runs.LOG).read_text(encoding="utf-8"))
    check_log(log)
    assert len(log["runs"]) == 9 and log["runs"][4]["lr"] == 1e-4 and log["seeds"] == [0, 5]
    assert log["n_test"] == 8 and log["base_settings"]["steps"] == 2 and log["base_settings"]["n_layers"] == 1
    assert norm_runs.load(tmp_path) == log
    # same seed, same batches: the two runs that differ only in warm-up start from the same loss
    first = [run["log"][0]["loss"] for run in log["runs"]]
    assert first[0] == first[1] and first[2] == first[3]
    assert first[5] == first[6] and first[5] != first[0]  # another seed: other weights and batches
    for run in log["runs"]:
        check_schedule(run, log["base_settings"])


def test_shipped_log():
    log = norm_runs.load()
    check_log(log)
    assert log["base_settings"]["steps"] >= 100 and len(log["seeds"]) >= 3
    for run in log["runs"]:
        check_schedule(run, log["base_settings"])


def test_bad_inputs(tmp_path):
    with pytest.raises(FileNotFoundError, match="compare_norms.py"):
        norm_runs.load(tmp_path)
    (tmp_path / norm_runs.LOG).write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(ValueError, match="not a norm comparison log"):
        norm_runs.load(tmp_path)
    with pytest.raises(TypeError, match="TrainSettings"):
        norm_runs.compare({"steps": 3})
    with pytest.raises(ValueError, match="warmup"):
        norm_runs.compare(translator.TrainSettings(warmup=1))
    with pytest.raises(ValueError, match="n_test"):
        norm_runs.compare(translator.TrainSettings(steps=1), n_test=0)
    with pytest.raises(ValueError, match="extra_lrs"):
        norm_runs.compare(translator.TrainSettings(steps=1), extra_lrs=(-1.0,))
    with pytest.raises(ValueError, match="seeds"):
        norm_runs.compare(translator.TrainSettings(steps=1), seeds=(1, 1))
