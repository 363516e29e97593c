"""The language of the words the helpers print or draw: English, or Chinese in the Chinese edition.

The code a chapter shows writes its words as plain strings and f-strings; the Chinese edition's
notebooks show them in Chinese (translated like the comments, in ``locale/zh_CN/code/``, by
``scripts/translation.py``). The words of the helpers themselves (figure labels, explorers) and of a
chapter's hidden cells follow one setting, the environment variable ``BOOK_LANGUAGE`` ("en", the
default, or "zh_CN"), which the Chinese notebooks set in a hidden first cell, so the build, Colab and
Binder behave alike. ``t("English text {n}", n=3)`` returns the text in the current language, its
``{fields}`` filled in; the Chinese strings are in ``data/strings_zh_CN/*.json``, keyed by the
English (tests/test_i18n.py checks that every ``t(...)`` literal has an entry whose fields match).

Called without fields, ``t`` returns the template itself, ``{fields}`` unfilled: that is how the
explorers (``helpers.explorers``) hand their words to the script that runs in the browser, as a
``labels`` object in the explorer's data, filled in there (the kernel may be gone by then).
"""

from __future__ import annotations

import json
import os
from functools import cache
from importlib import resources

LANGUAGES = ("en", "zh_CN")
VARIABLE = "BOOK_LANGUAGE"


def language() -> str:
    """The current language: ``BOOK_LANGUAGE`` if set (one of ``LANGUAGES``), else "en"."""
    value = os.environ.get(VARIABLE, "en") or "en"
    if value not in LANGUAGES:
        raise ValueError(f"{VARIABLE} must be one of {LANGUAGES}, got {value!r}")
    return value


def set_language(value: str) -> None:
    """Set the language for this process (what the Chinese notebooks' first cell does)."""
    if value not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, got {value!r}")
    os.environ[VARIABLE] = value


@cache
def strings(lang: str) -> dict[str, str]:
    """English -> ``lang`` for the words code prints or draws (empty for English): the union of the
    files ``data/strings_<lang>/*.json`` (one per chapter or explorer, so that they can be edited
    apart); the same English in two files must have the same translation."""
    if lang == "en":
        return {}
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {LANGUAGES}, got {lang!r}")
    folder = resources.files("helpers").joinpath("data", f"strings_{lang}")
    table: dict[str, str] = {}
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        if not item.name.endswith(".json"):
            continue
        for english, text in json.loads(item.read_text(encoding="utf-8")).items():
            if table.get(english, text) != text:
                raise ValueError(f"{item.name}: {english!r} is translated as {text!r} here and as "
                                 f"{table[english]!r} in another file of data/strings_{lang}")
            table[english] = text
    return table


def t(text: str, /, **fields) -> str:
    """``text`` in the current language (the English when no translation exists), ``{fields}`` filled in
    (with no fields given, the template comes back as it is, for a script to fill)."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}: {text!r}")
    out = strings(language()).get(text, text)
    return out.format(**fields) if fields else out
