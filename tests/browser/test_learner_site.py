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
from pathlib import Path
from urllib.parse import unquote

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "_build" / "html"
LEARNER = ROOT / "_build" / "learner" / "chapters"
CHAPTERS = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))

spec = importlib.util.spec_from_file_location("learner_notebooks", ROOT / "scripts" / "learner_notebooks.py")
L = importlib.util.module_from_spec(spec)
spec.loader.exec_module(L)


@pytest.fixture(scope="module", autouse=True)
def built():
    if not (LEARNER / "manifest.json").exists():
        pytest.fail("no learner's notebooks in _build/learner: run `make book-strict learner` first")


def _rendered_text(markdown: str) -> str:
    """What a reader sees of a markdown cell in Jupyter: CommonMark rendered, tags stripped."""
    from markdown_it import MarkdownIt

    page = MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)
    return htmllib.unescape(re.sub(r"<[^>]+>", " ", page))


def _page_text(name: str) -> str:
    page = (SITE / "chapters" / f"{name}.html").read_text(encoding="utf-8")
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", htmllib.unescape(re.sub(r"<[^>]+>", " ", page)))


@pytest.mark.parametrize("src", CHAPTERS, ids=lambda p: p.stem)
def test_no_myst_left_once_rendered(src):
    nb = nbformat.read(LEARNER / src.name, as_version=4)
    left = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            shown = _rendered_text(cell.source)
            left += re.findall(r"(?<![\w\\])\{(?:glue|term|doc|ref|numref|eq|cite|fa)[^}]*\}|```\{|:::|\([\w-]+\)=", shown)
    assert not left, f"{src.name}: MyST shown to a learner: {left[:5]}"


@pytest.mark.parametrize("src", CHAPTERS, ids=lambda p: p.stem)
def test_same_code_as_the_chapter(src):
    """Code cells are the chapter's, unchanged; only cells that glue values for the text are dropped."""
    learner = [c.source for c in nbformat.read(LEARNER / src.name, as_version=4).cells if c.cell_type == "code"]
    source = [c for c in nbformat.read(src, as_version=4).cells if c.cell_type == "code"]
    assert learner == [c.source for c in source if not L._is_glue_cell(c)]


@pytest.mark.parametrize("src", CHAPTERS, ids=lambda p: p.stem)
def test_numbers_are_the_websites(src):
    """Every number filled into the learner's prose appears, formatted the same, on the website's page."""
    glue = L.glue_values(ROOT / "_build" / "jupyter_execute" / "chapters" / src.name)
    page = _page_text(src.stem)
    missing = []
    for cell in nbformat.read(src, as_version=4).cells:
        if cell.cell_type != "markdown":
            continue
        for key, _, spec_ in (m.group(1).partition(":") for m in re.finditer(r"\{glue:text\}`([^`]+)`", cell.source)):
            value = L.format_glue(glue[key], spec_)
            if value not in page:
                missing.append((key, value))
    assert not missing, f"{src.name}: numbers not on the website: {missing[:5]}"


def _launch_urls(name: str) -> dict[str, str]:
    page = (SITE / "chapters" / f"{name}.html").read_text(encoding="utf-8")
    urls = [htmllib.unescape(u) for u in re.findall(r'href="(https://(?:colab\.research\.google\.com|mybinder\.org)[^"]+)"', page)]
    return {("colab" if "colab" in u else "binder"): u for u in urls}


@pytest.mark.parametrize("src", CHAPTERS, ids=lambda p: p.stem)
def test_launch_buttons_open_the_learners_notebook(src):
    urls = _launch_urls(src.stem)
    assert set(urls) == {"colab", "binder"}, f"{src.stem}: launch buttons {urls}"
    branch = re.search(r"^\s+learner_branch:\s*(\S+)", (ROOT / "_config.yml").read_text(encoding="utf-8"), re.M).group(1)
    colab = re.fullmatch(r"https://colab\.research\.google\.com/github/[^/]+/[^/]+/blob/([^/]+)/(.+)", urls["colab"])
    binder = re.fullmatch(r"https://mybinder\.org/v2/gh/[^/]+/[^/]+/([^?]+)\?urlpath=\w+/tree/(.+)", urls["binder"])
    assert colab and binder, urls
    for where, (b, path) in {"colab": colab.groups(), "binder": binder.groups()}.items():
        assert b == branch, f"{where} opens branch {b}, not {branch}"
        published = ROOT / "_build" / "learner" / unquote(path)
        assert published.exists(), f"{where} button opens {path}, which the learner branch does not hold"


def test_manifest_lists_every_chapter():
    manifest = json.loads((LEARNER / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["notebooks"] == [p.name for p in CHAPTERS]
