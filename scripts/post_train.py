"""Post-train the poem GPT for chapter 13 and write its checkpoints and logs (`make post-train`).

    python scripts/post_train.py sft        # instruction tuning, loss on the answer only, seeds
    python scripts/post_train.py sft_prompt_loss  # the same with the prompt in the loss too
    python scripts/post_train.py dpo        # preference pairs from the SFT model's samples, DPO for each beta
    python scripts/post_train.py dpo_sft    # the same pairs, DPO plus the SFT loss on the chosen answers (RPO)
    python scripts/post_train.py dpo_gentle # the same pairs, DPO with larger betas, a smaller lr, fewer steps
    python scripts/post_train.py grpo       # GRPO with the form reward, seeds
    python scripts/post_train.py grpo_more  # the same with 8x the prompts (120 steps of 16 instead of 30 of 8)
    python scripts/post_train.py grpo_hack  # GRPO with the flawed punctuation reward
    python scripts/post_train.py baselines  # best-of-n and fine-tuning on the model's own good samples
    python scripts/post_train.py sft --steps 5 --seeds 0 --n-eval 20 --out /tmp/post   # a quick try

Each stage writes src/helpers/data/post_<stage>.json (settings, per-run results, curves, timings)
and, for sft, dpo, grpo and grpo_hack, post_<stage>.pt (float16, the first seed's model; for dpo
the model of the beta given by --keep-beta). dpo, grpo, grpo_hack and baselines start from
post_sft.pt. Nothing is written until a stage has finished, and an existing file is never
overwritten unless --force is given. Every number is evaluated on the same held-out requests
(``chat.eval_requests``), one answer each, sampled at temperature 1 with seed 0.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from pathlib import Path

import torch

from helpers import poems, pretrain
from helpers.generate import cut_at_eos, generate
from helpers.post import chat as chat_mod
from helpers.post import dpo, grpo, rewards, sampling, sft, store

DATA = store.data_dir()
VOCAB: list = []  # the character vocabulary, set by main


def spread(values: list[float]) -> dict:
    return {"mean": statistics.mean(values), "min": min(values), "max": max(values),
            "sd": statistics.stdev(values) if len(values) > 1 else 0.0, "values": values}


def evaluate(model, chat, requests, ref=None) -> dict:
    """Follow rates (and the KL from ``ref``) on the eval requests, answers sampled with seed 0.

    ``per_request``: for "first_ok" and "both", one character per request, "1" if the answer passes
    ("0" if not), so that two models' logs can be compared instruction by instruction (McNemar)."""
    if ref is None:
        texts = sampling.answers(model, chat, requests, seed=0)
        out = {}
    else:
        kl = sampling.kl_from(model, ref, chat, requests, seed=0)
        texts = kl.pop("answers")
        out = kl
    cs = [sampling.checks(a, r) for a, r in zip(texts, requests)]
    per_request = {"first_ok": "".join("1" if c["first_ok"] else "0" for c in cs),
                   "both": "".join("1" if c["first_ok"] and c["form_ok"] else "0" for c in cs)}
    return {**sampling.follow_rates(texts, requests), **out, "examples": texts[:8], "per_request": per_request}


@torch.no_grad()
def base_prefix_answers(model, vocab, requests, seed: int = 0) -> list[str]:
    """The pretrained model prompted with <sos> + the requested first character (no instruction)."""
    g = torch.Generator().manual_seed(seed)
    out = []
    for i in range(0, len(requests), 100):
        batch = requests[i: i + 100]
        prompt = torch.tensor([[vocab.sos_id, vocab.stoi.get(r.first_char, vocab.unk_id)] for r in batch])
        ids = generate(model, prompt, 72, generator=g, eos_id=vocab.eos_id)
        out += [vocab.decode(cut_at_eos(row[1:], vocab.eos_id), skip_specials=True) for row in ids]
    return out


def train_requests(n: int, seed: int) -> list[chat_mod.Request]:
    train, _ = poems.train_val_split(poems.load_poems())
    return chat_mod.requests_from(train, VOCAB[0], n, seed)


