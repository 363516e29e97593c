"""Training scripts never replace a shipped result unless asked, never publish an unfinished run as
finished, and a checkpoint that does not match its log or the book's run says so when loaded."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
import torch

from helpers import pretrain

ROOT = Path(__file__).resolve().parents[1]
TINY = ["--n-layer", "1", "--n-head", "2", "--n-embd", "16", "--block-size", "24", "--batch-size", "4",
        "--vocab-max-size", "300", "--eval-batches", "1", "--sample-poems", "2", "--warmup", "2", "--no-progress"]
ENV = {**os.environ, "OMP_NUM_THREADS": "1"}


def run(script: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "scripts" / script), *args], capture_output=True, text=True,
                          timeout=300, cwd=ROOT, env=ENV)


def test_pretraining_refuses_to_replace_a_checkpoint_without_force(tmp_path):
    (tmp_path / pretrain.CHECKPOINT_FILE).write_bytes(b"the shipped weights")
    done = run("pretrain_gpt.py", "--steps", "2", "--eval-every", "2", *TINY, "--out", str(tmp_path))
    assert done.returncode == 2 and "--force" in done.stderr and pretrain.CHECKPOINT_FILE in done.stderr
    assert (tmp_path / pretrain.CHECKPOINT_FILE).read_bytes() == b"the shipped weights"
    forced = run("pretrain_gpt.py", "--steps", "2", "--eval-every", "2", *TINY, "--out", str(tmp_path), "--force")
    assert forced.returncode == 0, forced.stderr
    info = json.loads((tmp_path / pretrain.LOG_FILE).read_text(encoding="utf-8"))
    assert info["finished"] is True and info["checkpoint_sha256"] == pretrain.sha256(tmp_path / pretrain.CHECKPOINT_FILE)


def test_a_time_capped_run_is_not_written_as_the_finished_checkpoint(tmp_path):
    done = run("pretrain_gpt.py", "--steps", "100000", "--eval-every", "100000", "--max-minutes", "0.0005", *TINY,
               "--out", str(tmp_path))
    assert done.returncode == 1 and "max-minutes" in done.stderr, done.stderr
    assert not (tmp_path / pretrain.CHECKPOINT_FILE).exists() and not (tmp_path / pretrain.LOG_FILE).exists()
    info = json.loads((tmp_path / f"{pretrain.PARTIAL_PREFIX}.json").read_text(encoding="utf-8"))
    assert info["finished"] is False and info["metrics"]["steps_done"] < 100000
    assert any("stopped after" in d for d in pretrain.differences(info))


def tiny_result(steps_done: int, steps: int, seed: int = 0) -> tuple[pretrain.PretrainResult, pretrain.PretrainSettings]:
    s = pretrain.PretrainSettings(n_layer=1, n_head=2, n_embd=16, block_size=24, vocab_max_size=300, steps=steps)
    vocab, _, _ = pretrain.data(s)
    torch.manual_seed(seed)
    model = pretrain.GPT(s.model_config(len(vocab)))
    metrics = {"val_loss": 5.0, "steps_done": steps_done, "finished": steps_done == steps}
    return pretrain.PretrainResult(model, vocab, metrics=metrics), s


def test_save_refuses_unfinished_runs_and_existing_files(tmp_path):
    result, s = tiny_result(3, 10)
    with pytest.raises(ValueError, match="stopped after 3 of 10 steps"):
        pretrain.save(result, s, tmp_path)
    ckpt, _ = pretrain.save(result, s, tmp_path, partial=True)
    assert ckpt.name == f"{pretrain.PARTIAL_PREFIX}.pt" and not (tmp_path / pretrain.CHECKPOINT_FILE).exists()
    done, s = tiny_result(10, 10)
    pretrain.save(done, s, tmp_path)
    with pytest.raises(FileExistsError, match="overwrite=True"):
        pretrain.save(done, s, tmp_path)
    pretrain.save(done, s, tmp_path, overwrite=True)


def test_load_says_when_weights_do_not_match_their_log(tmp_path):
    done, s = tiny_result(10, 10)
    pretrain.save(done, s, tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pretrain.load(tmp_path)  # matching: silent
    other, _ = tiny_result(10, 10, seed=1)
    pretrain.save_checkpoint(other.model, tmp_path / pretrain.CHECKPOINT_FILE, extra={"vocab": other.vocab.to_list()})
    with pytest.warns(UserWarning, match="not the checkpoint gpt_poems.json describes"):
        pretrain.load(tmp_path)


def test_the_shipped_checkpoint_is_the_books_run():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _, _, info = pretrain.load()
    assert pretrain.differences(info) == [] and info["finished"] is True


def test_load_of_the_package_copy_names_changed_settings(tmp_path, monkeypatch):
    done, s = tiny_result(10, 10)
    pretrain.save(done, s, tmp_path)
    data = tmp_path / "helpers" / "data"
    data.mkdir(parents=True)
    for name in (pretrain.CHECKPOINT_FILE, pretrain.LOG_FILE):
        shutil.copy(tmp_path / name, data / name)
    monkeypatch.setattr(pretrain.resources, "files", lambda package: tmp_path / package)
    with pytest.warns(UserWarning, match=r"n_layer=1 \(book: 4\).*git checkout"):
        pretrain.load()


@pytest.mark.parametrize("batches", [0, -1, 1.5, True])
def test_estimate_loss_needs_batches(batches):
    done, s = tiny_result(10, 10)
    stream = torch.arange(200) % len(done.vocab)
    with pytest.raises(ValueError, match="batches must be a positive int"):
        pretrain.estimate_loss(done.model, stream, batches, 2, torch.Generator().manual_seed(0))


def test_compare_norms_refuses_to_replace_its_log(tmp_path):
    (tmp_path / "norm_runs.json").write_text("{}", encoding="utf-8")
    done = run("compare_norms.py", "--steps", "1", "--out", str(tmp_path), "--quiet")
    assert done.returncode == 2 and "--force" in done.stderr
    assert (tmp_path / "norm_runs.json").read_text(encoding="utf-8") == "{}"
