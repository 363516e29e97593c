"""Printing text in aligned columns when it mixes Latin letters and Chinese characters.

A Chinese character (and most emoji) fills two columns of a monospaced font, a Latin letter one,
so ``f"{s:20}"`` misaligns as soon as ``s`` holds Chinese. ``pad`` counts display columns instead.
"""

from __future__ import annotations

import unicodedata

from .._checks import check_int, check_str


def display_width(text: str) -> int:
    """Columns ``text`` takes in a monospaced font: 2 for wide (W) and full-width (F) characters,
    0 for combining marks, 1 otherwise."""
    check_str(text, "text")
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def pad(text: str, width: int) -> str:
    """``text`` followed by spaces up to ``width`` display columns (left-aligned)."""
    check_int(width, "width")
    return text + " " * max(0, width - display_width(text))