def _sft_job(args, loss_on: str, seed: int) -> dict:
    """One SFT run (in a worker process): train from the pretrained model, evaluate -> run dict + weights."""
    base, vocab, chat, requests = _setup(args)
    train, val = poems.train_val_split(poems.load_poems())
    examples = sft.examples_from_poems(train, chat, base.config.block_size)
    val_examples = sft.examples_from_poems(val[: args.n_val_loss], chat, base.config.block_size)
    torch.manual_seed(seed)
    model = chat_mod.extend_model(base, seed=seed)
    t0 = time.perf_counter()
    log = sft.train_sft(model, examples, chat.pad_id, args.steps, args.batch_size, args.lr, loss_on, seed)
    secs = time.perf_counter() - t0
    run = {"loss_on": loss_on, "seed": seed, "train_seconds": round(secs, 1), "log": log,
           "answer_loss": sft.answer_loss(model, val_examples, chat.pad_id), **evaluate(model, chat, requests)}
    print(f"sft loss_on={loss_on} seed={seed}: both {run['both']:.3f} form {run['form_ok']:.3f} "
          f"first {run['first_ok']:.3f} regular {run['regular']:.3f} answer loss {run['answer_loss']:.3f} "
          f"({secs:.0f} s)", flush=True)
    return {"run": run, "state": model.state_dict()}


def stage_sft(args, base, vocab, chat, requests) -> tuple[dict, object]:
    train, val = poems.train_val_split(poems.load_poems())
    examples = sft.examples_from_poems(train, chat, base.config.block_size)
    val_examples = sft.examples_from_poems(val[: args.n_val_loss], chat, base.config.block_size)
    untuned = chat_mod.extend_model(base, seed=0)
    result = {"base_prefix": {**sampling.follow_rates(base_prefix_answers(base, vocab, requests), requests)},
              "base_chat": evaluate(untuned, chat, requests),
              "base_chat_answer_loss": sft.answer_loss(untuned, val_examples, chat.pad_id),
              "n_train_examples": len(examples), "runs": []}
    jobs = [(loss_on, seed) for loss_on in args.loss_on for seed in args.seeds]
    outs = _parallel(_sft_job, args, jobs)
    result["runs"] = [o["run"] for o in outs]
    keep = None
    if args.stage == "sft":
        keep = chat_mod.extend_model(base, seed=0)
        keep.load_state_dict(outs[0]["state"])
    for loss_on in args.loss_on:
        runs = [r for r in result["runs"] if r["loss_on"] == loss_on]
        result[f"summary_{loss_on}"] = {k: spread([r[k] for r in runs])
                                        for k in ("both", "form_ok", "first_ok", "regular", "answer_loss")}
    return result, keep


def _setup(args):
    """In a worker: one thread, the pretrained model, its vocabulary, the chat format, the eval requests."""
    torch.set_num_threads(1)
    base, vocab, _ = pretrain.load()
    if not VOCAB:
        VOCAB.append(vocab)
    return base, vocab, chat_mod.ChatFormat(vocab), chat_mod.eval_requests(vocab, args.n_eval, seed=0)


def _parallel(fn, args, jobs: list[tuple]) -> list:
    """fn(args, *job) for every job, in ``args.workers`` processes (results in job order)."""
    if args.workers <= 1:
        return [fn(args, *job) for job in jobs]
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=args.workers, mp_context=mp.get_context("spawn")) as ex:
        futures = [ex.submit(fn, args, *job) for job in jobs]
        return [f.result() for f in futures]


def _sft_model(args):
    """The SFT model the later stages start from: post_sft.pt in --sft-from (default: --out)."""
    return store.load_model("sft", args.sft_from or args.out)


def sample_groups(model, chat, requests, group_size: int, seed: int) -> list:
    """For each request, ``group_size`` answers (ids, rewards, prompt length): DPO's raw material."""
    return dpo.sample_groups(model, chat, requests, group_size, seed)


