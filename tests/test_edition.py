"""_ext/edition.py: the link to the other edition, and the Chinese search's query splitter."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("edition", ROOT / "_ext" / "edition.py")
E = importlib.util.module_from_spec(spec)
spec.loader.exec_module(E)


def switch(edition: str, other: str, pagename: str) -> str:
    app = SimpleNamespace(config=SimpleNamespace(book_edition=edition, book_other_edition_root=other))
    context = {"body": "<h1>x</h1>"}
    E._switch(app, pagename, "page.html", context, doctree=object())
    return context["body"]


def test_every_page_links_to_itself_in_the_other_edition():
    assert switch("en", "zh/", "chapters/04_attention").startswith(
        '<p class="edition-switch"><a href="../zh/chapters/04_attention.html" hreflang="zh-CN" lang="zh-CN">中文版</a>')
    assert 'href="zh/intro.html"' in switch("en", "zh/", "intro")
    assert 'href="../../appendix/glossary.html" hreflang="en" lang="en">English<' in switch(
        "zh_CN", "../", "appendix/glossary")
    assert switch("en", "", "intro") == "<h1>x</h1>"  # no other edition configured: no link


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js to run the splitter")
@pytest.mark.ci_may_skip
def test_query_splitter_cuts_chinese_into_known_words(tmp_path):
    script = tmp_path / "split.js"
    script.write_text(E.SPLIT_QUERY_JS + """
var Search = {_index: {terms: {"注意力": 1, "注意力权重": 1, "权重": 1, "最大": 1, "attention": 1}, titleterms: {"探索器": 1}}};
console.log(JSON.stringify([splitQuery("注意力权重"), splitQuery("最大的权重"), splitQuery("attention 探索器"),
                            splitQuery("注意力 权重")]));
""", encoding="utf-8")
    out = subprocess.run(["node", str(script)], capture_output=True, text=True, check=True).stdout
    assert out.strip() == '[["注意力权重"],["最大","权重"],["attention","探索器"],["注意力","权重"]]'


@pytest.mark.parametrize("edition", ["zh_CN", "en"])
def test_exercise_titles_read_as_chinese_in_the_chinese_edition(tmp_path, edition):
    """练习 7.1（缩放） and 练习 7.1（缩放）的解答 in Chinese; English titles are left as sphinx-exercise makes them."""
    sphinx = pytest.importorskip("sphinx.application")
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(ROOT / '_ext')!r})\n"
        "extensions = ['myst_parser', 'sphinx_exercise', 'edition']\n"
        "myst_enable_extensions = ['colon_fence', 'dollarmath']\n"
        f"language = {'zh_CN' if edition == 'zh_CN' else 'en'!r}\n"
        f"book_edition = {edition!r}\n"
        "numfig = True\n", encoding="utf-8")
    (src / "index.md").write_text(
        "# 练习\n\n```{exercise} 缩放 $x$\n:label: ex-scale\n\n试一试。\n```\n\n"
        "```{solution} ex-scale\n:class: dropdown\n\n答案。\n```\n", encoding="utf-8")
    app = sphinx.Sphinx(str(src), str(src), str(tmp_path / "out"), str(tmp_path / "doctrees"), "html",
                        status=None, warning=None, freshenv=True)
    app.build()
    page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    import re
    text = re.sub(r"<[^>]+>", "", page)
    text = re.sub(r"\s+", " ", text)
    if edition == "zh_CN":
        assert "练习 1（缩放 " in text and "（缩放 \\(x\\)）的解答" in text, text[:2000]
        assert " (缩放" not in text and "解答 练习" not in text
    else:
        assert "(缩放 \\(x\\))" in text
