"""Optional sections fold on the website (_ext/optional_sections.py): a one-chapter book built with the
book's own configuration, strictly (-W -n), in English and in Chinese."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from mini_book import CHAPTER, mini_book

ROOT = Path(__file__).resolve().parents[1]
# a 1x1 PNG: the optional section's figure
DOT = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
PAGE = """# 4. Attention

## Core section

**Note.** A core section whose first paragraph opens in bold, but not with "Optional".

More of the core section.

(sec-study)=
## A side study

<!-- a comment before the first paragraph -->

**Optional.** What the side study holds, in one sentence.

The study's text: zebrafold.

![A dot.](dot.png)

### A subsection

(sec-inside)=
The subsection's text, with a label.

### A nested study

**Optional.** A side study inside the side study.

The nested study's text.

## After

A link into the fold: {ref}`the labelled text <sec-inside>`.
"""
CODE = nbformat.v4.new_code_cell("print('in the fold')", outputs=[
    nbformat.v4.new_output("stream", name="stdout", text="in the fold\n")], execution_count=1)


def _build(tmp_path: Path, language: str | None = None) -> str:
    """The chapter's HTML from a strict jupyter-book build of a one-chapter book (the book's
    _config.yml and _ext/; notebooks not executed), in ``language`` if given."""
    root = mini_book(tmp_path)
    shutil.copytree(ROOT / "_ext", root / "_ext", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("LICENSE", "LICENSE-TEXT"):
        shutil.copyfile(ROOT / name, root / name)
    config = (root / "_config.yml").read_text(encoding="utf-8")
    config = config.replace("execute_notebooks: cache", "execute_notebooks: "  "off")
    if language:
        config = config.replace("    book_edition: en\n", f"    book_edition: {language}\n    language: {language}\n")
    (root / "_config.yml").write_text(config, encoding="utf-8")
    text, rest = PAGE.split("### A subsection")
    cells = [nbformat.v4.new_markdown_cell(text), CODE, nbformat.v4.new_markdown_cell("### A subsection" + rest)]
    nb = nbformat.v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"}})
    nbformat.write(nb, root / f"{CHAPTER}.ipynb")
    (root / "chapters" / "dot.png").write_bytes(DOT)
    env = {**os.environ, "BOOK_FONTS": os.environ.get("BOOK_FONTS") or str(ROOT / "_build" / "fonts")}
    jb = Path(sys.executable).with_name("jupyter-book")
    out = subprocess.run([str(jb), "build", str(root), "-W", "-n", "--keep-going"], capture_output=True, text=True,
                         env=env, cwd=root)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    html_dir = root / "_build" / "html"
    return (html_dir / f"{CHAPTER}.html").read_text(encoding="utf-8"), html_dir


def _section(html: str, section_id: str) -> str:
    start = html.index(f'<section id="{section_id}">')
    return html[start:]


@pytest.fixture(scope="module")
def english(tmp_path_factory):
    pytest.importorskip("jupyter_book")
    return _build(tmp_path_factory.mktemp("optional_en"))


def test_an_optional_section_is_folded_after_its_first_paragraph(english):
    html, _ = english
    assert html.count('<details class="optional-section">') == 1, "one fold: the nested study folds with its parent"
    study = _section(html, "a-side-study")
    fold = study.index('<details class="optional-section">')
    first = study.index("What the side study holds")
    assert first < fold, "the first paragraph is outside the fold"
    end = study.index("</details>\n</section>")
    for inside in ("zebrafold", 'id="a-subsection"', 'id="sec-inside"', 'id="a-nested-study"', "The nested study",
                   "in the fold", 'alt="A dot."'):
        assert fold < study.index(inside) < end, f"{inside!r} is not in the fold"
    summary = re.search(r"<summary[^>]*>(.*?)</summary>", study).group(1)
    assert "Show this optional section" in summary and "1 figure, 1 code cell" in summary, summary
    assert "<details" not in html[: html.index('<section id="a-side-study">')], "the core section is folded"
    assert "A link into the fold" in html[html.index("</details>"):]


def test_the_folded_subsections_stay_in_the_page_toc_and_are_searchable(english):
    html, html_dir = english
    assert html.index('<details class="optional-section">') < html.index('id="a-subsection"'), "not folded"
    toc = html[html.index('id="pst-page-toc-nav"'):]
    for anchor in ("#a-side-study", "#a-subsection", "#a-nested-study"):
        assert f'href="{anchor}"' in toc, f"{anchor} left the page's table of contents"
    assert re.search(r'href="#sec-inside"', html), "the link into the fold"
    index = (html_dir / "searchindex.js").read_text(encoding="utf-8")
    terms = json.loads(re.search(r'"terms":\s*(\{.*?\})', index).group(1))
    assert "zebrafold" in terms, "search does not find the text of a fold"
    assert "hide" not in terms, "the fold's button (\"Hide this optional section\") is indexed as the page's text"


def test_the_chinese_edition_gets_the_chinese_summary(tmp_path):
    pytest.importorskip("jupyter_book")
    html, _ = _build(tmp_path, "zh_CN")
    summary = re.search(r'<summary class="optional-section-summary">(.*?)</summary>', html).group(1)
    assert "展开这一选读小节" in summary and "1 幅图、1 个代码单元" in summary, summary


def test_the_rule_reads_bold_optional_or_chinese_and_skips_labels():
    sys.path.insert(0, str(ROOT / "_ext"))
    import optional_sections as O
    from docutils import nodes

    def section(*children):
        return nodes.section("", nodes.title("", "T"), *children)

    para = lambda *c: nodes.paragraph("", "", *c)  # noqa: E731
    assert O.is_optional(section(nodes.target(refid="x"), nodes.comment("", "c"), para(nodes.strong("", "Optional."))))
    assert O.is_optional(section(para(nodes.strong("", "选读"), nodes.Text("。"))))
    assert not O.is_optional(section(para(nodes.Text("Optional. "), nodes.strong("", "x"))))
    assert not O.is_optional(section(nodes.bullet_list(), para(nodes.strong("", "Optional."))))
    doc = nodes.document(None, None)
    doc += section(para(nodes.strong("", "Optional.")))  # nothing after the paragraph: nothing to fold
    assert O.fold_optional_sections(doc, "en") == 0
    assert O.words_for("zh_CN")["show"] == "展开这一选读小节" and O.words_for(None)["show"].startswith("Show")
