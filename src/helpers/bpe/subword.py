"""Two other subword tokenizers, encoding only: WordPiece (BERT) and Unigram (SentencePiece).

Both take a vocabulary learned elsewhere (chapter 1 trains them with the ``tokenizers`` library)
and cut one word into tokens. They differ from BPE in how they choose the cut:

- **WordPiece** (``wordpiece_word``): greedy, longest match first. Take the longest vocabulary
  entry that starts the word, then the longest that continues it (spelled with the prefix
  ``##``), and so on. If some part of the word matches nothing, the *whole* word becomes the
  unknown token. This is what ``tokenizers.models.WordPiece`` does.
- **Unigram** (``unigram_word``): every vocabulary entry has a log-probability; the cut with the
  largest total log-probability wins, found by dynamic programming (the Viterbi algorithm). A
  character that no entry covers costs ``min(score) - 10`` and becomes the unknown token;
  neighbouring unknown pieces are fused into one. With ``byte_fallback`` an unknown piece is
  written as its UTF-8 bytes, ``<0xE7>`` and so on, instead. This is what
  ``tokenizers.models.Unigram`` does (``encode_optimized``).

``metaspace`` is SentencePiece's way of keeping spaces: each space becomes "▁" (U+2581), one is
put in front of the text (unless it starts with a space), and the text is cut before each "▁".
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Set

from .._checks import check_bool, check_int, check_str, show

META = "\u2581"  # ▁, SentencePiece's visible space
UNK_PENALTY = 10.0  # an unknown character costs this much less than the rarest piece


def wordpiece_word(word: str, vocab: Mapping[str, int] | set[str], unk: str = "[UNK]",
                   prefix: str = "##", max_chars: int = 100) -> list[str]:
    """Cut one word into WordPiece tokens, greedy longest-match-first.

    ``vocab``: the tokens (continuations spelled with ``prefix``). Returns ``[unk]`` if any part
    of the word cannot be matched, or if the word has more than ``max_chars`` characters.
    """
    check_str(word, "word")
    if not isinstance(vocab, (Mapping, Set)):
        raise TypeError(f"vocab must be a set or dict of token strings, got {show(vocab)}")
    check_str(unk, "unk")
    check_str(prefix, "prefix")
    check_int(max_chars, "max_chars", low=0)
    if len(word) > max_chars:
        return [unk]
    pieces, start = [], 0
    while start < len(word):
        end, found = len(word), None
        while start < end:  # try the longest candidate first, then shorter ones
            piece = word[start:end] if start == 0 else prefix + word[start:end]
            if piece in vocab:
                found = piece
                break
            end -= 1
        if found is None:
            return [unk]
        pieces.append(found)
        start = end
    return pieces


def metaspace(text: str) -> list[str]:
    """SentencePiece's pre-tokenizer: spaces -> "▁", one "▁" in front (unless the text starts with
    a space), cut before each "▁"."""
    check_str(text, "text")
    if not text:
        return []
    text = text.replace(" ", META)
    if not text.startswith(META):  # as the library: no second "▁" before a leading space
        text = META + text
    return re.findall(f"{META}[^{META}]*|[^{META}]+", text)


def byte_tokens(piece: str) -> list[str]:
    """A piece as byte-fallback tokens: "猫" -> ["<0xE7>", "<0x8C>", "<0xAB>"]."""
    check_str(piece, "piece")
    return [f"<0x{b:02X}>" for b in piece.encode("utf-8")]


def unigram_word(word: str, scores: Mapping[str, float], unk: str = "<unk>",
                 byte_fallback: bool = False) -> list[str]:
    """The cut of ``word`` with the largest total score (log-probability), by dynamic programming.

    ``scores``: each vocabulary piece's log-probability. best[e] is the best total score of a cut
    of word[:e], and back[e] where its last piece starts. A character covered by no piece of
    length 1 may also be taken alone as ``unk``, at ``min(scores) - 10``. Unknown neighbours
    are fused; with ``byte_fallback`` an unknown piece becomes its byte tokens (if they are all in
    the vocabulary), otherwise ``unk``.
    """
    check_str(word, "word")
    _check_scores(scores)
    check_str(unk, "unk")
    check_bool(byte_fallback, "byte_fallback")
    n = len(word)
    unk_score = min(scores.values()) - UNK_PENALTY
    longest = max(map(len, scores))
    best: list[float | None] = [0.0] + [None] * n
    back: list[tuple[int, bool]] = [(0, False)] * (n + 1)  # (start of last piece, is it unknown?)
    for start in range(n):
        if best[start] is None:
            continue
        single = False
        for end in range(start + 1, min(n, start + longest) + 1):  # shorter pieces first
            piece = word[start:end]
            if piece in scores:
                candidate = best[start] + scores[piece]
                if best[end] is None or candidate > best[end]:  # ties keep the first found
                    best[end], back[end] = candidate, (start, False)
                single = single or end == start + 1
        if not single:
            candidate = best[start] + unk_score
            if best[start + 1] is None or candidate > best[start + 1]:
                best[start + 1], back[start + 1] = candidate, (start, True)
    # walk back from the end; glue neighbouring unknown characters together
    pieces: list[tuple[str, bool]] = []
    end = n
    while end > 0:
        start, unknown = back[end]
        if unknown and pieces and pieces[-1][1]:
            pieces[-1] = (word[start:end] + pieces[-1][0], True)
        else:
            pieces.append((word[start:end], unknown))
        end = start
    out: list[str] = []
    for piece, unknown in reversed(pieces):
        if not unknown:
            out.append(piece)
        elif byte_fallback and all(b in scores for b in byte_tokens(piece)):
            out += byte_tokens(piece)
        else:
            out.append(unk)
    return out


def _check_scores(scores: object) -> None:
    """A non-empty {piece: finite log-probability} mapping (one pass over the values, in C)."""
    if not isinstance(scores, Mapping):
        raise TypeError(f"scores must be a dict {{piece: log-probability}}, got {show(scores)}")
    if not scores:
        raise ValueError("scores must hold at least one piece, got an empty dict")
    try:
        total = sum(scores.values())
        longest = max(map(len, scores))
    except TypeError:
        first = next(iter(scores.items()))
        raise TypeError(f"scores must map str pieces to numbers, got items like {show(first)}") from None
    if not math.isfinite(total):
        raise ValueError("scores must be finite log-probabilities, got NaN or inf")
    if longest == 0:
        raise ValueError("scores must not hold the empty piece ''")
