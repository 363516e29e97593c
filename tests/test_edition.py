"""_ext/edition.py: the link to the other edition, the Chinese search (query splitter and ranking), the
theme's words in Chinese and the exercise titles."""

from __future__ import annotations

import gettext
import importlib.util
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("edition", ROOT / "_ext" / "edition.py")
E = importlib.util.module_from_spec(spec)
spec.loader.exec_module(E)
_spec = importlib.util.spec_from_file_location("translation", ROOT / "scripts" / "translation.py")
translation = sys.modules.setdefault("translation", importlib.util.module_from_spec(_spec))
if not hasattr(translation, "THEME_WORDS"):
    _spec.loader.exec_module(translation)
THEME_WORDS = translation.THEME_WORDS


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


def test_search_weights_put_the_title_topic_first():
    """A word's weight in a page: its count (log, a long page discounted), then a section heading, the
    page title, the title's topic (before the colon); a word on one page only is left out."""
    assert E.title_topic("4. 注意力：每个词元都向每个词元提问") == "注意力"
    assert E.title_topic("10. 预训练与微调") == "预训练与微调" and E.title_topic("术语表") == "术语表"
    stats = {"topic": (1000, {"反向传播": (5, 1, 2), "梯度": (1, 0, 0)}),
             "title": (1000, {"反向传播": (5, 1, 1)}),
             "heading": (1000, {"反向传播": (5, 1, 0), "梯度": (1, 0, 0)}),
             "often": (1000, {"反向传播": (8, 0, 0)}),
             "long": (4000, {"反向传播": (12, 0, 0), "独有": (3, 0, 0)})}
    weights = E.search_weights(stats, list(stats))
    by_page = dict(zip(weights["反向传播"][::2], weights["反向传播"][1::2]))
    assert by_page[0] > by_page[1] > by_page[2] > by_page[3] > by_page[4]  # topic > title > heading > count
    assert "独有" not in weights and weights["梯度"] == [0, 7, 2, 7]


SITE_PAGES = {
    "00_big_picture": "# 0. 全景：从头到尾走一遍训练步\n\n一个训练步里有注意力权重、反向传播和因果掩码。\n",
    "04_attention": "# 4. 注意力：每个词元都向每个词元提问\n\n" + "注意力给每个键一个权重，权重之和是 1。\n\n" * 8
                    + "## 最大的权重\n\n最大的权重落在相同的词元上；这就是注意力权重。\n",
    "06_cross_attention": "# 6. 交叉注意力：解码器如何读取源句\n\n" + "交叉注意力的注意力权重来自源句。\n\n" * 2
                          + "注意力读取源句。\n",
    "09_backpropagation": "# 9. 反向传播：手算梯度\n\n" + "反向传播从损失出发，逐层求梯度。\n\n" * 6,
    "10_pretraining": "# 10. 预训练与微调\n\n## 反向传播只更新一部分参数\n\n微调时反向传播照常进行。\n",
    # a term and its alias (层规范化, which the glossary's entry gives), taught in a section or an entry
    "07_block": "# 7. Transformer 块：残差连接、层归一化与前馈网络\n\n本章讲残差流。中文教材也译作“层规范化”。\n\n"
                "## 手工实现 LayerNorm\n\n" + "层归一化把每个词元向量变成均值为 0、方差为 1 的向量。\n\n" * 3
                + "## 为什么不用 BatchNorm？\n\n" + "批量归一化在整个批次上求均值，层归一化不用。\n\n" * 2,
    "glossary": "# 术语表\n\n## 索引\n\n- **C** · {term}`残差流（residual stream） <residual stream>` · 层规范化（见层归一化）"
                " · {term}`层归一化（layer normalization, LayerNorm） <layer normalization (LayerNorm)>` ·"
                " {term}`批量归一化（batch normalization） <batch normalization>`\n\n## 7 · 残差流与层归一化\n\n"
                "```{glossary}\nresidual stream\n  **残差流**。每一层读取并加回的向量。\n\n"
                "layer normalization (LayerNorm)\n  **层归一化**。把每个词元向量归一化。教材也译作“层规范化”。\n\n"
                "batch normalization\n  **批量归一化**。在批次上归一化。\n```\n",
}


