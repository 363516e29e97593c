"""Move the chapters' ``glue(...)`` calls out of the code a learner reads, into hidden cells.

    python scripts/hide_glue.py chapters/*.ipynb          # rewrite the notebooks in place
    python scripts/hide_glue.py --check chapters/*.ipynb  # list visible glue calls; exit 1 if any

A ``glue("name", value)`` call only hands a number to the prose ({glue:text}`name`): it is
bookkeeping, not teaching. For each code cell that a reader sees, every *top-level* glue statement
is moved into a new code cell right after it, tagged ``remove-cell`` (myst-nb still reads glued
values from removed cells). A statement is moved only when that is safe: the names it reads are
not assigned again later in the same cell, it is not ``display=True`` (which shows output where it
stands), and removing it does not leave an expression as the cell's last line (which would print
a stray value). Anything it cannot move is listed, to be rewritten by hand.
"""

from __future__ import annotations

import argparse
import ast
import sys
import uuid
from pathlib import Path

import nbformat

HIDDEN = "remove-cell"
IMPORT = "from helpers.book import glue"


def _is_glue_call(stmt: ast.stmt) -> bool:
    return (
        isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Call)
        and isinstance(stmt.value.func, ast.Name)
        and stmt.value.func.id == "glue"
    )


def _only_glues(stmts: list[ast.stmt]) -> bool:
    """True for loop or branch bodies that only glue: glue calls, plain assignments that prepare
    them, and nested loops and ifs of the same kind (at least one glue call somewhere)."""
    def ok(s: ast.stmt) -> bool:
        if _is_glue_call(s) or isinstance(s, (ast.Assign, ast.AugAssign)):
            return True
        if isinstance(s, ast.For) and not s.orelse:
            return all(ok(x) for x in s.body)
        if isinstance(s, ast.If):
            return all(ok(x) for x in s.body + s.orelse)
        return False
    calls = [n for s in stmts for n in ast.walk(s) if isinstance(n, ast.stmt) and _is_glue_call(n)]
    return bool(calls) and all(ok(s) for s in stmts)


def _is_glue(stmt: ast.stmt) -> bool:
    """A glue(...) call, or a for loop whose body only glues (one value per loop step)."""
    if isinstance(stmt, ast.For) and not stmt.orelse:
        return _only_glues(stmt.body)
    return _is_glue_call(stmt)


def _shows_output(stmt: ast.stmt) -> bool:
    calls = [n for n in ast.walk(stmt) if isinstance(n, ast.stmt) and _is_glue_call(n)]
    return any(k.arg == "display" and not (isinstance(k.value, ast.Constant) and k.value.value is False)
               for c in calls for k in c.value.keywords)


_SCOPES = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.Lambda)


def _walk_outside_scopes(node: ast.AST):
    """Like ast.walk, but without entering comprehensions and lambdas (their names stay inside)."""
    todo = [node]
    while todo:
        n = todo.pop()
        yield n
        todo.extend(c for c in ast.iter_child_nodes(n) if not isinstance(c, _SCOPES))


def _loads(node: ast.AST) -> set[str]:
    """Names a statement reads from the cell (a comprehension's own loop variable excluded)."""
    loads = {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    local = {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    return loads - local


def _stores(node: ast.AST) -> set[str]:
    """Names a statement binds in the cell (not a comprehension's loop variable)."""
    return {n.id for n in _walk_outside_scopes(node)
            if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del))}


def _hidden(cell) -> bool:
    return HIDDEN in cell.get("metadata", {}).get("tags", [])


