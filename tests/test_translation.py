"""The Chinese edition's machinery (scripts/translation.py): units, catalogs, checks, generated book."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path

import nbformat
import polib
import pytest
from mini_book import mini_book

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("translation", ROOT / "scripts" / "translation.py")
T = importlib.util.module_from_spec(spec)
sys.modules["translation"] = T
spec.loader.exec_module(T)

PAGE = """# 4. Attention

(sec-attention)=
## 4.1 Scores

The score of {glue:text}`n_pairs` pairs is $q k^\\top$; see [chapter 3](03_positional.ipynb).

$$
a = \\mathrm{softmax}(z)

b = 1
$$

```{exercise} Scale it
:label: ex-04-scale

Divide by $\\sqrt{d_k}$.

Why?
```

```python
print("not translated")
```
"""


def test_blocks_give_the_text_back_and_keep_fences_and_math_whole():
    parts = T.split_blocks(PAGE)
    assert "".join(parts) == PAGE
    blocks = parts[::2]
    assert any(b.startswith("$$") and b.rstrip().endswith("$$") and "b = 1" in b for b in blocks)
    assert any(b.startswith("```{exercise}") and "Why?" in b for b in blocks)
    assert all(sep.strip() == "" for sep in parts[1::2])
    for text in ("", "\n\n", "a\n\n\nb\n", "\nx", "```\nunclosed\n\nfence"):
        assert "".join(T.split_blocks(text)) == text


def test_every_page_of_the_book_splits_back_into_itself():
    for page in T.book_pages():
        for _, source in T._markdown_sources(page):
            assert "".join(T.split_blocks(source)) == source, page


def test_what_is_translated():
    assert not T.translatable("(sec-x)=") and not T.translatable("<!-- a note -->")
    assert not T.translatable("$$\nx = 1\n$$") and not T.translatable("```{glue:figure} fig_x\n:name: fig-x\n```")
    kinds = {b.split("\n")[0][:20]: T.translatable(b) for b in T.split_blocks(PAGE)[::2]}
    assert kinds == {"# 4. Attention": True, "(sec-attention)=": True,
                     "The score of {glue:t": True, "$$": False, "```{exercise} Scale ": True, "```python": False}


def entry_texts(po: polib.POFile) -> dict[str, tuple[str, bool, bool]]:
    return {e.msgid: (e.msgstr, e.fuzzy, e.obsolete) for e in po}


def test_catalog_update_keeps_marks_stale_and_retires():
    units = [T.Unit("The cat sat on the mat.", "c1#0"), T.Unit("## Summary", "c2#0")]
    po = T.update_catalog(units, polib.POFile())
    assert T.status(po) == {"units": 2, "translated": 0, "stale": 0, "missing": 2}
    po.find("The cat sat on the mat.").msgstr = "猫坐在垫子上。"
    po.find("## Summary").msgstr = "## 小结"
    edited = [T.Unit("The cat sat on the red mat.", "c1#0"), T.Unit("## Summary", "c2#0"),
              T.Unit("Something new entirely, unlike the rest.", "c3#0")]
    po2 = T.update_catalog(edited, po)
    got = entry_texts(po2)
    assert got["## Summary"] == ("## 小结", False, False)
    assert got["The cat sat on the red mat."] == ("猫坐在垫子上。", True, False)  # stale, inherited
    assert po2.find("The cat sat on the red mat.").previous_msgid == "The cat sat on the mat."
    assert got["Something new entirely, unlike the rest."] == ("", False, False)
    assert T.status(po2) == {"units": 3, "translated": 1, "stale": 1, "missing": 1}
    po3 = T.update_catalog([T.Unit("## Summary", "c2#0")], po2)  # the others removed from the page
    assert [e.msgid for e in po3 if e.obsolete] == ["The cat sat on the red mat."]
    assert T.status(po3) == {"units": 1, "translated": 1, "stale": 0, "missing": 0}


@pytest.mark.parametrize("chinese, problem", [
    ("{glue:text}`n_pairs` 对的得分是 $q k^\\top$；见[第 3 章](03_positional.ipynb)。", None),
    ("对的得分是 $q k^\\top$；见[第 3 章](03_positional.ipynb)。", "roles differ"),
    ("{glue:text}`n_pairs` 对的得分是 $qk$；见[第 3 章](03_positional.ipynb)。", "math differ"),
    ("{glue:text}`n_pairs` 对的得分是 $q k^\\top$；见[第 4 章](03_positional.ipynb)。", "numbers differ"),
    ("{glue:text}`n_pairs` 对的得分是 $q k^\\top$；见[第 3 章](04_attention.ipynb)。", "link targets differ"),
    ("{glue:text}`n_pairs` 对的得\n分是 $q k^\\top$；见[第 3 章](03_positional.ipynb)。", "line break between Chinese"),
])
def test_check_translation(chinese, problem):
    english = "The score of {glue:text}`n_pairs` pairs is $q k^\\top$; see [chapter 3](03_positional.ipynb)."
    problems = T.check_translation(english, chinese)
    if problem is None:
        assert problems == []
    else:
        assert any(p.startswith(problem) for p in problems), problems


def test_emphasis_must_render():
    assert T.check_translation("A **bold** word.", "一个**加粗的**词。") == []
    bad = T.check_translation("A **bold word.** Then", "一个**加粗的词。**然后")
    assert bad and bad[0].startswith("<strong> rendered 0 times")
    assert T.check_translation("once with *no* mask", "一次**不加**掩码") == []  # italics set in bold


def test_emphasis_is_checked_inside_a_directive():
    """A directive's body is Markdown to MyST: a bold that CommonMark would not close is caught there too."""
    en = "```{admonition} Caveats\n:class: warning\n\n- **Three seeds.** Differences\n```"
    assert T.check_translation(en, en.replace("Caveats", "保留意见").replace(
        "**Three seeds.** Differences", "**只有三个随机种子**。差别")) == []
    bad = T.check_translation(en, en.replace("**Three seeds.** Differences", "**只有三个随机种子。**差别"))
    assert bad and bad[0].startswith("<strong> rendered 0 times, English 1")


