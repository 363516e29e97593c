"""Train the toy English -> Chinese translator and write its checkpoint.

    python scripts/train_translator.py --force         # the shipped settings, replacing the shipped checkpoint
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


def parse_bool(text: str) -> bool:
    """'true'/'false' (also 1/0, yes/no) for a yes-or-no setting; argparse's type=bool took any text as True."""
    value = text.strip().lower()
    if value in ("true", "1", "yes"):
        return True
    if value in ("false", "0", "no"):
        return False
    raise argparse.ArgumentTypeError(f"expected true or false, got {text!r}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    for f in fields(translator.TrainSettings):
        kind = parse_bool if isinstance(f.default, bool) else type(f.default)
        parser.add_argument(f"--{f.name.replace('_', '-')}", type=kind, default=f.default)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--force", action="store_true",
                        help="replace a checkpoint that is already in --out (the shipped one by default)")
    args = parser.parse_args(argv)
    if (args.out / translator.CHECKPOINT).exists() and not args.force:
        parser.error(f"{args.out / translator.CHECKPOINT} exists (the chapters load it): pass --force to replace "
                     "it, or --out to write elsewhere")
    settings = translator.TrainSettings(**{f.name: getattr(args, f.name) for f in fields(translator.TrainSettings)})
    result = translator.train(settings, progress=True)
    translator.save(result, settings, args.out)
    print(f"final training loss {result.log[-1]['loss']:.4f}; exact match on held-out sentences "
          f"{result.test_accuracy:.2%}; {result.seconds:.0f} s; written to {args.out}")


if __name__ == "__main__":
    main()