def split_cell(source: str) -> tuple[str, list[str], list[str]] | None:
    """Split a cell's source into (kept source, moved glue statements, reasons left behind).

    Returns None when the cell holds no top-level glue call or cannot be parsed (IPython magics).
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    body = tree.body
    glues = [i for i, s in enumerate(body) if _is_glue(s)]
    if not glues:
        return None
    lines = source.splitlines()
    move, left = [], []
    for i in glues:
        stmt = body[i]
        later = set().union(*(_stores(s) for s in body[i + 1:])) if i + 1 < len(body) else set()
        reused = _loads(stmt) & later
        # a loop's own variables must not be read after it in the cell (they would be unbound)
        read_after = set().union(*(_loads(s) for s in body[i + 1:])) if i + 1 < len(body) else set()
        reused |= _stores(stmt) & read_after
        if _shows_output(stmt):
            left.append(f"line {stmt.lineno}: display=True shows output where it stands")
        elif reused:
            left.append(f"line {stmt.lineno}: {', '.join(sorted(reused))} assigned again later in the cell")
        else:
            move.append(i)
    if not move:
        return source, [], left
    remaining = [s for j, s in enumerate(body) if j not in move]
    if remaining and isinstance(remaining[-1], ast.Expr) and not isinstance(remaining[-1].value, ast.Call):
        left.append(f"line {remaining[-1].lineno}: would become the last line and print a value")
        return source, [], left
    if remaining and isinstance(remaining[-1], ast.Expr) and _is_expression_result(remaining[-1]):
        left.append(f"line {remaining[-1].lineno}: would become the last line and print its result")
        return source, [], left
    drop: set[int] = set()
    moved = []
    for j in move:
        stmt = body[j]
        drop.update(range(stmt.lineno - 1, stmt.end_lineno))
        moved.append("\n".join(lines[stmt.lineno - 1:stmt.end_lineno]))
    kept = [line for k, line in enumerate(lines) if k not in drop]
    while kept and not kept[-1].strip():
        kept.pop()
    # a comment left alone at the end, or two blank lines in a row, are tidied away
    text = "\n".join(kept)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text, moved, left


def _is_expression_result(stmt: ast.Expr) -> bool:
    """True unless the call is one that returns None (print, display, plt.show)."""
    func = stmt.value.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return name not in {"print", "display", "show"}


def process(path: Path, write: bool) -> tuple[int, list[str]]:
    nb = nbformat.read(path, as_version=4)
    cells, moved_total, problems = [], 0, []
    for index, cell in enumerate(nb.cells):
        cells.append(cell)
        if cell.cell_type != "code" or _hidden(cell):
            continue
        result = split_cell(cell.source)
        if result is None:
            continue
        kept, moved, left = result
        problems += [f"{path.name} cell {index}: {why}" for why in left]
        if not moved:
            continue
        moved_total += len(moved)
        if not kept.strip() or kept.strip() == IMPORT:
            cell.source = "\n".join([IMPORT, "", *moved])
            cell.metadata.setdefault("tags", []).append(HIDDEN)
            continue
        cell.source = kept
        hidden = nbformat.v4.new_code_cell("\n".join([IMPORT, "", *moved]), metadata={"tags": [HIDDEN]})
        hidden.id = uuid.uuid4().hex[:8]
        cells.append(hidden)
    if write and moved_total:
        nb.cells = cells
        _drop_visible_import(nb)
        nbformat.write(nb, path)
    return moved_total, problems


def _drop_visible_import(nb) -> None:
    """Remove ``glue`` from a visible ``from helpers.book import glue`` once no visible cell calls it."""
    visible = [c for c in nb.cells if c.cell_type == "code" and not _hidden(c)]
    if any("glue(" in c.source for c in visible):
        return
    for c in visible:
        lines = c.source.splitlines()
        if IMPORT in lines:
            c.source = "\n".join(line for line in lines if line != IMPORT)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--check", action="store_true", help="only list visible glue calls; exit 1 if any")
    args = parser.parse_args(argv)
    status = 0
    for path in args.notebooks:
        moved, problems = process(path, write=not args.check)
        verb = "would move" if args.check else "moved"
        if moved or problems:
            print(f"{path}: {verb} {moved} glue call(s)")
        for p in problems:
            print("  left:", p)
        if args.check and (moved or problems):
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