def _build_site(sphinx, tmp, title: str, pages: dict[str, str]):
    """Write ``pages`` (name -> MyST) and an index titled ``title`` beside tmp/src/conf.py, build
    them with Sphinx's html builder, and return the html folder."""
    src = tmp / "src"
    (src / "index.md").write_text(f"{title}\n\n```{{toctree}}\n" + "\n".join(pages) + "\n```\n", encoding="utf-8")
    for name, text in pages.items():
        (src / f"{name}.md").write_text(text, encoding="utf-8")
    app = sphinx.Sphinx(str(src), str(src), str(tmp / "html"), str(tmp / "doctrees"), "html",
                        status=None, warning=None, freshenv=True)
    app.build()
    return tmp / "html"


@pytest.fixture(scope="module")
def zh_site(tmp_path_factory):
    """A small Chinese site built as the book's Chinese edition is: zh search, the theme, edition.py."""
    sphinx = pytest.importorskip("sphinx.application")
    pytest.importorskip("jieba")
    tmp = tmp_path_factory.mktemp("zh_site")
    src = tmp / "src"
    src.mkdir()
    (src / "words.txt").write_text("".join(f"{w} 100000\n" for w in ("注意力权重", "交叉注意力", "反向传播", "因果掩码", "层归一化",
                                                                       "层规范化", "批量归一化", "残差流")),
                                   encoding="utf-8")  # as the glossary feeds jieba
    (src / "conf.py").write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(ROOT / '_ext')!r})\n"
        "extensions = ['myst_parser', 'edition']\n"
        "language = 'zh_CN'\n"
        "html_search_language = 'zh'\n"
        f"html_search_options = {{'dict': {str(src / 'words.txt')!r}}}\n"
        "book_edition = 'zh_CN'\n"
        "book_theme_words = {'Repository': '仓库', 'Open issue': '创建议题', 'Color mode': '颜色模式',\n"
        "                    'Toggle primary sidebar': '切换主侧栏', 'Print to PDF': '打印为 PDF'}\n"
        "html_theme = 'sphinx_book_theme'\n"
        "html_theme_options = {'repository_url': 'https://github.com/example/book', 'use_repository_button': True,\n"
        "                      'use_issues_button': True}\n", encoding="utf-8")
    return _build_site(sphinx, tmp, "# 书", SITE_PAGES)


# Sphinx's own search code (language_data.js with the book's splitter and scorer, searchtools.js) on
# the site's index, without a browser: the pages in the order the search page lists them.
RANK_JS = r"""
const fs = require("fs"), path = require("path"), vm = require("vm");
const [dir, ...queries] = process.argv.slice(2);
const ctx = {console, _ready: () => {}, SPHINX_HIGHLIGHT_ENABLED: false, localStorage: {setItem() {}},
  document: {getElementById: () => null}, DOCUMENTATION_OPTIONS: {}, Documentation: {gettext: (s) => s}, _: (s) => s};
vm.createContext(ctx);
const code = ["_static/language_data.js", "_static/searchtools.js"].map((f) => fs.readFileSync(path.join(dir, f), "utf8"));
vm.runInContext(code.join("\n") + "\nthis.Search = Search;", ctx);
vm.runInContext(fs.readFileSync(path.join(dir, "searchindex.js"), "utf8").replace(/^Search\.setIndex\(/, "Search._index = ("), ctx);
const out = {};
for (const q of queries) {
  const results = ctx.Search._performSearch(...ctx.Search._parseQuery(q)).reverse();  // displayed first to last
  out[q] = [...new Set(results.map((r) => r[0]))];
}
console.log(JSON.stringify(out));
"""


