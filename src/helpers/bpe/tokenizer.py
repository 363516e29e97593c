"""``BPETokenizer``: encode text to token ids with learned merges, decode ids back to text."""

from __future__ import annotations

import json
import operator
from collections.abc import Iterable, Sequence
from pathlib import Path

from .._checks import _iterable, check_bool, check_int, check_str_list, show
from .core import GPT2_SPLIT_PATTERN, Pair, check_pattern, merge, split_text
from .train import train_merges

SPECIAL_TOKENS: tuple[str, ...] = ("<sos>", "<eos>", "<pad>", "<unk>")
FORMAT_NAME = "helpers-byte-bpe"
FORMAT_VERSION = 2  # 2 added the pre-tokenizer pattern; version 1 files (no pattern) still load


class BPETokenizer:
    """A byte-level BPE tokenizer: ``encode`` text to ids and ``decode`` ids back to text.

    Ids 0..255 are the raw bytes, ``256 + i`` is merge ``i``, and the special tokens come
    after the merges. ``pattern`` is the pre-tokenizer that cuts text into words before the
    merges apply (``GPT2_SPLIT_PATTERN``, as GPT-2), or ``None`` to merge across the whole
    text. Encode-then-decode returns any string unchanged.
    """

    def __init__(
        self,
        merges: Sequence[Pair] = (),
        special_tokens: Sequence[str] = SPECIAL_TOKENS,
        pattern: str | None = None,
    ):
        self.pattern = pattern
        self._split = check_pattern(pattern)
        special_tokens = _check_specials(special_tokens)
        if isinstance(merges, (str, bytes)) or not _iterable(merges):
            raise TypeError(f"merges must be a list of (a, b) pairs of token ids, got {show(merges)}")
        self._cache: dict[str, list[int]] = {}  # pre-token -> ids (words repeat a lot)
        self.merges: list[Pair] = []
        self.vocab: dict[int, bytes] = {i: bytes([i]) for i in range(256)}
        for i, pair in enumerate(merges):
            self._check_merge(i, pair)
            a, b = int(pair[0]), int(pair[1])
            self.merges.append((a, b))
            self.vocab[256 + i] = self.vocab[a] + self.vocab[b]
        self.ranks: dict[Pair, int] = {p: 256 + i for i, p in enumerate(self.merges)}
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
        pattern: str | None = None,
        verbose: bool = False,
    ) -> BPETokenizer:
        """Train on ``texts`` (one item per line or sentence) up to ``vocab_size`` tokens.

        ``vocab_size`` counts everything: 256 bytes + merges + special tokens. ``pattern``:
        the pre-tokenizer, used both to train and to encode (see the class docstring).
        """
        if isinstance(vocab_size, bool) or not isinstance(vocab_size, int):
            raise TypeError(f"vocab_size must be an int, got {show(vocab_size)}")
        special_tokens = _check_specials(special_tokens)
        check_bool(verbose, "verbose")
        smallest = 256 + len(special_tokens)
        if vocab_size < smallest:
            raise ValueError(
                f"vocab_size={vocab_size} is smaller than the byte alphabet plus special tokens "
                f"(256 + {len(special_tokens)} = {smallest})"
            )
        check_pattern(pattern)  # a bad pattern fails before any work is done
        merges = train_merges(texts, vocab_size - smallest, pattern=pattern, verbose=verbose)
        return cls(merges, special_tokens, pattern)

    # ------------------------------------------------------------------ queries
    @property
    def vocab_size(self) -> int:
        """256 bytes + merges + special tokens."""
        return 256 + len(self.merges) + len(self.special_tokens)

    def token_to_id(self, token: str) -> int:
        """Id of a special token, e.g. ``token_to_id("<eos>")``."""
        if not isinstance(token, str):
            raise TypeError(f"token must be the str of a special token, got {show(token)}")
        if token not in self.special_tokens:
            raise ValueError(
                f"unknown special token {token!r}; known: {list(self.special_tokens)}"
            )
        return self.special_tokens[token]

    def token_bytes(self, token_id: int) -> bytes:
        """The bytes a token stands for (special tokens: their UTF-8 name)."""
        token_id = self._check_id(token_id)
        if token_id in self.inverse_special:
            return self.inverse_special[token_id].encode("utf-8")
        return self.vocab[token_id]

    def _check_id(self, token_id: object) -> int:
        """The id as an int: ints, numpy ints and 0-d integer tensors pass; floats and bools do not."""
        if isinstance(token_id, bool) or type(token_id).__name__ == "bool_":
            raise TypeError(f"token ids must be int, got {show(token_id)}")
        try:
            token_id = operator.index(token_id)  # type: ignore[arg-type]
        except TypeError:
            raise TypeError(f"token ids must be int, got {type(token_id).__name__} ({show(token_id)})") from None
        if not 0 <= token_id < self.vocab_size:
            raise ValueError(f"unknown token id {token_id}: the vocabulary has ids 0..{self.vocab_size - 1}")
        return token_id

    def truncated(self, num_merges: int) -> BPETokenizer:
        """The tokenizer that training would give with only the first ``num_merges`` merges."""
        check_int(num_merges, "num_merges")
        if not 0 <= num_merges <= len(self.merges):
            raise ValueError(f"num_merges must be in 0..{len(self.merges)}, got {num_merges}")
        return BPETokenizer(self.merges[:num_merges], list(self.special_tokens), self.pattern)

    # ---------------------------------------------------------- encode / decode
    def _encode_ordinary(self, text: str) -> list[int]:
        """Encode text without special tokens: pre-tokenize, then encode each piece."""
        if self._split is None:
            return self._encode_chunk(text)
        ids: list[int] = []
        for piece in split_text(self._split, text):  # text the pattern misses is kept, not dropped
            if piece not in self._cache:
                self._cache[piece] = self._encode_chunk(piece)
            ids += self._cache[piece]
        return ids

    def _encode_chunk(self, text: str) -> list[int]:
        """Apply the merges to one piece of text, the earliest-learned pair first."""
        ids = list(text.encode("utf-8"))
        while len(ids) >= 2:
            # of the pairs present that have a merge, the one learned earliest goes first
            known = [(self.ranks[p], p) for p in set(zip(ids, ids[1:])) if p in self.ranks]
            if not known:
                break
            new_id, pair = min(known)
            ids = merge(ids, pair, new_id)
        return ids

    def encode(self, text: str, allowed_special: bool = False) -> list[int]:
        """Encode ``text`` to token ids.

        With ``allowed_special=True`` the exact strings of special tokens (e.g. ``"<eos>"``)
        become their ids; otherwise they are ordinary text, encoded byte by byte.
        """
        if not isinstance(text, str):
            raise TypeError(f"text must be str, got {show(text)}")
        check_bool(allowed_special, "allowed_special")
        if not allowed_special or not self.special_tokens:
            return self._encode_ordinary(text)
        if "" in self.special_tokens:  # it would match at every position, for ever
            raise ValueError("special_tokens holds the empty string, which cannot be matched in text")
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
        if not _iterable(ids) or (hasattr(ids, "dim") and ids.dim() != 1):
            raise TypeError(f"ids must be an iterable (list, 1-D tensor) of int token ids, got {show(ids)}")
        return b"".join(self.token_bytes(i) for i in ids).decode("utf-8", errors="replace")

    # ----------------------------------------------------------- save / load
    def save(self, path: str | Path) -> None:
        """Write the tokenizer as JSON (merges and special tokens)."""
        _check_path(path)
        data = {
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            "merges": [list(p) for p in self.merges],
            "special_tokens": list(self.special_tokens),
            "pattern": self.pattern,
        }
        Path(path).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> BPETokenizer:
        """Read a tokenizer written by ``save``; a corrupt file raises ``ValueError``."""
        _check_path(path)
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ValueError(f"{path} is not a saved tokenizer: invalid JSON ({exc})") from exc
        if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
            raise ValueError(f"{path} is not a saved tokenizer: 'format' is not {FORMAT_NAME!r}")
        version = data.get("version")
        if isinstance(version, bool) or version not in (1, FORMAT_VERSION):
            raise ValueError(f"{path}: unsupported version {data.get('version')!r}")
        for field, kind in (("merges", list), ("special_tokens", list)):
            if not isinstance(data.get(field), kind):
                raise ValueError(f"{path}: field {field!r} is missing or not a list")
        if not all(isinstance(s, str) for s in data["special_tokens"]):
            raise ValueError(f"{path}: special_tokens must be strings")
        pattern = data.get("pattern")
        if pattern is not None and not isinstance(pattern, str):
            raise ValueError(f"{path}: pattern must be a string or null")
        merges = [tuple(m) if isinstance(m, list) else m for m in data["merges"]]
        try:
            return cls(merges, data["special_tokens"], pattern)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{path}: {exc}") from exc

    def __repr__(self) -> str:
        split = ""
        if self.pattern is not None:
            split = ", pattern=" + ("GPT-2" if self.pattern == GPT2_SPLIT_PATTERN else repr(self.pattern))
        return f"BPETokenizer(merges={len(self.merges)}, special_tokens={list(self.special_tokens)}{split})"


def _check_specials(special_tokens: object) -> list[str]:
    """Distinct, non-empty strings (an empty one would match at every position of a text)."""
    items = check_str_list(special_tokens, "special_tokens", item_nonempty=True)
    if len(set(items)) != len(items):
        raise ValueError(f"special tokens must be distinct, got {show(items)}")
    return items


def _check_path(path: object) -> None:
    import os

    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or a pathlib.Path, got {show(path)}")
