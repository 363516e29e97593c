"""A deterministic toy English -> Chinese parallel corpus.

A small grammar generates every sentence: a subject, an intransitive verb, and optionally a
companion ("with the dog"), a place ("on the mat") and a time ("yesterday"). English puts the
extras *after* the verb; Chinese puts them *before* it, in the order time, companion, place,
and wraps places in 在 ... 上/下/里/边. So alignments are not merely diagonal:

    The cat sat on the mat yesterday   ->   猫 昨天 在 垫子 上 坐着

The running example of the book, "The cat sat" -> "猫 坐着", is one of the sentences.
Chinese is written with spaces between words, so one word is one token.
"""

from __future__ import annotations

import itertools
import random
import zlib
from dataclasses import dataclass

from ._checks import check_int, check_number, show
from .vocab import Vocab

SUBJECTS = [
    ("cat", "猫"),
    ("dog", "狗"),
    ("bird", "鸟"),
    ("teacher", "老师"),
    ("child", "孩子"),
    ("farmer", "农民"),
]
VERBS = [
    ("sat", "坐着"),
    ("slept", "睡觉"),
    ("ran", "跑步"),
    ("sang", "唱歌"),
    ("waited", "等着"),
    ("played", "玩"),
]
PLACES = [
    ("on the mat", "在 垫子 上"),
    ("under the tree", "在 树 下"),
    ("in the garden", "在 花园 里"),
    ("in the house", "在 房子 里"),
    ("near the river", "在 河 边"),
]
TIMES = [
    ("yesterday", "昨天"),
    ("today", "今天"),
    ("in the morning", "早上"),
    ("at night", "晚上"),
]


@dataclass(frozen=True)
class Pair:
    """One sentence pair, as token tuples (no special tokens)."""

    en: tuple[str, ...]
    zh: tuple[str, ...]

    def __post_init__(self) -> None:
        for name in ("en", "zh"):
            tokens = getattr(self, name)
            if isinstance(tokens, str) or not isinstance(tokens, (tuple, list)):
                raise TypeError(f"{name} must be a tuple of token strings (e.g. text.split()), got {show(tokens)}")
            if not all(isinstance(t, str) for t in tokens):
                raise TypeError(f"{name} must hold token strings, got {show(tokens)}")
            object.__setattr__(self, name, tuple(tokens))  # a list is taken as a tuple (hashable)

    @property
    def en_text(self) -> str:
        return " ".join(self.en)

    @property
    def zh_text(self) -> str:
        return " ".join(self.zh)


RUNNING_EXAMPLE = Pair(("The", "cat", "sat"), ("猫", "坐着"))


def make_pair(
    subject: int, verb: int, companion: int | None = None, place: int | None = None,
    time: int | None = None,
) -> Pair:
    """Build one pair from indices into SUBJECTS, VERBS, SUBJECTS, PLACES, TIMES."""
    for name, value, table in (("subject", subject, SUBJECTS), ("verb", verb, VERBS),
                               ("companion", companion, SUBJECTS), ("place", place, PLACES), ("time", time, TIMES)):
        if value is not None or name in ("subject", "verb"):
            check_int(value, name, low=0, high=len(table) - 1)
    s_en, s_zh = SUBJECTS[subject]
    v_en, v_zh = VERBS[verb]
    en = ["The", s_en, v_en]
    zh = [s_zh]
    if time is not None:
        zh.append(TIMES[time][1])
    if companion is not None:
        if companion == subject:
            raise ValueError(f"the companion must differ from the subject ({SUBJECTS[subject][0]!r})")
        c_en, c_zh = SUBJECTS[companion]
        en += ["with", "the", c_en]
        zh += ["和", c_zh, "一起"]
    if place is not None:
        en += PLACES[place][0].split()
        zh += PLACES[place][1].split()
    if time is not None:
        en += TIMES[time][0].split()
    zh.append(v_zh)
    return Pair(tuple(en), tuple(zh))


def all_pairs() -> list[Pair]:
    """Every sentence the grammar can make, in a fixed order."""
    out = []
    opt = lambda xs: [None, *range(len(xs))]  # noqa: E731
    for s, v, c, p, t in itertools.product(
        range(len(SUBJECTS)), range(len(VERBS)), opt(SUBJECTS), opt(PLACES), opt(TIMES)
    ):
        if c == s:
            continue
        out.append(make_pair(s, v, c, p, t))
    return out