def ranked(site: Path, tmp_path: Path, *queries: str) -> dict[str, list[str]]:
    script = tmp_path / "rank.js"
    script.write_text(RANK_JS, encoding="utf-8")
    out = subprocess.run(["node", str(script), str(site), *queries], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js to run Sphinx's search code")
@pytest.mark.ci_may_skip
def test_chinese_search_ranks_the_page_about_the_query_first(zh_site, tmp_path):
    """Sphinx alone gives every page with the word 5 points and sorts ties by title: 0. 全景 came first
    for 注意力权重. The book's scorer ranks by title topic, headings and counts, and scores a compound
    by its parts too (the attention chapter mostly says 注意力 and 权重)."""
    index = (zh_site / "searchindex.js").read_text(encoding="utf-8")
    assert '"bookweights"' in index
    got = ranked(zh_site, tmp_path, "注意力权重", "反向传播", "最大的权重", "因果掩码")
    assert got["注意力权重"][0] == "04_attention", got
    assert got["反向传播"][:2] == ["09_backpropagation", "10_pretraining"], got
    assert got["最大的权重"][0] == "04_attention", got
    assert got["因果掩码"] == ["00_big_picture"], got  # found on the one page that says it


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js to run Sphinx's search code")
@pytest.mark.ci_may_skip
def test_chinese_search_links_a_term_to_the_section_that_says_it(zh_site, tmp_path):
    """A Chinese term (or an alias jieba knows, 层规范化) in no section title linked to the page's top:
    the index now keeps, for the terms of jieba's dictionary, the section or glossary entry that says
    each most (``bookanchors``), and a result links there: 层规范化 to the glossary's 层归一化 entry
    (not its A-Z index, a list of links), 批量归一化 to 7's section "为什么不用 BatchNorm？"; 7's
    层规范化, said only before its first section, stays at its top. The glossary's entry named 层归一化
    comes before its section "7 · 残差流与层归一化"."""
    index = E.js_index.loads((zh_site / "searchindex.js").read_text(encoding="utf-8"))
    assert [index["booktargets"][k][1] for k in index["bookanchors"]["层规范化"]] == [
        "term-layer-normalization-LayerNorm"], index["bookanchors"]  # 7's 层规范化 is at its top: none
    script = tmp_path / "results.js"
    script.write_text(RESULTS_JS, encoding="utf-8")
    out = subprocess.run(["node", str(script), str(zh_site), "层规范化", "批量归一化", "层归一化"],
                         capture_output=True, text=True, check=True)
    got = {q: {r[0]: r[1:3] for r in rs} for q, rs in json.loads(out.stdout).items()}
    assert got["层规范化"]["glossary"] == ["#term-layer-normalization-LayerNorm",
                                         "术语表 > 层归一化（layer normalization, LayerNorm）"], got
    assert got["层规范化"]["07_block"][0] == "", got
    assert got["批量归一化"]["07_block"][1].endswith(" > 为什么不用 BatchNorm？"), got
    assert got["批量归一化"]["glossary"][0] == "#term-batch-normalization", got
    assert got["层归一化"]["07_block"][1].endswith(" > 手工实现 LayerNorm"), got
    assert got["层归一化"]["glossary"][0] == "#term-layer-normalization-LayerNorm", got


EN_PAGES = {
    "00_big_picture": "# 0. The big picture\n\nOne training step: embeddings, attention, the loss. Attention comes"
                      " in chapter 4.\n\n## Attention in one paragraph\n\nEvery token attends to every token.\n\n"
                      + "Each layer of the encoder feeds the next layer; the last layer feeds the decoder.\n\n" * 6
                      + "The norm of each vector stays near one: a LayerNorm follows each layer, its norm fixed.\n",
    "04_attention": "# 4. Attention: every token asks every token\n\n"
                    + "Attention lets a query $q = xW^Q$ weigh every key by $\\sqrt{d_k}$-scaled scores.\n\n" * 6
                    + "```python\nimport torch\n```\n",
    "06_cross_attention": "# 6. Cross-attention: how the decoder reads the source\n\n"
                          + "Cross-attention is attention from the decoder to the encoder's output.\n\n" * 8
                          + "## Every decoder layer reads the same encoder output\n\n"
                          + "Each decoder layer, layer after layer, reads one output of the last encoder layer.\n\n" * 6
                          + "Its norm is the norm a LayerNorm left; the norm of a key sets its scores.\n",
    "07_block": "# 7. The Transformer block: residuals, LayerNorm and the feed-forward network\n\nAfter attention, a"
                " block adds, normalises and transforms. One layer is one block.\n\n## LayerNorm, by hand\n\n"
                + "LayerNorm rescales each token vector to mean 0 and variance 1; a LayerNorm has a gain and a bias.\n\n"
                * 8 + "Without it the norm of the residual stream grows layer by layer.\n\n"
                "### RMSNorm: the variant of current models\n\nRMSNorm is LayerNorm without the mean.\n",
    "12_real_model": "# 12. A real model\n\nGrouped-query attention shares keys. The attention sink.\n\n"
                     # a notebook's output table is raw HTML (helpers.table.Table): cells with no space between
                     "<table><tr><th>layer</th><th>KV cache</th></tr><tr><td>0</td><td>&lt;eos&gt; <b>Back</b>prop"
                     "</td></tr></table>\n",
    "glossary": "# Glossary\n\n## 4 · Attention\n\n```{glossary}\nattention\n  **注意力**. A weighted average"
                " of values; attention weights come from a softmax.\n\nself-attention\n  **自注意力**. Attention"
                " within one sequence.\n\nattention weights\n  **注意力权重**. The attention a query gives.\n\n"
                "multi-head attention\n  **多头注意力**. Several attention heads.\n```\n\n## 7 · The Transformer block\n\n"
                "```{glossary}\nlayer normalization (LayerNorm)\n  **层归一化**. Rescales each token vector over its"
                " own features (mean 0, variance 1), then scales and shifts it. See chapter 7.\n\nresidual stream\n"
                "  **残差流**. The vector each layer reads and adds to; not normalised in a pre-norm block.\n```\n",
}


@pytest.fixture(scope="module")
def en_site(tmp_path_factory):
    """A small English site built as the book is: English search, the theme, edition.py."""
    sphinx = pytest.importorskip("sphinx.application")
    tmp = tmp_path_factory.mktemp("en_site")
    src = tmp / "src"
    src.mkdir()
    (src / "conf.py").write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(ROOT / '_ext')!r})\n"
        "extensions = ['myst_parser', 'edition']\nmyst_enable_extensions = ['dollarmath']\n"
        "language = 'en'\nbook_edition = 'en'\nhtml_theme = 'sphinx_book_theme'\n", encoding="utf-8")
    return _build_site(sphinx, tmp, "# Book", EN_PAGES)