def test_glossary_terms_stay_english():
    en = "```{glossary}\ntoken\n  **词元**. The unit a model reads.\n\nlogit\n  **logit**. A score.\n```"
    assert T.check_translation(en, "```{glossary}\ntoken\n  **词元**。模型读的单位。\n\nlogit\n  **logit**。得分。\n```") == []
    bad = T.check_translation(en, "```{glossary}\n词元\n  **词元**。模型读的单位。\n\nlogit\n  **logit**。得分。\n```")
    assert bad and bad[0].startswith("glossary terms differ")


def test_check_translation_structure():
    assert T.check_translation("## 4.1 Scores", "### 4.1 得分") == ["heading level differ: missing ['##'], added ['###']"]
    ex = "```{exercise} Scale it\n:label: ex-04-scale\n\nDivide by 2.\n```"
    assert T.check_translation(ex, "```{exercise} 缩放\n:label: ex-04-scale\n\n除以 2。\n```") == []
    assert T.check_translation(ex, "```{exercise} 缩放\n:label: ex-4\n\n除以 2。\n```")[0].startswith("directive options")
    assert T.check_translation("Print {n:,} rows", "打印 {n} 行")[0].startswith("format fields")
    assert T.check_translation("A {term}`token` here", "这里是{term}`词元 <token>`") == []
    assert T.check_translation("A {term}`token` here", "这里是词元")[0].startswith("roles differ")
    assert T.check_translation("See {ref}`the pad exercise <ex-02-pad>`", "见{ref}`补齐练习 <ex-02-pad>`") == []
    assert T.check_translation("See {ref}`ex-02-pad`", "见{ref}`练习 <ex-02-pad>`") == []
    assert T.check_translation("See {ref}`ex <ex-02-pad>`", "见{ref}`练习 <ex-03>`")[0].startswith("roles differ")
    assert T.check_translation("`\\p{L}` means a letter; see `regex`", "`\\p{L}` 表示字母；见 `regex`") == []
    assert T.check_translation("*the* is at position 4", "*the* 在位置 4（从 0 数起）") == []


