"""Make the notebooks a learner opens in Colab, Binder or JupyterLab: the chapters without MyST.

    python scripts/learner_notebooks.py                  # after a build: _build/learner/chapters/*.ipynb
    python scripts/learner_notebooks.py --check          # then read them back: fail on any MyST left
    python scripts/learner_notebooks.py --edition zh_CN  # after `make book-zh`: _build/learner/zh/chapters/*.ipynb

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

The Chinese edition (``--edition zh_CN``) is converted from the Chinese book's sources
(``_build/zh/src``, written by ``scripts/translation.py build``) and the notebooks its build executed
(``_build/zh/src/_build/jupyter_execute``), into ``_build/learner/zh/chapters``: the learner branch
holds them at ``zh/chapters/``, where the Chinese pages' Colab and Binder buttons point
(``learner_prefix`` in ``_ext/learner_launch.py``). Every word this script adds is then Chinese
("练习 4.2：...", the solutions' folds, "图 11.2"), links to the website go to its Chinese pages
(``zh/``), and the first cell sets ``BOOK_LANGUAGE`` so that the code prints and draws in Chinese in
Colab and Binder too (``helpers.i18n``). Its code comments are the Chinese book's: translated there
(``locale/zh_CN/code/``), kept here as they are. ``convert(..., translate=f)`` can also map each markdown
cell's source to a translation before conversion.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "_ext"))

# MyST that must never reach a learner (checked on every output notebook).
MARKDOWN_LINK = re.compile(r"\[([^\[\]]*)\]\([^()\s]*\)")  # [text](url)
LEFTOVERS = re.compile(  # a role is never glued to a word or a backslash: \\mathrm{ref} is TeX, not a role
    r"(?<![\w\\])\{(?:glue[:\w]*|term|doc|ref|numref|eq|cite[:\w]*|fa)\}`|```\{|:::|^\s*\([\w-]+\)=\s*$", re.M
)
ROLE = re.compile(r"\{(?P<role>[a-z]+(?::[a-z]+)?)\}`(?P<body>[^`]*)`")
FULL_WIDTH = "（）【】《》「」，。、；：？！"
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
# The two editions: every word the conversion writes, and where its notebooks and pages live


class Edition(NamedTuple):
    """One edition's words and places. ``path`` is where its pages are on the website (under the
    site's address) and its notebooks on the learner branch (and in ``_build/learner``)."""

    name: str
    path: str
    exercise: str  # "{number}"
    exercise_title: str  # "{number}", "{title}"
    figure: str  # "{number}": the label {numref} shows
    figure_unnumbered: str
    caption: str  # "{title}", "{text}": the line under a figure
    solution: str  # "{number}": the first line of a folded solution
    summary: str  # "{number}": the <details> summary of its prose
    cite_open: str
    cite_close: str
    cite_sep: str
    cite_t: str  # "{who}", "{year}"
    cite_year_sep: str  # between the authors and the year of a parenthetical citation
    untranslated: dict[str, str]  # div class -> the line above its English
    admonitions: dict[str, str]  # default admonition titles
    language_cell: str | None = None  # the code of a first cell (sets BOOK_LANGUAGE), if any