# The book's result list as the search page builds it: splitQuery (which installs the book's one
# result per page) runs in _parseQuery, before _performSearch; then the results' pages, links and
# titles, best first.
RESULTS_JS = RANK_JS.replace(
    "const results = ctx.Search._performSearch(...ctx.Search._parseQuery(q)).reverse();",
    "const parsed = ctx.Search._parseQuery(q);\n  const results = ctx.Search._performSearch(...parsed).reverse();",
).replace("out[q] = [...new Set(results.map((r) => r[0]))];", "out[q] = results.map((r) => [r[0], r[2], r[1], r[3]]);")


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js to run Sphinx's search code")
@pytest.mark.ci_may_skip
def test_english_search_lists_the_chapter_about_the_query_first_and_each_page_once(en_site, tmp_path):
    """Sphinx alone put six glossary entries first for "attention" (each term an index-entry result)
    and counted each of them as a page; the book's scorer ranks the chapter whose title is about the
    query first (before 6. Cross-attention, which says "attention" more often), and the glossary is one result, linked to its entry named exactly "attention",
    with a snippet (no "(term, in Glossary)") rather than the term alone."""
    assert '"bookweights"' in (en_site / "searchindex.js").read_text(encoding="utf-8")
    script = tmp_path / "results.js"
    script.write_text(RESULTS_JS, encoding="utf-8")
    out = subprocess.run(["node", str(script), str(en_site), "attention"], capture_output=True, text=True, check=True)
    got = json.loads(out.stdout)["attention"]
    pages = [r[0] for r in got]
    assert pages[:2] == ["04_attention", "06_cross_attention"], got  # its whole topic, not half of it
    assert "07_block" in pages, got
    assert len(pages) == len(set(pages)) and set(EN_PAGES) <= set(pages), got  # one result per page
    glossary = next(r for r in got if r[0] == "glossary")
    assert glossary[1:] == ["#term-attention", "Glossary > attention", None], glossary


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js to run Sphinx's search code")
@pytest.mark.ci_may_skip
def test_english_search_ranks_the_page_that_teaches_a_term_typed_as_two_words_first(en_site, tmp_path):
    """"layer norm" is the word the index keys as one, "layernorm": scored by "layer" and "norm" alone,
    0. The big picture and 6. Cross-attention (which say "layer" most) came before 7's section
    "LayerNorm, by hand" and the glossary's entry. Two query words that join into a word of the index
    score as that word (their parts at half weight), and a glossary entry counts as a heading of its
    page: 7 first, linked to its section, and the glossary's entry before 0 and 6."""
    script = tmp_path / "results.js"
    script.write_text(RESULTS_JS, encoding="utf-8")
    out = subprocess.run(["node", str(script), str(en_site), "layer norm", "LayerNorm"], capture_output=True,
                         text=True, check=True)
    for query, got in json.loads(out.stdout).items():
        pages = [r[0] for r in got]
        assert pages[0] == "07_block" and got[0][1] == "#layernorm-by-hand", (query, got)
        assert pages.index("glossary") < min(pages.index("00_big_picture"), pages.index("06_cross_attention")), got
        glossary = got[pages.index("glossary")]
        assert glossary[1] == "#term-layer-normalization-LayerNorm", glossary