def _dpo_job(args, pairs, beta: float, seed: int) -> dict:
    _, _, _, requests = _setup(args)
    sft_model, chat = _sft_model(args)
    torch.manual_seed(seed)
    policy = _copy(sft_model)
    t1 = time.perf_counter()
    log = dpo.train_dpo(policy, sft_model, pairs, chat.pad_id, beta, args.steps, args.batch_size, args.lr, seed,
                        sft_weight=args.sft_weight)
    run = {"beta": beta, "sft_weight": args.sft_weight, "seed": seed,
           "train_seconds": round(time.perf_counter() - t1, 1), "log": log,
           **evaluate(policy, chat, requests, ref=sft_model)}
    print(f"{args.stage} beta={beta} seed={seed}: regular {run['regular']:.3f} both {run['both']:.3f} "
          f"KL {run['kl']:.2f} ({run['train_seconds']:.0f} s)", flush=True)
    return {"run": run, "state": policy.state_dict()}


def stage_dpo(args, sft_model, chat, requests) -> tuple[dict, object]:
    t0 = time.perf_counter()
    groups = sample_groups(sft_model, chat, train_requests(args.pair_prompts, 1), args.group_size, seed=1)
    pairs = dpo.make_pairs(groups, seed=0)
    result = {"n_prompts": len(groups), "n_pairs": len(pairs), "pair_seconds": round(time.perf_counter() - t0, 1),
              "sft": evaluate(sft_model, chat, requests, ref=sft_model), "runs": []}
    print(f"dpo: {len(pairs)} pairs from {len(groups)} prompts", flush=True)
    jobs = [(pairs, beta, seed) for beta in args.betas for seed in args.seeds]
    outs = _parallel(_dpo_job, args, jobs)
    result["runs"] = [o["run"] for o in outs]
    keep = None
    for (_, beta, _), o in zip(jobs, outs):
        if keep is None and beta == args.keep_beta and args.stage == "dpo":
            keep = _copy(sft_model)
            keep.load_state_dict(o["state"])
    for beta in args.betas:
        runs = [r for r in result["runs"] if r["beta"] == beta]
        result[f"summary_beta_{beta}"] = {k: spread([r[k] for r in runs]) for k in ("both", "form_ok", "regular", "kl")}
    return result, keep


def _copy(model):
    import copy

    return copy.deepcopy(model).train()


def _grpo_job(args, reward_name: str, seed: int) -> dict:
    _, _, _, requests = _setup(args)
    sft_model, chat = _sft_model(args)
    reqs = train_requests(2000, 2)
    torch.manual_seed(seed)
    policy = _copy(sft_model)
    t1 = time.perf_counter()
    log = grpo.train_grpo(policy, sft_model, chat, reqs, rewards.REWARDS[reward_name], args.steps,
                          args.prompts_per_step, args.group_size, args.inner_steps, args.lr, args.clip,
                          args.kl_beta, seed=seed)
    ev = evaluate(policy, chat, requests, ref=sft_model)
    texts = sampling.answers(policy, chat, requests, seed=0)
    ev["punctuation_reward"] = statistics.mean(rewards.score("punctuation", texts, requests))
    ev["form_reward"] = statistics.mean(rewards.score("form", texts, requests))
    run = {"seed": seed, "train_seconds": round(time.perf_counter() - t1, 1), "log": log, **ev}
    print(f"grpo[{reward_name}] seed={seed}: regular {run['regular']:.3f} both {run['both']:.3f} "
          f"KL {run['kl']:.2f} last reward {log[-1]['reward']:.3f} ({run['train_seconds']:.0f} s)", flush=True)
    return {"run": run, "state": policy.state_dict()}


def stage_grpo(args, sft_model, chat, requests, reward_name: str) -> tuple[dict, object]:
    sft_texts = sampling.answers(sft_model, chat, requests, seed=0)
    result = {"reward": reward_name, "sft": {**evaluate(sft_model, chat, requests, ref=sft_model),
                                             "punctuation_reward": statistics.mean(
                                                 rewards.score("punctuation", sft_texts, requests))}}
    outs = _parallel(_grpo_job, args, [(reward_name, seed) for seed in args.seeds])
    result["runs"] = [o["run"] for o in outs]
    keep = _copy(sft_model)
    keep.load_state_dict(outs[0]["state"])
    result["summary"] = {k: spread([r[k] for r in result["runs"]]) for k in ("both", "form_ok", "regular", "kl")}
    return result, keep


