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