def test_raw_html_words_are_not_glued_across_tags():
    """Sphinx indexed <th>layer</th><th>KV cache</th> as "layerKV cache" (and &lt;eos&gt; as lt, eos, gt):
    the book's index held words such as "stageshapeheresourc", the header of a table of chapter 0."""
    assert E.raw_html_text("<th>layer</th><th>KV cache</th>").split() == ["layer", "KV", "cache"]
    assert E.raw_html_text("<td>&lt;eos&gt;</td><br/>a<b>b</b>c<style>td {x: y}</style>").split() == ["eos", "abc"]


def test_the_index_keeps_the_words_of_an_output_table_apart(en_site):
    index = E.js_index.loads((en_site / "searchindex.js").read_text(encoding="utf-8"))
    page = index["docnames"].index("12_real_model")
    glued = [t for t in index["terms"] if t.startswith("layerkv") or t in ("lt", "gt", "cachelt")]
    assert not glued, glued
    lang = E.SearchEnglish({})
    for word in E.index_keys(lang, ["layer", "KV", "cache", "eos", "Backprop"]):
        found = index["terms"].get(word, [])
        assert page in (found if isinstance(found, list) else [found]), (word, found)
    assert "table" in (en_site / "12_real_model.html").read_text(encoding="utf-8")  # the page keeps its markup


