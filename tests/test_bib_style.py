"""_ext/bib_style.py: author-year labels and order, the edition's words, links back to the citations.

The last tests build a three-page Sphinx project (seconds) in English and in Chinese.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
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


def _build(tmp_path: Path, language: str) -> dict[str, str]:
    from sphinx.application import Sphinx

    src = tmp_path / "src"
    (src / "chapters").mkdir(parents=True)
    (src / "appendix").mkdir()
    (src / "references.bib").write_text(BIB, encoding="utf-8")
    (src / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT / '_ext')!r})\n"
        "extensions = ['sphinxcontrib.bibtex', 'bib_style']\n"
        f"language = {language!r}\n"
        "bibtex_bibfiles = ['references.bib']\n"
        "bibtex_reference_style = 'author_year'\nbibtex_default_style = 'authoryear'\n",
        encoding="utf-8")
    (src / "index.rst").write_text(
        "Book\n====\n\n.. toctree::\n\n   chapters/04_attention\n   chapters/11_gpt\n   appendix/bibliography\n",
        encoding="utf-8")
    (src / "chapters" / "04_attention.rst").write_text(
        "Attention\n=========\n\nAs :cite:t:`vaswani2017` showed, tying helps :cite:p:`press2017`.\n\n"
        "由 :cite:t:`vaswani2017` 提出，见 :cite:p:`press2017`。\n",
        encoding="utf-8")
    (src / "chapters" / "11_gpt.rst").write_text(
        "GPT\n===\n\nAgain :cite:p:`vaswani2017`, and :cite:p:`vaswani2018`.\n", encoding="utf-8")
    (src / "appendix" / "bibliography.rst").write_text(
        "Bibliography\n============\n\nFurther reading: :cite:t:`gage1994`.\n\n.. bibliography::\n",
        encoding="utf-8")
    out = tmp_path / "html"
    app = Sphinx(str(src), str(src), str(out), str(tmp_path / "doctrees"), "html",
                 status=None, warning=None, freshenv=True)
    app.build()
    pages = {}
    for name in ("chapters/04_attention", "chapters/11_gpt", "appendix/bibliography"):
        html = (out / f"{name}.html").read_text(encoding="utf-8")
        pages[name] = html
    return pages


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
    # an entry cited only on the bibliography page itself gets no "cited in" line
    gage = bib[bib.find("Gage"):]
    gage = gage[:gage.find("</div>")]
    assert "bib-cited-in" not in gage