def stage_baselines(args, sft_model, chat, requests) -> dict:
    # best-of-n: n answers per eval request from the SFT model; pick one the reward accepts, if any
    g = torch.Generator().manual_seed(3)
    n_max = max(args.best_of)
    ok = []  # (requests, n_max) rewards
    for r in requests:
        ids, _, tp = sampling.sample(sft_model, chat, [r] * n_max, g)
        ok.append([rewards.form_reward(chat.decode_answer(row[tp:]), r) for row in ids])
    okt = torch.tensor(ok)
    import math

    best_of = [{"n": n, "both": okt[:, :n].max(1).values.mean().item(),
                "kl_bound": math.log(n) - (n - 1) / n} for n in args.best_of]
    # fine-tuning on the model's own good samples (rejection-sampling fine-tuning)
    result = {"best_of": best_of, "rft": [o["run"] for o in _parallel(_rft_job, args, [(s,) for s in args.seeds])]}
    result["rft_summary"] = {k: spread([r[k] for r in result["rft"]]) for k in ("both", "form_ok", "regular", "kl")}
    return result


def _rft_job(args, seed: int) -> dict:
    _, _, _, requests = _setup(args)
    sft_model, chat = _sft_model(args)
    groups = sample_groups(sft_model, chat, train_requests(args.pair_prompts, 10 + seed), args.group_size, seed)
    good = [(row, tp) for rows, scores, tp in groups for row, s in zip(rows, scores) if s == 1.0]
    policy = _copy(sft_model)
    t1 = time.perf_counter()
    log = sft.train_sft(policy, good, chat.pad_id, args.steps, args.batch_size, args.lr, "answer", seed)
    run = {"seed": seed, "n_good": len(good), "n_sampled": sum(len(g_[0]) for g_ in groups),
           "train_seconds": round(time.perf_counter() - t1, 1), "log": log,
           **evaluate(policy, chat, requests, ref=sft_model)}
    print(f"rft seed={seed}: regular {run['regular']:.3f} both {run['both']:.3f} KL {run['kl']:.2f}", flush=True)
    return {"run": run}


