"""Counting n-gram language models (chapter 11): the baseline a GPT has to beat.

An n-gram model predicts a token from the ``order - 1`` tokens before it only, with probabilities
read off counts of the training sequences. Each sequence is padded on the left so that its first
tokens have a full context (``pad_id`` repeated; the poems' ``<sos>``), and every k-gram of the
padded sequence (k = 1..order) is counted: the conventions of NLTK's ``nltk.lm``.

Two ways to give unseen n-grams a probability (smoothing):

- ``"lidstone"`` (add-k): p(w | h) = (c(h, w) + k) / (c(h) + k |V|);
- ``"witten_bell"``: interpolate with the model one order lower,
  p(w | h) = (c(h, w) + u(h) p(w | h')) / (c(h) + u(h)), where h' drops the oldest token of h and
  u(h) is the number of distinct tokens seen after h: a context followed by many different tokens
  trusts its own counts less. The recursion ends at the unigram counts (maximum likelihood).

Both equal NLTK's ``Lidstone`` and ``WittenBellInterpolated`` scores (``tests/test_ngram.py``).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence

from ._checks import check_int, check_list, check_number

SMOOTHINGS = ("lidstone", "witten_bell")


class NGramLM:
    """A counted n-gram model over token ids 0..vocab_size-1."""

    def __init__(self, order: int, vocab_size: int, smoothing: str = "witten_bell", k: float = 1.0, pad_id: int = 1):
        if isinstance(order, bool) or not isinstance(order, int) or order < 1:
            raise ValueError(f"order must be an int >= 1, got {order!r}")
        if smoothing not in SMOOTHINGS:
            raise ValueError(f"smoothing must be one of {SMOOTHINGS}, got {smoothing!r}")
        if smoothing == "lidstone" and not k > 0:
            raise ValueError(f"k must be > 0 for add-k smoothing, got {k!r}")
        if smoothing == "lidstone":
            k = check_number(k, "k", low=0, low_open=True)
        check_int(vocab_size, "vocab_size", 1)
        check_int(pad_id, "pad_id", 0, vocab_size - 1)
        self.order, self.vocab_size, self.smoothing, self.k, self.pad_id = order, vocab_size, smoothing, k, pad_id
        self.counts: Counter[tuple[int, ...]] = Counter()  # c(h + (w,)) for every k-gram, k = 1..order
        self.total: Counter[tuple[int, ...]] = Counter()  # c(h): how often h is followed by a token
        self.distinct: Counter[tuple[int, ...]] = Counter()  # u(h): distinct tokens seen after h
        self.kept: set[tuple[int, ...]] | None = None  # fit(only_for=...): the contexts counted

    def pad(self, seq: Sequence[int]) -> list[int]:
        """The sequence with ``order - 1`` more pad tokens on the left."""
        return [self.pad_id] * (self.order - 1) + self._ids(seq, "seq")

    def _ids(self, seq: object, name: str) -> list[int]:
        """A sequence of token ids in 0..vocab_size-1, as a list of int."""
        items = list(check_list(seq, name, "int token ids"))
        vocab_size = self.vocab_size
        if all(type(t) is int and 0 <= t < vocab_size for t in items):  # the common case: one cheap pass
            return items
        return [check_int(t, f"{name}[{i}]", 0, vocab_size - 1) for i, t in enumerate(items)]

    def contexts_of(self, sequences: Iterable[Sequence[int]]) -> set[tuple[int, ...]]:
        """Every context that scoring ``sequences`` (``log_probs``, ``loss``) reads, with its suffixes."""
        off = self.order - 1
        keep: set[tuple[int, ...]] = {()}
        for i, seq in enumerate(check_list(sequences, "sequences", "token id sequences")):
            s = [self.pad_id] * off + self._ids(seq, f"sequences[{i}]")
            for t in range(1, len(s) - off):
                h = tuple(s[t : off + t])
                keep.update(h[j:] for j in range(len(h)))
        return keep

    def fit(self, sequences: Iterable[Sequence[int]], only_for: Iterable[Sequence[int]] | None = None) -> NGramLM:
        """Count every k-gram (k = 1..order) of every padded sequence.

        ``only_for``: the sequences the model will score. Only the k-grams whose context those
        sequences read are kept (``contexts_of``): their probabilities are exactly those of the full
        model, in a fraction of the memory; any other context then raises in ``prob``.
        """
        pads = [self.pad_id] * (self.order - 1)
        padded = [
            pads + self._ids(seq, f"sequences[{i}]")
            for i, seq in enumerate(check_list(sequences, "sequences", "token id sequences"))
        ]
        self.kept = None if only_for is None else self.contexts_of(only_for)
        keep = self.kept
        for n in range(1, self.order + 1):
            grams_all = (g for s in padded for g in zip(*(s[i:] for i in range(n))))
            if keep is not None and n > 1:
                grams_all = (g for g in grams_all if g[:-1] in keep)
            grams = Counter(grams_all)
            self.counts.update(grams)
            for g, c in grams.items():
                self.total[g[:-1]] += c
                self.distinct[g[:-1]] += 1
        return self

    def prob(self, token: int, context: Sequence[int]) -> float:
        """p(token | the last ``order - 1`` tokens of context)."""
        if not self.total[()]:
            raise ValueError("the model has counted nothing: call fit(sequences) with at least one token first")
        check_int(token, "token", 0, self.vocab_size - 1)
        context = self._ids(context, "context")
        h = tuple(context)[len(context) - (self.order - 1) :] if self.order > 1 else ()
        if self.kept is not None and h not in self.kept:
            raise ValueError(
                f"context {h} was not counted: the model was fit with only_for=..., for other "
                "sequences; fit it without only_for to score any context"
            )
        if self.smoothing == "lidstone":
            return (self.counts[h + (token,)] + self.k) / (self.total[h] + self.k * self.vocab_size)
        return self._witten_bell(token, h)

    def _witten_bell(self, token: int, h: tuple[int, ...]) -> float:
        if not h:
            return self.counts[(token,)] / self.total[()]
        lower = self._witten_bell(token, h[1:])
        total = self.total[h]
        if total == 0:  # an unseen context: all weight to the lower order
            return lower
        return (self.counts[h + (token,)] + self.distinct[h] * lower) / (total + self.distinct[h])

    def log_probs(self, seq: Sequence[int]) -> list[float]:
        """ln p(y_t | y_<t) for t = 1..len(seq)-1: the tokens after the first, as ``token_log_probs``."""
        s = self.pad(seq)
        off = self.order - 1
        out = []
        for t in range(1, len(s) - off):
            p = self.prob(s[off + t], s[off + t - (self.order - 1) : off + t])
            if p == 0:
                raise ValueError(
                    f"seq[{t}] = {s[off + t]} never occurs in the training sequences: its probability "
                    "is 0 (log -inf) under witten_bell; use smoothing='lidstone'"
                )
            out.append(math.log(p))
        return out

    def unseen_context_share(self, sequences: Iterable[Sequence[int]]) -> float:
        """Share of the predicted tokens whose full context (the ``order - 1`` tokens before) never
        occurs in the training sequences: where the model must fall back on a lower order."""
        if self.order == 1:
            return 0.0
        unseen, n = 0, 0
        for seq in check_list(sequences, "sequences", "token id sequences"):
            s = self.pad(seq)
            off = self.order - 1
            for t in range(1, len(s) - off):
                h = tuple(s[t : off + t])
                if self.kept is not None and h not in self.kept:
                    raise ValueError(f"context {h} was not counted: fit with only_for= these sequences")
                unseen += self.total[h] == 0
                n += 1
        if n == 0:
            raise ValueError("sequences hold no token to predict (each needs at least 2 tokens)")
        return unseen / n

    def loss(self, sequences: Iterable[Sequence[int]]) -> float:
        """Mean -ln p per predicted token (nats), over all the tokens after each sequence's first."""
        total, n = 0.0, 0
        for seq in check_list(sequences, "sequences", "token id sequences"):
            lp = self.log_probs(seq)
            total -= sum(lp)
            n += len(lp)
        if n == 0:
            raise ValueError("sequences hold no token to predict (each needs at least 2 tokens)")
        return total / n
