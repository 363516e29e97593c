"""The building blocks of byte-level BPE: bytes, pairs, merges, and GPT-2's pre-tokenizer.

Every token is a list of byte ids 0..255 at first; a merge replaces one adjacent pair of ids
by a new id. The *pre-tokenizer* (optional) first cuts text into words with a regular
expression, so that no pair, and therefore no token, ever spans two words.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

import regex

from .._checks import check_int, show

Pair = tuple[int, int]

# GPT-2's pre-tokenizer: English contractions, a letter run, a digit run or a run of other
# symbols (each with at most one leading space), then whitespace. `\s+(?!\S)` keeps the last
# space of a run of spaces for the word that follows it. Every character is matched by one
# of the alternatives, so the pieces always join back into the text.
GPT2_SPLIT_PATTERN = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""


def bytes_to_unicode() -> dict[int, str]:
    """GPT-2's map from each of the 256 bytes to a printable Unicode character.

    Printable ASCII and Latin-1 bytes map to themselves; the other 68 bytes (space,
    control characters, ...) map to characters from U+0100 on, so a space becomes "Ġ".
    """
    keep = (
        list(range(ord("!"), ord("~") + 1))
        + list(range(ord("¡"), ord("¬") + 1))
        + list(range(ord("®"), ord("ÿ") + 1))
    )
    chars = keep[:]
    n = 0
    for b in range(256):
        if b not in keep:
            keep.append(b)
            chars.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(keep, chars)}


def _hf_byte_rank() -> list[int]:
    """rank[b] = the id the ``tokenizers`` trainer gives byte ``b`` (alphabet sorted by char)."""
    char = bytes_to_unicode()
    order = sorted(range(256), key=lambda b: char[b])
    rank = [0] * 256
    for i, b in enumerate(order):
        rank[b] = i
    return rank


_HF_RANK = _hf_byte_rank()


def tie_key(pair: Pair) -> tuple[int, int]:
    """Order of pairs among equal counts: smaller wins, as in the ``tokenizers`` trainer.

    The trainer numbers the 256 bytes in the order of their GPT-2 characters (so a space,
    "Ġ", comes late) and each merged token by its creation, 256, 257, ...
    """
    a, b = check_pair(pair, "pair")
    return (_HF_RANK[a] if a < 256 else a, _HF_RANK[b] if b < 256 else b)


def check_ids(ids: object, name: str = "ids") -> Sequence[int]:
    """A list (tuple, bytes) of token ids; a str, a tensor or a non-sequence is refused.

    Only the container is checked (the functions that take ids loop over them in Python anyway).
    """
    if isinstance(ids, str) or not isinstance(ids, (Sequence, bytearray)):
        hint = " (use .tolist())" if hasattr(ids, "tolist") else ""
        raise TypeError(f"{name} must be a list of int token ids, got {show(ids)}{hint}")
    return ids  # type: ignore[return-value]


def check_pair(pair: object, name: str = "pair") -> Pair:
    """A pair of token ids: two ints >= 0."""
    if not isinstance(pair, (tuple, list)):
        raise TypeError(f"{name} must be a pair (a, b) of int token ids, got {show(pair)}")
    if len(pair) != 2:
        raise ValueError(f"{name} must be a pair (a, b) of int token ids, got {len(pair)} items: {show(pair)}")
    for x in pair:
        if isinstance(x, bool) or not isinstance(x, int):
            raise TypeError(f"{name} must be a pair (a, b) of int token ids, got {show(pair)}")
        if x < 0:
            raise ValueError(f"{name} must be a pair of token ids >= 0, got {show(pair)}")
    return pair[0], pair[1]


def get_pair_counts(ids: Sequence[int], counts: Counter | None = None, weight: int = 1) -> Counter:
    """Count adjacent pairs in ``ids`` (adding ``weight`` per occurrence) into ``counts``.

    >>> dict(get_pair_counts([1, 2, 3, 1, 2]))
    {(1, 2): 2, (2, 3): 1, (3, 1): 1}
    """
    check_ids(ids)
    if counts is not None and not isinstance(counts, Counter):
        raise TypeError(f"counts must be a collections.Counter or None, got {show(counts)}")
    check_int(weight, "weight")
    counts = Counter() if counts is None else counts
    for pair in zip(ids, ids[1:]):
        counts[pair] += weight
    return counts


def merge(ids: Sequence[int], pair: Pair, new_id: int) -> list[int]:
    """Replace every non-overlapping occurrence of ``pair`` in ``ids`` (left to right) by ``new_id``.

    >>> merge([1, 2, 3, 1, 2], (1, 2), 4)
    [4, 3, 4]
    """
    check_ids(ids)
    check_pair(pair)
    check_int(new_id, "new_id", low=0)
    out: list[int] = []
    i = 0
    while i < len(ids):
        if i + 1 < len(ids) and ids[i] == pair[0] and ids[i + 1] == pair[1]:
            out.append(new_id)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out


def check_pattern(pattern: str | None) -> regex.Pattern | None:
    """Compile a pre-tokenizer pattern (``None``: no pre-splitting); a bad one raises ``ValueError``."""
    if pattern is None:
        return None
    if not isinstance(pattern, str):
        raise TypeError(f"pattern must be a regular expression str or None, got {show(pattern)}")
    if not pattern:
        raise ValueError("pattern must not be empty (use None for no pre-splitting)")
    try:
        return regex.compile(pattern)
    except regex.error as exc:
        raise ValueError(f"pattern {pattern!r} is not a valid regular expression: {exc}") from exc


def pretokenize(text: str, pattern: str | None = GPT2_SPLIT_PATTERN) -> list[str]:
    """Cut ``text`` into pre-tokens (words) with ``pattern``; ``None`` keeps the text whole.

    >>> pretokenize("The cat's  mat!")
    ['The', ' cat', "'s", ' ', ' mat', '!']

    Text that the pattern does not match is kept as a piece of its own, so the pieces always
    join back into the text (GPT-2's pattern matches everything anyway). A piece is a whole
    match, even if the pattern has groups.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be str, got {show(text)}")
    compiled = check_pattern(pattern)
    if compiled is None:
        return [text] if text else []
    return split_text(compiled, text)


def split_text(compiled: regex.Pattern, text: str) -> list[str]:
    """The non-empty matches of ``compiled`` in ``text`` and the gaps between them, in order.

    Nothing is lost: ``"".join(split_text(p, s)) == s`` for every pattern.
    """
    if not compiled.groups:  # fast path: findall runs in C; if the matches cover the text, done
        found = compiled.findall(text)
        if sum(map(len, found)) == len(text):
            return [p for p in found if p]
    pieces: list[str] = []
    end = 0
    for m in compiled.finditer(text):
        start = m.start()
        if start > end:
            pieces.append(text[end:start])  # text the pattern does not cover
        if m.end() > start:
            pieces.append(m.group(0))
        end = max(end, m.end())
    if end < len(text):
        pieces.append(text[end:])
    return pieces


def check_texts(texts: Iterable[str]) -> list[str]:
    """The training items as a list; a str, a non-str item or an all-empty corpus is an error."""
    if isinstance(texts, (str, bytes)):
        raise TypeError("texts must be an iterable of strings (one training item each), not a str")
    try:
        items = list(texts)
    except TypeError:
        raise TypeError(f"texts must be an iterable of strings (one training item each), got {show(texts)}") from None
    for i, t in enumerate(items):
        if not isinstance(t, str):
            raise TypeError(f"texts[{i}] is {type(t).__name__}, expected str: {show(t)}")
    if not any(items):
        raise ValueError("cannot train a tokenizer on an empty corpus (no non-empty text)")
    return items


def word_table(texts: Iterable[str], pattern: str | None = None) -> tuple[list[list[int]], list[int]]:
    """The distinct pre-tokens of ``texts`` as byte-id lists, and how often each occurs.

    Each training item is split on its own (nothing spans two items). Without a pattern a
    pre-token is a whole item. Returns ``(words, freqs)``, two lists of the same length, in
    order of first occurrence.
    """
    items = check_texts(texts)
    compiled = check_pattern(pattern)
    freq: Counter[str] = Counter()
    for item in items:
        if compiled is None:
            freq[item] += 1
        else:
            freq.update(split_text(compiled, item))
    kept = [(w, f) for w, f in freq.items() if w and f]
    return [list(w.encode("utf-8")) for w, _ in kept], [f for _, f in kept]
