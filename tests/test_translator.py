"""The translator: batching, a short run whose loss falls, the shipped checkpoint, reproducibility."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from helpers import corpus, translator


def test_encode_pairs_teacher_forcing_shift():
    en, zh = translator.vocabularies()
    src, tgt_in, tgt_out = translator.encode_pairs([corpus.RUNNING_EXAMPLE, corpus.make_pair(1, 2, place=0)], en, zh)
    assert zh.decode(tgt_in[0].tolist(), skip_specials=False)[:3] == ["<sos>", "猫", "坐着"]
    assert zh.decode(tgt_out[0].tolist(), skip_specials=False)[:3] == ["猫", "坐着", "<eos>"]
    assert set(tgt_out[0, 3:].tolist()) == {zh.pad_id} and tgt_in.shape == tgt_out.shape
    assert en.decode(src[0].tolist()) == ["The", "cat", "sat"] + ["<pad>"] * (src.shape[1] - 3)
    with pytest.raises(ValueError, match="at least one pair"):
        translator.encode_pairs([], en, zh)


SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "train_translator.py"


def run_script(*args: str) -> dict:
    out = subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    folder = Path(args[args.index("--out") + 1])
    return json.loads((folder / translator.LOG).read_text(encoding="utf-8"))


def test_script_short_run_loss_falls(tmp_path):
    info = run_script("--steps", "150", "--warmup", "20", "--log-every", "10", "--out", str(tmp_path))
    losses = [r["loss"] for r in info["log"]]
    assert losses[-1] < 0.5 * losses[0]
    assert (tmp_path / translator.CHECKPOINT).exists()
    model, again = translator.load(tmp_path)           # the written checkpoint loads back
    assert again["settings"]["steps"] == 150 and model.config.d_model == 64


def test_shipped_checkpoint_is_small_and_accurate():
    model, info = translator.load()
    assert info["test_exact_match"] >= 0.95
    _, test = corpus.split_pairs()
    en, zh = translator.vocabularies()
    assert translator.exact_match(model, test[:200], en, zh) >= 0.95
    from importlib import resources

    path = resources.files("helpers").joinpath("data").joinpath(translator.CHECKPOINT)
    size = len(path.read_bytes())
    assert size <= 5 * 1024 * 1024


def test_rerunning_the_script_reproduces_the_checkpoint_accuracy(tmp_path):
    _, shipped = translator.load()
    args = []
    for name, value in shipped["settings"].items():
        args += [f"--{name.replace('_', '-')}", str(value)]
    info = run_script(*args, "--out", str(tmp_path))
    assert info["test_exact_match"] == shipped["test_exact_match"]
    assert info["cpu_capability"] == torch.backends.cpu.get_cpu_capability()
    if same_kernels(shipped):
        assert info["log"][-1]["loss"] == pytest.approx(shipped["log"][-1]["loss"], rel=0.05, abs=1e-3)
    else:  # other kernels, another path to the same accuracy: the loss must end at the same level
        level = sum(r["loss"] for r in shipped["log"][-5:]) / 5
        assert info["log"][-1]["loss"] < 2 * level


def same_kernels(info: dict) -> bool:
    """True if this torch is the one recorded with the checkpoint (version string, local tag included)
    and runs the same CPU kernels (``torch.backends.cpu.get_cpu_capability()``: AVX2, AVX512, ...).

    1200 training steps amplify differences in floating-point kernels: torch 2.2 ended at another loss
    than torch 2.13 with the same accuracy, and on torch 2.13 an AVX-512 machine ended at 0.00153
    against the shipped 0.00281 (whose log predates the field). The final loss is compared closely only where both match; the accuracy
    everywhere.
    """
    return info.get("torch") == torch.__version__ and info.get("cpu_capability") == torch.backends.cpu.get_cpu_capability()


def test_same_kernels_reads_the_recorded_version_and_capability():
    here = {"torch": torch.__version__, "cpu_capability": torch.backends.cpu.get_cpu_capability()}
    assert same_kernels(here)
    assert not same_kernels({**here, "torch": "2.2.2"}) and not same_kernels({})
    assert not same_kernels({**here, "cpu_capability": "NO AVX"})
    assert not same_kernels({"torch": torch.__version__})  # a log without the field: unknown kernels


def test_load_rejects_bad_checkpoint(tmp_path):
    torch.save({"weights": 1}, tmp_path / translator.CHECKPOINT)
    with pytest.raises(ValueError, match="not a translator checkpoint"):
        translator.load(tmp_path)
    with pytest.raises(FileNotFoundError, match="run scripts/train_translator.py"):
        translator.load(tmp_path / "missing")


def test_lr_factor_schedule_reaches_its_peak():
    steps, warmup = 300, 50
    factors = [translator.lr_factor(s, warmup, steps) for s in range(steps)]
    # warm-up: linear from 1/warmup, the peak reached exactly at step warmup - 1, never above it
    assert factors[0] == pytest.approx(1 / warmup)
    assert factors[warmup - 2] < 1.0 and factors[warmup - 1] == 1.0
    assert max(factors) == 1.0
    assert all(b > a for a, b in zip(factors[:warmup], factors[1:warmup]))
    # then a linear decay to the floor of 5 % at the last step
    assert all(b <= a for a, b in zip(factors[warmup - 1:], factors[warmup:]))
    assert factors[-1] == pytest.approx(0.05)
    # no warm-up (warmup = 1): the first step is taken at the peak
    plain = [translator.lr_factor(s, 1, steps) for s in range(steps)]
    assert plain[0] == 1.0 and plain[-1] == pytest.approx(0.05)
    # the rates AdamW really used: read from the optimiser of a LambdaLR schedule
    opt = torch.optim.AdamW([torch.nn.Parameter(torch.zeros(1))], lr=0.01)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: translator.lr_factor(s, warmup, steps))
    used = []
    for _ in range(steps):
        used.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    assert max(used) == pytest.approx(0.01) and used.index(max(used)) == warmup - 1
    with pytest.raises(ValueError, match="warmup"):
        translator.lr_factor(0, 0, steps)


def test_script_reads_booleans_and_refuses_to_overwrite(tmp_path):
    info = run_script("--steps", "2", "--warmup", "1", "--norm-first", "false", "--residual", "true",
                      "--out", str(tmp_path))
    assert info["settings"]["norm_first"] is False and info["settings"]["residual"] is True
    again = subprocess.run([sys.executable, str(SCRIPT), "--steps", "2", "--out", str(tmp_path)],
                           capture_output=True, text=True, timeout=600)
    assert again.returncode != 0 and "--force" in again.stderr
    bad = subprocess.run([sys.executable, str(SCRIPT), "--residual", "maybe", "--out", str(tmp_path / "x")],
                         capture_output=True, text=True, timeout=600)
    assert bad.returncode != 0 and "expected true or false" in bad.stderr
