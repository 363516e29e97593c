"""The book's structure: clean notebooks, stable chapter names, one repository URL, Colab cells."""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))


def config_value(key: str) -> str:
    text = (ROOT / "_config.yml").read_text(encoding="utf-8")
    block = text.split("repository:", 1)[1]
    return re.search(rf"^\s+{key}:\s*(\S+)", block, re.M).group(1)


def cells(nb_path: Path) -> list[dict]:
    return json.loads(nb_path.read_text(encoding="utf-8"))["cells"]


def test_there_are_chapters():
    assert len(CHAPTERS) >= 4


@pytest.mark.parametrize("nb", CHAPTERS, ids=lambda p: p.name)
def test_chapter_file_name_is_stable_form(nb):
    assert re.fullmatch(r"\d\d_[a-z_]+\.ipynb", nb.name)


@pytest.mark.parametrize("nb", CHAPTERS, ids=lambda p: p.name)
def test_gated_solutions_open_and_close_in_turn(nb):
    """sphinx-exercise stops the build at a solution-start without its solution-end: each start is
    closed before the next one opens (a fix that moved a solution's prose once dropped an end)."""
    marks = [m.group(1) for c in cells(nb) if c["cell_type"] == "markdown"
             for m in re.finditer(r"^```\{(solution-start|solution-end)\}", "".join(c["source"]), re.M)]
    for i, mark in enumerate(marks):
        assert mark == ("solution-start" if i % 2 == 0 else "solution-end"), (
            f"{nb.name}: gated solution mark {i} is {mark}, expected the other one: {marks}")


@pytest.mark.parametrize("nb", CHAPTERS, ids=lambda p: p.name)
def test_committed_without_outputs(nb):
    for c in cells(nb):
        if c["cell_type"] == "code":
            assert not c.get("outputs") and c.get("execution_count") is None, nb.name


@pytest.mark.parametrize("nb", CHAPTERS, ids=lambda p: p.name)
def test_first_code_cell_installs_helpers_on_colab_only(nb):
    code = next("".join(c["source"]) for c in cells(nb) if c["cell_type"] == "code")
    url, branch = config_value("url"), config_value("branch")
    assert 'if "google.colab" in sys.modules:' in code
    assert f"git+{url}@{branch}" in code, "the install URL must be the repository URL of _config.yml"


@pytest.mark.parametrize("nb", CHAPTERS, ids=lambda p: p.name)
def test_colab_cell_is_not_on_the_website(nb):
    """The Colab install cell is for Colab only: the static site leaves it out (remove-cell)."""
    first = next(c for c in cells(nb) if c["cell_type"] == "code")
    assert "remove-cell" in first.get("metadata", {}).get("tags", []), nb.name


@pytest.mark.parametrize("nb", CHAPTERS, ids=lambda p: p.name)
def test_chapter_teaches(nb):
    text = "\n".join("".join(c["source"]) for c in cells(nb) if c["cell_type"] == "markdown")
    assert "Learning goals" in text and "## Summary" in text
    assert text.count("{exercise}") >= 2 and "{solution-start}" in text


def test_every_chapter_is_in_the_toc():
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    for nb in CHAPTERS:
        assert f"chapters/{nb.stem}" in toc