def test_generated_book_keeps_code_and_marks_what_is_not_translated(tmp_path):
    root = mini_book(tmp_path, intro="# Intro\n\nHello there, reader.\n")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(PAGE),
                                         nbformat.v4.new_code_cell("x = 1  # code stays\nprint(x)")])
    nbformat.write(nb, root / "chapters" / "04_attention.ipynb")
    locale = tmp_path / "locale"
    for page in T.book_pages(root):
        po = T.update_catalog(T.page_units(page), polib.POFile())
        for e in po:
            if e.msgid == "(sec-attention)=\n## 4.1 Scores":
                e.msgstr = "(sec-attention)=\n## 4.1 得分"
            if e.msgid.startswith("# 4."):
                e.msgstr, e.flags = "# 4. 注意力（旧译）", ["fuzzy"]
        path = T.catalog_path(page, root, locale)
        path.parent.mkdir(parents=True, exist_ok=True)
        po.save(str(path))
    out = tmp_path / "zh"
    T.build(out, root, locale)
    zh = nbformat.read(out / "chapters" / "04_attention.ipynb", as_version=4)
    assert zh.cells[0].source == T.LANGUAGE_CELL and zh.cells[0].metadata["tags"] == ["remove-cell"]
    assert [c.source for c in zh.cells[1:] if c.cell_type == "code"] == [nb.cells[1].source]
    text = zh.cells[1].source
    assert "## 4.1 得分" in text and "# 4. Attention（译文待更新）" in text  # stale: English, marked
    assert ":::{div} untranslated" in text and "The score of {glue:text}`n_pairs`" in text
    assert "(sec-attention)=" in text and 'print("not translated")' in text
    intro = (out / "intro.md").read_text(encoding="utf-8")
    assert intro == "# Intro（尚未翻译）\n\n:::{div} untranslated\n\nHello there, reader.\n:::\n"
    config = (out / "_config.yml").read_text(encoding="utf-8")
    assert "language: zh_CN" in config and ".jupyter_cache_zh" in config
    assert "book_theme_words:" in config and "Open issue: 创建议题" in config


def test_catalogs_are_up_to_date_with_the_english():
    """Run `make translations` after editing English prose: it marks the changed units stale."""
    for page in T.book_pages():
        po = T.load_catalog(T.catalog_path(page))
        live = {e.msgid for e in po if not e.obsolete}
        assert live == {u.text for u in T.page_units(page)}, f"{page.name}: run `make translations`"
    book = T.load_catalog(T.catalog_path(T.ROOT / T.BOOK_STRINGS))
    assert {e.msgid for e in book if not e.obsolete} == {u.text for u in T.book_units()}, "run `make translations`"


def test_figure_captions_and_book_strings_are_translated_outside_the_code(tmp_path):
    root = mini_book(tmp_path, caption="Appendices")
    code = nbformat.v4.new_code_cell("plt.plot([1, 2])", metadata={"mystnb": {
        "figure": {"caption": "The loss falls.", "name": "fig-x"}, "image": {"alt": "A falling line."}}})
    nbformat.write(nbformat.v4.new_notebook(cells=[code]), root / "chapters" / "04_attention.ipynb")
    units = T.page_units(root / "chapters" / "04_attention.ipynb")
    assert [u.text for u in units] == ["The loss falls.", "A falling line."]
    locale = tmp_path / "locale"
    zh = {"The loss falls.": "损失下降。", "Appendices": "附录", "How a Transformer Learns": "Transformer 是怎样学习的"}
    for page in [*T.book_pages(root), root / T.BOOK_STRINGS]:
        po = T.update_catalog(T.book_units(root) if page.name == T.BOOK_STRINGS else T.page_units(page), polib.POFile())
        for e in po:
            e.msgstr = zh.get(e.msgid, "")
        path = T.catalog_path(page, root, locale)
        path.parent.mkdir(parents=True, exist_ok=True)
        po.save(str(path))
    out = tmp_path / "zh"
    with pytest.raises(FileNotFoundError, match="not in the English execution cache"):
        T.build(out, root, locale, english_cache=tmp_path / "empty-cache")
    T.build(out, root, locale)
    cell = nbformat.read(out / "chapters" / "04_attention.ipynb", as_version=4).cells[1]
    assert cell.source == "plt.plot([1, 2])" and cell.metadata["mystnb"]["figure"]["caption"] == "损失下降。"
    assert cell.metadata["mystnb"]["image"]["alt"] == "A falling line."  # missing: the English stays
    assert "caption: 附录" in (out / "_toc.yml").read_text(encoding="utf-8")
    assert "title: Transformer 是怎样学习的" in (out / "_config.yml").read_text(encoding="utf-8")


