"""Byte-level byte-pair encoding (BPE), written from scratch.

The design follows Karpathy's minbpe: text -> UTF-8 bytes -> ids 0..255, then a list of
merges learned from a corpus, each merge replacing one adjacent pair of ids by a new id
(256, 257, ...). Special tokens get the ids after the last merge.

Two details make the learned merges identical to those of the Hugging Face ``tokenizers``
library configured alike (see ``hf_reference_tokenizer``):

1. pairs are counted inside each training item (a line), never across two items;
2. ties between equally frequent pairs go to the pair that is smallest in the library's own
   id order, in which the 256 bytes are sorted by their GPT-2 "byte-to-unicode" character.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

SPECIAL_TOKENS: tuple[str, ...] = ("<sos>", "<eos>", "<pad>", "<unk>")
FORMAT_NAME = "helpers-byte-bpe"
FORMAT_VERSION = 1

Pair = tuple[int, int]


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


def get_pair_counts(ids: Sequence[int], counts: Counter | None = None, weight: int = 1) -> Counter:
    """Count adjacent pairs in ``ids`` (adding ``weight`` per occurrence) into ``counts``.

    >>> dict(get_pair_counts([1, 2, 3, 1, 2]))
    {(1, 2): 2, (2, 3): 1, (3, 1): 1}
    """
    counts = Counter() if counts is None else counts
    for pair in zip(ids, ids[1:]):
        counts[pair] += weight
    return counts


def merge(ids: Sequence[int], pair: Pair, new_id: int) -> list[int]:
    """Replace every non-overlapping occurrence of ``pair`` in ``ids`` (left to right) by ``new_id``.

    >>> merge([1, 2, 3, 1, 2], (1, 2), 4)
    [4, 3, 4]
    """
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


def _check_texts(texts: Iterable[str]) -> list[str]:
    if isinstance(texts, str):
        raise TypeError("texts must be an iterable of strings (one training item each), not a str")
    items = list(texts)
    for i, t in enumerate(items):
        if not isinstance(t, str):
            raise TypeError(f"texts[{i}] is {type(t).__name__}, expected str")
    if not any(items):
        raise ValueError("cannot train a tokenizer on an empty corpus (no non-empty text)")
    return items


def train_merges(texts: Iterable[str], num_merges: int, verbose: bool = False) -> list[Pair]:
    """Learn ``num_merges`` merges from ``texts`` (each item counted on its own).

    Returns the merges in order; merge ``i`` creates token id ``256 + i``. Stops early if no
    pair is left to merge. Pair counts are updated incrementally: after each merge only the
    items that contain the merged pair are recounted.
    """
    items = _check_texts(texts)
    if num_merges < 0:
        raise ValueError(f"num_merges must be >= 0, got {num_merges}")
    # identical items are trained once, with a weight (this is what the HF trainer does too)
    weights = Counter(t for t in items if t)
    words = [list(t.encode("utf-8")) for t in weights]
    freq = list(weights.values())
    counts: Counter = Counter()
    where: dict[Pair, set[int]] = {}
    for w, (ids, f) in enumerate(zip(words, freq)):
        get_pair_counts(ids, counts, f)
        for pair in zip(ids, ids[1:]):
            where.setdefault(pair, set()).add(w)

    def key(tok: int) -> int:  # the HF trainer's id for a token: bytes re-ranked, merges as is
        return _HF_RANK[tok] if tok < 256 else tok

    merges: list[Pair] = []
    for i in range(num_merges):
        if not counts:
            break
        best = max(counts.items(), key=lambda kv: (kv[1], -key(kv[0][0]), -key(kv[0][1])))[0]
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
        if verbose:
            print(f"merge {i + 1}/{num_merges}: {best} -> {new_id}")
    return merges


class BPETokenizer:
    """A byte-level BPE tokenizer: ``encode`` text to ids and ``decode`` ids back to text.

    Ids 0..255 are the raw bytes, ``256 + i`` is merge ``i``, and the special tokens come
    after the merges. Encode-then-decode returns any string unchanged.
    """

    def __init__(self, merges: Sequence[Pair] = (), special_tokens: Sequence[str] = SPECIAL_TOKENS):
        self.merges: list[Pair] = []
        self.vocab: dict[int, bytes] = {i: bytes([i]) for i in range(256)}
        for i, pair in enumerate(merges):
            self._check_merge(i, pair)
            a, b = int(pair[0]), int(pair[1])
            self.merges.append((a, b))
            self.vocab[256 + i] = self.vocab[a] + self.vocab[b]
        self.ranks: dict[Pair, int] = {p: 256 + i for i, p in enumerate(self.merges)}
        if len(set(special_tokens)) != len(special_tokens):
            raise ValueError(f"special tokens must be distinct, got {list(special_tokens)}")
        first = 256 + len(self.merges)
        self.special_tokens: dict[str, int] = {s: first + i for i, s in enumerate(special_tokens)}
        self.inverse_special: dict[int, str] = {i: s for s, i in self.special_tokens.items()}

    @staticmethod
    def _check_merge(i: int, pair: object) -> None:
        ok = (
            isinstance(pair, (tuple, list))
            and len(pair) == 2
            and all(isinstance(x, int) and not isinstance(x, bool) for x in pair)
        )
        if not ok:
            raise ValueError(f"merge {i} must be a pair of int token ids, got {pair!r}")
        if not all(0 <= x < 256 + i for x in pair):
            raise ValueError(
                f"merge {i} = {list(pair)} refers to an id that does not exist yet "
                f"(ids before merge {i} are 0..{256 + i - 1})"
            )

    # ----------------------------------------------------------------- training
    @classmethod
    def train(
        cls,
        texts: Iterable[str],
        vocab_size: int,
        special_tokens: Sequence[str] = SPECIAL_TOKENS,
        verbose: bool = False,
    ) -> BPETokenizer:
        """Train on ``texts`` (one item per line or sentence) up to ``vocab_size`` tokens.

        ``vocab_size`` counts everything: 256 bytes + merges + special tokens.
        """
        if isinstance(vocab_size, bool) or not isinstance(vocab_size, int):
            raise TypeError(f"vocab_size must be an int, got {type(vocab_size).__name__}")
        smallest = 256 + len(special_tokens)
        if vocab_size < smallest:
            raise ValueError(
                f"vocab_size={vocab_size} is smaller than the byte alphabet plus special tokens "
                f"(256 + {len(special_tokens)} = {smallest})"
            )
        merges = train_merges(texts, vocab_size - smallest, verbose=verbose)
        return cls(merges, special_tokens)

    # ------------------------------------------------------------------ queries
    @property
    def vocab_size(self) -> int:
        """256 bytes + merges + special tokens."""
        return 256 + len(self.merges) + len(self.special_tokens)

    def token_to_id(self, token: str) -> int:
        """Id of a special token, e.g. ``token_to_id("<eos>")``."""
        if token not in self.special_tokens:
            raise ValueError(
                f"unknown special token {token!r}; known: {list(self.special_tokens)}"
            )
        return self.special_tokens[token]

    def token_bytes(self, token_id: int) -> bytes:
        """The bytes a token stands for (special tokens: their UTF-8 name)."""
        self._check_id(token_id)
        if token_id in self.inverse_special:
            return self.inverse_special[token_id].encode("utf-8")
        return self.vocab[token_id]

    def _check_id(self, token_id: object) -> None:
        if isinstance(token_id, bool) or not isinstance(token_id, int):
            raise TypeError(f"token ids must be int, got {type(token_id).__name__} ({token_id!r})")
        if not 0 <= token_id < self.vocab_size:
            raise ValueError(f"unknown token id {token_id}: the vocabulary has ids 0..{self.vocab_size - 1}")

    def truncated(self, num_merges: int) -> BPETokenizer:
        """The tokenizer that training would give with only the first ``num_merges`` merges."""
        if not 0 <= num_merges <= len(self.merges):
            raise ValueError(f"num_merges must be in 0..{len(self.merges)}, got {num_merges}")
        return BPETokenizer(self.merges[:num_merges], list(self.special_tokens))

    # ---------------------------------------------------------- encode / decode
    def _encode_ordinary(self, text: str) -> list[int]:
        ids = list(text.encode("utf-8"))
        while len(ids) >= 2:
            # the pair that was merged earliest in training goes first
            pair = min(zip(ids, ids[1:]), key=lambda p: self.ranks.get(p, float("inf")))
            if pair not in self.ranks:
                break
            ids = merge(ids, pair, self.ranks[pair])
        return ids

    def encode(self, text: str, allowed_special: bool = False) -> list[int]:
        """Encode ``text`` to token ids.

        With ``allowed_special=True`` the exact strings of special tokens (e.g. ``"<eos>"``)
        become their ids; otherwise they are ordinary text, encoded byte by byte.
        """
        if not isinstance(text, str):
            raise TypeError(f"text must be str, got {type(text).__name__}")
        if not allowed_special or not self.special_tokens:
            return self._encode_ordinary(text)
        ids: list[int] = []
        rest = text
        while rest:
            hits = [(rest.find(s), s) for s in self.special_tokens if s in rest]
            if not hits:
                ids += self._encode_ordinary(rest)
                break
            pos, special = min(hits, key=lambda h: (h[0], -len(h[1])))
            ids += self._encode_ordinary(rest[:pos])
            ids.append(self.special_tokens[special])
            rest = rest[pos + len(special) :]
        return ids

    def decode(self, ids: Iterable[int]) -> str:
        """Decode token ids back to text (special tokens become their names)."""
        if isinstance(ids, (str, bytes)):
            raise TypeError("ids must be an iterable of int token ids, not a string")
        return b"".join(self.token_bytes(i) for i in ids).decode("utf-8", errors="replace")

    # ----------------------------------------------------------- save / load
    def save(self, path: str | Path) -> None:
        """Write the tokenizer as JSON (merges and special tokens)."""
        data = {
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            "merges": [list(p) for p in self.merges],
            "special_tokens": list(self.special_tokens),
        }
        Path(path).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> BPETokenizer:
        """Read a tokenizer written by ``save``; a corrupt file raises ``ValueError``."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ValueError(f"{path} is not a saved tokenizer: invalid JSON ({exc})") from exc
        if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
            raise ValueError(f"{path} is not a saved tokenizer: 'format' is not {FORMAT_NAME!r}")
        if data.get("version") != FORMAT_VERSION:
            raise ValueError(f"{path}: unsupported version {data.get('version')!r}")
        for field, kind in (("merges", list), ("special_tokens", list)):
            if not isinstance(data.get(field), kind):
                raise ValueError(f"{path}: field {field!r} is missing or not a list")
        if not all(isinstance(s, str) for s in data["special_tokens"]):
            raise ValueError(f"{path}: special_tokens must be strings")
        return cls([tuple(m) if isinstance(m, list) else m for m in data["merges"]], data["special_tokens"])

    def __repr__(self) -> str:
        return f"BPETokenizer(merges={len(self.merges)}, special_tokens={list(self.special_tokens)})"


def hf_reference_tokenizer(texts: Iterable[str], num_merges: int):
    """Train the Hugging Face ``tokenizers`` byte-level BPE configured like ours.

    Returns the trained ``tokenizers.Tokenizer`` (no special tokens, no prefix space, no
    regex pre-splitting, every byte in the initial alphabet).
    """
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    items = _check_texts(texts)
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=256 + num_merges,
        min_frequency=0,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        special_tokens=[],
        show_progress=False,
    )
    tok.train_from_iterator(items, trainer=trainer)
    return tok


def hf_merges_as_ids(hf_tokenizer) -> list[Pair]:
    """The merges of a trained HF byte-level BPE, translated into our token ids."""
    byte_of = {c: b for b, c in bytes_to_unicode().items()}
    model = json.loads(hf_tokenizer.to_str())["model"]
    ids: dict[bytes, int] = {bytes([b]): b for b in range(256)}
    out: list[Pair] = []
    for i, m in enumerate(model["merges"]):
        left, right = m if isinstance(m, list) else m.split(" ")
        lb = bytes(byte_of[c] for c in left)
        rb = bytes(byte_of[c] for c in right)
        out.append((ids[lb], ids[rb]))
        ids[lb + rb] = 256 + i
    return out
