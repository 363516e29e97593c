"""The pre- vs post-norm comparison: the script's output format, the shipped log, bad inputs."""

import json
import os
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import pytest
import torch

from helpers import norm_runs, translator

ROOT = Path(__file__).resolve().parents[1]
def check_log(log: dict, runs: str = "main") -> None:
    assert set(log) >= {"torch", "base_settings", "n_test", "seeds", "runs"}
    assert log.get("set", "main") == runs  # the shipped main log predates the "set" field
    assert set(log["base_settings"]) == {f.name for f in fields(translator.TrainSettings)}
    variants = norm_runs.SETS[runs][0]
    names = [name for name, *_ in variants]
    seeds = log["seeds"]
    main = [run for run in log["runs"] if run["name"] in names]
    extra = [run for run in log["runs"] if run["name"] not in names]
    # the variants, in order, once per seed, grouped by seed
    assert [(run["seed"], run["name"]) for run in main] == [(seed, name) for seed in seeds for name in names]
    for run, (_, norm_first, warm, emb_scale, residual) in zip(main, variants * len(seeds)):
        assert run["norm_first"] is norm_first
        assert (run["warmup"] > norm_runs.NO_WARMUP) is warm
        assert run["lr"] == log["base_settings"]["lr"]
        assert run.get("emb_scale", 1.0) == emb_scale and run.get("residual", True) is residual
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


def test_script_runs_the_controls_briefly(tmp_path):
    cmd = [sys.executable, str(ROOT / "scripts" / "compare_norms.py"), "--runs", "controls", "--steps", "2",
           "--n-layers", "1", "--log-every", "1", "--n-test", "4", "--seeds", "3", "--quiet", "--out", str(tmp_path)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / norm_runs.LOG).exists()  # the controls have their own log
    log = norm_runs.load(tmp_path, runs="controls")
    check_log(log, "controls")
    assert len(log["runs"]) == len(norm_runs.CONTROL_RUNS)  # no extra learning rates by default
    # same seed, same batches: warm-up or not, the small-embedding runs of one layout start from the same loss
    first = {run["name"]: run["log"][0]["loss"] for run in log["runs"]}
    assert first["post-norm, warm-up, embeddings / 8"] == first["post-norm, no warm-up, embeddings / 8"]


def test_embeddings_scaled_changes_only_the_embedding_tables():
    en, zh = translator.vocabularies()
    settings = translator.TrainSettings(n_layers=1)
    torch.manual_seed(0)
    plain = translator.build_model(settings, en, zh)
    with norm_runs.embeddings_scaled(0.125):
        torch.manual_seed(0)
        small = translator.build_model(settings, en, zh)
    assert translator.build_model.__name__ == "build_model"  # restored on leaving
    for (name, a), (_, b) in zip(plain.state_dict().items(), small.state_dict().items()):
        if name.endswith("_emb.weight"):
            assert torch.equal(a * 0.125, b), name
        else:
            assert torch.equal(a, b), name
    with pytest.raises(ValueError, match="scale"):
        with norm_runs.embeddings_scaled(0):
            pass


@pytest.mark.parametrize("runs", ["main", "controls"])
def test_shipped_logs(runs):
    log = norm_runs.load(runs=runs)
    check_log(log, runs)
    assert log["base_settings"]["steps"] >= 100 and len(log["seeds"]) >= 3
    for run in log["runs"]:
        check_schedule(run, log["base_settings"])
    if runs == "controls":  # the controls repeat the main comparison's settings and seeds
        main = norm_runs.load()
        assert log["base_settings"] == main["base_settings"] and log["seeds"] == main["seeds"]
        assert log["n_test"] == main["n_test"]


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
    with pytest.raises(ValueError, match="runs"):
        norm_runs.compare(translator.TrainSettings(steps=1), runs="all")
    with pytest.raises(ValueError, match="runs"):
        norm_runs.load(runs="all")
