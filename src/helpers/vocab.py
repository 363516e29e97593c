"""A word-level vocabulary: tokens <-> integer ids, with special tokens first.

Convention used throughout the book: ``<pad>`` = 0, ``<sos>`` = 1, ``<eos>`` = 2,
``<unk>`` = 3, then the ordinary tokens in the order given.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Sequence

from ._checks import check_bool, check_str_list, show

WORD_SPECIALS: tuple[str, ...] = ("<pad>", "<sos>", "<eos>", "<unk>")


class Vocab:
    """Maps tokens to ids and back. ``len(vocab)`` counts the special tokens too."""

    def __init__(self, tokens: Iterable[str], specials: Sequence[str] = WORD_SPECIALS):
        if isinstance(tokens, str):
            raise TypeError("tokens must be an iterable of str, not a single str")
        specials = check_str_list(specials, "specials")
        if len(set(specials)) != len(specials):
            raise ValueError(f"specials must be distinct, got {show(specials)}")
        try:
            tokens = iter(tokens)
        except TypeError:
            raise TypeError(f"tokens must be an iterable of str, got {show(tokens)}") from None
        self.itos: list[str] = list(specials)
        for t in tokens:
            if not isinstance(t, str):
                raise TypeError(f"vocabulary tokens must be str, got {type(t).__name__} ({t!r}) in tokens")
            if t not in self.itos:
                self.itos.append(t)
        self.stoi: dict[str, int] = {t: i for i, t in enumerate(self.itos)}
        self.specials = tuple(specials)

    def __len__(self) -> int:
        return len(self.itos)

    def __contains__(self, token: object) -> bool:
        return token in self.stoi

    def __repr__(self) -> str:
        return f"Vocab(size={len(self)}, first={self.itos[:8]})"

    def _special(self, name: str) -> int:
        if name not in self.stoi:
            raise ValueError(f"this vocabulary has no {name} token")
        return self.stoi[name]

    @property
    def pad_id(self) -> int:
        return self._special("<pad>")

    @property
    def sos_id(self) -> int:
        return self._special("<sos>")

    @property
    def eos_id(self) -> int:
        return self._special("<eos>")

    @property
    def unk_id(self) -> int:
        return self._special("<unk>")

    def encode(
        self,
        tokens: Sequence[str],
        add_sos: bool = False,
        add_eos: bool = False,
        strict: bool = False,
    ) -> list[int]:
        """Token strings -> ids. Unknown tokens become ``<unk>``, or raise if ``strict``."""
        if isinstance(tokens, str):
            raise TypeError(
                f"tokens must be a sequence of token strings, got the str {tokens!r}; "
                "split it first, e.g. text.split()"
            )
        for name, flag in (("add_sos", add_sos), ("add_eos", add_eos), ("strict", strict)):
            check_bool(flag, name)
        try:
            tokens = iter(tokens)
        except TypeError:
            raise TypeError(f"tokens must be a sequence of token strings, got {show(tokens)}") from None
        ids = []
        for t in tokens:
            if t in self.stoi:
                ids.append(self.stoi[t])
            elif not isinstance(t, str):
                raise TypeError(f"tokens must be token strings, got {show(t)} in tokens")
            elif strict:
                raise ValueError(f"unknown token {t!r} (not in this vocabulary of {len(self)})")
            else:
                ids.append(self.unk_id)
        return ([self.sos_id] if add_sos else []) + ids + ([self.eos_id] if add_eos else [])

    def decode(self, ids: Iterable[int], skip_specials: bool = False) -> list[str]:
        """Ids -> token strings. An id outside the vocabulary raises ``ValueError``.

        ``ids``: ints (numpy ints and integer tensors too); a float or a bool id is an error, not
        rounded.
        """
        if isinstance(ids, (str, bytes)) or (hasattr(ids, "dim") and ids.dim() != 1):
            raise TypeError(f"ids must be a list or a 1-D tensor of int token ids, got {show(ids)}")
        check_bool(skip_specials, "skip_specials")
        try:
            ids = iter(ids)
        except TypeError:
            raise TypeError(f"ids must be an iterable of int token ids, got {show(ids)}") from None
        out = []
        for i in ids:
            if isinstance(i, bool):
                raise TypeError(f"ids must be int token ids, got the bool {i!r}")
            try:
                i = operator.index(i)
            except TypeError:
                raise TypeError(f"ids must be int token ids, got {show(i)}") from None
            if not 0 <= i < len(self):
                raise ValueError(f"unknown token id {i}: this vocabulary has ids 0..{len(self) - 1}")
            if skip_specials and self.itos[i] in self.specials:
                continue
            out.append(self.itos[i])
        return out
