"""Print a function's source as a teaching listing: the signature without type hints, no
docstring, no input checks. The code a chapter shows is then the code that runs, minus the lines
that only guard against bad input."""

from __future__ import annotations

import ast
import inspect
import textwrap


def _is_check(node: ast.stmt) -> bool:
    """An input check: a call of a ``check_*`` function, or ``if ...: raise ...``."""
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
        f = node.value.func
        name = f.id if isinstance(f, ast.Name) else getattr(f, "attr", "")
        return name.startswith("check_")
    return isinstance(node, ast.If) and not node.orelse and all(isinstance(b, ast.Raise) for b in node.body)


def teaching_source(function) -> str:
    """The source of ``function`` (a function or method) as a chapter shows it: ``def name(args):``
    with the parameter names and defaults only, then the body without its docstring and without
    input checks (``check_...(...)`` calls and ``if ...: raise`` blocks)."""
    source = textwrap.dedent(inspect.getsource(function))
    tree = ast.parse(source)
    fn = tree.body[0]
    if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
        raise TypeError(f"{function!r} is not a function")
    lines = source.splitlines()
    body = list(fn.body)
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        body = body[1:]  # the docstring
    kept, previous_end = [], (body[0].lineno - 1 if body else 0)
    for node in body:
        gap = lines[previous_end:node.lineno - 1]  # comment lines just above the statement
        if not _is_check(node):
            kept += [line for line in gap if line.strip().startswith("#")]
            kept += lines[node.lineno - 1:node.end_lineno]
        previous_end = node.end_lineno
    params = []
    for p in inspect.signature(function).parameters.values():
        params.append(p.name if p.default is inspect.Parameter.empty else f"{p.name}={p.default!r}")
    header = f"def {fn.name}({', '.join(params)}):"
    return "\n".join([header, *kept])
