"""Fine-tune the pretrained poem GPT to tell 李白 from 杜甫, and write the log (`make finetune`).

    python scripts/finetune_poets.py --force                          # the book's settings, shipped log
    python scripts/finetune_poets.py --sizes 8 16 --seeds 0 --max-steps 5 --out /tmp/ft.json
    # the same work in four processes, then one log:
    python scripts/finetune_poets.py --parts methods --out /tmp/m.json   # ... ranks, curve, baselines
    python scripts/finetune_poets.py --merge /tmp/m.json /tmp/r.json /tmp/c.json /tmp/b.json --force

Every experiment uses the same split of each poet's poems (in hash order: 100 test, 50 validation,
the rest the pool of training poems), and every run is repeated with each seed (which poems are
drawn, the head's initial weights, the order of the mini-batches). Validation picks the training
step (each run is evaluated every ``--eval-every`` steps and keeps its best weights) and the
L2 strength of the logistic regressions; the test set is read once per run, at the end.

1. ``curve``: test accuracy against the number of labelled poems per poet, for the pretrained body
   fine-tuned in full and for the same architecture trained from scratch. Every size trains for
   ``--epochs`` passes over its data (at least ``--min-steps``, at most ``--max-steps`` steps).
2. ``bag_of_characters``: a logistic regression on character counts, no neural network, no
   pretraining, at the same sizes and seeds.
3. ``methods``: full fine-tuning, a frozen body + head, LoRA (rank ``--rank``) on the whole pool:
   accuracy, trainable parameters, and the pretraining LM loss on validation text before and after.
   ``full_update_energy``: how much of full fine-tuning's weight change a rank-r matrix can hold.
4. ``rank_sweep``: LoRA with the other ranks ``--ranks`` (same settings as 3).
5. ``objectives``: small bodies pretrained with the causal or the masked objective (same shape,
   data, optimiser and steps), and an untrained one, read by a linear probe on the poet task.

``--equal-targets`` runs one further experiment instead, into its own log
(``finetune_objectives_equal.json``): the masked body pretrained for k times ``--probe-steps``,
where k = 1 / (the share of positions the masking rule selects, measured on pretraining windows),
so that it is trained on as many predicted tokens as the causal body of part 5, which predicts
every position. The probe and its evaluation are those of part 5.

``--pad-check`` runs one further check instead, into ``finetune_pad_check.json`` and its ``.log``:
part 5's masked bodies pretrained again with the shipped log's settings and seeds, each read by the
same probe twice, on padded batches (as part 5 does) and with every poem read without its <pad>
tokens (``finetune.pooled_unpadded``). The bidirectional body has no key-padding mask, so padding
can change its features; a causal body's cannot change.

Refuses to overwrite an existing log unless ``--force`` is given.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import time
from pathlib import Path

import torch
from tqdm.auto import tqdm

from helpers import finetune, lora, mlm, poems, pretrain

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "src" / "helpers" / "data" / "finetune_poets.json"
EQUAL_OUT = DEFAULT_OUT.with_name("finetune_objectives_equal.json")
PAD_OUT = DEFAULT_OUT.with_name("finetune_pad_check.json")


def positive(text: str) -> int:
    v = int(text)
    if v <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return v


def steps_for(n_per_class: int, args) -> int:
    """``--epochs`` passes over 2 * n poems in mini-batches, clamped to [--min-steps, --max-steps]."""
    per_epoch = math.ceil(2 * n_per_class / args.batch_size)
    return max(args.min_steps, min(args.max_steps, args.epochs * per_epoch))


def masked_share(stream: torch.Tensor, vocab, block_size: int, batch_size: int, batches: int,
                 seed: int = 12345) -> float:
    """Share of the input positions the masking rule selects as targets, on pretraining windows."""
    g = torch.Generator().manual_seed(seed)
    starts = mlm.window_starts(stream, block_size + 1, vocab.sos_id)
    picked = total = 0
    for _ in range(batches):
        start = starts[torch.randint(len(starts), (batch_size,), generator=g)]
        window = stream[start[:, None] + torch.arange(block_size + 1)][:, :-1]
        labels = mlm.mask_tokens(window, vocab.mask_id, len(vocab), generator=g).labels
        picked += int((labels != -100).sum())
        total += labels.numel()
    return picked / total


PARTS = ("methods", "ranks", "curve", "baselines")
MERGED = ("curve", "bag_of_characters", "methods", "full_update_energy", "rank_sweep", "objectives")


def merge(paths: list[Path], out: Path) -> dict:
    """One log from logs of the same settings that ran different ``--parts`` (in parallel processes)."""
    logs = [json.loads(p.read_text(encoding="utf-8")) for p in paths]
    for log in logs:  # which parts ran is recorded in "parts", not in the settings
        log["settings"] = {k: v for k, v in log["settings"].items() if k not in ("parts", "merge")}
    first = logs[0]
    for other in logs[1:]:
        for key in ("settings", "checkpoint_sha256", "lm_loss_before", "torch"):
            if other[key] != first[key]:
                raise SystemExit(f"cannot merge: {key} differs between {paths[0]} and another log")
    parts = sorted(p for log in logs for p in log["parts"])
    if len(parts) != len(set(parts)):
        raise SystemExit(f"cannot merge: a part was run twice ({parts})")
    log = dict(first, parts=parts, seconds=max(lg["seconds"] for lg in logs),
               seconds_all_parts=sum(lg["seconds"] for lg in logs))
    for key in MERGED:
        log[key] = [row for lg in logs for row in lg[key]]
    out.write_text(json.dumps(log, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"merged {len(logs)} logs ({', '.join(parts)}) into {out}")
    return log


def equal_targets(args, probe_body, train_stream: torch.Tensor, vocab, start: float) -> dict:
    """The masked body trained on as many predicted tokens as the causal one; writes its own log."""
    block = mlm.pretrain_small.__defaults__[4]
    share = masked_share(train_stream, vocab, block, args.probe_batch, args.share_batches)
    steps = round(args.probe_steps / share)
    print(f"masked share {share:.4f}: k = {1 / share:.2f}, {steps} masked steps per seed", flush=True)
    rows = []
    for seed in args.seeds:
        rows.append(dict(probe_body("masked", seed, steps), steps=steps))
        print(f"masked seed {seed}: {steps} steps, loss {rows[-1]['pretrain_loss']:.3f}, "
              f"probe accuracy {rows[-1]['accuracy']:.1%} ({rows[-1]['seconds']:.0f} s)", flush=True)
    settings = {k: args.__dict__[k] for k in ("seeds", "probe_steps", "probe_batch", "share_batches", "l2_grid",
                                               "test_per_class", "val_per_class")}
    log = {"settings": settings, "masked_share": share, "k": 1 / share, "masked_steps": steps,
           "causal_steps": args.probe_steps, "objectives": rows, "torch": torch.__version__,
           "seconds": round(time.perf_counter() - start, 1)}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(log, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out} in {log['seconds']:.0f} s")
    return log


def pad_check(args, read_probe, train_stream: torch.Tensor, vocab, start: float, shipped: dict,
              pool: int) -> dict:
    """Part 5's masked bodies again, probed with padded and with unpadded features; writes its own log.

    The masked body is bidirectional and has no key-padding mask, so in a padded batch every real
    position also reads the <pad> tokens after its poem; the causal body cannot read them.
    ``shipped`` is the log of part 5 (its settings are used, and its pretraining losses compared).
    """
    lines = []

    def say(text: str) -> None:
        print(text, flush=True)
        lines.append(text)

    if shipped.get("pool_per_class", pool) != pool:
        raise SystemExit(f"the shipped log probed {shipped['pool_per_class']} poems per poet, this split has {pool}")
    logged = {r["seed"]: r for r in shipped["objectives"] if r["objective"] == "masked"}
    say(f"# OMP_NUM_THREADS=1 python scripts/finetune_poets.py --pad-check  (torch {torch.__version__}, "
        f"cpu capability {torch.backends.cpu.get_cpu_capability()})")
    say(f"masked bodies: {args.probe_steps} steps of {args.probe_batch} windows, seeds {args.seeds}, "
        f"probe on {pool} poems per poet, l2 grid {args.l2_grid}")
    rows = []
    for seed in args.seeds:
        t0 = time.perf_counter()
        body, loss = mlm.pretrain_small(train_stream, len(vocab), vocab.mask_id, vocab.sos_id, "masked",
                                        args.probe_steps, seed=seed, batch_size=args.probe_batch)
        row = {"seed": seed, "pretrain_loss": loss,
               "shipped_pretrain_loss": logged[seed]["pretrain_loss"] if seed in logged else None,
               "shipped_accuracy": logged[seed]["accuracy"] if seed in logged else None,
               "padded": read_probe(body, seed), "unpadded": read_probe(body, seed, unpadded=True)}
        row["seconds"] = round(time.perf_counter() - t0, 1)
        rows.append(row)
        shipped_text = ("" if row["shipped_pretrain_loss"] is None else
                        f" (shipped {row['shipped_pretrain_loss']:.4f}, probe {row['shipped_accuracy']:.1%})")
        say(f"masked seed {seed}: loss {loss:.4f}{shipped_text}; probe padded {row['padded']['accuracy']:.1%} "
            f"(l2 {row['padded']['l2']:g}), unpadded {row['unpadded']['accuracy']:.1%} "
            f"(l2 {row['unpadded']['l2']:g}) ({row['seconds']:.0f} s)")
    settings = {k: args.__dict__[k] for k in ("seeds", "probe_steps", "probe_batch", "l2_grid", "test_per_class",
                                               "val_per_class")}
    log = {"settings": settings, "pool_per_class": pool, "objective": "masked", "rows": rows,
           "torch": torch.__version__, "cpu_capability": torch.backends.cpu.get_cpu_capability(),
           "threads": torch.get_num_threads(), "seconds": round(time.perf_counter() - start, 1)}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(log, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    say(f"wrote {args.out} in {log['seconds']:.0f} s")
    args.out.with_suffix(".log").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return log


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=positive, nargs="+", default=[8, 32, 128, 301],
                    help="labelled poems per poet for the sample-efficiency curve")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--epochs", type=positive, default=5, help="passes over the training poems per run")
    ap.add_argument("--min-steps", type=positive, default=60)
    ap.add_argument("--max-steps", type=positive, default=150)
    ap.add_argument("--eval-every", type=positive, default=20, help="steps between validation checks")
    ap.add_argument("--batch-size", type=positive, default=16)
    ap.add_argument("--rank", type=positive, default=8, help="LoRA rank r of the methods comparison")
    ap.add_argument("--ranks", type=positive, nargs="*", default=[1, 32], help="further LoRA ranks to sweep")
    ap.add_argument("--alpha", type=float, default=16.0, help="LoRA alpha")
    ap.add_argument("--test-per-class", type=positive, default=100)
    ap.add_argument("--val-per-class", type=positive, default=50)
    ap.add_argument("--lm-batches", type=positive, default=8, help="validation windows (x32) for the LM loss")
    ap.add_argument("--l2-grid", type=float, nargs="+", default=[1e-4, 1e-3, 1e-2, 1e-1],
                    help="L2 strengths for the logistic regressions (validation picks one)")
    ap.add_argument("--probe-steps", type=positive, default=300, help="pretraining steps of the small bodies")
    ap.add_argument("--probe-batch", type=positive, default=16)
    ap.add_argument("--checkpoint", type=Path, default=None, help="folder of gpt_poems.pt (default: the package's)")
    ap.add_argument("--equal-targets", action="store_true",
                    help="only the masked body with k x --probe-steps (as many predicted tokens as causal)")
    ap.add_argument("--pad-check", action="store_true",
                    help="only part 5's masked bodies, probed with and without <pad> in the batches "
                         "(settings from the shipped finetune_poets.json; writes finetune_pad_check.json + .log)")
    ap.add_argument("--share-batches", type=positive, default=500,
                    help="windows (x --probe-batch) on which --equal-targets measures the masked share")
    ap.add_argument("--shipped-log", type=Path, default=DEFAULT_OUT,
                    help="the log whose settings --pad-check repeats (default: the shipped finetune_poets.json)")
    ap.add_argument("--out", type=Path, default=None, help="the log (default: finetune_poets.json, "
                    "or finetune_objectives_equal.json with --equal-targets, in src/helpers/data)")
    ap.add_argument("--force", action="store_true", help="overwrite --out if it exists")
    ap.add_argument("--parts", nargs="+", choices=PARTS, default=list(PARTS),
                    help="run only these experiments (several processes can share the work; see --merge)")
    ap.add_argument("--merge", type=Path, nargs="+", default=None,
                    help="combine logs written with the same settings and different --parts into --out")
    ap.add_argument("--no-progress", action="store_true")
    args = ap.parse_args(argv)
    if args.equal_targets and args.pad_check:
        ap.error("--equal-targets and --pad-check are two separate runs; give one of them")
    for flag in ("equal_targets", "pad_check"):
        if getattr(args, flag) and args.merge:
            ap.error(f"--{flag.replace('_', '-')} writes its own log; it cannot be combined with --merge")
    shipped = None
    if args.pad_check:  # part 5's settings, as the shipped log ran them
        try:
            shipped = finetune.load_log(args.shipped_log.parent, args.shipped_log.name)
        except FileNotFoundError as e:
            ap.error(str(e))
        for k in ("seeds", "probe_steps", "probe_batch", "l2_grid", "test_per_class", "val_per_class"):
            setattr(args, k, shipped["settings"][k])
    if args.out is None:
        args.out = EQUAL_OUT if args.equal_targets else PAD_OUT if args.pad_check else DEFAULT_OUT
    if args.out.exists() and not args.force:
        ap.error(f"{args.out} exists; pass --force to overwrite it (or --out elsewhere)")
    if args.merge:
        return merge(args.merge, args.out)
    torch.set_num_threads(1)
    start = time.perf_counter()
    model, vocab, info = pretrain.load(args.checkpoint)
    block = model.config.block_size
    pools, _ = finetune.poet_split(test_per_class=args.test_per_class)
    smallest = min(map(len, pools)) - args.val_per_class
    too_big = [n for n in args.sizes if n > smallest]
    if too_big:
        ap.error(f"--sizes {too_big} exceed the smallest pool of labelled poems ({smallest} per poet)")
    train_poems, val_poems = poems.train_val_split(poems.load_poems(), info["settings"]["val_fraction"])
    val_stream = poems.encode_stream(val_poems, vocab)
    lm_before = finetune.lm_loss(model, val_stream, args.lm_batches)
    lr = finetune.DEFAULT_LR

    def split(n: int | None, seed: int, block_size: int = block):
        return finetune.poet_splits(vocab, block_size, n, seed=seed, test_per_class=args.test_per_class,
                                    val_per_class=args.val_per_class)

    def run(method: str, n: int, seed: int, rank: int | None = None) -> tuple[dict, finetune.PoetClassifier]:
        train, val, test = split(n, seed)
        clf = finetune.prepare(model, method, r=rank or args.rank, alpha=args.alpha, seed=seed)
        trainable, total = lora.count_parameters(clf)
        t0 = time.perf_counter()
        best = finetune.train_to_best(clf, train, val, steps_for(n, args), lr[method], args.batch_size,
                                      seed=seed, eval_every=args.eval_every)
        return {"n_per_class": n, "seed": seed, "method": method, "accuracy": finetune.accuracy(clf, test),
                "val_accuracy": best["val_accuracy"], "best_step": best["best_step"],
                "max_steps": steps_for(n, args), "trainable": trainable, "total": total,
                "seconds": round(time.perf_counter() - t0, 1)}, clf

    train_stream = poems.encode_stream(train_poems, vocab)

    def read_probe(body, seed: int, unpadded: bool = False) -> dict:
        """A linear probe on the frozen body's mean features, L2 chosen on validation (part 5).

        ``unpadded``: every poem is read without its <pad> tokens (``finetune.pooled_unpadded``).
        """
        train, val, test = split(smallest, seed, body.config.block_size)
        probe = finetune.PoetClassifier(body).eval()
        with torch.no_grad():
            read = (lambda x, n: finetune.pooled_unpadded(probe, x, n)) if unpadded else probe.pooled
            feats = [read(d.x, d.lengths) for d in (train, val, test)]
        lin, l2 = finetune.fit_logistic_on_val(feats[0], train.y, feats[1], val.y, args.l2_grid)
        return {"l2": l2, "val_accuracy": finetune.logistic_accuracy(lin, feats[1], val.y),
                "accuracy": finetune.logistic_accuracy(lin, feats[2], test.y)}

    def probe_body(objective: str, seed: int, steps: int) -> dict:
        """Pretrain a small body with one objective and read it with a linear probe (part 5)."""
        t0 = time.perf_counter()
        body, final_loss = mlm.pretrain_small(train_stream, len(vocab), vocab.mask_id, vocab.sos_id, objective,
                                              steps, seed=seed, batch_size=args.probe_batch)
        return {"objective": objective, "seed": seed, "pretrain_loss": final_loss, **read_probe(body, seed),
                "seconds": round(time.perf_counter() - t0, 1)}

    if args.equal_targets:
        return equal_targets(args, probe_body, train_stream, vocab, start)
    if args.pad_check:
        return pad_check(args, read_probe, train_stream, vocab, start, shipped, smallest)

    parts = set(args.parts)
    n_runs = (2 * len(args.sizes) + 2 + len(args.ranks)) * len(args.seeds) + len(args.seeds) * 3
    bar = tqdm(total=n_runs, desc="fine-tuning", unit="run", disable=args.no_progress)

    # 3. the methods on the whole pool (full fine-tuning here doubles as the curve's largest point)
    methods, rank_sweep, energy = [], [], []
    for seed in args.seeds if "methods" in parts else []:
        for method in ("full", "frozen", "lora"):
            row, clf = run(method, smallest, seed)
            row["lm_loss_before"] = lm_before
            row["lm_loss_after"] = finetune.lm_loss(clf.body, val_stream, args.lm_batches)
            row["rank"] = args.rank if method == "lora" else None
            methods.append(row)
            if method == "full":  # how low-rank is the change full fine-tuning made?
                new = dict(clf.body.named_parameters())
                shares = [finetune.energy_in_top(new[name].detach() - p.detach(), (1, args.rank))
                          for name, p in model.named_parameters()
                          if name.endswith(tuple(t + ".weight" for t in lora.DEFAULT_TARGETS))]
                energy.append({"seed": seed, "matrices": len(shares),
                               **{f"rank_{r}": sum(s[r] for s in shares) / len(shares) for r in (1, args.rank)}})
            bar.update(1)
    for seed in args.seeds if "ranks" in parts else []:
        for rank in args.ranks:
            row, clf = run("lora", smallest, seed, rank)
            row["rank"] = rank
            row["lm_loss_after"] = finetune.lm_loss(clf.body, val_stream, args.lm_batches)
            rank_sweep.append(row)
            bar.update(1)

    # 1. the curve: pretrained (full fine-tuning) vs from scratch
    curve = []
    for n in args.sizes if "curve" in parts else []:
        for seed in args.seeds:
            for init, method in (("pretrained", "full"), ("scratch", "scratch")):
                same = [m for m in methods if m["method"] == "full" and m["seed"] == seed and n == smallest]
                row = dict(same[0]) if same else run(method, n, seed)[0]
                row["init"] = init
                curve.append({k: row[k] for k in ("n_per_class", "seed", "init", "accuracy", "val_accuracy",
                                                  "best_step", "max_steps")})
                bar.update(1)

    # 2. bag of characters: a logistic regression, no network, no pretraining
    bag = []
    for n in args.sizes if "baselines" in parts else []:
        for seed in args.seeds:
            train, val, test = split(n, seed)
            feats = [finetune.bag_of_characters(d, len(vocab)) for d in (train, val, test)]
            lin, l2 = finetune.fit_logistic_on_val(feats[0], train.y, feats[1], val.y, args.l2_grid)
            bag.append({"n_per_class": n, "seed": seed, "l2": l2,
                        "val_accuracy": finetune.logistic_accuracy(lin, feats[1], val.y),
                        "accuracy": finetune.logistic_accuracy(lin, feats[2], test.y)})

    # 5. causal vs masked pretraining, read by a linear probe (frozen features, logistic regression)
    objectives = []
    for objective in ("causal", "masked", "none") if "baselines" in parts else []:
        for seed in args.seeds:
            objectives.append(probe_body(objective, seed, args.probe_steps))
            bar.update(1)
    bar.close()
    folder = args.checkpoint or DEFAULT_OUT.parent
    sha = hashlib.sha256((folder / pretrain.CHECKPOINT_FILE).read_bytes()).hexdigest()
    small = mlm.pretrain_small.__defaults__  # (seed, n_layer, n_head, n_embd, block_size, batch_size, lr)
    log = {"settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()
                        if k not in ("out", "no_progress", "checkpoint", "force", "parts", "merge")},
           "checkpoint_sha256": sha, "authors": ["李白", "杜甫"], "pool_per_class": smallest,
           "val_size": 2 * args.val_per_class, "test_size": 2 * args.test_per_class,
           "learning_rates": lr, "pretrained": {"val_loss": info["metrics"]["val_loss"],
                                                "steps": info["metrics"]["steps_done"]},
           "small_bodies": {"n_layer": small[1], "n_head": small[2], "n_embd": small[3], "block_size": small[4],
                            "lr": small[6], "steps": args.probe_steps, "batch_size": args.probe_batch},
           "lm_loss_before": lm_before, "curve": curve, "bag_of_characters": bag, "methods": methods,
           "full_update_energy": energy, "rank_sweep": rank_sweep, "objectives": objectives,
           "seconds": round(time.perf_counter() - start, 1), "torch": torch.__version__,
           "parts": sorted(parts)}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(log, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    for m in methods:
        print(f"{m['method']:>7} seed {m['seed']}: accuracy {m['accuracy']:.1%}, trainable {m['trainable']:,}, "
              f"LM loss {m['lm_loss_before']:.3f} -> {m['lm_loss_after']:.3f}")
    print(f"wrote {args.out} in {log['seconds']:.0f} s")
    return log


if __name__ == "__main__":
    main()
