"""Print a function's source as a teaching listing: the signature without type hints, no
docstring, no input checks, lines no wider than the page. The code a chapter shows is then the
code that runs, minus the lines that only guard against bad input.

``teaching_source(f)`` gives the whole function; ``teaching_source(f, start="for ", stop="return")``
an excerpt: the signature, then the lines from the first one that contains ``start`` to the first
one after it that contains ``stop``, with ``...`` where lines were left out.
"""

from __future__ import annotations

import ast
import inspect
import io
import textwrap
import tokenize

WIDTH = 78  # characters: a listing this wide fits the page without wrapping


def _check_call(node: ast.AST) -> bool:
    """A call of a function whose name starts with ``check_`` or ``_check``."""
    if not isinstance(node, ast.Call):
        return False
    f = node.func
    name = f.id if isinstance(f, ast.Name) else getattr(f, "attr", "")
    return name.startswith(("check_", "_check"))


def _is_check(node: ast.stmt) -> bool:
    """An input check: a call of a ``check_*`` function (alone, or assigned to a name), or
    ``if ...: raise ...`` (an ``if`` without ``else`` whose block ends by raising)."""
    if isinstance(node, ast.Expr):
        return _check_call(node.value)
    if isinstance(node, ast.Assign):
        return all(isinstance(t, ast.Name) for t in node.targets) and _check_call(node.value)
    return isinstance(node, ast.If) and not node.orelse and isinstance(node.body[-1], ast.Raise)


def _dropped(statements: list[ast.stmt], lines: list[str], out: set[int]) -> bool:
    """Add to ``out`` the line numbers (from 0) of every input check in ``statements``, at any
    depth; a block left empty goes with its header (``else:`` included). True if all went."""
    gone = True
    for node in statements:
        span = range(node.lineno - 1, node.end_lineno)
        if _is_check(node):
            out.update(span)
            continue
        body = getattr(node, "body", None)
        if not isinstance(body, list) or not body or not isinstance(body[0], ast.stmt):
            gone = False
            continue
        body_gone = _dropped(body, lines, out)
        orelse = getattr(node, "orelse", None) or []
        else_gone = _dropped(orelse, lines, out) if orelse else True
        if orelse and else_gone:  # the "else:" line between the two blocks goes too
            for i in range(body[-1].end_lineno, orelse[0].lineno - 1):
                if lines[i].strip() == "else:":
                    out.add(i)
        if body_gone and else_gone:
            out.update(span)
        else:
            gone = False
    return gone


def _breaks(line: str) -> list[tuple[int, int]]:
    """(column, bracket depth) where ``line`` (one line of code) may be split without a backslash:
    after a comma, or before a binary operator or ``if``/``else``/``and``/``or``/``for``, inside
    brackets, outside strings."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(line.lstrip() + "\n").readline))
    except Exception:  # tokenize.TokenError, SyntaxError: part of a statement, brackets unbalanced
        return []
    shift = len(line) - len(line.lstrip())
    depth, cols = 0, []
    for tok in tokens:
        if tok.type == tokenize.OP and tok.string in "([{":
            depth += 1
        elif tok.type == tokenize.OP and tok.string in ")]}":
            depth -= 1
        elif depth > 0 and tok.type == tokenize.OP and tok.string == ",":
            cols.append((shift + tok.end[1], depth))
        elif depth > 0 and tok.type == tokenize.OP and tok.string in ("+", "-", "*", "/", "//", "@"):
            cols.append((shift + tok.start[1], depth))
        elif depth > 0 and tok.type == tokenize.NAME and tok.string in ("if", "else", "and", "or", "for"):
            cols.append((shift + tok.start[1], depth))
    return cols


def _assignment(line: str) -> int | None:
    """The column of the ``=`` of an assignment ``target = value`` in ``line``, or None."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(line.lstrip() + "\n").readline))
    except Exception:  # tokenize.TokenError, SyntaxError: part of a statement
        return None
    shift, depth = len(line) - len(line.lstrip()), 0
    for tok in tokens:
        if tok.type == tokenize.OP and tok.string in "([{":
            depth += 1
        elif tok.type == tokenize.OP and tok.string in ")]}":
            depth -= 1
        elif tok.type == tokenize.OP and tok.string == "=" and depth == 0:
            return shift + tok.start[1]
    return None