PLAIN_MATH_JS = r"""
console.log(JSON.stringify([
  "\\(q = xW^Q\\)", "\\(\\mathrm{softmax}(QK^\\top/\\sqrt{d_k})V\\)", "\\(p - e_y\\)",
  "\\(\\theta \\leftarrow \\theta - \\eta\\, g\\)", "\\(\\frac{1}{\\sqrt{d}}\\)",
  "\\(\\lvert\\mathcal{V}\\rvert\\)", "\\(d_{\\mathrm{model}}\\)",
  "\\(\\sqrt{d_{\\mathrm{model}}}\\)", "\\(e^{-u}\\)",
].map(bookPlainMath)));
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js to run the snippet code")
def test_search_snippets_show_inline_math_as_plain_text(tmp_path):
    """A snippet is plain text (MathJax does not typeset it): \\(q = xW^Q\\) reads q = xW^Q there."""
    script = tmp_path / "math.js"
    script.write_text(E.SUMMARY_JS + PLAIN_MATH_JS, encoding="utf-8")
    out = json.loads(subprocess.run(["node", str(script)], capture_output=True, text=True, check=True).stdout)
    assert out == ["q = xW^Q", "softmax(QK^⊤/√d_k)V", "p - e_y", "θ ← θ - η g", "1/√d", "|V|", "d_model",
                   "√d_model", "e^(-u)"], out
    assert not any("\\" in o for o in out)


def test_theme_words_missing_from_the_themes_catalog_are_chinese(zh_site, tmp_path):
    page = (zh_site / "04_attention.html").read_text(encoding="utf-8")
    shown = re.findall(r'<span class="btn__text-container">([^<]*)</span>', page)
    assert "仓库" in shown and "创建议题" in shown, shown
    assert "Repository" not in shown and "Open issue" not in shown
    # the pydata theme's words come from the "sphinx" catalog: the same words fill it
    assert "颜色模式" in page and 'title="Color mode"' not in page
    # the sidebar button's tooltip (the theme hard-codes it: our copy of its template asks gettext)
    assert 'title="切换主侧栏"' in page and "Toggle primary sidebar" not in page
    # our words come before the theme's own: mainland 打印为 PDF, not the theme's 列印成 PDF
    assert "打印为 PDF" in page and "列印成 PDF" not in page
    folder = E.theme_words_catalog({"Repository": "仓库"}, "zh_CN", tmp_path / "locale")
    assert gettext.translation("booktheme", str(folder), ["zh_CN"]).gettext("Repository") == "仓库"


def test_no_space_between_chinese_and_a_chinese_bold_term():
    """"这叫作 **{term}`微调`** 来" shows as 这叫作微调来; Latin and code keep their spaces."""
    from docutils import nodes as n

    para = n.paragraph("", "", n.Text("这叫作 "), n.strong("", "", n.reference("", "微调")), n.Text(" 来读取，"),
                       n.Text("用 "), n.strong("", "BPE"), n.Text(" 切分，"), n.literal("", "<pad>"), n.Text(" 是"))
    assert E.tighten_chinese_spaces(para) == 2
    assert para.astext() == "这叫作微调来读取，用 BPE 切分，<pad> 是"
    code = n.literal_block("", "x = 1  # 中 文")
    assert E.tighten_chinese_spaces(code) == 0


def test_exercise_number_is_not_spaced_from_its_chinese_title():
    app = SimpleNamespace(config=SimpleNamespace(book_edition="zh_CN"))
    context = {"body": '<p><span class="caption-number">练习 10.1 </span>（只用掩码词元）</p>'
                       '<span class="caption-number">图 4.1 </span>注意力'}
    E._exercise_number_space(app, "x", "page.html", context, None)
    assert context["body"] == ('<p><span class="caption-number">练习 10.1</span>（只用掩码词元）</p>'
                               '<span class="caption-number">图 4.1 </span>注意力')


TEMPLATE_COPIES = ["components/toggle-primary-sidebar.html", "components/toggle-secondary-sidebar.html",
                   "components/sbt-sidebar-nav.html", "layout.html"]


@pytest.mark.parametrize("name", TEMPLATE_COPIES)
def test_the_chinese_template_copies_are_the_themes_with_gettext(name):
    """_ext/edition_templates copies four of sphinx-book-theme's templates to translate the words
    they write in English: apart from that (and comments), they must stay the installed theme's own."""
    theme = pytest.importorskip("sphinx_book_theme")
    original = (Path(theme.__file__).parent / "theme" / "sphinx_book_theme" / name).read_text(encoding="utf-8")
    ours = (ROOT / "_ext" / "edition_templates" / Path(name).name).read_text(encoding="utf-8")
    ours, original = (re.sub(r"\{#-? .*? -?#\}\n?", "", text, flags=re.S) for text in (ours, original))
    assert re.sub(r"\{\{ _\('([^']*)'\) \}\}", r"\1", ours).strip() == original.strip()
    english = re.findall(r"\{\{ _\('([^']*)'\) \}\}", ours)
    assert english and all(word in THEME_WORDS for word in english), english


def test_a_translated_edition_translates_the_togglebutton_scripts_aria_label(tmp_path):
    static = tmp_path / "_static"
    static.mkdir()
    script = 'a; aria-label="Toggle hidden content"; b'
    (static / "togglebutton.js").write_text(script, encoding="utf-8")
    app = SimpleNamespace(outdir=str(tmp_path), builder=SimpleNamespace(format="html"),
                          config=SimpleNamespace(book_theme_words=THEME_WORDS))
    E._static_words(app, None)
    assert (static / "togglebutton.js").read_text(encoding="utf-8") == 'a; aria-label="显示或隐藏内容"; b'
    app.config.book_theme_words = {}  # the English edition keeps the script as it is
    (static / "togglebutton.js").write_text(script, encoding="utf-8")
    E._static_words(app, None)
    assert (static / "togglebutton.js").read_text(encoding="utf-8") == script


def test_latin_link_text_is_spaced_from_chinese():
    link = '<a class="reference internal" href="g.html#t"><span class="xref std std-term">softmax</span></a>'
    assert E.space_links(f"把{link}稍微") == f"把 {link} 稍微"
    assert E.space_links(f"把 {link} 稍微") == f"把 {link} 稍微"  # already spaced: unchanged
    assert E.space_links(f"（{link}）") == f"（{link}）"  # full-width punctuation takes no space
    chinese = '<a class="reference internal" href="g.html#t">注意力</a>'
    assert E.space_links(f"把{chinese}稍微") == f"把{chinese}稍微"  # Chinese link text: no space
    app = SimpleNamespace(config=SimpleNamespace(book_edition="en"))
    context = {"body": f"把{link}稍微"}
    E._cjk_link_spaces(app, "p", "page.html", context, None)
    assert context["body"] == f"把{link}稍微"  # the English edition is left alone


