"""helpers.finetune and scripts/finetune_poets.py: the poet task, the three methods, forgetting, the log."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from helpers import finetune, lora, poems, pretrain
from helpers.gpt import GPT

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def tiny_checkpoint(tmp_path_factory):
    """A small untrained GPT saved as a pretraining checkpoint (enough for the plumbing)."""
    folder = tmp_path_factory.mktemp("ckpt")
    s = pretrain.PretrainSettings(n_layer=1, n_head=2, n_embd=32, block_size=72, vocab_max_size=600)
    train, _ = poems.train_val_split(poems.load_poems(), s.val_fraction)
    vocab = poems.CharVocab.from_poems(train, max_size=s.vocab_max_size)
    torch.manual_seed(0)
    model = GPT(s.model_config(len(vocab)))
    pretrain.save(pretrain.PretrainResult(model, vocab, metrics={"val_loss": 6.4, "steps_done": 0}), s, folder)
    return folder


def test_split_is_deterministic_disjoint_and_balanced(tiny_checkpoint):
    model, vocab, _ = pretrain.load(tiny_checkpoint)
    pools, tests = finetune.poet_split(test_per_class=50)
    assert [len(t) for t in tests] == [50, 50]
    assert not set(pools[0]) & set(pools[1]) and not set(pools[0]) & set(tests[0])
    a, ta = finetune.poet_data(vocab, 72, 10, seed=3, test_per_class=50)
    b, tb = finetune.poet_data(vocab, 72, 10, seed=3, test_per_class=50)
    c, _ = finetune.poet_data(vocab, 72, 10, seed=4, test_per_class=50)
    assert a.texts == b.texts and ta.texts == tb.texts and a.texts != c.texts
    assert a.y.tolist() == [0] * 10 + [1] * 10 and not set(a.texts) & set(ta.texts)
    assert (a.x[:, 0] == vocab.sos_id).all() and (a.x[torch.arange(20), a.lengths - 1] == vocab.eos_id).all()


def test_methods_train_the_right_parameters_and_forgetting(tiny_checkpoint):
    model, vocab, info = pretrain.load(tiny_checkpoint)
    train, test = finetune.poet_data(vocab, 72, 8, test_per_class=20)
    _, val = poems.train_val_split(poems.load_poems(), 0.05)
    stream = poems.encode_stream(val[:200], vocab)
    before = finetune.lm_loss(model, stream, batches=2, batch_size=4)
    head = 32 * 2 + 2
    for method in finetune.METHODS:
        clf = finetune.prepare(model, method)
        trainable, total = lora.count_parameters(clf)
        if method == "frozen":
            assert trainable == head
        elif method == "lora":
            assert trainable == head + 8 * ((32 + 96) + (32 + 32) + (32 + 128) + (128 + 32))
            x = train.x[:3]
            assert torch.equal(clf.body(x)[0], model(x)[0])  # B = 0: the base model exactly
        else:
            assert trainable == total == model.num_params() + head
        finetune.train_classifier(clf, train, 3, finetune.DEFAULT_LR[method], batch_size=4)
        assert 0.0 <= finetune.accuracy(clf, test) <= 1.0
        after = finetune.lm_loss(clf.body, stream, batches=2, batch_size=4)
        if method == "frozen":
            assert after == before  # nothing in the body moved: no forgetting at all
        elif method == "full":
            assert after != before
    assert finetune.lm_loss(model, stream, batches=2, batch_size=4) == before  # the pretrained model is untouched


def test_mean_pool_ignores_padding(tiny_checkpoint):
    model, vocab, _ = pretrain.load(tiny_checkpoint)
    clf = finetune.PoetClassifier(model).eval()
    d = finetune.encode(["床前明月光，疑是地上霜。举头望明月，低头思故乡。"], [0], vocab, 72)
    padded = torch.cat([d.x, torch.full((1, 5), vocab.pad_id)], 1)
    with torch.no_grad():
        torch.testing.assert_close(clf(d.x, d.lengths), clf(padded, d.lengths))


def test_bad_inputs(tiny_checkpoint):
    model, vocab, _ = pretrain.load(tiny_checkpoint)
    with pytest.raises(ValueError, match="method must be one of"):
        finetune.prepare(model, "adapter")
    with pytest.raises(ValueError, match="pool must be"):
        finetune.PoetClassifier(model, pool="max")
    with pytest.raises(ValueError, match="n_per_class must be in"):
        finetune.poet_data(vocab, 72, 10_000)
    with pytest.raises(ValueError, match="two different authors"):
        finetune.poet_split(("李白", "李白"))
    with pytest.raises(ValueError, match="3 texts but 2 labels"):
        finetune.encode(["a", "b", "c"], [0, 1], vocab, 72)
    clf = finetune.prepare(model, "frozen")
    for p in clf.head.parameters():
        p.requires_grad_(False)
    with pytest.raises(ValueError, match="no trainable parameters"):
        finetune.train_classifier(clf, finetune.encode(["a"], [0], vocab, 72), 1, 0.1)


def _run(args, tmp_path):
    cmd = [sys.executable, str(ROOT / "scripts" / "finetune_poets.py"), *args, "--no-progress"]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=ROOT)


def test_script_writes_its_log(tiny_checkpoint, tmp_path):
    out = tmp_path / "ft.json"
    r = _run(
        [
            "--sizes",
            "4",
            "8",
            "--seeds",
            "0",
            "--steps",
            "2",
            "--method-steps",
            "2",
            "--lm-batches",
            "1",
            "--checkpoint",
            str(tiny_checkpoint),
            "--out",
            str(out),
        ],
        tmp_path,
    )
    assert r.returncode == 0, r.stderr
    log = json.loads(out.read_text(encoding="utf-8"))
    assert [(c["n_per_class"], c["init"]) for c in log["curve"]] == [
        (4, "pretrained"),
        (4, "scratch"),
        (8, "pretrained"),
        (8, "scratch"),
    ]
    assert [m["method"] for m in log["methods"]] == ["full", "frozen", "lora"]
    m = {m["method"]: m for m in log["methods"]}
    assert m["frozen"]["lm_loss_after"] == m["frozen"]["lm_loss_before"] == log["lm_loss_before"]
    assert m["frozen"]["trainable"] < m["lora"]["trainable"] < m["full"]["trainable"] == m["full"]["total"]
    assert log["test_size"] == 200 and "accuracy" in r.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["--sizes", "0"], "must be a positive integer"),
        (["--sizes", "100000"], "exceed the smallest pool"),
        (["--steps", "x"], "invalid positive value"),
    ],
)
def test_script_bad_inputs(tiny_checkpoint, tmp_path, args, message):
    r = _run([*args, "--checkpoint", str(tiny_checkpoint), "--out", str(tmp_path / "x.json")], tmp_path)
    assert r.returncode != 0 and message in r.stderr


def test_script_missing_checkpoint(tmp_path):
    r = _run(["--checkpoint", str(tmp_path), "--out", str(tmp_path / "x.json")], tmp_path)
    assert r.returncode != 0 and "make pretrain" in r.stderr


def test_shipped_log():
    try:
        log = finetune.load_log()
    except FileNotFoundError:
        pytest.skip("no shipped finetune_poets.json yet (make finetune)")
    m = {m["method"]: m for m in log["methods"]}
    assert set(m) == {"full", "frozen", "lora"}
    assert m["frozen"]["lm_loss_after"] == m["frozen"]["lm_loss_before"]
    assert m["frozen"]["trainable"] < m["lora"]["trainable"] < m["full"]["trainable"]
    assert len(log["curve"]) == 2 * len(log["settings"]["sizes"]) * len(log["settings"]["seeds"])