def _wrap(line: str, width: int) -> list[str]:
    """``line`` as lines of at most ``width`` characters where possible: a trailing comment moves
    above the code, then the code is split inside its brackets, continued 4 spaces further in."""
    if len(line) <= width:
        return [line]
    indent = line[: len(line) - len(line.lstrip())]
    code, comment = line, ""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(line.lstrip() + "\n").readline))
        comments = [t for t in tokens if t.type == tokenize.COMMENT]
    except Exception:  # tokenize.TokenError, SyntaxError: part of a statement, brackets unbalanced
        comments = []
    if comments and line.lstrip()[: comments[0].start[1]].strip():
        cut = len(indent) + comments[0].start[1]
        code, comment = line[:cut].rstrip(), line[cut:]
    out = [indent + comment] if comment else []
    if len(code) <= width:  # the comment above was all it took
        return [*out, code]
    # a block header (def, if, for) continues 8 spaces in, so that it stands apart from its block
    lead = indent + " " * (8 if code.rstrip().endswith(":") else 4)
    breaks, done = _breaks(code), 0  # done: columns of ``code`` already written out
    if not [c for c, _ in breaks if c <= width]:  # no bracket to split in: bracket the value
        equals = _assignment(code)
        if equals is not None:
            value = code[equals + 1 :].strip()
            return [*out, code[:equals].rstrip() + " = (", *_wrap(indent + "    " + value, width), indent + ")"]
    rest = code
    while len(rest) > width:
        # a break at column c of ``code`` falls at column c - done + len(lead) of ``rest``
        offset = 0 if done == 0 else len(lead) - done
        fits = [(c, depth) for c, depth in breaks if c > done and len(lead) + 4 < c + offset <= width]
        if not fits:
            break
        late = [(c, depth) for c, depth in fits if c + offset > width // 2] or fits
        outer = min(depth for _, depth in late)  # split the outermost brackets first
        cut = max(c for c, depth in late if depth == outer)
        out.append((rest[: cut + offset]).rstrip())
        done = cut + (len(code[cut:]) - len(code[cut:].lstrip()))  # skip the spaces at the break
        rest = lead + code[done:]
    return [*out, rest]


def _header(function, name: str) -> str:
    params, star = [], False
    for p in inspect.signature(function).parameters.values():
        if p.kind is inspect.Parameter.KEYWORD_ONLY and not star:
            params.append("*")
            star = True
        if p.kind is inspect.Parameter.VAR_POSITIONAL:
            star = True
        prefix = {inspect.Parameter.VAR_POSITIONAL: "*", inspect.Parameter.VAR_KEYWORD: "**"}.get(p.kind, "")
        params.append(prefix + p.name if p.default is inspect.Parameter.empty else f"{p.name}={p.default!r}")
    return f"def {name}({', '.join(params)}):"


def teaching_source(function, start: str | None = None, stop: str | None = None, width: int = WIDTH) -> str:
    """The source of ``function`` (a function or method) as a chapter shows it: ``def name(args):``
    with the parameter names and defaults only, then the body without its docstring and without
    input checks (``check_...(...)`` calls and ``if ...: raise`` blocks, at any depth), lines
    wrapped at ``width`` characters (a long line is split inside its brackets, a trailing comment
    moved above it).

    With ``start`` (and ``stop``) only an excerpt of the body is shown: from the first line that
    contains ``start`` to the first line from there on that contains ``stop`` (default: to the
    end), with ``...`` in place of the lines left out.
    """
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
    if not body:
        return _header(function, fn.name)
    first = body[0].lineno - 1
    # comment lines right above the first statement belong to it
    while first > fn.lineno and lines[first - 1].strip().startswith("#"):
        first -= 1
    dropped: set[int] = set()
    _dropped(body, lines, dropped)
    kept = [(i, lines[i]) for i in range(first, fn.end_lineno) if i not in dropped and lines[i].strip()]
    if start is not None:
        begin = next((k for k, (_, line) in enumerate(kept) if start in line), None)
        if begin is None:
            raise ValueError(f"no line of {fn.name} contains {start!r}")
        end = len(kept) - 1
        if stop is not None:
            end = next((k for k in range(begin, len(kept)) if stop in kept[k][1]), None)
            if end is None:
                raise ValueError(f"no line of {fn.name} from {start!r} on contains {stop!r}")
        body_lines = [line for _, line in kept[begin : end + 1]]
        indent = " " * min(len(line) - len(line.lstrip()) for line in body_lines)
        if begin > 0:
            body_lines = [indent + "...", *body_lines]
        if end < len(kept) - 1:
            body_lines = [*body_lines, indent + "..."]
    else:
        body_lines = [line for _, line in kept]
    plain = [_header(function, fn.name), *body_lines]
    wrapped = [piece for line in plain for piece in _wrap(line, width)]
    if start is None and not _same_code("\n".join(plain), "\n".join(wrapped)):
        return "\n".join(plain)  # pragma: no cover - the wrapping changed the code: show it unwrapped
    return "\n".join(wrapped)


def _same_code(a: str, b: str) -> bool:
    """Do the two listings parse to the same code?"""
    try:
        return ast.dump(ast.parse(a)) == ast.dump(ast.parse(b))
    except SyntaxError:
        return False
