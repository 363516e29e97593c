"""Time the book's BPE trainers beside the Hugging Face `tokenizers` library, on the same text.

The text is about 200 KB of English prose from Python's own help topics (offline; it differs
slightly between Python versions). Each trainer learns the same number of merges; the script
checks that all of them learn the same merges and prints the median of a few runs.

    python scripts/bench_bpe.py [--kb 200] [--merges 256] [--repeats 3] [--with-slow-reference]

`train_merges_simple` (the readable reference trainer) is timed with the GPT-2 regex; without
the regex it takes tens of seconds, so it runs only with --with-slow-reference.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from helpers import bpe, corpus


def median_seconds(fn, repeats: int) -> tuple[float, object]:
    """Median wall time of ``repeats`` calls of ``fn()``, and its (last) result."""
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kb", type=int, default=200, help="kilobytes of prose (default 200)")
    parser.add_argument("--merges", type=int, default=256, help="merges to learn (default 256)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per figure; the median is printed")
    parser.add_argument("--with-slow-reference", action="store_true", help="also time the reference without regex")
    args = parser.parse_args(argv)

    texts = corpus.python_docs_prose(args.kb * 1000)
    n_bytes = sum(len(t.encode("utf-8")) for t in texts)
    print(
        f"BPE training: {n_bytes / 1000:.0f} KB of prose ({len(texts)} paragraphs), {args.merges} merges, "
        f"median of {args.repeats} runs"
    )
    print(
        f"{'pre-tokenizer':16s} {'reference (s)':>14s} {'fast (s)':>9s} {'tokenizers (s)':>15s} "
        f"{'fast / tokenizers':>18s}  merges equal"
    )
    ok = True
    for name, pattern, use_regex in (("none", None, False), ("GPT-2 regex", bpe.GPT2_SPLIT_PATTERN, True)):
        fast_s, fast = median_seconds(lambda p=pattern: bpe.train_merges(texts, args.merges, pattern=p), args.repeats)
        hf_s, hf = median_seconds(
            lambda r=use_regex: bpe.hf_reference_tokenizer(texts, args.merges, use_regex=r), args.repeats
        )
        equal = bpe.hf_merges_as_ids(hf) == fast
        ref = "-"
        if use_regex or args.with_slow_reference:
            runs = args.repeats if use_regex else 1  # tens of seconds without the regex: once is enough
            ref_s, simple = median_seconds(
                lambda p=pattern: bpe.train_merges_simple(texts, args.merges, pattern=p), runs
            )
            equal = equal and simple == fast
            ref = f"{ref_s:.2f}"
        ok = ok and equal
        print(f"{name:16s} {ref:>14s} {fast_s:9.2f} {hf_s:15.2f} {fast_s / hf_s:17.1f}×  {'yes' if equal else 'NO'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