def test_every_translation_keeps_the_markup_of_its_english():
    problems = []
    for page in T.book_pages():
        for e in T.load_catalog(T.catalog_path(page)):
            if e.msgstr and not e.obsolete:
                problems += [f"{page.name}: {p}" for p in T.check_translation(e.msgid, e.msgstr)]
    assert problems == []


def test_status_reports_counts(capsys):
    assert T.main(["status"]) == 0
    totals = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert set(totals) == {"units", "translated", "stale", "missing"} and totals["units"] > 900


def test_a_translators_work_file_round_trips():
    po = T.update_catalog([T.Unit("## Summary", "a#0"), T.Unit("Two\nlines.", "b#0"), T.Unit("Third.", "c#0")],
                          polib.POFile())
    po.find("Third.").msgstr, po.find("Third.").flags, po.find("Third.").previous_msgid = "第三。", ["fuzzy"], "3rd."
    text = T.export_units(po)
    assert "--- stale: the translation below was made for ---\n3rd.\n--- 中文 ---\n第三。" in text
    text = text.replace("## Summary\n--- 中文 ---\n", "## Summary\n--- 中文 ---\n## 小结").replace("第三。", "第三句。")
    assert T.import_units(po, text) == 2
    assert T.status(po) == {"units": 3, "translated": 2, "stale": 0, "missing": 1}
    assert po.find("## Summary").msgstr == "## 小结" and po.find("Third.").msgstr == "第三句。"
    with pytest.raises(ValueError, match="not a unit of this page"):
        T.import_units(po, "=== unit 0 ===\nGone.\n--- 中文 ---\n走了。\n")


def test_gated_directives_are_never_wrapped():
    start = "```{solution-start} ex-00-a\n:class: dropdown\n```"
    assert T.translate_block(start, {}) == start
    assert T.translate_block("Plain English.", {}).startswith(":::{div} untranslated")


def test_bold_around_a_role_next_to_chinese_is_caught():
    en = "It is called **{term}`teacher forcing <teacher forcing>`** (tf)."
    assert T.check_translation(en, "它叫作 **{term}`教师强制 <teacher forcing>`**（tf）。") == []
    bad = T.check_translation(en, "它叫作**{term}`教师强制 <teacher forcing>`**（tf）。")
    assert bad and bad[0].startswith("<strong> rendered 0 times")


def _learner_notebooks():
    spec_l = importlib.util.spec_from_file_location("learner_notebooks", ROOT / "scripts" / "learner_notebooks.py")
    module = importlib.util.module_from_spec(spec_l)
    spec_l.loader.exec_module(module)
    return module