def test_a_translated_edition_translates_a_hidden_cells_aria_label():
    """myst-nb writes <summary aria-label="Toggle hidden content"> for every hide-input cell."""
    body = '<details class="hide above-input">\n<summary aria-label="Toggle hidden content">\n<p>x</p>'
    app = SimpleNamespace(config=SimpleNamespace(book_theme_words=THEME_WORDS))
    context = {"body": body}
    E._page_words(app, "chapters/08_loss", "page.html", context, None)
    assert context["body"] == body.replace("Toggle hidden content", "显示或隐藏内容")
    app.config.book_theme_words = {}  # the English edition keeps the page as it is
    context = {"body": body}
    E._page_words(app, "chapters/08_loss", "page.html", context, None)
    assert context["body"] == body
    E._page_words(app, "genindex", "genindex.html", {}, None)  # a page without a body


@pytest.mark.parametrize("edition", ["zh_CN", "en"])
def test_chinese_glossary_headwords_put_the_chinese_name_first(tmp_path, edition):
    """模型维度（model dimension, d_model）: the Chinese name first, the English term in brackets; the
    term's id (the target of every {term} role) is kept. English headwords are left alone."""
    sphinx = pytest.importorskip("sphinx.application")
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(ROOT / '_ext')!r})\n"
        "extensions = ['myst_parser', 'edition']\n"
        f"language = {'zh_CN' if edition == 'zh_CN' else 'en'!r}\n"
        f"book_edition = {edition!r}\n", encoding="utf-8")
    (src / "index.md").write_text(
        "# 术语表\n\n见{term}`留出集 <held-out set>`。\n\n```{glossary}\nmodel dimension (d_model)\n"
        "  **模型维度**。每个词元向量的长度。\n\ntraining set\nheld-out set\n  **训练集 / 留出集**。两种集合。\n\n"
        "Unigram tokenizer\n  **Unigram 分词（一元语言模型）**。一种分词器。\n\nlogits\n"
        "  **logits（未归一化的对数概率）**。原始分数。\n\nBERT\n  **BERT 模型**。一个编码器。\n```\n", encoding="utf-8")
    app = sphinx.Sphinx(str(src), str(src), str(tmp_path / "out"), str(tmp_path / "doctrees"), "html",
                        status=None, warning=None, freshenv=True)
    app.build()
    page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    import re
    heads = [re.sub(r"<[^>]+>|¶|#", "", h) for h in re.findall(r"<dt [^>]*>(.*?)</dt>", page)]
    if edition == "zh_CN":
        assert heads == ["模型维度（model dimension, d_model）", "训练集（training set）", "留出集（held-out set）",
                         "Unigram 分词（Unigram tokenizer）", "logits", "BERT 模型"]  # no "（BERT）"
        assert "<strong>模型维度</strong>" not in page and "<p>每个词元向量的长度。</p>" in page
        assert "<strong>Unigram 分词（一元语言模型）</strong>" in page  # says more than the headword: kept
        assert 'id="term-held-out-set"' in page and 'href="#term-held-out-set"' in page
    else:
        assert heads == ["model dimension (d_model)", "training set", "held-out set", "Unigram tokenizer", "logits",
                         "BERT"]


def test_the_chinese_search_keeps_its_latin_terms_in_a_set_with_the_same_stems():
    """SearchChinese (Sphinx 7) keeps the Latin words it splits in a growing class-level list and
    scans it for every word it stems; the book's subclass keeps them in a set: same stems, no scan."""
    from sphinx.search.zh import SearchChinese

    text = "注意力 attention 用 GPT 和 KV cache，softmax 把 logits 变成 probabilities；ids 和 LayerNorm"
    ours, plain = E.SearchChineseBook({}), SearchChinese({})
    plain.latin_terms = []  # a fresh list, not the one shared by every instance of the class
    assert ours.split(text) == plain.split(text)
    assert isinstance(ours.latin_terms, set) and set(plain.latin_terms) == ours.latin_terms
    assert SearchChinese.latin_terms is not ours.latin_terms
    for word in ["attention", "GPT", "KV", "ids", "LayerNorm", "logits", "probabilities", "cache", "the"]:
        assert ours.stem(word) == plain.stem(word), word


