"""Learning BPE merges: a short reference trainer and a fast one that gives the same merges.

Both learn from a *word table*: each distinct pre-token (a whole training item when there
is no pre-tokenizer) once, with how often it occurs. Both pick, at each step, the pair with
the highest count, and among equal counts the smallest ``tie_key`` — the rule of the
``tokenizers`` library, so that the merges are identical to its own.

``train_merges_simple`` finds the best pair by scanning every pair count, and after a merge
recounts each word that held the pair. ``train_merges`` does the same work only where it is
needed:

1. a pair -> words index says which words to touch after a merge;
2. inside a word, only the neighbours of each merged occurrence change count;
3. the counts sit in a heap, so the best pair is found without scanning them all. A count
   only ever falls (a merge creates new pairs, it never adds to an old one), so the heap is
   repaired lazily: an entry whose count is out of date is pushed back with the right count
   when it reaches the top.
"""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from collections.abc import Iterable

from .._checks import check_bool, check_int, show
from ..i18n import t
from .core import Pair, check_pair, get_pair_counts, merge, tie_key, word_table


def _check_num_merges(num_merges: object) -> int:
    if isinstance(num_merges, bool) or not isinstance(num_merges, int):
        raise TypeError(f"num_merges must be an int, got {show(num_merges)}")
    if num_merges < 0:
        raise ValueError(f"num_merges must be >= 0, got {num_merges}")
    return num_merges


def train_merges_simple(texts: Iterable[str], num_merges: int, pattern: str | None = None) -> list[Pair]:
    """Learn ``num_merges`` merges from ``texts``: the short, readable reference trainer.

    ``pattern`` is a pre-tokenizer (e.g. ``GPT2_SPLIT_PATTERN``) or ``None`` for none; each
    item of ``texts`` is split on its own. Returns the merges in order; merge ``i`` creates
    token id ``256 + i``. Stops early if no pair is left to merge.
    """
    _check_num_merges(num_merges)
    words, freq = word_table(texts, pattern)
    counts: Counter = Counter()
    where: dict[Pair, set[int]] = {}
    for w, ids in enumerate(words):
        get_pair_counts(ids, counts, freq[w])
        for pair in zip(ids, ids[1:]):
            where.setdefault(pair, set()).add(w)

    merges: list[Pair] = []
    for i in range(num_merges):
        if not counts:
            break
        best = max(counts, key=lambda p: (counts[p], [-k for k in tie_key(p)]))
        new_id = 256 + i
        for w in where.pop(best, set()):
            old = words[w]
            new = merge(old, best, new_id)
            if new == old:
                continue
            for pair, c in get_pair_counts(old).items():
                counts[pair] -= c * freq[w]
                if counts[pair] <= 0:
                    del counts[pair]
            for pair, c in get_pair_counts(new).items():
                counts[pair] += c * freq[w]
                where.setdefault(pair, set()).add(w)
            words[w] = new
        counts.pop(best, None)
        merges.append(best)
    return merges


def merge_word(ids: list[int], pair: Pair, new_id: int) -> tuple[list[int], list[tuple[Pair, int]]]:
    """Merge ``pair`` in one word and list how the word's pair counts change.

    Returns ``(new_ids, changes)`` where ``changes`` holds ``(pair, +1 or -1)`` items. Only
    the neighbours of each merged occurrence change: in ``x a b y`` merging ``(a, b)`` into
    ``Z`` removes ``(x, a)``, ``(a, b)``, ``(b, y)`` and adds ``(x, Z)``, ``(Z, y)``. The left
    neighbour is read from the new word, so ``a a a a`` -> ``Z Z`` comes out right.

    >>> merge_word([1, 2, 3, 1, 2], (1, 2), 9)
    ([9, 3, 9], [((1, 2), -1), ((2, 3), -1), ((9, 3), 1), ((3, 1), -1), ((3, 9), 1), ((1, 2), -1)])
    """
    if not isinstance(ids, list):
        raise TypeError(f"ids must be a list of int token ids, got {show(ids)}")
    a, b = check_pair(pair)
    check_int(new_id, "new_id", low=0)
    out: list[int] = []
    changes: list[tuple[Pair, int]] = []
    i = 0
    while True:
        try:
            j = ids.index(a, i)  # jump to the next `a` (a fast scan in C)
        except ValueError:
            break
        if j + 1 < len(ids) and ids[j + 1] == b:
            out += ids[i:j]
            if out:
                changes += [((out[-1], a), -1), ((out[-1], new_id), 1)]
            changes.append((pair, -1))
            if j + 2 < len(ids):
                changes += [((b, ids[j + 2]), -1), ((new_id, ids[j + 2]), 1)]
            out.append(new_id)
            i = j + 2
        else:
            out += ids[i : j + 1]
            i = j + 1
    out += ids[i:]
    return out, changes


def _heap_entry(pair: Pair, count: int) -> tuple[int, tuple[int, int], Pair]:
    """Heap order = pick order: the highest count first, then the smallest tie key."""
    return (-count, tie_key(pair), pair)


def train_merges(
    texts: Iterable[str], num_merges: int, pattern: str | None = None, verbose: bool = False
) -> list[Pair]:
    """Learn ``num_merges`` merges from ``texts``, fast; same result as ``train_merges_simple``.

    ``pattern`` is a pre-tokenizer (e.g. ``GPT2_SPLIT_PATTERN``) or ``None`` for none; each
    item of ``texts`` is split on its own. Returns the merges in order; merge ``i`` creates
    token id ``256 + i``. Stops early if no pair is left to merge.
    """
    _check_num_merges(num_merges)
    check_bool(verbose, "verbose")
    words, freq = word_table(texts, pattern)  # each distinct word once, with its frequency
    counts: dict[Pair, int] = defaultdict(int)  # pair -> occurrences in the whole corpus
    where: dict[Pair, set[int]] = defaultdict(set)  # pair -> the words that hold it
    for w, ids in enumerate(words):
        for pair in zip(ids, ids[1:]):
            counts[pair] += freq[w]
            where[pair].add(w)
    heap = [_heap_entry(p, c) for p, c in counts.items()]
    heapq.heapify(heap)

    merges: list[Pair] = []
    while heap and len(merges) < num_merges:
        neg_count, _, best = heapq.heappop(heap)
        if -neg_count != counts[best]:  # out of date: the count fell since it was pushed
            if counts[best] > 0:
                heapq.heappush(heap, _heap_entry(best, counts[best]))
            continue
        new_id = 256 + len(merges)
        born: set[Pair] = set()
        for w in where.pop(best):
            words[w], changes = merge_word(words[w], best, new_id)
            for pair, sign in changes:
                counts[pair] += sign * freq[w]
                if sign > 0:
                    where[pair].add(w)
                    born.add(pair)
        del counts[best]
        for pair in born:  # pairs with the new token: first time in the heap
            if counts[pair] > 0:
                heapq.heappush(heap, _heap_entry(pair, counts[pair]))
        merges.append(best)
        if verbose:
            print(t("merge {k}/{total}: {pair} -> {new_id}", k=len(merges), total=num_merges, pair=best, new_id=new_id))
    return merges