def test_the_chinese_book_opens_its_learners_notebooks_and_they_are_chinese(tmp_path):
    """The Chinese book's config points Colab and Binder at zh/ on the learner branch, and a chapter it
    writes becomes a Chinese learner's notebook (scripts/learner_notebooks.py --edition zh_CN): Chinese
    template words, the language cell once, links to the Chinese pages, no MyST."""
    import yaml

    root = mini_book(tmp_path)
    english = ["## 4.1 Scores\n\nSee {term}`softmax` {cite:p}`vaswani2017attention`.",
               "```{exercise} Scale it\n:label: ex-04-scale\n\nDivide by $\\sqrt{d_k}$.\n```",
               "```{solution-start} ex-04-scale\n:class: dropdown\n```\n\nIt keeps the variance at 1.\n\n"
               "```{solution-end}\n```"]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(english[0]),
                                         nbformat.v4.new_code_cell("x = 1"),
                                         nbformat.v4.new_markdown_cell(english[1]),
                                         nbformat.v4.new_markdown_cell(english[2])])
    nbformat.write(nb, root / "chapters" / "04_attention.ipynb")
    zh = {"## 4.1 Scores": "## 4.1 得分", "See {term}`softmax` {cite:p}`vaswani2017attention`.":
          "见 {term}`softmax` {cite:p}`vaswani2017attention`。",
          english[1]: "```{exercise} 缩放\n:label: ex-04-scale\n\n除以 $\\sqrt{d_k}$。\n```",
          "It keeps the variance at 1.": "它让方差保持为 1。"}
    locale = tmp_path / "locale"
    for page in T.book_pages(root):
        po = T.update_catalog(T.page_units(page), polib.POFile())
        for e in po:
            e.msgstr = zh.get(e.msgid, "")
        path = T.catalog_path(page, root, locale)
        path.parent.mkdir(parents=True, exist_ok=True)
        po.save(str(path))
    out = tmp_path / "zh"
    T.build(out, root, locale)
    config = yaml.safe_load((out / "_config.yml").read_text(encoding="utf-8"))["sphinx"]["config"]
    assert config["learner_prefix"] == "zh/" and config["learner_branch"] == "learner"
    assert "learner_prefix" not in yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["sphinx"]["config"]

    L = _learner_notebooks()
    words = L.edition("zh_CN")
    chapter = out / "chapters" / "04_attention.ipynb"
    book = L.Book([chapter], L.site_url() + words.path, {"softmax": "term-softmax"},
                  {"vaswani2017attention": ("Vaswani 等", "2017")}, words, out)
    learner = L.convert(chapter, None, book)
    assert L.check_notebook(learner, words) == []  # no MyST; the language cell first, once
    assert learner.cells[0].source == T.LANGUAGE_CELL
    assert [c.source for c in learner.cells if c.cell_type == "code"] == [T.LANGUAGE_CELL, "x = 1"]
    text = "\n".join(c.source for c in learner.cells if c.cell_type == "markdown")
    site = L.site_url() + "zh/"
    assert f"见 [softmax]({site}appendix/glossary.html#term-softmax)（[Vaswani 等，2017]({site}" in text
    assert "**练习 4.1：缩放**" in text and "**练习 4.1 的解答**" in text and "它让方差保持为 1。" in text
    assert not re.search(r"Exercise|Solution|click|\(folded", text)


def test_chinese_may_drop_italics_but_not_leave_a_star():
    """House style: no italics on Chinese text. Fewer <em> is allowed; a literal * left on the page is not."""
    assert T.check_translation("It is *not* the same.", "它们并不相同。") == []
    assert T.check_translation("It is *not* the same.", "它们*并不*相同。") == []
    left = T.check_translation("It is *not* the same, *twice*.", "它们*并不相同。")
    assert any("<em>" in p for p in left), left
    assert T.check_translation("Plain.", "*多了*斜体。") != []  # more italics than the English: still an error


def test_math_may_translate_its_text_words_only():
    """The words in a \\text{...} of math are words a reader reads: a translation may change them, and
    nothing else of the math."""
    english = "The loss is $\\mathcal{L}_\\text{target} = -\\ln p_\\text{correct token}$ per position."
    assert T.check_translation(english, "每个位置的损失是 $\\mathcal{L}_\\text{目标} = -\\ln p_\\text{正确词元}$。") == []
    assert T.check_translation(english, "每个位置的损失是 $\\mathcal{L}_\\text{target} = -\\ln p_\\text{correct token}$。") == []
    bad = T.check_translation(english, "每个位置的损失是 $\\mathcal{L}_\\text{目标} = \\ln p_\\text{正确词元}$。")
    assert bad and bad[0].startswith("math differ")
    assert T.check_translation(english, "损失是 $L_\\text{目标} = -\\ln p_\\text{正确词元}$。")[0].startswith("math differ")
    assert T.math_texts("\\text{a {b} c} + \\mbox{for } x_{\\text{out}}") == ["a {b} c", "for ", "out"]
    assert T.math_without_texts("x_\\text{out} + \\frac{1}{2}") == "x_\\text{…} + \\frac{1}{2}"


def test_display_math_with_english_words_is_a_unit():
    """Display math alone in its block is translated only when its \\text{...} holds English words; with no
    translation yet it shows its English, unmarked (a marker around an equation would say less than its
    two words; status counts it missing)."""
    words = "$$\n\\text{post-norm: } y = \\mathrm{LN}(x + f(x))\n$$"
    assert T.translatable(words)
    assert not T.translatable("$$\nx = \\mathrm{softmax}(z)\n$$") and not T.translatable("$$\n\\text{d} x\n$$")
    assert T.translate_block(words + "\n", {}) == words + "\n"
    entry = polib.POEntry(msgid=words, msgstr=words.replace("post-norm", "后置归一化"))
    assert "后置归一化" in T.translate_source(words + "\n", {words: entry})
    assert T.check_translation(words, entry.msgstr) == []


