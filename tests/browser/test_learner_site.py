"""The learner's notebooks made from the last build (make learner), checked against the website.

Run after `make book-strict` and `make learner` (both part of `make test`). They must read like the
website outside it: no MyST left once Jupyter renders their Markdown, the same numbers in the prose,
the same code; and every page's Colab and Binder buttons must open one of them.
"""

from __future__ import annotations

import html as htmllib
import importlib.util
import json
import re
import sys
from pathlib import Path
from urllib.parse import unquote

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))
# Each edition: its website, its learner's notebooks, and the notebooks its build executed.
EDITIONS = {
    "en": (ROOT / "_build" / "html", ROOT / "_build" / "learner" / "chapters", ROOT / "_build" / "jupyter_execute"),
    "zh_CN": (ROOT / "_build" / "html" / "zh", ROOT / "_build" / "learner" / "zh" / "chapters",
              ROOT / "_build" / "zh" / "src" / "_build" / "jupyter_execute"),
}
CASES = [pytest.param(e, c, id=f"{e}-{c.stem}") for e in EDITIONS for c in CHAPTERS]

spec = importlib.util.spec_from_file_location("learner_notebooks", ROOT / "scripts" / "learner_notebooks.py")
L = importlib.util.module_from_spec(spec)
spec.loader.exec_module(L)
spec_t = importlib.util.spec_from_file_location("translation", ROOT / "scripts" / "translation.py")
T = importlib.util.module_from_spec(spec_t)
sys.modules.setdefault("translation", T)  # its dataclasses look their module up
spec_t.loader.exec_module(T)


@pytest.fixture(scope="module", autouse=True)
def built():
    for edition, (_, learner, _) in EDITIONS.items():
        if not (learner / "manifest.json").exists():
            pytest.fail(f"no {edition} learner's notebooks in {learner}: run `make book-strict learner learner-zh` first")


def _rendered_text(markdown: str) -> str:
    """What a reader sees of a markdown cell in Jupyter: CommonMark rendered, tags stripped."""
    from markdown_it import MarkdownIt

    page = MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)
    return htmllib.unescape(re.sub(r"<[^>]+>", " ", page))


def _page_text(site: Path, name: str) -> str:
    page = (site / "chapters" / f"{name}.html").read_text(encoding="utf-8")
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", htmllib.unescape(re.sub(r"<[^>]+>", " ", page)))


@pytest.mark.parametrize("edition, src", CASES)
def test_no_myst_left_once_rendered(edition, src):
    nb = nbformat.read(EDITIONS[edition][1] / src.name, as_version=4)
    left = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            shown = _rendered_text(cell.source)
            left += re.findall(r"(?<![\w\\])\{(?:glue|term|doc|ref|numref|eq|cite|fa)[^}]*\}|```\{|:::|\([\w-]+\)=", shown)
    assert not left, f"{src.name}: MyST shown to a learner: {left[:5]}"


@pytest.mark.parametrize("edition, src", CASES)
def test_same_code_as_the_chapter(edition, src):
    """Code cells are the chapter's, unchanged; only cells that glue values for the text are dropped (and
    the Chinese notebook starts with the one cell that sets the language, and shows the comments,
    docstrings and strings as translated in locale/zh_CN/code/: every other character of its code is the chapter's)."""
    cells = nbformat.read(EDITIONS[edition][1] / src.name, as_version=4).cells
    if edition != "en":
        assert cells[0].cell_type == "code" and cells[0].source == L.language_cell(), f"{src.name}: no language cell first"
        cells = cells[1:]
    learner = [c.source for c in cells if c.cell_type == "code"]
    source = [c for c in nbformat.read(src, as_version=4).cells if c.cell_type == "code"]
    expected = [c.source for c in source if not L._is_glue_cell(c)]
    if edition != "en":
        index = T.code_index(src)
        keys = T.page_keys([c.source for c in source])  # as the build does: what the page looks up stays as it is
        kept = [c for c in source if not L._is_glue_cell(c)]
        expected = [c.source if "remove-cell" in c.metadata.get("tags", []) else T.translate_code(c.source, index, keys)
                    for c in kept]
    assert learner == expected


@pytest.mark.parametrize("edition, src", CASES)
def test_numbers_are_the_websites(edition, src):
    """Every number filled into the learner's prose appears, formatted the same, on the website's page."""
    site, _, executed = EDITIONS[edition]
    glue = L.glue_values(executed / "chapters" / src.name)
    page = _page_text(site, src.stem)
    missing = []
    for cell in nbformat.read(src, as_version=4).cells:
        if cell.cell_type != "markdown":
            continue
        for key, _, spec_ in (m.group(1).partition(":") for m in re.finditer(r"\{glue:text\}`([^`]+)`", cell.source)):
            value = L.format_glue(glue[key], spec_)
            if value not in page:
                missing.append((key, value))
    assert not missing, f"{src.name}: numbers not on the website: {missing[:5]}"


def _launch_urls(site: Path, name: str) -> dict[str, str]:
    page = (site / "chapters" / f"{name}.html").read_text(encoding="utf-8")
    urls = [htmllib.unescape(u) for u in re.findall(r'href="(https://(?:colab\.research\.google\.com|mybinder\.org)[^"]+)"', page)]
    return {("colab" if "colab" in u else "binder"): u for u in urls}


@pytest.mark.parametrize("edition, src", CASES)
def test_launch_buttons_open_the_learners_notebook(edition, src):
    site, learner, _ = EDITIONS[edition]
    urls = _launch_urls(site, src.stem)
    assert set(urls) == {"colab", "binder"}, f"{src.stem}: launch buttons {urls}"
    branch = re.search(r"^\s+learner_branch:\s*(\S+)", (ROOT / "_config.yml").read_text(encoding="utf-8"), re.M).group(1)
    colab = re.fullmatch(r"https://colab\.research\.google\.com/github/[^/]+/[^/]+/blob/([^/]+)/(.+)", urls["colab"])
    binder = re.fullmatch(r"https://mybinder\.org/v2/gh/[^/]+/[^/]+/([^?]+)\?urlpath=\w+/tree/(.+)", urls["binder"])
    assert colab and binder, urls
    for where, (b, path) in {"colab": colab.groups(), "binder": binder.groups()}.items():
        assert b == branch, f"{where} opens branch {b}, not {branch}"
        published = ROOT / "_build" / "learner" / unquote(path)
        assert published.exists(), f"{where} button opens {path}, which the learner branch does not hold"
        assert published.resolve() == (learner / src.name).resolve(), f"{where} opens {path}, not this edition's notebook"


@pytest.mark.parametrize("edition", EDITIONS)
def test_manifest_lists_every_chapter(edition):
    manifest = json.loads((EDITIONS[edition][1] / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["notebooks"] == [p.name for p in CHAPTERS]
