"""Timings that both editions of the book show alike.

A timing differs from run to run, and the English and Chinese pages are built by two runs of the
same notebooks; yet the two pages must show the same numbers. So the book's code reads the clock
through ``clock.perf_counter()``, which is ``time.perf_counter()`` everywhere (a learner's kernel,
Colab, Binder) except in the book's build, where one setting, ``BOOK_CLOCK``, decides:

- ``record:DIR`` (the English build): every reading is also written to ``DIR``;
- ``replay:DIR`` (the Chinese build): the readings come back from ``DIR`` in the same order, so
  every time the Chinese page prints or draws is the English page's.

A reading is filed under the notebook cell that is running (the hash of the code executed in this
kernel so far, without its comments, docstrings and strings: the Chinese edition translates them; the rest
is the same in both editions) and its place among that cell's readings. A cell the English run did not record
reads the real clock, with a warning.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import io
import json
import os
import sys
import time
import tokenize
import warnings
from pathlib import Path

VARIABLE = "BOOK_CLOCK"
#: cells that start with this line are the build's own (the Chinese edition's language cell): not part of the key
SKIP_MARK = "# 中文版"

_seen: dict[str, list[float]] = {}  # key -> readings recorded in this process
_replayed: dict[str, int] = {}  # key -> readings replayed so far in this process


def mode() -> tuple[str, Path | None]:
    """``("off", None)``, ``("record", DIR)`` or ``("replay", DIR)``, from ``BOOK_CLOCK``."""
    value = os.environ.get(VARIABLE, "")
    if not value:
        return "off", None
    kind, sep, where = value.partition(":")
    if kind not in ("record", "replay") or not sep or not where:
        raise ValueError(f"{VARIABLE} must be 'record:DIR' or 'replay:DIR' (or unset), got {value!r}")
    return kind, Path(where)


class _Blank(ast.NodeTransformer):
    """Every string and f-string emptied (docstrings and the words code prints: the Chinese edition
    translates them, and a translated f-string may order its fields differently)."""

    def visit_Constant(self, node: ast.Constant) -> ast.Constant:
        return ast.Constant("") if isinstance(node.value, str) else node

    def visit_JoinedStr(self, node: ast.JoinedStr) -> ast.Constant:
        return ast.Constant("")


@functools.lru_cache(maxsize=1024)
def _without_comments(source: str) -> str:
    """``source`` without what the Chinese edition translates: its comments, docstrings and strings. For
    Python, the dump of its syntax tree with every string emptied (``_Blank``; comments and layout are
    not in the tree); else ``source`` with its comment tokens cut out; else ``source``."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        tree = None
    if tree is not None:
        return ast.dump(_Blank().visit(tree))
    lines = source.splitlines(keepends=True)
    try:
        comments = [t for t in tokenize.generate_tokens(io.StringIO(source).readline) if t.type == tokenize.COMMENT]
    except (tokenize.TokenError, SyntaxError):
        return source
    for t in reversed(comments):
        row, col = t.start
        lines[row - 1] = lines[row - 1][:col] + lines[row - 1][col + len(t.string):]
    return "".join(lines)


def _cell_key() -> str | None:
    """The hash of the code this kernel has executed so far (the build's own cells left out),
    or None outside IPython."""
    shell = sys.modules.get("IPython") and sys.modules["IPython"].get_ipython()
    if shell is None:
        return None
    inputs = shell.user_ns.get("In", [])
    digest = hashlib.sha256()
    for source in inputs:
        if source and not source.lstrip().startswith(SKIP_MARK):
            digest.update(_without_comments(source).encode("utf-8"))
            digest.update(b"\x00")
    return digest.hexdigest()[:32]


def _read(kind_of_clock: str, real: float) -> float:
    """``real`` (a reading of the clock named ``kind_of_clock``), recorded or replayed as ``BOOK_CLOCK`` says."""
    kind, where = mode()
    if kind == "off":
        return real
    key = _cell_key()
    if key is None:
        return real
    key = f"{key}-{kind_of_clock}"
    path = where / f"{key}.json"
    if kind == "record":
        readings = _seen.setdefault(key, [])
        readings.append(real)
        where.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(readings), encoding="utf-8")
        return real
    n = _replayed.get(key, 0)
    _replayed[key] = n + 1
    try:
        readings = json.loads(path.read_text(encoding="utf-8"))
        return float(readings[n])
    except (OSError, ValueError, IndexError):
        warnings.warn(f"{VARIABLE}: no recorded {kind_of_clock} reading {n} for this cell in {where}; "
                      "the real clock is read", stacklevel=3)
        return real


def perf_counter() -> float:
    """Seconds on a monotonic clock, like ``time.perf_counter()``; recorded or replayed in the book's build."""
    return _read("perf_counter", time.perf_counter())


def process_time() -> float:
    """This process's CPU seconds, like ``time.process_time()``; recorded or replayed in the book's build."""
    return _read("process_time", time.process_time())


def thread_time() -> float:
    """This thread's CPU seconds, like ``time.thread_time()``; recorded or replayed in the book's build."""
    return _read("thread_time", time.thread_time())
