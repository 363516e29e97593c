"""Chapter 12's real LLM (SmolLM2-135M-Instruct, helpers.llama): load time, peak memory, time per
generated token with and without the KV cache, and which attention heads look at the first or the
previous token.

    python scripts/bench_llama.py [--positions 16 64 128 256] [--repeats 5] [--json out.json]

Time per token at position p: without the cache, one forward pass over all p tokens (what each step
of cache-less generation costs there); with it, one pass of the newest token against a cache of the
p - 1 before it. Each is the median of --repeats runs (the machine may be shared: medians, not means).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time

import torch


def peak_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports KB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


SAMPLE = (
    "The Transformer reads a whole sentence at once. Each word looks at every other word and decides "
    "how much each one matters. Stacked layers build on this, until the model can predict the next "
    "word of a story, a poem or a program. Training adjusts millions of numbers, one small step at a "
    "time, so that the predicted words become the words that really follow."
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--positions", type=int, nargs="+", default=[16, 64, 128, 256])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threshold", type=float, default=0.5, help="a head 'attends to' a token above this")
    parser.add_argument("--json", help="also write the figures to this JSON file")
    args = parser.parse_args()

    base = peak_mb()
    from helpers.llama import (
        LlamaTokenizer,
        first_and_previous_attention,
        load_llama,
        striking_heads,
        time_next_token,
    )

    start = time.perf_counter()
    model = load_llama()
    load_s = time.perf_counter() - start
    start = time.perf_counter()
    tok = LlamaTokenizer.from_gguf()
    tok_s = time.perf_counter() - start
    ids = torch.tensor([tok.encode(SAMPLE)])
    with torch.no_grad():
        start = time.perf_counter()
        model(ids)
        forward_s = time.perf_counter() - start
    peak = peak_mb()
    print(f"torch threads: {torch.get_num_threads()}")
    print(f"load model: {load_s:.1f} s   tokenizer: {tok_s:.1f} s   "
          f"forward of {ids.shape[1]} tokens: {forward_s:.2f} s")
    print(f"peak memory after loading and one forward pass: {peak:.0f} MB (of which {base:.0f} MB before loading)")

    gen = torch.Generator().manual_seed(0)
    rows = []
    print(f"\n{'position':>8} {'no cache (ms)':>14} {'KV cache (ms)':>14} {'speed-up':>9}")
    for p in args.positions:
        seq = torch.randint(0, model.config.vocab_size, (1, p), generator=gen)
        plain = time_next_token(model, seq, use_cache=False, repeats=args.repeats)
        cached = time_next_token(model, seq, use_cache=True, repeats=args.repeats)
        rows.append({"position": p, "no_cache_s": plain, "cache_s": cached, "speedup": plain / cached})
        print(f"{p:>8} {1000 * plain:>14.1f} {1000 * cached:>14.1f} {plain / cached:>8.1f}x")

    first, previous = first_and_previous_attention(model, ids)
    sinks, prevs = striking_heads(first, args.threshold), striking_heads(previous, args.threshold)
    n = first.numel()
    print(f"\nattention on {ids.shape[1]} tokens of English, queries from position 2 on "
          f"({first.shape[0]} layers x {first.shape[1]} heads = {n}):")
    print(f"  heads with >= {args.threshold:.0%} of their attention on the first token: {len(sinks)} of {n}; "
          f"median over all heads {statistics.median(first.flatten().tolist()):.2f}")
    print("    strongest: " + ", ".join(f"L{layer}H{head} {v:.2f}" for layer, head, v in sinks[:6]))
    print(f"  heads with >= {args.threshold:.0%} on the previous token: {len(prevs)}")
    print("    strongest: " + ", ".join(f"L{layer}H{head} {v:.2f}" for layer, head, v in prevs[:6]))
    per_layer = (first >= args.threshold).sum(1).tolist()
    print("  sink heads per layer: " + " ".join(str(c) for c in per_layer))

    if args.json:
        figures = {"load_s": load_s, "tokenizer_s": tok_s, "forward_s": forward_s, "forward_tokens": ids.shape[1],
                   "peak_mb": peak, "base_mb": base, "threads": torch.get_num_threads(), "per_token": rows,
                   "sink_heads": sinks, "previous_token_heads": prevs}
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(figures, f, indent=2)


if __name__ == "__main__":
    main()
