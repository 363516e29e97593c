"""Make the notebooks a learner opens in Colab, Binder or JupyterLab: the chapters without MyST.

    python scripts/learner_notebooks.py                  # after a build: _build/learner/chapters/*.ipynb
    python scripts/learner_notebooks.py --check          # also fail on any MyST left in the output

The chapters (``chapters/*.ipynb``) are what authors edit, written in MyST for the website. Jupyter,
JupyterLab and Colab render plain Markdown, where MyST shows as raw text. This script writes one
learner's notebook per chapter, from the chapter and from the notebook the book build executed
(``_build/jupyter_execute``, which holds every glued value):

- ``{glue:text}`key:fmt``` becomes the number, formatted exactly as on the website;
- exercises become bold numbered headings ("Exercise 4.2: ..."), and each solution is folded away:
  its prose in a ``<details>`` block, its code cells collapsed (``source_hidden``; a form in Colab);
- ``{term}``, ``{doc}``, ``{ref}``, ``{cite}`` become Markdown links (to the sibling notebook, to an
  anchor on the page, or to the website for the glossary and bibliography); ``(label)=`` targets
  become HTML anchors; admonitions become block quotes;
- a figure's caption (``mystnb.figure.caption``) follows its cell as a line of text;
- cells that only glue values for the text are dropped; every other code cell is kept unchanged.

Translations (a later Chinese edition) hook in before conversion: ``convert(..., translate=f)``
maps each markdown cell's source to its translation.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "_ext"))

# MyST that must never reach a learner (checked on every output notebook).
LEFTOVERS = re.compile(  # a role is never glued to a word or a backslash: \\mathrm{ref} is TeX, not a role
    r"(?<![\w\\])\{(?:glue[:\w]*|term|doc|ref|numref|eq|cite[:\w]*|fa)\}`|```\{|:::|^\s*\([\w-]+\)=\s*$", re.M
)
ROLE = re.compile(r"\{(?P<role>[a-z]+(?::[a-z]+)?)\}`(?P<body>[^`]*)`")
FENCE = re.compile(r"^(?P<indent>\s*)(?P<mark>`{3,}|:{3,})(?P<rest>.*)$")
GLUE_ONLY = re.compile(r"^\s*(from helpers\.book import glue|glue\(.*|\s+.*|\)|#.*|)\s*$")


def site_url() -> str:
    """The website's address: book_site_url in _config.yml, else GitHub Pages of the repository."""
    text = (ROOT / "_config.yml").read_text(encoding="utf-8")
    m = re.search(r"^\s+book_site_url:\s*(\S+)", text, re.M)
    if m:
        return m.group(1).rstrip("/") + "/"
    repo = re.search(r"repository:\s*\n\s+url:\s*(\S+)", text).group(1)
    owner, name = repo.rstrip("/").split("/")[-2:]
    return f"https://{owner}.github.io/{name}/"


# ---------------------------------------------------------------------------------------------
# What the conversion needs to know about the whole book


def glue_values(executed: Path) -> dict[str, str]:
    """Every glued key of one executed notebook -> its text/plain representation.

    myst-nb writes them beside the executed notebook (``NN_topic.glue.json``); the notebook's own
    glue outputs are read too, for a notebook executed another way (nbclient, papermill).
    """
    values = {}
    data = executed.with_suffix(".glue.json")
    if data.exists():
        for key, output in json.loads(data.read_text(encoding="utf-8")).items():
            if "text/plain" in output.get("data", {}):
                values[key] = output["data"]["text/plain"]
    nb = nbformat.read(executed, as_version=4)
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            key = output.get("metadata", {}).get("scrapbook", {}).get("name")
            plain = {k.rsplit("/", 2)[-2] + "/" + k.rsplit("/", 1)[-1] if k.count("/") > 1 else k: v
                     for k, v in output.get("data", {}).items()}.get("text/plain")
            if key and plain is not None:
                values.setdefault(key, plain)
    return values


def format_glue(plain: str, spec: str) -> str:
    """Format a glued value as myst-nb's {glue:text} role does (so the numbers match the website)."""
    from myst_nb.core.variables import format_plain_text

    return format_plain_text(plain, spec)  # also strips a string's quotes, as the website does


