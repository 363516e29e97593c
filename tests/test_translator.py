"""The translator: batching, a short run whose loss falls, the shipped checkpoint, reproducibility."""

import dataclasses

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


def test_short_run_loss_falls():
    settings = dataclasses.replace(translator.DEFAULT_SETTINGS, steps=150, warmup=20, log_every=10)
    result = translator.train(settings, progress=False, evaluate=False)
    losses = [r["loss"] for r in result.log]
    assert losses[-1] < 0.5 * losses[0]


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


def test_retraining_with_saved_settings_reproduces_accuracy(tmp_path):
    _, info = translator.load()
    settings = translator.TrainSettings(**info["settings"])
    result = translator.train(settings, progress=False)
    assert result.test_accuracy == info["test_exact_match"]
    assert result.log[-1]["loss"] == pytest.approx(info["log"][-1]["loss"], rel=0.05, abs=1e-3)


def test_load_rejects_bad_checkpoint(tmp_path):
    torch.save({"weights": 1}, tmp_path / translator.CHECKPOINT)
    with pytest.raises(ValueError, match="not a translator checkpoint"):
        translator.load(tmp_path)
    with pytest.raises(FileNotFoundError, match="run scripts/train_translator.py"):
        translator.load(tmp_path / "missing")
