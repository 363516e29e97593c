"""Which characters a byte-level tokenizer cuts, and where (chapter 1, Chinese text).

A byte-level BPE token is a run of UTF-8 bytes. It may hold several whole characters, exactly
one, or only part of one (a Chinese character is three bytes, which two or three tokens may
share). ``cut_pieces`` lines the tokens up with the characters of the text they encode.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ._checks import check_str, show


@dataclass(frozen=True)
class Piece:
    """One token of a text, lined up with the text's characters.

    ``raw``: its bytes; ``chars``: the characters it holds bytes of, whole or in part;
    ``whole``: it starts and ends on character boundaries (it is valid UTF-8 alone);
    ``label``: its text if whole, else its bytes in hex between ⟨ ⟩.
    """

    raw: bytes
    chars: str
    whole: bool
    label: str


def bytes_label(raw: bytes) -> str:
    """``raw`` as text if it is valid UTF-8 alone, else its bytes in hex: b"\\xe7\\x8c" -> "⟨e7 8c⟩"."""
    if not isinstance(raw, bytes):
        raise TypeError(f"raw must be bytes, got {show(raw)}")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return "⟨" + raw.hex(" ") + "⟩"


def spaced_label(raw: bytes) -> str:
    """``bytes_label(raw)`` with each space drawn as ␣, so a leading space can be seen in a
    table: b" cat" -> "␣cat", b"cat" -> "cat". A hex label (not valid UTF-8) stays as it is."""
    label = bytes_label(raw)  # checks raw
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return label
    return label.replace(" ", "␣")


def _check_pieces(text: str, pieces: object) -> list[bytes]:
    if isinstance(pieces, (bytes, str)) or not isinstance(pieces, Sequence):
        raise TypeError(f"pieces must be a list of bytes (one item per token), got {show(pieces)}")
    out = list(pieces)
    for i, p in enumerate(out):
        if not isinstance(p, bytes) or not p:
            raise TypeError(f"pieces[{i}] must be non-empty bytes, got {show(p)}")
    if b"".join(out) != text.encode("utf-8"):
        raise ValueError(
            f"pieces must join to the UTF-8 bytes of text ({len(text.encode('utf-8'))} bytes), "
            f"got {sum(map(len, out))} bytes that differ: {show(out)}"
        )
    return out


def _boundaries(text: str) -> list[int]:
    """The byte offset where each character of ``text`` starts, then the total length."""
    offsets = [0]
    for c in text:
        offsets.append(offsets[-1] + len(c.encode("utf-8")))
    return offsets


def cut_pieces(text: str, pieces: Sequence[bytes]) -> list[Piece]:
    """Line up the tokens of ``text`` (their bytes, in order) with its characters.

    ``pieces``: a list of N non-empty ``bytes`` that join to ``text.encode("utf-8")``.
    Returns N ``Piece``s, one per token.
    """
    check_str(text, "text")
    pieces = _check_pieces(text, pieces)
    starts = _boundaries(text)
    out, pos, char = [], 0, 0  # char: the character that holds byte `pos`
    for raw in pieces:
        end = pos + len(raw)
        first = char
        while starts[char + 1] < end:
            char += 1
        last = char  # the character that holds byte end - 1
        if starts[char + 1] == end:
            char += 1
        whole = pos in starts and end in starts
        out.append(Piece(raw, text[first : last + 1], whole, bytes_label(raw)))
        pos = end
    return out


def tokens_per_character(text: str, pieces: Sequence[bytes]) -> list[int]:
    """For each character of ``text``, how many tokens hold some of its bytes (1: one token).

    ``pieces`` as for ``cut_pieces``. Returns a list of ``len(text)`` ints >= 1.
    """
    check_str(text, "text")
    pieces = _check_pieces(text, pieces)
    starts = _boundaries(text)
    ends, pos = [], 0
    for raw in pieces:
        pos += len(raw)
        ends.append(pos)
    # a character is split by every token end that falls strictly inside it
    inside = set(ends)
    return [1 + sum(b in inside for b in range(starts[i] + 1, starts[i + 1])) for i in range(len(text))]


def segment_words(text: str) -> list[str]:
    """Cut Chinese ``text`` into words with jieba (its default dictionary, precise mode).

    ``"猫昨天在垫子上坐着"`` -> ``["猫", "昨天", "在", "垫子", "上", "坐", "着"]``. jieba prints its
    dictionary-loading messages through ``logging`` and, where setuptools is installed (Colab),
    its import warns that ``pkg_resources`` is deprecated: both are kept off the page here.
    """
    check_str(text, "text")
    import logging
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # jieba 0.42 imports pkg_resources
        warnings.simplefilter("ignore", DeprecationWarning)
        import jieba
    jieba.setLogLevel(logging.WARNING)
    return jieba.lcut(text)
