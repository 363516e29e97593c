"""Pretrain the character-level GPT on the Tang poems and write its checkpoint (`make pretrain`).

    python scripts/pretrain_gpt.py                       # the settings the book ships with
    python scripts/pretrain_gpt.py --steps 20 --n-layer 1 --n-embd 32 --out /tmp/run

Writes gpt_poems.pt (float16 weights + config + vocabulary, loadable with
torch.load(weights_only=True)) and gpt_poems.json (settings; a log with, every --eval-every steps,
the training and validation loss and the form accuracy of --sample-poems sampled poems; wall time;
the final figures) into --out, by default the helpers package's data folder, from which the
chapters load it (helpers.pretrain.load).
"""

from __future__ import annotations

import argparse
from dataclasses import fields
from pathlib import Path

from helpers import pretrain

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "src" / "helpers" / "data"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    for f in fields(pretrain.PretrainSettings):
        parser.add_argument(f"--{f.name.replace('_', '-')}", type=type(f.default), default=f.default)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    s = pretrain.PretrainSettings(**{f.name: getattr(args, f.name) for f in fields(pretrain.PretrainSettings)})
    result = pretrain.train(s, progress=not args.no_progress)
    ckpt, _ = pretrain.save(result, s, args.out)
    m = result.metrics
    print(f"{m['params']:,} parameters, {m['steps_done']} steps in {m['train_seconds']:.0f} s; "
          f"validation loss {m['val_loss']:.3f}; well-formed poems {m['form']['well_formed']:.1%}; "
          f"checkpoint {ckpt.stat().st_size / 1e6:.1f} MB in {args.out}")
    for text in m["samples"][:5]:
        print("  ", text)


if __name__ == "__main__":
    main()