def _script(name: str):
    """Import one of the book's scripts (scripts/*.py) as a module."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _visible_code(nb_path: Path) -> list[str]:
    return ["".join(c["source"]) for c in cells(nb_path)
            if c["cell_type"] == "code" and "remove-cell" not in c.get("metadata", {}).get("tags", [])]


@pytest.mark.parametrize("nb", CHAPTERS, ids=lambda p: p.name)
def test_no_glue_call_in_the_code_a_reader_sees(nb):
    """glue() only hands numbers to the prose: it lives in hidden cells (scripts/hide_glue.py moves it)."""
    shown = [src for src in _visible_code(nb) if re.search(r"^\s*glue\(", src, re.M)]
    assert not shown, f"{nb.name}: {len(shown)} visible cell(s) call glue(); run scripts/hide_glue.py"


@pytest.mark.parametrize("nb", CHAPTERS, ids=lambda p: p.name)
def test_chapter_sets_its_thread_count(nb):
    """Tiny models run faster, and the same on a busy laptop, on one thread: every chapter says how many."""
    code = "\n".join(_visible_code(nb)[:3])
    assert re.search(r"torch\.set_num_threads\(\d\)", code), f"{nb.name} does not set torch's thread count"


def test_every_chapter_mention_is_a_link():
    links = _script("link_chapters")
    plain = {}
    for page in links.pages():
        if page.suffix == ".ipynb":
            texts = ["".join(c["source"]) for c in cells(page) if c["cell_type"] == "markdown"]
        else:
            texts = [page.read_text(encoding="utf-8")]
        found = [m for t in texts for m in links.plain_mentions(t, page)]
        if found:
            plain[page.name] = found
    assert not plain, f"plain 'chapter N' mentions (run scripts/link_chapters.py): {plain}"


def test_chapter_links_catch_plain_mentions():
    links = _script("link_chapters")
    page = CHAPTERS[0]
    assert links.plain_mentions("As chapter 4 shows, and chapters 5 and 6 too.", page) == [
        "chapter 4", "chapters 5 and 6"]
    linked = links.link_text("As chapter 4 shows.", page)
    assert linked == f"As [chapter 4]({CHAPTERS[4].name}) shows."
    assert links.plain_mentions(linked, page) == []
    # code, math and existing links are left alone
    assert links.plain_mentions("`chapter 4` and $chapter 4$ and [see chapter 4](x.ipynb)", page) == []


def test_hide_glue_moves_only_what_is_safe():
    hide = _script("hide_glue")
    kept, moved, left = hide.split_cell("x = 1\nglue('a', x)\nprint(x)")
    assert moved == ["glue('a', x)"] and kept == "x = 1\nprint(x)" and not left
    kept, moved, left = hide.split_cell("x = 1\nglue('a', x)\nx = 2")
    assert moved == [] and left  # x changes after the glue: moving it would glue 2
    kept, moved, left = hide.split_cell("x = 1\nx + 1\nglue('a', x)")
    assert moved == [] and left  # x + 1 would become the last line and print itself
    kept, moved, left = hide.split_cell("d = {1: 2}\nfor k in d:\n    glue(f'a{k}', d[k])\nprint(d)")
    assert moved == ["for k in d:\n    glue(f'a{k}', d[k])"] and kept == "d = {1: 2}\nprint(d)"
    kept, moved, left = hide.split_cell("for k in (1,):\n    glue('a', k)\nprint(k)")
    assert moved == [] and left  # k is read after the loop
    kept, moved, left = hide.split_cell("x = 1\nglue('a', x, display=True)")
    assert moved == [] and left  # it shows its value where it stands


def test_every_reference_has_a_doi_or_url():
    """A reader can follow every entry of the bibliography to the work it names."""
    entries = re.split(r"\n(?=@\w+\{)", (ROOT / "references.bib").read_text(encoding="utf-8"))
    entries = [e for e in entries if e.lstrip().startswith("@")]
    assert len(entries) >= 20
    missing = [re.match(r"\s*@\w+\{([^,]+),", e).group(1) for e in entries
               if not re.search(r"^\s*(doi|url)\s*=", e, re.M | re.I)]
    assert not missing, f"references without doi or url: {missing}"


def test_bibliography_labels_are_author_year():
    import sys

    sys.path.insert(0, str(ROOT / "_ext"))
    import bib_style
    from pybtex.database import parse_string

    db = parse_string(
        "@article{a, author={Vaswani, A. and Shazeer, N. and Parmar, N.}, title={T}, year={2017}}"
        "@article{b, author={Press, O. and Wolf, L.}, title={U}, year={2017}}"
        "@article{c, author={Gage, P.}, title={V}, year={1994}}", "bibtex")
    labels = list(bib_style.AuthorYearLabels().format_labels(db.entries.values()))
    assert labels == ["Vaswani et al., 2017", "Press and Wolf, 2017", "Gage, 1994"]


def test_glossary_terms_link_at_first_use():
    """In every chapter, the first use of each glossary term links to its entry (scripts/link_terms.py)."""
    terms = _script("link_terms")
    unlinked = {}
    for nb in CHAPTERS:
        sources = ["".join(c["source"]) for c in cells(nb) if c["cell_type"] == "markdown"]
        _, linked = terms.link_chapter(sources)
        if linked:
            unlinked[nb.name] = linked
    assert not unlinked, f"first uses of glossary terms that are not links (run scripts/link_terms.py): {unlinked}"


def test_term_linker_links_first_use_only():
    terms = _script("link_terms")
    new, linked = terms.link_chapter(["The softmax turns scores into weights; softmax again.", "`softmax` in code"])
    assert new[0] == "The {term}`softmax <softmax>` turns scores into weights; softmax again."
    assert linked == ["softmax"] and new[1] == "`softmax` in code"
    new, linked = terms.link_chapter(["# Softmax heading", "$softmax$ and {term}`softmax` later"])
    assert linked == []  # headings and math are left alone; the term is already linked
    new, linked = terms.link_chapter(["$$\n\\mathrm{softmax}(x)\n$$\n\nThen softmax."])
    assert linked == ["softmax"] and "\\mathrm{softmax}(x)" in new[0]  # not inside a display formula


def _swallowed_tags(text: str) -> list[str]:
    """Text in angle brackets that Markdown would take for an HTML tag and hide (<eos>, <mask>)."""
    from markdown_it import MarkdownIt

    allowed = {"br", "b", "i", "p", "details", "summary", "sub", "sup", "a", "span", "div", "em", "strong",
               "code", "kbd", "img", "figure", "figcaption", "table", "tr", "td", "th"}
    text = re.sub(r"\$\$.*?\$\$|\$[^$\n]+\$", " ", re.sub(r"\{[a-z:-]+\}`[^`]*`", " ", text), flags=re.S)
    found = []
    for token in MarkdownIt("commonmark", {"html": True}).parse(text):
        for child in token.children or []:
            name = re.match(r"</?\|?([\w-]*)", child.content).group(1) if child.type == "html_inline" else ""
            if child.type == "html_inline" and name.lower() not in allowed:
                found.append(child.content)
    return found


@pytest.mark.parametrize("nb", CHAPTERS, ids=lambda p: p.stem)
def test_no_token_is_swallowed_as_html(nb):
    """<eos> or <mask> in prose, outside `code`, is read as an HTML tag and vanishes from the page."""
    found = [t for c in cells(nb) if c["cell_type"] == "markdown" for t in _swallowed_tags("".join(c["source"]))]
    assert not found, f"{nb.name}: write these as `code`: {found}"


def test_swallowed_tags_are_found():
    assert _swallowed_tags('"猫 坐着 <eos>" and `<sos>` and <b>bold</b>') == ["<eos>"]


@pytest.mark.parametrize("value", [3.14159, "text", [1, 2], {"a": 1}])
@pytest.mark.parametrize("display", [False, True])
def test_glue_makes_the_same_output_as_myst_nb(monkeypatch, value, display):
    """helpers.book.glue writes out myst_nb.glue's display call (to spare each chapter the import)."""
    import IPython.display

    from helpers import book

    myst_glue = pytest.importorskip("myst_nb").glue
    calls = []
    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: calls.append((a, k)))
    import myst_nb.ext.glue as ext

    monkeypatch.setattr(ext, "ipy_display", lambda *a, **k: calls.append((a, k)))
    book.glue("x", value, display=display)
    myst_glue("x", value, display=display)
    assert len(calls) == 2 and calls[0] == calls[1]
