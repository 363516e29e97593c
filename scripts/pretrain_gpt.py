"""Pretrain the character-level GPT on the Tang poems and write its checkpoint (`make pretrain`).

    python scripts/pretrain_gpt.py --force               # the settings the book ships with, replacing its checkpoint
    python scripts/pretrain_gpt.py --steps 20 --n-layer 1 --n-embd 32 --out /tmp/run

Writes gpt_poems.pt (float16 weights + config + vocabulary, loadable with
torch.load(weights_only=True)) and gpt_poems.json (settings; a log with, every --eval-every steps,
the training and validation loss and the form accuracy of --sample-poems sampled poems; wall time;
the final figures; the checkpoint's SHA-256) into --out, by default the helpers package's data
folder, from which the chapters load it (helpers.pretrain.load).

It refuses to replace a checkpoint already in --out unless --force is given. A run stopped by
--max-minutes before --steps is not a finished run: it is written as gpt_poems.partial.pt/.json,
never as gpt_poems.pt, and the script exits with status 1.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from _cli import add_settings, read_settings, refuse_overwrite

from helpers import pretrain

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "src" / "helpers" / "data"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_settings(parser, pretrain.PretrainSettings)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--force", action="store_true",
                        help="replace a checkpoint that is already in --out (the shipped one by default)")
    args = parser.parse_args(argv)
    refuse_overwrite(parser, args.out / pretrain.CHECKPOINT_FILE, args.force)
    s = read_settings(args, pretrain.PretrainSettings)
    result = pretrain.train(s, progress=not args.no_progress)
    done = pretrain.finished(result, s)
    ckpt, _ = pretrain.save(result, s, args.out, overwrite=args.force or not done, partial=not done)
    m = result.metrics
    print(f"{m['params']:,} parameters, {m['steps_done']} of {s.steps} steps in {m['train_seconds']:.0f} s; "
          f"validation loss {m['val_loss']:.3f}; well-formed poems {m['form']['well_formed']:.1%}; "
          f"checkpoint {ckpt.stat().st_size / 1e6:.1f} MB: {ckpt}")
    for text in m["samples"][:5]:
        print("  ", text)
    if not done:
        print(f"stopped by --max-minutes {s.max_minutes} before step {s.steps}: written as {ckpt.name}, "
              f"not as {pretrain.CHECKPOINT_FILE}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