SECTION_JS = r"""
var Search = {_index: {docnames: ["11_gpt", "09_backprop", "glossary", "07_block"],
  titles: ["11. GPT and autoregression: a small model", "9. Back\u00adpropa\u00adgation: gradients by hand", "Glossary",
           "7. The Transformer block: residuals, LayerNorm and the feed-forward network"],
  alltitles: {"The KV cache": [[0, "the-kv-cache"]], "KV cache and sampling, side by side": [[0, "kv-side"]],
              " (The cache of a KV model)": [[0, "ex-11-cache"]], "Back\u00adpropagation minimises the loss": [[1, "bm"]],
              "LayerNorm, by hand": [[3, "layernorm-by-hand"]], "LayerNorm of a constant vector": [[3, "ln-const"]]},
  indexentries: {"layer normalization (layernorm)": [[2, "term-layer-normalization", 1]]}}};
var page = (doc, title) => [doc, title, "", null, 5, doc + ".html"];
var run = (query, results) => {
  bookQuery.words = query.split(" ");
  return bookOnePerPage(results, query).map((r) => [r[0], r[1], r[2]]);
};
var text = "alpha beta gamma ".repeat(20) + "the KV cache keeps keys " + "delta epsilon ".repeat(30);
bookQuery.query = "KV cache";
bookQuery.highlight = ["kv", "cache"];
Search.htmlToText = (html) => html;
var document = {createElement: () => ({classList: {add() {}}, textContent: ""})};
console.log(JSON.stringify({
  kv: run("KV cache", [page("11_gpt", "11. GPT and autoregression: a small model")]),
  backprop: run("backpropagation", [page("09_backprop", "9. Backpropagation: gradients by hand")]),
  layer: run("layer norm", [page("glossary", "Glossary"), page("07_block", Search._index.titles[3])]),
  snippet: bookSearchSummary(text, new Set(["kv", "cach"]), "").textContent,
}));
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js to run the result code")
def test_a_result_links_to_the_section_whose_title_holds_every_query_word(tmp_path):
    """"KV cache" lands on 11's "The KV cache" (the shortest title with both words; not an exercise),
    "layer norm" on "LayerNorm, by hand" (7's topic, "The Transformer block", lacks the words) and on
    the glossary's entry; a page whose title's topic holds the query (9. Back-propa-gation, with its soft
    hyphens) stays at its top. The snippet starts and ends at a word boundary, around "KV cache"."""
    script = tmp_path / "sections.js"
    script.write_text(E.SPLIT_QUERY_JS + E.SUMMARY_JS + SECTION_JS, encoding="utf-8")
    out = json.loads(subprocess.run(["node", str(script)], capture_output=True, text=True, check=True).stdout)
    assert out["kv"] == [["11_gpt", "11. GPT and autoregression: a small model > The KV cache", "#the-kv-cache"]]
    assert out["backprop"] == [["09_backprop", "9. Backpropagation: gradients by hand", ""]]
    assert [r[2] for r in out["layer"]] == ["#term-layer-normalization", "#layernorm-by-hand"], out["layer"]
    snippet = out["snippet"]
    assert snippet.startswith("...") and snippet.endswith("...") and "the KV cache keeps" in snippet
    assert set(snippet.strip(".").split()) <= {"alpha", "beta", "gamma", "the", "KV", "cache", "keeps", "keys",
                                               "delta", "epsilon"}, snippet  # whole words only


def test_the_search_box_text_starts_after_the_magnifier():
    """The theme puts the magnifier icon at calc(1.25rem - .35em) from the box's edge, over the input's
    first 12 px of text: the first typed letter sat under it (both editions load edition.css)."""
    css = (Path(E.__file__).parent / "edition_static" / "edition.css").read_text(encoding="utf-8")
    rule = re.search(r"\.bd-search input\.form-control\s*\{([^}]*)\}", css)
    assert rule is not None
    pad = re.search(r"padding-left:\s*([\d.]+)rem", rule.group(1))
    assert pad is not None and float(pad.group(1)) >= 2.0  # the icon (1em at 1rem) ends before 1.25rem + 0.65em
