"""The Chinese strings (src/helpers/data/strings_zh_CN/*.json) and the code that looks them up agree.

``helpers.i18n.t(text, **fields)`` is the only function that looks a string up (``i18n.strings`` is
the table it reads; nothing else in the code reads the table). This file reads every ``t(...)`` call
by its syntax tree, in src/helpers, scripts and the chapters' code cells, and checks both ways:

- every key of the Chinese files is produced by some call: a literal ``t("...")`` (implicitly
  concatenated literals are one constant in the tree), a key matching an f-string ``t(f"...{x}...")``
  (its fields taken as any text), or, for a call on a variable (``t(name)``, ``t(label)``), a string
  the code or the shipped logs in src/helpers/data hold somewhere, since the variable is filled
  from them (``for name, ... in SETS``, a dict a chapter passes to a plot, a log's run names);
  a key found nowhere is unused and is listed;
- every literal passed to ``t`` has a Chinese entry, also in scripts/ and for f-strings (an f-string
  must match some key), which tests/test_i18n.py does not read.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from pathlib import Path

from helpers import i18n

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "helpers" / "data"


def _parse(text: str) -> ast.AST | None:
    """The tree of a module or a notebook cell; IPython lines (``%magic``, ``!shell``) are left out."""
    try:
        return ast.parse(text)
    except SyntaxError:
        kept = [line for line in text.splitlines() if not line.lstrip().startswith(("%", "!"))]
        try:
            return ast.parse("\n".join(kept))
        except SyntaxError:
            return None


def sources() -> Iterator[tuple[str, str]]:
    """(where, code) for every Python file of src/helpers and scripts and every chapter code cell."""
    for folder in (ROOT / "src" / "helpers", ROOT / "scripts"):
        for path in sorted(folder.rglob("*.py")):
            yield str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")
    for nb in sorted((ROOT / "chapters").glob("*.ipynb")):
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        for k, cell in enumerate(cells):
            if cell["cell_type"] == "code":
                yield f"chapters/{nb.name} cell {k}", "".join(cell["source"])


def _t_names(tree: ast.AST) -> set[str]:
    """The names ``t`` goes by in ``tree``: "t", and any alias (``from helpers.i18n import t as say``)."""
    names = {"t"}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[-1] == "i18n":
            names |= {alias.asname for alias in node.names if alias.name == "t" and alias.asname}
    return names


def _is_t_call(node: ast.AST, names: frozenset[str] | set[str] = frozenset({"t"})) -> bool:
    """``t(...)`` (or an alias in ``names``) or ``i18n.t(...)`` with at least one argument
    (``obj.t()`` elsewhere has none)."""
    if not isinstance(node, ast.Call) or not node.args:
        return False
    func = node.func
    return (isinstance(func, ast.Name) and func.id in names) or (
        isinstance(func, ast.Attribute)
        and func.attr == "t"
        and isinstance(func.value, ast.Name)
        and func.value.id == "i18n"
    )


def _pattern(node: ast.JoinedStr) -> re.Pattern:
    """An f-string as a regular expression: its literal parts as they are, each field as any text."""
    parts = []
    for value in node.values:
        if isinstance(value, ast.Constant):
            parts.append(re.escape(value.value))
        else:
            parts.append(".+?")
    return re.compile("".join(parts), re.DOTALL)


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the docstring nodes of ``tree`` (strings no code passes anywhere)."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                out.add(id(body[0].value))
    return out


class Calls:
    """What the code passes to ``t``: literals (with where), f-string patterns (with where), whether some
    call passes a variable, and every other string constant of the code (what a variable may hold)."""

    def __init__(self) -> None:
        self.literals: dict[str, str] = {}
        self.patterns: list[tuple[re.Pattern, str]] = []
        self.variable_calls: list[str] = []
        self.constants: set[str] = set()
        for where, code in sources():
            tree = _parse(code)
            if tree is None:
                continue
            skip = _docstrings(tree)
            names = _t_names(tree)
            for node in ast.walk(tree):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
                    self.constants.add(node.value)
                if not _is_t_call(node, names):
                    continue
                first = node.args[0]
                line = f"{where}, line {first.lineno}"
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    self.literals.setdefault(first.value, line)
                elif isinstance(first, ast.JoinedStr):
                    self.patterns.append((_pattern(first), line))
                else:
                    self.variable_calls.append(f"{line}: {ast.unparse(node)[:60]}")


def shipped_strings() -> set[str]:
    """Every string in the logs shipped in src/helpers/data (run names, hints), which code may pass
    to ``t`` through a variable; the Chinese tables themselves are not read."""
    found: set[str] = set()

    def walk(value) -> None:
        if isinstance(value, str):
            found.add(value)
        elif isinstance(value, dict):
            for key, item in value.items():
                found.add(key)
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for path in sorted(DATA.glob("*.json")):
        walk(json.loads(path.read_text(encoding="utf-8")))
    return found


def keys_by_file() -> dict[str, list[str]]:
    """file name -> the English keys of src/helpers/data/strings_zh_CN/<file>."""
    return {
        path.name: list(json.loads(path.read_text(encoding="utf-8")))
        for path in sorted((DATA / "strings_zh_CN").glob("*.json"))
    }


def unused_keys(calls: Calls | None = None) -> dict[str, list[str]]:
    """file name -> its keys that no call to ``t`` can produce (see the module's docstring)."""
    calls = calls or Calls()
    held = calls.constants | shipped_strings() if calls.variable_calls else set()
    out = {}
    for name, keys in keys_by_file().items():
        unused = [
            key
            for key in keys
            if key not in calls.literals and key not in held and not any(p.fullmatch(key) for p, _ in calls.patterns)
        ]
        if unused:
            out[name] = unused
    return out


def test_the_scan_finds_the_calls():
    """The scan itself works: it sees the chapters' and the helpers' calls (not an empty set that
    would make both checks below pass on nothing)."""
    calls = Calls()
    assert len(calls.literals) > 300, len(calls.literals)
    wheres = list(calls.literals.values())
    for folder in ("chapters/", "src/helpers/plots/", "src/helpers/explorers/"):
        assert any(where.startswith(folder) for where in wheres), folder
    tree = ast.parse('t("a " "b"); t(f"loss {x:.3f} at {n}"); i18n.t("c"); ours.t(); other("d")')
    found = [node for node in ast.walk(tree) if _is_t_call(node)]
    assert [ast.unparse(node.args[0]) for node in found] == ["'a b'", "f'loss {x:.3f} at {n}'", "'c'"]
    assert _pattern(found[1].args[0]).fullmatch("loss {loss:.3f} at {step}")
    aliased = ast.parse("from helpers.i18n import t as say\nsay('e')")
    assert _t_names(aliased) == {"t", "say"}
    assert [n.args[0].value for n in ast.walk(aliased) if _is_t_call(n, _t_names(aliased))] == ["e"]


def test_every_chinese_key_is_produced_by_some_call():
    unused = unused_keys()
    listing = "\n".join(f"  {name}: {key!r}" for name, keys in unused.items() for key in keys)
    assert not unused, (
        f"{sum(map(len, unused.values()))} keys of src/helpers/data/strings_zh_CN/ are "
        f"produced by no t(...) call (delete them, or use them):\n{listing}"
    )


def test_every_t_literal_and_f_string_has_a_chinese_entry():
    calls = Calls()
    table = i18n.strings("zh_CN")
    missing = [f"{where}: {text!r}" for text, where in sorted(calls.literals.items()) if text not in table]
    missing += [
        f"{where}: f-string {p.pattern!r} matches no key"
        for p, where in calls.patterns
        if not any(p.fullmatch(key) for key in table)
    ]
    assert not missing, "t(...) calls with no Chinese entry:\n" + "\n".join(missing)
