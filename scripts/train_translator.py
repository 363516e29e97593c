"""Train the toy English -> Chinese translator and write its checkpoint.

    python scripts/train_translator.py --force         # the shipped settings, replacing the shipped checkpoint
    python scripts/train_translator.py --steps 200 --out /tmp/run

Writes translator.pt (config + weights, loadable with torch.load(weights_only=True)) and
translator.json (settings, training log, exact-match accuracy on held-out sentences) into
--out, by default the helpers package's data folder, from which the chapters load it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from _cli import add_settings, read_settings, refuse_overwrite

from helpers import translator

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "src" / "helpers" / "data"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_settings(parser, translator.TrainSettings)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--force", action="store_true",
                        help="replace a checkpoint that is already in --out (the shipped one by default)")
    args = parser.parse_args(argv)
    refuse_overwrite(parser, args.out / translator.CHECKPOINT, args.force)
    settings = read_settings(args, translator.TrainSettings)
    result = translator.train(settings, progress=True)
    translator.save(result, settings, args.out)
    print(f"final training loss {result.log[-1]['loss']:.4f}; exact match on held-out sentences "
          f"{result.test_accuracy:.2%}; {result.seconds:.0f} s; written to {args.out}")


if __name__ == "__main__":
    main()