DEFAULTS = {
    "sft": dict(steps=300, batch_size=32, lr=6e-4, seeds=[0, 1, 2]),
    "sft_prompt_loss": dict(steps=300, batch_size=32, lr=6e-4, seeds=[0, 1, 2]),
    "dpo": dict(steps=40, batch_size=16, lr=1e-4, seeds=[0, 1, 2]),
    "dpo_sft": dict(steps=40, batch_size=16, lr=1e-4, seeds=[0, 1, 2], sft_weight=1.0),
    "dpo_gentle": dict(steps=20, batch_size=16, lr=2e-5, seeds=[0, 1, 2], betas=[1.0, 3.0]),
    "grpo": dict(steps=30, lr=1e-4, seeds=[0, 1, 2]),
    "grpo_more": dict(steps=120, prompts_per_step=16, lr=1e-4, seeds=[0, 1, 2]),
    "grpo_hack": dict(steps=30, lr=1e-4, seeds=[0]),
    "baselines": dict(steps=60, batch_size=32, lr=1e-4, seeds=[0, 1, 2]),
}


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("stage", choices=store.STAGES)
    ap.add_argument("--steps", type=int, help="training steps per run (default: per stage)")
    ap.add_argument("--batch-size", type=int, help="examples (sft) or pairs (dpo) per step")
    ap.add_argument("--lr", type=float, help="AdamW learning rate (default: per stage)")
    ap.add_argument("--seeds", type=int, nargs="+", help="one run per seed (default: per stage)")
    ap.add_argument("--betas", type=float, nargs="+", help="DPO's beta values (default: 0.1 0.3 1.0; "
                    "dpo_gentle: 1.0 3.0)")
    ap.add_argument("--sft-weight", type=float, help="dpo_sft: weight of the SFT loss on the chosen answers "
                    "(TRL's rpo_alpha; default 1.0; dpo: 0)")
    ap.add_argument("--keep-beta", type=float, default=0.1, help="the DPO beta whose model is saved")
    ap.add_argument("--pair-prompts", type=int, default=256, help="prompts sampled for DPO pairs / good samples")
    ap.add_argument("--group-size", type=int, default=8, help="answers per prompt (DPO pairs, GRPO groups)")
    ap.add_argument("--prompts-per-step", type=int, help="GRPO: prompts per step")
    ap.add_argument("--inner-steps", type=int, default=2, help="GRPO: gradient steps per batch of samples")
    ap.add_argument("--clip", type=float, default=0.2, help="GRPO: the ratio's clip range epsilon")
    ap.add_argument("--kl-beta", type=float, default=0.04, help="GRPO: the KL penalty's weight beta")
    ap.add_argument("--best-of", type=int, nargs="+", default=[1, 2, 4, 8, 16])
    ap.add_argument("--n-eval", type=int, default=200, help="held-out requests for every evaluation")
    ap.add_argument("--n-val-loss", type=int, default=400, help="held-out poems for the answer loss")
    ap.add_argument("--out", type=Path, default=DATA, help="folder for post_<stage>.json/.pt")
    ap.add_argument("--sft-from", type=Path, default=None, help="folder of post_sft.pt (default: --out)")
    ap.add_argument("--workers", type=int, default=3, help="runs trained at once, in separate processes")
    ap.add_argument("--force", action="store_true", help="overwrite existing files")
    args = ap.parse_args(argv)
    for k, v in DEFAULTS[args.stage].items():
        if getattr(args, k, None) is None:
            setattr(args, k, v)
    for k, v in (("batch_size", 16), ("sft_weight", 0.0), ("prompts_per_step", 8), ("betas", [0.1, 0.3, 1.0])):
        if getattr(args, k, None) is None:
            setattr(args, k, v)
    args.out.mkdir(parents=True, exist_ok=True)
    json_path, pt_path = args.out / f"post_{args.stage}.json", args.out / f"post_{args.stage}.pt"
    for p in (json_path, pt_path) if args.stage != "sft_prompt_loss" else (json_path,):
        if p.exists() and not args.force:
            raise SystemExit(f"{p} exists: pass --force to overwrite it")
    torch.set_num_threads(1)
    t0 = time.perf_counter()
    base, vocab, _ = pretrain.load()
    chat = chat_mod.ChatFormat(vocab)
    VOCAB.append(vocab)
    requests = chat_mod.eval_requests(vocab, args.n_eval, seed=0)
    keep = None
    if args.stage in ("sft", "sft_prompt_loss"):
        args.loss_on = ["answer"] if args.stage == "sft" else ["all"]
        result, keep = stage_sft(args, base, vocab, chat, requests)
    else:
        sft_model, chat = _sft_model(args)
        if args.stage in ("dpo", "dpo_sft", "dpo_gentle"):
            result, keep = stage_dpo(args, sft_model, chat, requests)
        elif args.stage in ("grpo", "grpo_more", "grpo_hack"):
            result, keep = stage_grpo(args, sft_model, chat, requests,
                                      "punctuation" if args.stage == "grpo_hack" else "form")
            keep = None if args.stage == "grpo_more" else keep  # no checkpoint: the log is what chapter 13 reads
        else:
            result = stage_baselines(args, sft_model, chat, requests)
    settings = {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items() if k not in ("force",)}
    info = {"stage": args.stage, "settings": settings, "results": result,
            "seconds": round(time.perf_counter() - t0, 1), "torch": torch.__version__,
            "machine": platform.machine(), "threads": 1}
    if keep is not None:
        store.save_model(keep, chat, args.stage, args.out)
    if pt_path.exists():
        info["checkpoint_bytes"] = pt_path.stat().st_size
    json_path.write_text(json.dumps(info, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {json_path}" + (f" and {pt_path}" if keep is not None else "") + f" in {info['seconds']:.0f} s")
    return info


if __name__ == "__main__":
    main()
