"""Fine-tune the pretrained poem GPT to tell 李白 from 杜甫, and write the log (`make finetune`).

    python scripts/finetune_poets.py                                  # the book's settings
    python scripts/finetune_poets.py --sizes 8 16 --seeds 0 --steps 5 --method-steps 5 --out /tmp/ft.json

Two experiments, seeded, each on the same deterministic test set (100 poems per poet):

1. sample efficiency: accuracy against the number of labelled poems per poet, for the pretrained
   body fine-tuned in full and for the same architecture trained from scratch (several seeds);
2. the three ways to fine-tune (full, frozen body + head, LoRA + head) on every labelled poem:
   accuracy, trainable parameters, and the pretraining LM loss (validation) before and after.

Writes a JSON log (by default src/helpers/data/finetune_poets.json) that chapter 10 plots.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from pathlib import Path

import torch
from tqdm.auto import tqdm

from helpers import finetune, lora, poems, pretrain

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "src" / "helpers" / "data" / "finetune_poets.json"


def positive(text: str) -> int:
    v = int(text)
    if v <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return v


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=positive, nargs="+", default=[8, 32, 128, 320],
                    help="labelled poems per poet for the sample-efficiency curve")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--steps", type=positive, default=80, help="training steps per sample-efficiency run")
    ap.add_argument("--method-steps", type=positive, default=150, help="training steps per method")
    ap.add_argument("--batch-size", type=positive, default=16)
    ap.add_argument("--rank", type=positive, default=8, help="LoRA rank r")
    ap.add_argument("--alpha", type=float, default=16.0, help="LoRA alpha")
    ap.add_argument("--test-per-class", type=positive, default=100)
    ap.add_argument("--lm-batches", type=positive, default=8, help="validation windows (x32) for the LM loss")
    ap.add_argument("--checkpoint", type=Path, default=None, help="folder of gpt_poems.pt (default: the package's)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--no-progress", action="store_true")
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    start = time.perf_counter()
    model, vocab, info = pretrain.load(args.checkpoint)
    block = model.config.block_size
    pools, _ = finetune.poet_split(test_per_class=args.test_per_class)
    smallest = min(map(len, pools))
    too_big = [n for n in args.sizes if n > smallest]
    if too_big:
        ap.error(f"--sizes {too_big} exceed the smallest pool of labelled poems ({smallest} per poet)")
    _, val = poems.train_val_split(poems.load_poems(), info["settings"]["val_fraction"])
    val_stream = poems.encode_stream(val, vocab)
    lm_before = finetune.lm_loss(model, val_stream, args.lm_batches)

    runs = [(n, seed, kind) for n in args.sizes for seed in args.seeds for kind in ("pretrained", "scratch")]
    bar = tqdm(total=len(runs) + 3, desc="fine-tuning", unit="run", disable=args.no_progress)
    curve = []
    for n, seed, kind in runs:
        train, test = finetune.poet_data(vocab, block, n, seed=seed, test_per_class=args.test_per_class)
        method = "full" if kind == "pretrained" else "scratch"
        clf = finetune.prepare(model, method, seed=seed)
        finetune.train_classifier(clf, train, args.steps, finetune.DEFAULT_LR[method], args.batch_size, seed=seed)
        curve.append({"n_per_class": n, "seed": seed, "init": kind, "accuracy": finetune.accuracy(clf, test)})
        bar.update(1)

    train, test = finetune.poet_data(vocab, block, smallest, seed=0, test_per_class=args.test_per_class)
    methods = []
    for method in ("full", "frozen", "lora"):
        clf = finetune.prepare(model, method, r=args.rank, alpha=args.alpha, seed=0)
        trainable, total = lora.count_parameters(clf)
        t0 = time.perf_counter()
        losses = finetune.train_classifier(clf, train, args.method_steps, finetune.DEFAULT_LR[method],
                                           args.batch_size, seed=0)
        methods.append({"method": method, "accuracy": finetune.accuracy(clf, test), "trainable": trainable,
                        "total": total, "lm_loss_before": lm_before,
                        "lm_loss_after": finetune.lm_loss(clf.body, val_stream, args.lm_batches),
                        "train_loss": losses[::10], "seconds": round(time.perf_counter() - t0, 1)})
        bar.update(1)
    bar.close()
    folder = args.checkpoint or DEFAULT_OUT.parent
    sha = hashlib.sha256((folder / pretrain.CHECKPOINT_FILE).read_bytes()).hexdigest()
    log = {"settings": {k: v for k, v in vars(args).items() if k not in ("out", "no_progress", "checkpoint")},
           "checkpoint_sha256": sha,
           "authors": ["李白", "杜甫"], "pool_per_class": smallest, "test_size": len(test),
           "learning_rates": finetune.DEFAULT_LR, "pretrained": {"val_loss": info["metrics"]["val_loss"],
                                                                  "steps": info["metrics"]["steps_done"]},
           "lm_loss_before": lm_before, "curve": curve, "methods": methods,
           "seconds": round(time.perf_counter() - start, 1), "torch": torch.__version__}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(log, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    for m in methods:
        print(f"{m['method']:>7}: accuracy {m['accuracy']:.1%}, trainable {m['trainable']:,} of {m['total']:,}, "
              f"LM loss {m['lm_loss_before']:.3f} -> {m['lm_loss_after']:.3f}")
    print(f"wrote {args.out} in {log['seconds']:.0f} s")
    return log


if __name__ == "__main__":
    main()