def is_held_out(pair: Pair, percent: int = 10) -> bool:
    """True for the ~``percent``% of sentences reserved for testing (a stable hash of the English).

    The running example is always in the training part.
    """
    if not isinstance(pair, Pair):
        raise TypeError(f"pair must be a corpus.Pair, got {show(pair)}")
    check_number(percent, "percent", 0, 100)
    if pair == RUNNING_EXAMPLE:
        return False
    return zlib.crc32(pair.en_text.encode("utf-8")) % 100 < percent


def split_pairs(percent: int = 10) -> tuple[list[Pair], list[Pair]]:
    """(train, test): every pair of the grammar, split by ``is_held_out``."""
    check_number(percent, "percent", 0, 100)
    train, test = [], []
    for p in all_pairs():
        (test if is_held_out(p, percent) else train).append(p)
    return train, test


def sample_pairs(n: int, seed: int = 0, pairs: list[Pair] | None = None) -> list[Pair]:
    """``n`` pairs drawn without replacement (or all of them if ``n`` is larger), seeded."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"n must be an int >= 0, got {show(n)}")
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    pool = all_pairs() if pairs is None else _check_pairs(pairs)
    rng = random.Random(seed)
    return rng.sample(pool, min(n, len(pool)))


def build_vocabs(pairs: list[Pair] | None = None) -> tuple[Vocab, Vocab]:
    """(English vocab, Chinese vocab) over ``pairs`` (default: the whole grammar), sorted order."""
    pairs = all_pairs() if pairs is None else _check_pairs(pairs)
    if not pairs:
        raise ValueError("pairs must hold at least one pair to build vocabularies from, got an empty list")
    en = sorted({t for p in pairs for t in p.en})
    zh = sorted({t for p in pairs for t in p.zh})
    return Vocab(en), Vocab(zh)





def _check_pairs(pairs: object) -> list[Pair]:
    if isinstance(pairs, (Pair, str)) or not isinstance(pairs, (list, tuple)):
        raise TypeError(f"pairs must be a list of corpus.Pair, got {show(pairs)}")
    for i, p in enumerate(pairs):
        if not isinstance(p, Pair):
            raise TypeError(f"pairs[{i}] must be a corpus.Pair, got {show(p)}")
    return list(pairs)


def zen_of_python() -> list[str]:
    """The Zen of Python, decoded from the standard library (no download, no print)."""
    import codecs
    import contextlib
    import importlib
    import io

    with contextlib.redirect_stdout(io.StringIO()):
        this = importlib.import_module("this")
    return [line for line in codecs.decode(this.s, "rot13").splitlines() if line.strip()]


def python_docs_prose(max_bytes: int = 60_000) -> list[str]:
    """English prose paragraphs from the help topics that ship with Python (``pydoc_data``).

    Code samples and headings are left out. The text is real technical English, available
    offline; it differs slightly between Python versions. Empty if the module is missing.
    """
    check_int(max_bytes, "max_bytes", low=0)
    if max_bytes == 0:
        return []
    try:
        from pydoc_data.topics import topics
    except ImportError:  # some distributions strip it
        return []
    out: list[str] = []
    size = 0
    for name in sorted(topics):
        for block in topics[name].split("\n\n"):
            lines = block.splitlines()
            if not lines or any(line.startswith((" ", "*", "=", "-")) for line in lines):
                continue
            paragraph = " ".join(line.strip() for line in lines)
            if len(paragraph) < 80:
                continue
            out.append(paragraph)
            size += len(paragraph.encode("utf-8"))
            if size >= max_bytes:
                return out
    return out


def bpe_corpus(n_pairs: int = 300, seed: int = 0, prose_bytes: int = 60_000) -> list[str]:
    """Training text for the tokenizer chapter, one item per line or paragraph, all offline.

    ``n_pairs`` sampled English sentences of the toy corpus and their Chinese translations
    (written without spaces, as Chinese normally is), the Zen of Python, and about
    ``prose_bytes`` of English prose from Python's own help topics.
    """
    check_int(n_pairs, "n_pairs", low=0)
    check_int(prose_bytes, "prose_bytes", low=0)
    pairs = sample_pairs(n_pairs, seed)
    return (
        [p.en_text for p in pairs]
        + ["".join(p.zh) for p in pairs]
        + zen_of_python()
        + python_docs_prose(prose_bytes)
    )