def labels(chapters: list[Path]) -> dict[str, tuple[str, str]]:
    """Every ``(label)=`` target and exercise label -> (notebook file name, the heading that follows)."""
    found = {}
    for path in chapters:
        nb = nbformat.read(path, as_version=4)
        chapter = int(path.name[:2])
        for label, number in exercise_numbers(nb, chapter).items():
            found[label] = (path.name, f"Exercise {number}")
        for label, number in figure_numbers(nb, chapter).items():
            found[label] = (path.name, f"Fig. {number}")
        for cell in nb.cells:
            if cell.cell_type != "markdown":
                continue
            lines = cell.source.splitlines()
            for i, line in enumerate(lines):
                m = re.fullmatch(r"\s*\(([\w-]+)\)=\s*", line)
                if m:
                    heading = next((x.lstrip("#").strip() for x in lines[i + 1:] if x.strip()), m.group(1))
                    found[m.group(1)] = (path.name, heading)
    return found


def citations(bib: Path) -> dict[str, tuple[str, str]]:
    """Bibliography key -> (author part, year), as the website's author-year labels."""
    import bib_style
    from pybtex.database import parse_file

    out = {}
    for key, entry in parse_file(str(bib)).entries.items():
        who, year = bib_style.author_year(entry).rsplit(", ", 1)
        out[key] = (who, year)
    return out


def glossary_anchors(html: Path | None) -> dict[str, str]:
    """Glossary term -> its anchor on the website's glossary page (read from the built page)."""
    if html is None or not html.exists():
        return {}
    page = html.read_text(encoding="utf-8")
    return {re.sub(r"<[^>]+>", "", text).strip(): anchor
            for anchor, text in re.findall(r'<dt id="(term-[^"]+)">(.*?)<a class="headerlink"', page, re.S)}


class Book:
    """What converting one chapter needs from the rest of the book."""

    def __init__(self, chapters: list[Path], site: str, glossary: dict[str, str], cites: dict[str, tuple[str, str]]):
        self.chapters = {p.name: p for p in chapters}
        self.labels = labels(chapters)
        self.site = site
        self.glossary = glossary
        self.cites = cites


# ---------------------------------------------------------------------------------------------
# One markdown cell


def _link_doc(target: str, book: Book, page: str) -> str:
    """A {doc} target (relative to the chapters folder) -> a notebook or a website URL."""
    name = Path(target).name
    for nb in book.chapters:
        if Path(nb).stem == Path(name).stem:
            return nb
    path = (ROOT / "chapters" / target).resolve().relative_to(ROOT)
    return f"{book.site}{path.with_suffix('.html').as_posix()}"


def _role(m: re.Match, glue: dict[str, str], book: Book, page: str) -> str:
    role, body = m.group("role"), m.group("body")
    text, target = body, body
    explicit = re.fullmatch(r"(?s)(.*?)\s*<([^<>]+)>", body)
    if explicit:
        text, target = explicit.group(1), explicit.group(2)
    if role in ("glue:text", "glue", "glue:"):
        key, _, spec = body.partition(":")
        if key not in glue:
            raise KeyError(f"{page}: no glued value {key!r}")
        return format_glue(glue[key], spec)
    if role == "term":
        anchor = book.glossary.get(target, "")
        return f"[{text}]({book.site}appendix/glossary.html{'#' + anchor if anchor else ''})"
    if role == "doc":
        url = _link_doc(target, book, page)
        label = text if explicit else Path(target).stem.replace("_", " ")
        return f"[{label}]({url})"
    if role in ("numref", "ref"):
        where, title = book.labels.get(target, (None, target))
        if where is None:
            raise KeyError(f"{page}: unknown label {target!r}")
        href = f"#{target}" if where == page else f"{where}#{target}"
        number = title.split()[-1]  # "Fig. 11.2" -> "11.2", for {numref}`Figure %s <label>`
        shown = text.replace("%s", number).replace("{number}", number) if explicit else title
        return f"[{shown}]({href})"
    if role.startswith("cite"):
        keys = [k.strip() for k in body.split(",")]
        url = f"{book.site}appendix/bibliography.html"
        parts = []
        for k in keys:
            who, year = book.cites[k]
            parts.append(f"[{who} ({year})]({url})" if role == "cite:t" else f"[{who}, {year}]({url})")
        return "; ".join(parts) if role == "cite:t" else "(" + "; ".join(parts) + ")"
    if role == "fa":
        return ""
    if role == "math":
        return f"${body}$"
    raise ValueError(f"{page}: a MyST role the learner's notebooks cannot show: {{{role}}}")


def convert_markdown(source: str, glue: dict[str, str], book: Book, page: str, numbers: dict[str, str]) -> str:
    """Plain Markdown for one markdown cell (exercises and solution fences are handled by the caller)."""
    out: list[str] = []
    lines = source.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        label = re.fullmatch(r"\s*\(([\w-]+)\)=\s*", line)
        if label:
            out.append(f'<a id="{label.group(1)}"></a>')
            i += 1
            continue
        fence = FENCE.match(line)
        if fence and fence.group("rest").startswith("{"):
            name = re.match(r"\{([\w-]+)\}\s*(.*)", fence.group("rest"))
            directive, argument = name.group(1), name.group(2).strip()
            body, options, i = _directive_body(lines, i + 1, fence.group("mark"))
            out.extend(_directive(directive, argument, options, body, glue, book, page, numbers))
            continue
        out.append(ROLE.sub(lambda m: _role(m, glue, book, page), line))
        i += 1
    return "\n".join(out)


