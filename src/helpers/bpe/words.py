"""Which tokens cross a word boundary.

A byte-level BPE without a pre-tokenizer can merge across spaces. A token *crosses words*
when whitespace stands between two other bytes inside it (``b"of the"``, ``b"t c"``), so that it
holds the end of one word and the start of the next. A word with only a trailing or a leading
space (``b"e "``, ``b" the"``) stays inside one word: GPT-2 puts the space in front of a word,
a tokenizer without a pre-tokenizer often puts it after, and neither crosses a word.
"""

from __future__ import annotations

import re

_CROSS = re.compile(rb"\S\s+\S")


def crosses_words(raw: bytes) -> bool:
    """True if whitespace (space, tab, newline, ...) stands between two non-whitespace bytes
    inside the token's bytes ``raw``: ``b"of the"`` and ``b" of the "`` cross words,
    ``b"e "``, ``b" the"`` and ``b" \\n"`` do not."""
    if not isinstance(raw, (bytes, bytearray)):
        raise TypeError(f"raw must be bytes (a token's bytes), got {type(raw).__name__}: {raw!r}")
    return _CROSS.search(raw) is not None
