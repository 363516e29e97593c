"""Train the toy English -> Chinese translator and write its checkpoint.

    python scripts/train_translator.py                 # the settings the book ships with
    python scripts/train_translator.py --steps 200 --out /tmp/run

Writes translator.pt (config + weights, loadable with torch.load(weights_only=True)) and
translator.json (settings, training log, exact-match accuracy on held-out sentences) into
--out, by default the helpers package's data folder, from which the chapters load it.
"""

from __future__ import annotations

import argparse
from dataclasses import fields
from pathlib import Path

from helpers import translator

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "src" / "helpers" / "data"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    for f in fields(translator.TrainSettings):
        parser.add_argument(f"--{f.name.replace('_', '-')}", type=type(f.default), default=f.default)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    settings = translator.TrainSettings(**{f.name: getattr(args, f.name) for f in fields(translator.TrainSettings)})
    result = translator.train(settings, progress=True)
    translator.save(result, settings, args.out)
    print(f"final training loss {result.log[-1]['loss']:.4f}; exact match on held-out sentences "
          f"{result.test_accuracy:.2%}; {result.seconds:.0f} s; written to {args.out}")


if __name__ == "__main__":
    main()