def _directive_body(lines: list[str], i: int, mark: str) -> tuple[list[str], dict[str, str], int]:
    """The body and :options: of a fenced directive starting at line i; returns the next line index."""
    options, body, depth = {}, [], 0
    while i < len(lines) and re.fullmatch(r"\s*:[\w-]+:.*", lines[i]) and not body:
        key, _, value = lines[i].strip()[1:].partition(":")
        options[key] = value.strip()
        i += 1
    while i < len(lines):
        stripped = lines[i].strip()
        if stripped.startswith(mark[0] * 3):
            inner = stripped.lstrip(mark[0])
            if not inner and len(stripped) >= len(mark) and depth == 0:
                return body, options, i + 1
            depth += 1 if inner else -1
        body.append(lines[i])
        i += 1
    return body, options, i


def _directive(name, argument, options, body, glue, book, page, numbers) -> list[str]:
    inner = convert_markdown("\n".join(body), glue, book, page, numbers).splitlines()
    if name == "exercise":
        number = numbers[options.get("label", argument)]
        title = ROLE.sub(lambda m: _role(m, glue, book, page), argument)
        anchor = f'<a id="{options["label"]}"></a>' if "label" in options else ""
        return [f"{anchor}**Exercise {number}{': ' + title if title else ''}**", "", *inner]
    if name in ("admonition", "note", "tip", "warning", "important", "hint", "seealso", "caution"):
        title = argument or name.capitalize()
        quoted = [f"> {x}" if x.strip() else ">" for x in inner]
        return [f"> **{ROLE.sub(lambda m: _role(m, glue, book, page), title)}**", ">", *quoted]
    if name in ("math",):
        return ["$$", *body, "$$"]
    if name in ("code", "code-block"):
        return [f"```{argument}", *body, "```"]
    raise ValueError(f"{page}: a MyST directive the learner's notebooks cannot show: {{{name}}}")


# ---------------------------------------------------------------------------------------------
# One notebook


def exercise_numbers(nb, chapter: int) -> dict[str, str]:
    """Exercise label -> "4.2": numbered per chapter in order, as the website numbers them."""
    numbers = {}
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for m in re.finditer(r"```\{exercise\}[^\n]*\n(?:\s*:[\w-]+:[^\n]*\n)*", cell.source):
            label = re.search(r":label:\s*(\S+)", m.group(0))
            key = label.group(1) if label else f"_{len(numbers)}"
            numbers[key] = f"{chapter}.{len(numbers) + 1}"
    return numbers


def figure_numbers(nb, chapter: int) -> dict[str, str]:
    """Figure name (``mystnb.figure.name``) -> "11.2": numbered per chapter in order, as on the website."""
    numbers = {}
    for cell in nb.cells:
        figure = cell.get("metadata", {}).get("mystnb", {}).get("figure", {})
        if cell.cell_type == "code" and figure.get("caption"):
            numbers[figure.get("name") or f"_fig{len(numbers)}"] = f"{chapter}.{len(numbers) + 1}"
    return numbers


def _is_glue_cell(cell) -> bool:
    tags = cell.metadata.get("tags", [])
    lines = cell.source.splitlines()
    return "remove-cell" in tags and any("glue(" in x for x in lines) and all(GLUE_ONLY.match(x) for x in lines)


def convert(source: Path, executed: Path | None, book: Book,
            translate: Callable[[str], str] | None = None) -> nbformat.NotebookNode:
    """The learner's notebook for one chapter."""
    nb = nbformat.read(source, as_version=4)
    glue = glue_values(executed) if executed is not None else {}
    chapter = int(source.name[:2])
    numbers = exercise_numbers(nb, chapter)
    cells, in_solution = [], None
    for cell in nb.cells:
        if cell.cell_type == "code":
            if _is_glue_cell(cell):
                continue
            new = nbformat.v4.new_code_cell(cell.source, metadata=_code_metadata(cell, in_solution))
            new.id = cell.id
            cells.append(new)
            figure = cell.metadata.get("mystnb", {}).get("figure", {})
            if figure.get("caption"):
                text = convert_markdown(figure["caption"], glue, book, source.name, numbers)
                name = figure.get("name")
                where, title = book.labels.get(name, (None, "Figure")) if name else (None, "Figure")
                anchor = f'<a id="{name}"></a>' if name else ""
                cells.append(_markdown(f"{anchor}*{title}: {text}*", cell.id + "-cap"))
            continue
        if cell.cell_type != "markdown":
            continue
        text = translate(cell.source) if translate else cell.source
        text, in_solution = _solutions(text, in_solution, numbers)
        md = convert_markdown(text, glue, book, source.name, numbers)
        cells.append(_markdown(md, cell.id))
    nb.cells = cells
    nb.metadata.pop("mystnb", None)
    return nb


