"""Chapter 3's RoPE length experiment over more seeds than the chapter runs live.

    python scripts/rope_seeds.py --force            # replace the shipped log
    python scripts/rope_seeds.py --seeds 2 --out /tmp/rope

For each seed 0 .. seeds - 1, trains the chapter's one-layer RoPE model
(helpers.length_generalization.train_copy_model) on the copy-back task at length T_train and at
length T_long, and tests both at length T_test on the seed's test sequences (position_accuracy).
Writes rope_seeds.json into --out (by default the helpers package's data folder, from which
chapter 3 loads it): the settings, the torch version, and per seed and training length the
accuracy at every test position (null where there is nothing to copy) and, for the model trained
on T_train, the mean attention weight on each offset over the queries T_train .. T_test - 1
(offset_weights). Refuses to replace an existing log without --force. About 1 minute on a CPU.
"""

from __future__ import annotations

import argparse
import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from _cli import add_settings, read_settings, refuse_overwrite

from helpers.length_generalization import offset_weights, position_accuracy, train_copy_model

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "src" / "helpers" / "data"
LOG_NAME = "rope_seeds.json"


@dataclass
class Settings:
    """The chapter's settings (cell c03-032), T_long = the first failing position + 1 (cell c03-drop-test)."""

    seeds: int = 10
    T_train: int = 16
    T_long: int = 48
    T_test: int = 64
    delta: int = 3
    steps: int = 150
    vocab_size: int = 16
    n_test: int = 256


def _floats(x: torch.Tensor) -> list[float | None]:
    return [None if math.isnan(v) else round(v, 6) for v in x.tolist()]


def run(s: Settings) -> dict:
    """The log: settings, torch version, one entry per seed."""
    runs = []
    for seed in range(s.seeds):
        row = {"seed": seed}
        for name, T in (("short", s.T_train), ("long", s.T_long)):
            model = train_copy_model("rope", seed, T, max_len=s.T_test, delta=s.delta, steps=s.steps,
                                     vocab_size=s.vocab_size)
            row[f"acc_{name}"] = _floats(position_accuracy(model, seed, s.T_test, s.delta, s.n_test))
            if name == "short":
                w = offset_weights(model, seed, s.T_test, s.delta, s.n_test)[s.T_train:].nanmean(0)
                row["offset_weight_beyond"] = _floats(w)
        runs.append(row)
        print(f"seed {seed}: accuracy from position {s.T_train} on, trained on {s.T_train}: "
              f"{torch.tensor(row['acc_short'][s.T_train:]).mean():.3f}; on {s.T_long}: "
              f"{torch.tensor(row['acc_long'][s.T_train:]).mean():.3f}", flush=True)
    return {"settings": asdict(s), "torch": torch.__version__, "runs": runs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_settings(parser, Settings)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--force", action="store_true", help="replace an existing log")
    args = parser.parse_args()
    settings = read_settings(args, Settings)
    path = args.out / LOG_NAME
    refuse_overwrite(parser, path, args.force)
    torch.set_num_threads(1)
    log = run(settings)
    args.out.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(log, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