def test_search_words_hold_the_glossary_and_the_terms_the_chapters_show(tmp_path):
    root, locale = tmp_path / "book", tmp_path / "locale"
    (root / "appendix").mkdir(parents=True)
    (root / "appendix" / "glossary.md").write_text(
        "cross-entropy loss\n  **交叉熵损失**. Loss.\n\ncausal mask\n  **因果掩码 / 前瞻掩码**. Mask.\n", encoding="utf-8")
    po = polib.POFile()
    po.append(polib.POEntry(msgid="A {term}`step` here", msgstr="这里是一个{term}`训练步 <step>`，{term}`x <x>`"))
    (locale / "chapters").mkdir(parents=True)
    po.save(str(locale / "chapters" / "01.po"))
    assert T.search_words(root, locale) == ["交叉熵", "交叉熵损失", "前瞻掩码", "因果掩码", "训练步"]


def test_search_words_hold_the_glossarys_chinese_aliases(tmp_path):
    """层规范化, 跳跃连接, 暂退法 (the names other books use, which the glossary gives after 也叫/也译作)
    are words for jieba: the search finds 层规范化 as one word, not every 规范化 (Unicode 规范化)."""
    import jieba

    root, locale = tmp_path / "book", tmp_path / "locale"
    (root / "appendix").mkdir(parents=True)
    (root / "appendix" / "glossary.md").write_text("layer normalization\n  **层归一化**. Norm.\n", encoding="utf-8")
    po = polib.POFile()
    po.append(polib.POEntry(msgid="x", msgstr="**层归一化**。d2l 中文版等教材也译作“层规范化”，也叫“批量规范化”。"))
    po.append(polib.POEntry(msgid="y", msgstr="**残差连接**。也叫“跳跃连接”或“短路连接”。也译作“暂退法”或“丢弃法”（第一版）。"))
    (locale / "appendix").mkdir(parents=True)
    po.save(str(locale / "appendix" / "glossary.po"))
    words = T.search_words(root, locale)
    for alias in ("层规范化", "批量规范化", "跳跃连接", "短路连接", "暂退法", "丢弃法"):
        assert alias in words, alias
    # the real catalog: every alias the glossary gives is a search word
    assert {"层规范化", "跳跃连接", "批量规范化", "暂退法", "丢弃法", "多层感知机"} <= set(T.search_words())
    dictionary = tmp_path / "words.txt"
    dictionary.write_text("".join(f"{w} 100000\n" for w in words), encoding="utf-8")
    cut = jieba.Tokenizer()
    cut.load_userdict(str(dictionary))
    assert "层规范化" in cut.lcut("教材也译作层规范化。") and "跳跃连接" in cut.lcut("也叫跳跃连接")


def test_the_chinese_book_names_the_theme_words():
    """sphinx-book-theme's Chinese catalog lacks "Repository" and "Open issue": the build passes them on
    (_ext/edition.py makes them a catalog)."""
    assert T.THEME_WORDS["Repository"] and T.THEME_WORDS["Open issue"]
    for english, chinese in T.THEME_WORDS.items():
        # Chinese words; a Latin name they keep (PDF) stands apart by a half-width space
        assert re.fullmatch(r"[\u3400-\u9fff]+(?: [A-Z]+)?", chinese), chinese
        assert not re.search(r"[A-Za-z]", chinese) or english.split()[-1] in chinese, (english, chinese)


def test_an_overlooked_stale_unit_stays_stale_until_edited_or_unmarked():
    po = T.update_catalog([T.Unit("Third.", "c#0")], polib.POFile())
    entry = po.find("Third.")
    entry.msgstr, entry.flags, entry.previous_msgid = "第三。", ["fuzzy"], "3rd."
    text = T.export_units(po)
    assert T.import_units(po, text) == 0 and T.status(po)["stale"] == 1  # exported and imported untouched
    unmarked = text.replace("--- stale: the translation below was made for ---\n3rd.\n", "")
    assert T.import_units(po, unmarked) == 1 and T.status(po)["stale"] == 0  # the translator confirmed it
    assert po.find("Third.").msgstr == "第三。"
