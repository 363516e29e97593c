"""Chapter 3's log of RoPE seeds (src/helpers/data/rope_seeds.json, from scripts/rope_seeds.py): its
format and settings, one seed retrained and compared with it, and the script's output."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from helpers.length_generalization import offset_weights, position_accuracy, train_copy_model

ROOT = Path(__file__).resolve().parents[1]
LOG = ROOT / "src" / "helpers" / "data" / "rope_seeds.json"
ENV = {**os.environ, "OMP_NUM_THREADS": "1"}
SETTINGS = {"seeds", "T_train", "T_long", "T_test", "delta", "steps", "vocab_size", "n_test"}


def check_log(log: dict) -> None:
    s = log["settings"]
    assert set(s) == SETTINGS
    assert set(log) == {"settings", "torch", "runs"}
    assert [r["seed"] for r in log["runs"]] == list(range(s["seeds"]))
    for run in log["runs"]:
        assert set(run) == {"seed", "acc_short", "acc_long", "offset_weight_beyond"}
        for key in ("acc_short", "acc_long"):
            acc = run[key]
            assert len(acc) == s["T_test"]
            assert acc[: s["delta"]] == [None] * s["delta"]  # nothing to copy there
            assert all(0.0 <= a <= 1.0 for a in acc[s["delta"] :])
        w = run["offset_weight_beyond"]
        assert len(w) == s["T_test"] and all(v is not None and 0.0 <= v <= 1.0 for v in w)


def test_the_shipped_log_has_the_chapters_settings():
    log = json.loads(LOG.read_text(encoding="utf-8"))
    check_log(log)
    # the settings chapter 3 runs live (cell c03-032) and checks against this log
    assert log["settings"] == {"seeds": 10, "T_train": 16, "T_long": 48, "T_test": 64, "delta": 3,
                               "steps": 150, "vocab_size": 16, "n_test": 256}


def test_the_shipped_log_is_what_training_gives():
    """Seed 0, trained again with the chapter's function, gives the logged accuracies and weights."""
    log = json.loads(LOG.read_text(encoding="utf-8"))
    s, run = log["settings"], log["runs"][0]
    model = train_copy_model("rope", 0, s["T_train"], max_len=s["T_test"], delta=s["delta"],
                             steps=s["steps"], vocab_size=s["vocab_size"])
    acc = position_accuracy(model, 0, s["T_test"], s["delta"], s["n_test"])
    logged = torch.tensor([math.nan if a is None else a for a in run["acc_short"]])
    assert torch.allclose(acc, logged, atol=1e-4, equal_nan=True)
    w = offset_weights(model, 0, s["T_test"], s["delta"], s["n_test"])[s["T_train"]:].nanmean(0)
    assert torch.allclose(w, torch.tensor(run["offset_weight_beyond"]), atol=1e-4)


def test_the_script_writes_a_log_and_refuses_to_overwrite(tmp_path):
    cmd = [sys.executable, str(ROOT / "scripts" / "rope_seeds.py"), "--seeds", "1", "--steps", "2",
           "--n-test", "8", "--out", str(tmp_path)]
    subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT, env=ENV, timeout=300)
    log = json.loads((tmp_path / "rope_seeds.json").read_text(encoding="utf-8"))
    check_log(log)
    assert log["settings"]["steps"] == 2 and len(log["runs"]) == 1
    again = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=ENV, timeout=300)
    assert again.returncode != 0 and "--force" in again.stderr


@pytest.mark.parametrize("bad", ["--seeds=x", "--steps=1.5"])
def test_the_script_rejects_bad_settings(bad, tmp_path):
    cmd = [sys.executable, str(ROOT / "scripts" / "rope_seeds.py"), bad, "--out", str(tmp_path)]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=ENV, timeout=300)
    assert done.returncode != 0 and "invalid int value" in done.stderr