def language_cell() -> str:
    """The Chinese book's first cell (``LANGUAGE_CELL`` of scripts/translation.py): it sets BOOK_LANGUAGE.

    Read from the script's source (a string constant), so this needs none of the script's imports."""
    tree = ast.parse((ROOT / "scripts" / "translation.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "LANGUAGE_CELL" for t in node.targets):
            return ast.literal_eval(node.value)
    raise LookupError("scripts/translation.py defines no LANGUAGE_CELL")


EN = Edition(
    name="en", path="",
    exercise="Exercise {number}", exercise_title="Exercise {number}: {title}",
    figure="Fig. {number}", figure_unnumbered="Figure", caption="{title}: {text}",
    solution="**Solution to exercise {number}** (folded: open the parts below)",
    summary="<b>Solution {number}: explanation</b> (click to open)",
    cite_open="(", cite_close=")", cite_sep="; ", cite_t="{who} ({year})", cite_year_sep=", ",
    untranslated={"untranslated": "*(Not yet translated: the English original.)*",
                  "stale": "*(Translation out of date: the English original.)*"},
    admonitions={"dropdown": "Details", "note": "Note", "tip": "Tip", "warning": "Warning", "important": "Important",
                 "hint": "Hint", "seealso": "See also", "caution": "Caution"},
)

# Full-width punctuation and a space between Chinese and Latin letters or digits (locale/STYLE.md); the
# admonitions' default titles as the Chinese website shows them (Sphinx's zh_CN catalog).
ZH_CN = Edition(
    name="zh_CN", path="zh/",
    exercise="练习 {number}", exercise_title="练习 {number}：{title}",
    figure="图 {number}", figure_unnumbered="图", caption="{title}：{text}",
    solution="**练习 {number} 的解答**（已折叠：点开下面的各部分）",
    summary="<b>解答 {number}：讲解</b>（点击展开）",
    cite_open="（", cite_close="）", cite_sep="；", cite_t="{who}（{year}）", cite_year_sep="，",
    untranslated={"untranslated": "*（尚未翻译，下面是英文原文。）*", "stale": "*（译文待更新，下面是英文原文。）*"},
    admonitions={"dropdown": "详情", "note": "备注", "tip": "小技巧", "warning": "警告", "important": "重要",
                 "hint": "提示", "seealso": "参见", "caution": "小心"},
    language_cell=language_cell(),  # shown, first: Colab and Binder then print and draw in Chinese too
)
EDITIONS = {e.name: e for e in (EN, ZH_CN)}


def edition(name: str) -> Edition:
    """The edition called ``name`` ("en" or "zh_CN")."""
    if name not in EDITIONS:
        raise ValueError(f"unknown edition {name!r}: one of {sorted(EDITIONS)}")
    return EDITIONS[name]


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


def labels(chapters: list[Path], words: Edition = EN) -> dict[str, tuple[str, str]]:
    """Every ``(label)=`` target and exercise label -> (notebook file name, the heading that follows)."""
    found = {}
    for path in chapters:
        nb = nbformat.read(path, as_version=4)
        chapter = int(path.name[:2])
        for label, number in exercise_numbers(nb, chapter).items():
            found[label] = (path.name, words.exercise.format(number=number))
        for label, number in figure_numbers(nb, chapter).items():
            found[label] = (path.name, words.figure.format(number=number))
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


def citations(bib: Path, language: str = "en") -> dict[str, tuple[str, str]]:
    """Bibliography key -> (author part, year), as the website's author-year labels in ``language``
    ("Vaswani et al." in English, "Vaswani 等" in Chinese)."""
    import bib_style
    from pybtex.database import parse_file

    sep = bib_style.WORDS[bib_style.edition(language)]["sep"]
    out = {}
    for key, entry in parse_file(str(bib)).entries.items():
        who, year = bib_style.author_year(entry, language).rsplit(sep, 1)
        out[key] = (who, year)
    return out


def glossary_anchors(html: Path | None) -> dict[str, str]:
    """Glossary term -> its anchor on the website's glossary page (read from the built page)."""
    if html is None or not html.exists():
        return {}
    page = html.read_text(encoding="utf-8")
    return {re.sub(r"<[^>]+>", "", text).strip(): anchor
            for anchor, text in re.findall(r'<dt id="(term-[^"]+)">(.*?)<a class="headerlink"', page, re.S)}


def page_title(path: Path) -> str | None:
    """The first level-1 heading of a page (a notebook or a markdown file), as {doc} shows it."""
    if path.suffix == ".ipynb":
        texts = [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown"]
    else:
        texts = [path.read_text(encoding="utf-8")]
    for text in texts:
        m = re.search(r"^# +(.+?)\s*$", text, re.M)
        if m:
            return m.group(1)
    return None


class Book:
    """What converting one chapter needs from the rest of the book.

    ``site`` is the address of the edition's pages (the Chinese ones end in ``zh/``); ``root`` is the
    folder of the edition's sources (``{doc}`` targets are read there, for their titles).
    """

    def __init__(self, chapters: list[Path], site: str, glossary: dict[str, str], cites: dict[str, tuple[str, str]],
                 words: Edition = EN, root: Path = ROOT):
        self.chapters = {p.name: p for p in chapters}
        self.words = words
        self.labels = labels(chapters, words)
        self.site = site
        self.glossary = glossary
        self.cites = cites
        self.root = root


# ---------------------------------------------------------------------------------------------
# One markdown cell


def _link_doc(target: str, book: Book, page: str) -> str:
    """A {doc} target (relative to the chapters folder) -> a notebook or a website URL."""
    name = Path(target).name
    for nb in book.chapters:
        if Path(nb).stem == Path(name).stem:
            return nb
    path = (book.root / "chapters" / target).resolve().relative_to(book.root.resolve())
    return f"{book.site}{path.with_suffix('.html').as_posix()}"


def _doc_title(target: str, book: Book) -> str:
    """The title the website shows for a {doc} link without its own text (else the file name)."""
    base = (book.root / "chapters" / target).resolve()
    for suffix in (".md", ".ipynb"):
        if base.with_suffix(suffix).exists():
            title = page_title(base.with_suffix(suffix))
            if title:
                return title
    return Path(target).stem.replace("_", " ")


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
        label = text if explicit else _doc_title(target, book)
        return f"[{label}]({url})"
    if role in ("numref", "ref"):
        where, title = book.labels.get(target, (None, target))
        if where is None:
            raise KeyError(f"{page}: unknown label {target!r}")
        href = f"#{target}" if where == page else f"{where}#{target}"
        number = title.split()[-1]  # "Fig. 11.2" -> "11.2", for {numref}`Figure %s <label>`
        shown = text.replace("%s", number).replace("{number}", number) if explicit else title
        shown = MARKDOWN_LINK.sub(r"\1", shown)  # a heading's own link: a link inside a link is no link
        return f"[{shown}]({href})"
    if role.startswith("cite"):
        keys = [k.strip() for k in body.split(",")]
        url = f"{book.site}appendix/bibliography.html"
        words = book.words
        parts = []
        for k in keys:
            who, year = book.cites[k]
            shown = words.cite_t.format(who=who, year=year) if role == "cite:t" else f"{who}{words.cite_year_sep}{year}"
            parts.append(f"[{shown}]({url})")
        joined = words.cite_sep.join(parts)
        return joined if role == "cite:t" else words.cite_open + joined + words.cite_close
    if role == "fa":
        return ""
    if role == "math":
        return f"${body}$"
    raise ValueError(f"{page}: a MyST role the learner's notebooks cannot show: {{{role}}}")


MARKERS_ONLY = re.compile(r"\s*(?:(?:[-*+>]|\d+[.)])\s*)*")  # what may start a line before its text
OPEN, CLOSE = "\ue000", "\ue001"  # private-use marks around a replacement that starts or ends full-width


def _roles(text: str, glue: dict[str, str], book: Book, page: str) -> str:
    """Every role of ``text`` replaced. Where the replacement begins or ends with full-width punctuation
    (a Chinese citation's brackets), the spaces beside it go (locale/STYLE.md: none beside full-width
    punctuation), except the space after a list or quote marker that starts the line."""
    def one(m: re.Match) -> str:
        new = _role(m, glue, book, page)
        return (OPEN if new[:1] in FULL_WIDTH else "") + new + (CLOSE if new[-1:] in FULL_WIDTH else "")

    def before(m: re.Match) -> str:
        line_start = m.string[:m.start()].rsplit("\n", 1)[-1]
        return m.group(1) if MARKERS_ONLY.fullmatch(line_start) else ""

    out = ROLE.sub(one, text)
    out = re.sub(rf"([ \t]*){OPEN}", before, out)
    return re.sub(rf"{CLOSE}[ \t]*(?=\S)|{CLOSE}", "", out)


def convert_markdown(source: str, glue: dict[str, str], book: Book, page: str, numbers: dict[str, str]) -> str:
    """Plain Markdown for one markdown cell (exercises and solution fences are handled by the caller)."""
    out: list[str] = []
    # a role may wrap onto the next line ({ref}`The KV cache\nsection <label>`), as MyST allows; the
    # cell is converted line by line, so such a role is joined onto one line first
    source = ROLE.sub(lambda m: m.group(0).replace("\n", " "), source)
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
        out.append(_roles(line, glue, book, page))
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
    words = book.words
    if name == "exercise":
        number = numbers[options.get("label", argument)]
        title = _roles(argument, glue, book, page)
        anchor = f'<a id="{options["label"]}"></a>' if "label" in options else ""
        heading = (words.exercise_title.format(number=number, title=title) if title
                   else words.exercise.format(number=number))
        return [f"{anchor}**{heading}**", "", *inner]
    if name in ("admonition", "note", "tip", "warning", "important", "hint", "seealso", "caution"):
        title = argument or words.admonitions.get(name, name.capitalize())
        quoted = [f"> {x}" if x.strip() else ">" for x in inner]
        return [f"> **{_roles(title, glue, book, page)}**", ">", *quoted]
    if name == "dropdown":  # folded on the website, folded in the notebook too (as the solutions are)
        title = _roles(argument, glue, book, page) if argument else words.admonitions["dropdown"]
        return [f"<details><summary>{title}</summary>", "", *inner, "", "</details>"]
    if name == "div":  # the Chinese book shows a unit not (or no longer) translated in English, in a marked div
        classes = argument.split()
        note = next((words.untranslated[c] for c in ("stale", "untranslated") if c in classes), None)
        return [note, "", *inner] if note else inner
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


LANGUAGE_CELL_ID = "book-language"


def _is_language_cell(cell, words: Edition) -> bool:
    """The cell scripts/translation.py puts first in a Chinese notebook (it sets BOOK_LANGUAGE)."""
    return cell.cell_type == "code" and words.language_cell is not None and (
        cell.get("id") == LANGUAGE_CELL_ID or cell.source.strip() == words.language_cell.strip())


def convert(source: Path, executed: Path | None, book: Book,
            translate: Callable[[str], str] | None = None) -> nbformat.NotebookNode:
    """The learner's notebook for one chapter."""
    nb = nbformat.read(source, as_version=4)
    glue = glue_values(executed) if executed is not None else {}
    chapter = int(source.name[:2])
    numbers = exercise_numbers(nb, chapter)
    words = book.words
    cells, in_solution = [], None
    if words.language_cell is not None:  # first and visible (see ZH_CN)
        first = nbformat.v4.new_code_cell(words.language_cell)
        first.id = LANGUAGE_CELL_ID
        cells.append(first)
    for cell in nb.cells:
        if cell.cell_type == "code":
            if _is_glue_cell(cell) or _is_language_cell(cell, words):
                continue
            new = nbformat.v4.new_code_cell(cell.source, metadata=_code_metadata(cell, in_solution))
            new.id = cell.id
            cells.append(new)
            figure = cell.metadata.get("mystnb", {}).get("figure", {})
            if figure.get("caption"):
                text = convert_markdown(figure["caption"], glue, book, source.name, numbers)
                name = figure.get("name")
                unnumbered = (None, words.figure_unnumbered)
                where, title = book.labels.get(name, unnumbered) if name else unnumbered
                anchor = f'<a id="{name}"></a>' if name else ""
                line = words.caption.format(title=title, text=text)
                cells.append(_markdown(f"{anchor}*{line}*", cell.id + "-cap"))
            continue
        if cell.cell_type != "markdown":
            continue
        text = translate(cell.source) if translate else cell.source
        text, in_solution = _solutions(text, in_solution, numbers, words)
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


def _solutions(text: str, in_solution: str | None, numbers: dict[str, str],
               words: Edition = EN) -> tuple[str, str | None]:
    """Replace solution-start/-end fences by <details> blocks; track whether a solution is open.

    A solution may span several cells: it opens with a bold line "Solution to exercise N.k", each
    run of its prose is folded into a <details> block, and its code cells are collapsed by the caller. Returns the new
    text and the exercise number of the solution still open at the end of the cell (or None).
    """
    out, lines, i, opened = [], text.splitlines(), 0, False

    def open_block(title: str) -> None:
        out.extend([f"<details><summary>{title}</summary>", ""])

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
            out.extend([words.solution.format(number=in_solution), ""])
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
            open_block(words.summary.format(number=in_solution))
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
          translate: Callable[[str], str] | None = None, words: Edition = EN,
          source_root: Path = ROOT, only: list[str] | None = None) -> list[Path]:
    """Write the learner's notebooks into ``out/<edition path>chapters`` (``out/chapters`` for English,
    ``out/zh/chapters`` for Chinese: the learner branch's layout); returns their paths.

    ``source_root`` holds the edition's sources (the repository, or the Chinese book's ``_build/zh/src``),
    ``executed_root`` the notebooks its build executed, ``html_root`` its website (for the glossary's
    anchors). ``only``: convert just the chapters whose names start with one of these ("04", "04_attention").
    """
    chapters = sorted((source_root / "chapters").glob("[0-9][0-9]_*.ipynb"))
    if not chapters:
        raise FileNotFoundError(f"no chapters in {source_root / 'chapters'}")
    book = Book(chapters, site_url() + words.path,
                glossary_anchors(html_root / "appendix" / "glossary.html" if html_root else None),
                citations(source_root / "references.bib", words.name), words, source_root)
    folder = out / words.path / "chapters"
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for path in chapters:
        if only and not any(path.name.startswith(o) for o in only):
            continue
        executed = executed_root / "chapters" / path.name
        if not executed.exists():
            raise FileNotFoundError(f"{executed} is missing: build the book first "
                                    f"({'make book-zh' if words.path else 'make book'})")
        nb = convert(path, executed, book, translate)
        problems = check_notebook(nb, words)
        if problems:
            raise ValueError(f"{path.name}: {'; '.join(problems)}")
        target = folder / path.name
        nbformat.write(nb, target)
        written.append(target)
    (folder / "manifest.json").write_text(
        json.dumps({"site": book.site, "edition": words.name, "notebooks": [p.name for p in written]},
                   indent=1, ensure_ascii=False), encoding="utf-8")
    return written


def check_notebook(nb, words: Edition = EN) -> list[str]:
    """What is wrong with a learner's notebook: MyST left in it; in an edition with a language cell,
    that cell not first or not exactly once."""
    problems = []
    left = leftovers(nb)
    if left:
        problems.append(f"MyST left in the learner's notebook: {sorted(set(left))}")
    if words.language_cell is not None:
        found = [i for i, c in enumerate(nb.cells) if _is_language_cell(c, words)]
        if found != [0]:
            problems.append(f"the cell that sets BOOK_LANGUAGE must be the first cell, once (found at {found})")
    return problems


def check(folder: Path, words: Edition = EN) -> list[str]:
    """Read back every learner's notebook of ``folder``; returns the problems found (none is good)."""
    problems = []
    for path in sorted(folder.glob("[0-9][0-9]_*.ipynb")):
        problems += [f"{path.name}: {p}" for p in check_notebook(nbformat.read(path, as_version=4), words)]
    return problems


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("chapters", nargs="*", help="only these chapters (04, 04_attention); default: all")
    parser.add_argument("--edition", choices=sorted(EDITIONS), default="en",
                        help="en: the English book (default); zh_CN: the Chinese book built by `make book-zh`")
    parser.add_argument("--build", type=Path, default=ROOT / "_build", help="the book's build folder (default _build)")
    parser.add_argument("--source", type=Path, default=None,
                        help="the edition's sources (default: the repository; zh_CN: BUILD/zh/src)")
    parser.add_argument("--executed", type=Path, default=None,
                        help="its executed notebooks (default BUILD/jupyter_execute; "
                             "zh_CN: SOURCE/_build/jupyter_execute)")
    parser.add_argument("--out", type=Path, default=None,
                        help="output folder (default BUILD/learner; the Chinese notebooks go to its zh/chapters)")
    parser.add_argument("--check", action="store_true", help="then read every notebook back and fail on any MyST left")
    args = parser.parse_args(argv)
    words = edition(args.edition)
    out = args.out or args.build / "learner"
    if words.path:  # the Chinese book is built from its own sources, in its own folder (Makefile: book-zh)
        source = args.source or args.build / "zh" / "src"
        executed = args.executed or source / "_build" / "jupyter_execute"
        html = next((h for h in (source / "_build" / "html", args.build / "html" / "zh") if h.exists()), None)
    else:
        source = args.source or ROOT
        executed = args.executed or args.build / "jupyter_execute"
        html = args.build / "html"
    written = build(out, executed, html, words=words, source_root=source, only=args.chapters or None)
    folder = out / words.path / "chapters"
    print(f"wrote {len(written)} learner's notebooks ({words.name}) to {folder}")
    if args.check:
        problems = check(folder, words)
        for p in problems:
            print(p, file=sys.stderr)
        if problems:
            return 1
        print(f"checked {len(written)}: no MyST left")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