def _markdown(text: str, cell_id: str):
    cell = nbformat.v4.new_markdown_cell(text)
    cell.id = re.sub(r"[^\w-]", "-", cell_id)[:64]
    return cell


def _code_metadata(cell, in_solution) -> dict:
    tags = [t for t in cell.metadata.get("tags", []) if t not in ("remove-input", "hide-input")]
    meta: dict = {"tags": tags} if tags else {}
    hidden_input = in_solution is not None or {"hide-input", "remove-input"} & set(cell.metadata.get("tags", []))
    if hidden_input:
        meta["jupyter"] = {"source_hidden": True}
        meta["cellView"] = "form"  # Colab shows a collapsed cell with "Show code"
    return meta


def _solutions(text: str, in_solution: str | None, numbers: dict[str, str]) -> tuple[str, str | None]:
    """Replace solution-start/-end fences by <details> blocks; track whether a solution is open.

    A solution may span several cells: it opens with a bold line "Solution to exercise N.k", each
    run of its prose is folded into a <details> block, and its code cells are collapsed by the caller. Returns the new
    text and the exercise number of the solution still open at the end of the cell (or None).
    """
    out, lines, i, opened = [], text.splitlines(), 0, False

    def open_block(title: str) -> None:
        out.extend([f"<details><summary><b>{title}</b> (click to open)</summary>", ""])

    while i < len(lines):
        line = lines[i]
        start = re.match(r"\s*```\{solution-start\}\s*(\S+)", line)
        if start:
            if opened:
                out.extend(["", "</details>"])
            in_solution = numbers.get(start.group(1), "")
            i += 1
            while i < len(lines) and re.fullmatch(r"\s*:[\w-]+:.*", lines[i]):
                i += 1
            if i < len(lines) and lines[i].strip() == "```":
                i += 1
            out.extend([f"**Solution to exercise {in_solution}** (folded: open the parts below)", ""])
            continue
        if re.match(r"\s*```\{solution-end\}", line):
            i += 1
            if i < len(lines) and lines[i].strip() == "```":
                i += 1
            if opened:
                out.extend(["", "</details>"])
            opened, in_solution = False, None
            continue
        if in_solution is not None and not opened and line.strip():
            open_block(f"Solution {in_solution}: explanation")
            opened = True
        out.append(line)
        i += 1
    if opened:
        out.extend(["", "</details>"])
    return "\n".join(out), in_solution


def leftovers(nb) -> list[str]:
    """The MyST constructs still present in a notebook's markdown (there must be none)."""
    found = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            found += [m.group(0) for m in LEFTOVERS.finditer(cell.source)]
    return found


def build(out: Path, executed_root: Path, html_root: Path | None = None,
          translate: Callable[[str], str] | None = None) -> list[Path]:
    """Write every chapter's learner's notebook into ``out/chapters``; returns their paths."""
    chapters = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))
    book = Book(chapters, site_url(),
                glossary_anchors(html_root / "appendix" / "glossary.html" if html_root else None),
                citations(ROOT / "references.bib"))
    (out / "chapters").mkdir(parents=True, exist_ok=True)
    written = []
    for path in chapters:
        executed = executed_root / "chapters" / path.name
        if not executed.exists():
            raise FileNotFoundError(f"{executed} is missing: build the book first (make book)")
        nb = convert(path, executed, book, translate)
        left = leftovers(nb)
        if left:
            raise ValueError(f"{path.name}: MyST left in the learner's notebook: {sorted(set(left))}")
        target = out / "chapters" / path.name
        nbformat.write(nb, target)
        written.append(target)
    (out / "chapters" / "manifest.json").write_text(
        json.dumps({"site": book.site, "notebooks": [p.name for p in written]}, indent=1), encoding="utf-8")
    return written


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", type=Path, default=ROOT / "_build", help="the book's build folder (default _build)")
    parser.add_argument("--out", type=Path, default=None, help="output folder (default BUILD/learner)")
    args = parser.parse_args(argv)
    out = args.out or args.build / "learner"
    written = build(out, args.build / "jupyter_execute", args.build / "html")
    print(f"wrote {len(written)} learner's notebooks to {out / 'chapters'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
