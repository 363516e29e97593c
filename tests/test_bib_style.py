"""_ext/bib_style.py: author-year labels and order, the edition's words, links back to the citations.

The last tests build a three-page Sphinx project (seconds) in English and in Chinese.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from docutils import nodes
from pybtex.database import parse_string

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "_ext"))
import bib_style  # noqa: E402

BIB = """
@article{vaswani2017, author={Vaswani, A. and Shazeer, N. and Parmar, N.}, title={Attention}, journal={J}, year={2017},
  url={https://example.org/a}}
@article{vaswani2018, author={Vaswani, A. and Bengio, S. and Brevdo, E.}, title={Tensor2Tensor}, journal={J}, year={2018},
  url={https://example.org/b}}
@article{press2017, author={Press, O. and Wolf, L.}, title={Tying}, journal={J}, year={2017}, url={https://example.org/c}}
@article{gage1994, author={Gage, P.}, title={BPE}, journal={J}, year={1994}, url={https://example.org/d}}
"""


def check_back_links(site: Path) -> list[str]:
    """Every "Cited in" link on a built site's bibliography (English, and zh/ if built) must land
    on a citation of that same entry. Returns the problems, one line each.

    Run on the built book:  .venv/bin/python tests/test_bib_style.py _build/html
    """
    problems, checked = [], 0
    for bib in sorted(site.glob("**/appendix/bibliography.html")):
        html = bib.read_text(encoding="utf-8")
        for m in re.finditer(r'<div class="citation" id="([^"]+)"[^>]*>(.*?)</div>', html, re.S):
            entry_id, body = m.groups()
            cited = body[body.find("bib-cited-in"):] if "bib-cited-in" in body else ""
            for page, anchor in re.findall(r'href="([^"#]*)#([^"]+)"', cited):
                checked += 1
                target = (bib.parent / page).resolve() if page else bib
                text = target.read_text(encoding="utf-8") if target.exists() else ""
                pos = text.find(f'id="{anchor}"')
                tag = text[text.rfind("<", 0, pos):text.find(">", pos) + 1] if pos >= 0 else ""
                if tag.startswith("<a ") and "bibtex-citation" in text[max(0, pos - 2000):pos]:
                    # a work of a group, "(Gage, 1994; Press and Wolf, 2017)": the anchor is on its own link
                    if not re.search(r'href="(?:[^"#]*bibliography\.html)?#' + re.escape(entry_id) + '"', tag):
                        problems.append(f"{bib.relative_to(site)}: entry #{entry_id} links to {page}#{anchor}, "
                                        "which is not a citation of it")
                    continue
                before = text[max(0, pos - 2000):pos]
                is_citation = pos >= 0 and bool(  # the citation's own id, or an empty span inside it
                    re.search(r'<span class="bibtex-citation"\s*$', before)
                    or re.search(r'<span class="bibtex-citation"[^>]*>(?:<span id="[^"]*"></span>)*<span\s*$', before))
                rest = re.sub(r'^id="[^"]*"[^>]*>(?:</span>)?(?:<span id="[^"]*"></span>)*', "", text[pos:]) if pos >= 0 else ""
                span = rest[:rest.find("</span>")] if is_citation else ""
                if not re.search(r'href="(?:[^"#]*bibliography\.html)?#' + re.escape(entry_id) + '"', span):
                    problems.append(f"{bib.relative_to(site)}: entry #{entry_id} links to {page}#{anchor}, "
                                    "which is not a citation of it")
    if not checked:
        problems.append(f"no 'Cited in' links found under {site}")
    return problems


def entries():
    return parse_string(BIB, "bibtex").entries


def test_labels_in_each_language():
    e = entries()
    assert bib_style.author_year(e["vaswani2017"]) == "Vaswani et al., 2017"
    assert bib_style.author_year(e["press2017"]) == "Press and Wolf, 2017"
    assert bib_style.author_year(e["gage1994"]) == "Gage, 1994"
    assert bib_style.author_year(e["vaswani2017"], "zh_CN") == "Vaswani 等，2017"
    assert bib_style.author_year(e["press2017"], "zh_CN") == "Press 和 Wolf，2017"
    assert bib_style.edition("zh") == bib_style.edition("zh_CN") == "zh"
    assert bib_style.edition(None) == bib_style.edition("en") == "en"


def test_entries_sort_as_their_labels_read():
    """First author, then one / two / more authors, then year: not the whole author list."""
    order = [e.key for e in bib_style.AuthorYearSorting().sort(entries().values())]
    assert order == ["gage1994", "press2017", "vaswani2017", "vaswani2018"]


def test_labels_that_would_clash_get_letters():
    db = parse_string("@article{a, author={Gerganov, G. and others}, title={X}, year={2023}}"
                      "@article{b, author={Gerganov, G. and others}, title={Y}, year={2023}}", "bibtex")
    assert list(bib_style.AuthorYearLabels().format_labels(db.entries.values())) == [
        "Gerganov et al., 2023a", "Gerganov et al., 2023b"]


def _sphinx_site(tmp_path: Path, language: str, bib: str, pages: dict[str, str]) -> Path:
    """Build a small book (``pages``: reST text by document name, "index" included) citing from
    ``bib`` with the book's bibliography extension; returns the HTML folder."""
    from sphinx.application import Sphinx

    src = tmp_path / "src"
    (src / "chapters").mkdir(parents=True)
    (src / "appendix").mkdir()
    (src / "references.bib").write_text(bib, encoding="utf-8")
    (src / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT / '_ext')!r})\n"
        "extensions = ['sphinxcontrib.bibtex', 'bib_style']\n"
        f"language = {language!r}\n"
        "bibtex_bibfiles = ['references.bib']\n"
        "bibtex_reference_style = 'author_year'\nbibtex_default_style = 'authoryear'\n",
        encoding="utf-8")
    for name, text in pages.items():
        (src / f"{name}.rst").write_text(text, encoding="utf-8")
    out = tmp_path / "html"
    Sphinx(str(src), str(src), str(out), str(tmp_path / "doctrees"), "html",
           status=None, warning=None, freshenv=True).build()
    return out


def _build(tmp_path: Path, language: str) -> dict[str, str]:
    out = _sphinx_site(tmp_path, language, BIB, {
        "index": "Book\n====\n\n.. toctree::\n\n   chapters/04_attention\n   chapters/11_gpt\n   appendix/bibliography\n",
        "chapters/04_attention":
            "Attention\n=========\n\nAs :cite:t:`vaswani2017` showed, tying helps :cite:p:`press2017`.\n\n"
            "由 :cite:t:`vaswani2017` 提出，见 :cite:p:`press2017`。\n",
        "chapters/11_gpt": "GPT\n===\n\nAgain :cite:p:`vaswani2017`, and :cite:p:`vaswani2018`.\n",
        "appendix/bibliography":
            "Bibliography\n============\n\nFurther reading: :cite:t:`gage1994`; again :cite:p:`gage1994`.\n\n.. bibliography::\n",
    })
    return {name: (out / f"{name}.html").read_text(encoding="utf-8")
            for name in ("chapters/04_attention", "chapters/11_gpt", "appendix/bibliography")}


def _text(html: str) -> str:
    main = html[html.find('<div class="body"'):] if '<div class="body"' in html else html
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", main))


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_built_citations_and_back_links(tmp_path, language):
    pages = _build(tmp_path, language)
    ch4, ch11, bib = (pages[k] for k in ("chapters/04_attention", "chapters/11_gpt", "appendix/bibliography"))
    if language == "en":
        assert "Vaswani et al. (2017) showed" in _text(ch4)
        assert "(Press and Wolf, 2017)" in _text(ch4)
        assert "由 Vaswani et al. (2017) 提出，见 (Press and Wolf, 2017)。" in _text(ch4)  # English: untouched
        assert "Vaswani et al., 2017" in _text(bib)
        assert "Cited in chapters 4 and 11." in _text(bib)
        assert "Cited in chapter 11." in _text(bib)
        assert "<em>et al.</em>" not in ch4 + ch11  # upright, as in the labels
    else:
        assert "Vaswani 等（2017）" in _text(ch4)
        assert "由 Vaswani 等（2017）提出，见（Press 和 Wolf，2017）。" in _text(ch4)  # no space beside （）
        assert "（Press 和 Wolf，2017）" in _text(ch4)
        assert "et al" not in _text(ch4) + _text(ch11) and " and " not in _text(ch4)
        assert "Vaswani 等，2017" in _text(bib)
        assert "引用于第 4、11 章。" in _text(bib)
    # the labels in reading order, and each "cited in" number links to the citation's own anchor
    text = _text(bib)
    names = ["Gage", "Press", "Vaswani", "Vaswani"]
    positions = [text.find(n, text.find(names[0]) if i else 0) for i, n in enumerate(names)]
    assert positions == sorted(positions)
    assert text.index("2017") < text.rindex("2018")
    links = re.findall(r'href="\.\./chapters/04_attention\.html#([\w-]+)"', bib)
    assert links and all(f'id="{anchor}"' in ch4 for anchor in links)
    # an entry cited only in the bibliography's further reading says so
    gage = bib[bib.find("Gage"):]
    gage = _text(gage[:gage.find("</div>")])
    assert ("Cited in further reading." if language == "en" else "引用于延伸阅读。") in gage
    # "Cited in" is a line of the entry's own paragraph, not a paragraph of its own (which stood a
    # paragraph's gap below its entry and, on a phone, read as the start of the next entry)
    for body in re.findall(r'<div class="citation" id="[^"]+"[^>]*>(.*?)</div>', bib, re.S):
        assert body.count("<p") == 1 and re.search(r'<br />\s*<span class="bib-cited-in">', body), body
    # no docutils back-links ("(1,2)" before an entry, or a label that is a link): labels are plain
    assert "doc-backlink" not in bib and 'class="backrefs"' not in bib
    # the Chinese edition prints an address without pybtex's English "URL:"
    assert ("URL:" in _text(bib)) == (language == "en")
    assert "https://example.org/a" in bib


MIXED_PAGE = [
    ("markdown", "# Attention\n\nFirst {cite:p}`gage1994`, with a glossary-style target.\n\n"
                 "| a | b |\n|---|---|\n| in a table {cite:p}`press2017` | y |\n"),
    ("markdown", "```{note}\nIn an admonition {cite:t}`vaswani2018`.\n```\n\n"
                 "```{exercise}\n:label: ex-a\nIn an exercise {cite:p}`gage1994`.\n```\n\n"
                 "````{solution} ex-a\n:class: dropdown\nIn a solution {cite:p}`press2017`.\n````\n"),
    ("code", "print(1)"),
    ("markdown", "(sec-x)=\n## Section\n\nThen {cite:t}`vaswani2017` and {cite:p}`vaswani2017,press2017`.\n"),
]


def _build_notebook_book(tmp_path: Path) -> Path:
    """A myst-nb book: chapter 4 a notebook citing in a table, an admonition, an exercise and its
    solution, a figure caption (a code cell's output, rendered when myst-nb meets it) and a
    section; chapter 11 a page; further reading on the bibliography page."""
    import json

    from sphinx.application import Sphinx

    src = tmp_path / "src"
    (src / "chapters").mkdir(parents=True)
    (src / "appendix").mkdir()
    (src / "references.bib").write_text(BIB, encoding="utf-8")
    (src / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT / '_ext')!r})\n"
        "extensions = ['myst_nb', 'sphinxcontrib.bibtex', 'sphinx_exercise', 'bib_style']\n"
        "myst_enable_extensions = ['colon_fence', 'dollarmath']\nnb_execution_mode = 'off'\n"
        "bibtex_bibfiles = ['references.bib']\n"
        "bibtex_reference_style = 'author_year'\nbibtex_default_style = 'authoryear'\n",
        encoding="utf-8")
    (src / "index.md").write_text("# Book\n\n```{toctree}\nchapters/04_attention\nchapters/11_gpt\n"
                                  "appendix/bibliography\n```\n", encoding="utf-8")
    cells = []
    for kind, text in MIXED_PAGE:
        cell = {"cell_type": kind, "metadata": {}, "source": text}
        if kind == "code":
            cell.update(execution_count=1, outputs=[{"output_type": "stream", "name": "stdout", "text": "1\n"}],
                        metadata={"mystnb": {"figure": {"caption": "A caption {cite:p}`vaswani2018`.",
                                                        "name": "fig-a"}}})
        cells.append(cell)
    nb = {"cells": cells, "nbformat": 4, "nbformat_minor": 4,
          "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}}
    (src / "chapters" / "04_attention.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    (src / "chapters" / "11_gpt.md").write_text("# GPT\n\nAgain {cite:p}`vaswani2017`.\n", encoding="utf-8")
    (src / "appendix" / "bibliography.md").write_text(
        "# Bibliography\n\n## Further reading\n\nRead {cite:t}`gage1994` and {cite:t}`vaswani2017`.\n\n"
        "## Works cited\n\n```{bibliography}\n```\n", encoding="utf-8")
    out = tmp_path / "html"
    app = Sphinx(str(src), str(src), str(out), str(tmp_path / "doctrees"), "html",
                 status=None, warning=None, freshenv=True)
    app.build()
    return out


def test_back_links_land_on_citations_of_the_same_entry(tmp_path):
    site = _build_notebook_book(tmp_path)
    assert check_back_links(site) == []
    bib = (site / "appendix" / "bibliography.html").read_text(encoding="utf-8")
    ch4 = (site / "chapters" / "04_attention.html").read_text(encoding="utf-8")
    # stable ids: the first citation of each key on a page, whatever came before it
    for key in ("gage1994", "press2017", "vaswani2018", "vaswani2017"):
        assert f'id="cite-{key}"' in ch4 or f'cite-{key}"' in ch4, key
    assert 'href="../chapters/04_attention.html#cite-vaswani2018"' in bib
    # an entry cited in further reading says so, with a link to that citation
    text = _text(bib)
    assert "Cited in chapter 4; in further reading." in text  # gage1994
    assert "Cited in chapters 4 and 11; in further reading." in text
    assert 'href="#cite-gage1994"' in bib


def test_repository_addresses_show_in_full():
    from docutils.frontend import get_default_settings
    from docutils.parsers.rst import Parser
    from docutils.utils import new_document

    doc = new_document("x", get_default_settings(Parser))
    ref = nodes.reference("", "karpathy/nanoGPT", refuri="https://github.com/karpathy/nanoGPT",
                          classes=["github"])
    doc += nodes.citation("", nodes.paragraph("", "", ref))
    bib_style.full_repository_urls(None, doc, "appendix/bibliography")
    assert ref.astext() == "https://github.com/karpathy/nanoGPT" and "github" not in ref["classes"]


def test_check_back_links_reports_a_wrong_link(tmp_path):
    site = _build_notebook_book(tmp_path)
    page = site / "appendix" / "bibliography.html"
    html = page.read_text(encoding="utf-8")
    page.write_text(html.replace("04_attention.html#cite-vaswani2018", "04_attention.html#cite-press2017"),
                    encoding="utf-8")
    assert any("cite-press2017" in p for p in check_back_links(site))


if __name__ == "__main__":  # the lead's check of a built site
    found = check_back_links(Path(sys.argv[1] if len(sys.argv) > 1 else "_build/html"))
    print("\n".join(found) or "every 'Cited in' link lands on a citation of its own entry")
    sys.exit(1 if found else 0)


def test_an_incremental_build_rewrites_the_back_links(tmp_path):
    """The published site's wrong links: a chapter gained a citation near its top, the next build
    re-read only that chapter, and the bibliography page (not rewritten) kept links to the old
    automatic ids ('id8' now being another work's citation). Now the page is written again
    whenever a page was read, and the anchors do not depend on a counter."""
    from sphinx.application import Sphinx

    src = tmp_path / "src"
    (src / "chapters").mkdir(parents=True)
    (src / "appendix").mkdir()
    (src / "references.bib").write_text(BIB, encoding="utf-8")
    (src / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT / '_ext')!r})\n"
        "extensions = ['sphinxcontrib.bibtex', 'bib_style']\nbibtex_bibfiles = ['references.bib']\n"
        "bibtex_reference_style = 'author_year'\nbibtex_default_style = 'authoryear'\n", encoding="utf-8")
    (src / "index.rst").write_text("Book\n====\n\n.. toctree::\n\n   chapters/04_attention\n   appendix/bibliography\n",
                                   encoding="utf-8")
    (src / "appendix" / "bibliography.rst").write_text("Bibliography\n============\n\n.. bibliography::\n",
                                                       encoding="utf-8")
    chapter = src / "chapters" / "04_attention.rst"
    out = tmp_path / "html"
    for text in ("A\n=\n\nX :cite:p:`gage1994` and :cite:p:`press2017`.\n",
                 "A\n=\n\nFirst :cite:p:`vaswani2017`. X :cite:p:`gage1994` and :cite:p:`press2017`.\n"):
        chapter.write_text(text, encoding="utf-8")
        Sphinx(str(src), str(src), str(out), str(tmp_path / "doctrees"), "html",
               status=None, warning=None).build()  # the second build is incremental
    assert check_back_links(out) == []
    assert "04_attention.html#cite-vaswani2017" in (out / "appendix" / "bibliography.html").read_text(encoding="utf-8")


def test_one_authors_works_of_a_year_take_letters_in_date_order():
    db = parse_string("@article{b, author={Touvron, H. and Martin, L. and Stone, K. and others}, title={Llama 2},"
                      " year={2023}, date={2023-07-18}}"
                      "@article{a, author={Touvron, H. and Lavril, T. and Izacard, G.}, title={{LLaMA}},"
                      " year={2023}, date={2023-02-27}}", "bibtex")
    ordered = bib_style.AuthorYearSorting().sort(db.entries.values())
    assert [e.key for e in ordered] == ["a", "b"]  # by title, "Llama 2" would come first
    assert list(bib_style.AuthorYearLabels().format_labels(ordered)) == [
        "Touvron et al., 2023a", "Touvron et al., 2023b"]


@pytest.mark.parametrize("style, et_al", [(bib_style.AuthorYearStyle, ", et al."), (bib_style.AuthorYearStyleZh, " 等")])
def test_entries_name_at_most_three_authors(style, et_al):
    db = parse_string("@article{a, author={A, Ann and B, Bo and C, Cy and D, Di}, title={T}, journal={J}, year={2020}}"
                      "@article{b, author={A, Ann and B, Bo and C, Cy and others}, title={T}, journal={J}, year={2021}}"
                      "@article{c, author={A, Ann and B, Bo and C, Cy}, title={T}, journal={J}, year={2022}}", "bibtex")
    text = {e.key: e.text.render_as("text") for e in style().format_entries(db.entries.values())}
    assert text["a"].startswith(f"Ann A, Bo B, Cy C{et_al}") and "Di" not in text["a"]
    assert text["b"].startswith(f"Ann A, Bo B, Cy C{et_al}") and "others" not in text["b"]
    assert text["c"].startswith("Ann A, Bo B, and Cy C.")


def test_a_group_of_works_anchors_each_on_its_own_link(tmp_path):
    page = MIXED_PAGE[0]
    MIXED_PAGE[0] = ("markdown", "# Attention\n\nFirst {cite:p}`gage1994,press2017`, a group.\n")
    try:
        site = _build_notebook_book(tmp_path)
    finally:
        MIXED_PAGE[0] = page
    ch4 = (site / "chapters" / "04_attention.html").read_text(encoding="utf-8")
    press = ch4[ch4.find('id="cite-press2017"') - 200:ch4.find('id="cite-press2017"') + 200]
    assert re.search(r'<a [^>]*id="cite-press2017"[^>]*>Press and Wolf, 2017</a>', press)
    assert check_back_links(site) == []


SUFFIX_BIB = r"""
@misc{karpathy2022nanogpt, author={Karpathy, Andrej}, title={nanoGPT}, year={2022}, date={2022-12-28},
  url={https://example.org/n}}
@misc{karpathy2022backprop, author={Karpathy, Andrej}, title={Backprop ninja}, year={2022}, date={2022-10-11},
  url={https://example.org/b}}
@article{mikolov2013, author={Mikolov, T. and Sutskever, I. and Chen, K.}, title={W2V}, journal={J}, year={2013},
  url={https://example.org/m}}
@article{muller2019, author={M{\"u}ller, R. and Kornblith, S. and Hinton, G.}, title={LS}, journal={J}, year={2019},
  url={https://example.org/l}}
"""


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_citations_carry_the_letter_of_their_label(tmp_path, language):
    """Two works of one author and year: the list reads 2022a/2022b and so must every citation
    (textual, parenthetical and year-only), in both editions. Also: a LaTeX-accented surname reads
    and sorts as the letter it is (Mikolov before Müller), and a citation on the root page is
    "Cited in the introduction"."""
    out = _sphinx_site(tmp_path, language, SUFFIX_BIB, {
        "index": "Book\n====\n\nIntro :cite:p:`mikolov2013`.\n\n"
                 ".. toctree::\n\n   chapters/09_backprop\n   appendix/bibliography\n",
        "chapters/09_backprop":
            "Backprop\n========\n\nT :cite:t:`karpathy2022backprop`, P :cite:p:`karpathy2022nanogpt`, "
            "Y :cite:year:`karpathy2022nanogpt`, M :cite:p:`muller2019`.\n",
        "appendix/bibliography": "Bibliography\n============\n\n.. bibliography::\n   :all:\n",
    })
    ch9 = _text((out / "chapters" / "09_backprop.html").read_text(encoding="utf-8"))
    bib = _text((out / "appendix" / "bibliography.html").read_text(encoding="utf-8"))
    if language == "en":
        assert "T Karpathy (2022a)" in ch9 and "P (Karpathy, 2022b)" in ch9 and "Y 2022b" in ch9, ch9
        assert "(Müller et al., 2019)" in ch9
        labels = ["Karpathy, 2022a", "Karpathy, 2022b", "Mikolov et al., 2013", "Müller et al., 2019"]
    else:
        assert "T Karpathy（2022a）" in ch9 and "P（Karpathy，2022b）" in ch9, ch9
        labels = ["Karpathy，2022a", "Karpathy，2022b", "Mikolov 等，2013", "Müller 等，2019"]
    positions = [bib.find(label) for label in labels]
    assert -1 not in positions and positions == sorted(positions), (positions, bib)
    assert "\\" not in bib
    # the root page is the introduction, not the book's title
    assert ("Cited in the introduction." if language == "en" else "引用于引言。") in bib, bib


@pytest.mark.parametrize("style", [bib_style.AuthorYearStyle, bib_style.AuthorYearStyleZh])
def test_titles_keep_the_case_references_bib_gives_them(style):
    """pybtex's unsrt style would print "The illustrated transformer" and "GQA: training
    generalized ..."; the book prints titles as written."""
    db = parse_string("@misc{a, author={Alammar, Jay}, title={The Illustrated Transformer}, year={2018}}"
                      "@inproceedings{g, author={Ainslie, J.}, title={{GQA}: Training Generalized Multi-Query "
                      "Transformer Models}, booktitle={EMNLP}, year={2023}}", "bibtex")
    text = {e.key: e.text.render_as("text") for e in style().format_entries(db.entries.values())}
    assert "The Illustrated Transformer" in text["a"]
    assert "GQA: Training Generalized Multi-Query Transformer Models" in text["g"]


def test_latex_accents_in_surnames_are_decoded():
    db = parse_string(r'@article{m, author={M{\"u}ller, R. and Kornblith, S. and Hinton, G.}, title={T}, year={2019}}'
                      r'@article{k, author={Mikolov, T. and Chen, K. and Dean, J.}, title={T}, year={2013}}', "bibtex")
    assert bib_style.author_year(db.entries["m"]) == "Müller et al., 2019"
    assert [e.key for e in bib_style.AuthorYearSorting().sort(db.entries.values())] == ["k", "m"]


def test_every_english_annotation_has_its_chinese():
    """A howpublished / note / publisher field of references.bib written in English words is shown
    in Chinese in the Chinese edition: it must be listed in ZH_FIELDS (a new entry's annotation is
    otherwise English on the Chinese page)."""
    from pybtex.database import parse_file

    missing = []
    for key, entry in parse_file(str(ROOT / "references.bib")).entries.items():
        for name in ("howpublished", "note", "publisher"):
            value = entry.fields.get(name)
            if value and re.search(r"[A-Za-z]{3,}", value) and not re.search(r"[\u4e00-\u9fff]", value):
                if value not in bib_style.ZH_FIELDS.get(name, {}) and name != "publisher":
                    missing.append((key, name, value))
    assert not missing, missing
    lee = bib_style.in_chinese(parse_file(str(ROOT / "references.bib")).entries["lee2021ml"])
    assert "（中文）" in lee.fields["howpublished"]


def test_chinese_punctuation_after_chinese_text():
    cp = bib_style.chinese_punctuation
    assert cp("博客文章（中文），科学空间, 2021. ") == "博客文章（中文），科学空间，2021。"
    assert cp("编码。 ") == "编码。"
    assert cp("在线图书（中文）, 2023.") == "在线图书（中文），2023。"
    assert cp("Transformer 升级之路：2、博采众长的旋转式位置编码. ") == "Transformer 升级之路：2、博采众长的旋转式位置编码。"
    # Latin text keeps its own punctuation, and so does a Latin title's end
    assert cp("Blog post, 2018. ") == "Blog post, 2018. "
    assert cp("Attention is all you need. ") == "Attention is all you need. "
    assert cp(".", last=True) == "。" and cp(".") == "."
    assert cp("Niki Parmar 等. ") == "Niki Parmar 等. "  # authors: "等." as GB/T 7714 writes it


def test_a_chinese_entry_is_punctuated_in_chinese(tmp_path):
    bib = BIB + (
        "@misc{su2021, author={Su, Jianlin}, title={{Transformer} 升级之路：2、博采众长的旋转式位置编码},"
        " howpublished={Blog post (in Chinese), 科学空间 (Scientific Spaces)}, year={2021},"
        " url={https://kexue.fm/archives/8265}}\n")
    out = _sphinx_site(tmp_path, "zh_CN", bib, {
        "index": "Book\n====\n\n.. toctree::\n\n   appendix/bibliography\n",
        "appendix/bibliography": "Bibliography\n============\n\n见 :cite:t:`su2021`。\n\n.. bibliography::\n",
    })
    html = (out / "appendix" / "bibliography.html").read_text(encoding="utf-8")
    html = html[html.find('<div class="citation"'):]
    entry = _text(html[html.find("Jianlin Su"):])
    entry = entry[:entry.find("引用于")]
    assert "旋转式位置编码。博客文章（中文），科学空间，2021。https://kexue.fm" in entry, entry
    assert "URL" not in entry and entry.rstrip().endswith("8265。"), entry
