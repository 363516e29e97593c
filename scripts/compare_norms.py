"""Train the translator four ways: pre- or post-norm, with or without learning-rate warm-up,
each with three seeds (plus post-norm without warm-up at the shipped learning rate, as a check);
with --runs controls, the controls of the same comparison instead: the four variants with
embedding tables that start 8 times smaller, and post-/pre-norm with warm-up without residual
connections, with the same seeds and settings.

    python scripts/compare_norms.py --force                  # chapter 7's main log, replacing the shipped one
    python scripts/compare_norms.py --runs controls --force  # chapter 7's controls
    python scripts/compare_norms.py --steps 5 --out /tmp/runs

Every run uses the same loop (helpers.translator.train), seed and data order; only norm_first,
the warm-up, the embeddings' initial scale and the residual connections change. Writes
norm_runs.json (or norm_runs_controls.json: settings, loss curves, held-out exact match and
loss per run, torch version) into --out, by default the helpers package's data folder, from
which chapter 7 loads it. Refuses to replace an existing log without --force; while it runs, the
runs done so far are in norm_runs[_controls].partial.json, removed once the log is written.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from _cli import refuse_overwrite

from helpers import norm_runs, translator

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "src" / "helpers" / "data"
# Deeper than the shipped translator (6 layers instead of 2), fewer steps (300) and a peak
# learning rate 5x the shipped one (1e-2), so that differences between the variants can show;
# everything else as in translator.TrainSettings. One more run checks post-norm without warm-up
# at the shipped learning rate (2e-3).
CHAPTER_SETTINGS = dict(steps=300, lr=1e-2, warmup=50, n_layers=6, log_every=10)
EXTRA_LRS = (2e-3,)
SEEDS = (0, 1, 2)  # each seed sets the initial weights and the order of the batches


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    for name, value in CHAPTER_SETTINGS.items():
        parser.add_argument(f"--{name.replace('_', '-')}", type=type(value), default=value)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--runs", choices=sorted(norm_runs.SETS), default="main",
                        help="main: the four variants (norm_runs.json); controls: smaller embeddings and no residuals "
                             "(norm_runs_controls.json)")
    parser.add_argument("--extra-lr", type=float, nargs="*", default=None,
                        help="post-norm runs without warm-up at these learning rates (default: 2e-3 for --runs main, "
                             "none for controls)")
    parser.add_argument("--n-test", type=int, default=None, help="score on the first N held-out sentences only")
    parser.add_argument("--seeds", type=int, nargs="+", default=list(SEEDS),
                        help="repeat the four variants with each of these seeds")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    parser.add_argument("--force", action="store_true",
                        help="replace a log that is already in --out (the shipped one by default)")
    args = parser.parse_args()
    if args.extra_lr is None:
        args.extra_lr = list(EXTRA_LRS) if args.runs == "main" else []
    log_name = norm_runs.SETS[args.runs][1]
    refuse_overwrite(parser, args.out / log_name, args.force)
    partial_path = args.out / (log_name.removesuffix(".json") + ".partial.json")
    args.out.mkdir(parents=True, exist_ok=True)
    base = translator.TrainSettings(**{name: getattr(args, name) for name in CHAPTER_SETTINGS})
    def save_partial(partial: dict) -> None:  # a log that grows run by run, beside (never over) the finished one
        partial_path.write_text(json.dumps(partial, indent=1), encoding="utf-8")
        run = partial["runs"][-1]
        print(f"{partial_path.name}: {len(partial['runs'])} runs; last: {run['name']}, seed {run['seed']}", flush=True)

    log = norm_runs.compare(base, progress=not args.quiet, n_test=args.n_test,
                            extra_lrs=tuple(args.extra_lr), seeds=tuple(args.seeds), on_run=save_partial,
                            runs=args.runs)
    path = norm_runs.save(log, args.out)
    partial_path.unlink(missing_ok=True)
    for run in log["runs"]:
        print(f"{run['name']:40s} seed {run['seed']}  final training loss {run['log'][-1]['loss']:.4f}  held-out loss "
              f"{run['test_loss']:.4f}  exact match {run['test_exact_match']:.2%}  {run['seconds']:.0f} s")
    print(f"written to {path}")


if __name__ == "__main__":
    main()
