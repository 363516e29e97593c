"""scripts/learner_notebooks.py: a chapter's MyST becomes plain Markdown a learner can read in Jupyter."""

import importlib.util
import json
import re
import sys
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("learner_notebooks", ROOT / "scripts" / "learner_notebooks.py")
L = importlib.util.module_from_spec(spec)
spec.loader.exec_module(L)

SITE = "https://example.org/book/"


def _book(chapters):
    return L.Book(chapters, SITE, {"softmax": "term-softmax"}, {"vaswani2017attention": ("Vaswani et al.", "2017")})


def _write(tmp_path, cells, name="04_attention.ipynb"):
    nb = nbformat.v4.new_notebook()
    nb.cells = cells
    path = tmp_path / name
    nbformat.write(nb, path)
    return path


def _glue_json(tmp_path, name, values):
    import json

    data = {k: {"output_type": "display_data", "data": {"text/plain": v}} for k, v in values.items()}
    (tmp_path / name).with_suffix(".glue.json").write_text(json.dumps(data), encoding="utf-8")
    executed = tmp_path / name
    return executed


@pytest.fixture
def chapter(tmp_path):
    md = nbformat.v4.new_markdown_cell
    code = nbformat.v4.new_code_cell
    cells = [
        md("# 4. Attention\n\n```{admonition} Learning goals\n:class: tip\nYou can compute {term}`softmax`.\n```"),
        code("x = 1 / 3\nprint(x)"),
        code("from helpers.book import glue\n\nglue('third', x)", metadata={"tags": ["remove-cell"]}),
        md("(sec-scale)=\n## Scale\n\nA third is {glue:text}`third:.3f`, see {ref}`sec-scale` and "
           "{cite}`vaswani2017attention`; {doc}`../appendix/glossary`."),
        md("```{exercise} A first try\n:label: ex-04-a\n\nCompute {glue:text}`third:.1f`.\n```\n\n"
           "```{exercise}\n:label: ex-04-b\n\nAgain.\n```"),
        md("## Solutions\n\n```{solution-start} ex-04-a\n:class: dropdown\n```"),
        code("print(x * 3)"),
        md("It is one.\n\n```{solution-end}\n```"),
    ]
    src = _write(tmp_path, cells)
    out = tmp_path / "exec"
    out.mkdir()
    nbformat.write(nbformat.read(src, as_version=4), out / src.name)
    _glue_json(out, src.name, {"third": "0.3333333333333333"})
    return src, out / src.name


def test_converts_every_construct(chapter):
    src, executed = chapter
    nb = L.convert(src, executed, _book([src]))
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert L.leftovers(nb) == []
    assert "A third is 0.333," in text and "Compute 0.3." in text  # numbers as on the website
    assert "> **Learning goals**" in text and "[softmax](https://example.org/book/appendix/glossary.html#term-softmax)" in text
    assert '<a id="sec-scale"></a>' in text and "[Scale](#sec-scale)" in text
    assert "([Vaswani et al., 2017](https://example.org/book/appendix/bibliography.html))" in text
    assert "**Exercise 4.1: A first try**" in text and "**Exercise 4.2**" in text
    assert "**Solution to exercise 4.1**" in text and "<details>" in text and "It is one." in text
    assert "solution-end" not in text


def test_code_cells_are_kept_unchanged_and_glue_cells_dropped(chapter):
    src, executed = chapter
    nb = L.convert(src, executed, _book([src]))
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [c.source for c in code] == ["x = 1 / 3\nprint(x)", "print(x * 3)"]
    assert code[0].metadata == {}
    assert code[1].metadata["jupyter"]["source_hidden"] is True  # the solution's code is folded


def test_a_missing_number_or_label_fails_loudly(tmp_path):
    src = _write(tmp_path, [nbformat.v4.new_markdown_cell("{glue:text}`nothing`")])
    with pytest.raises(KeyError, match="nothing"):
        L.convert(src, None, _book([src]))
    src = _write(tmp_path, [nbformat.v4.new_markdown_cell("{ref}`nowhere`")])
    with pytest.raises(KeyError, match="nowhere"):
        L.convert(src, None, _book([src]))


def test_unknown_myst_is_refused(tmp_path):
    src = _write(tmp_path, [nbformat.v4.new_markdown_cell("```{mermaid}\ngraph\n```")])
    with pytest.raises(ValueError, match="mermaid"):
        L.convert(src, None, _book([src]))


def test_leftovers_are_found():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("(lab)=\n{term}`x` and ```{note}")]
    assert len(L.leftovers(nb)) == 3


def test_a_translation_replaces_the_prose(chapter):
    src, executed = chapter
    nb = L.convert(src, executed, _book([src]), translate=lambda s: s.replace("A third is", "三分之一是"))
    assert any("三分之一是 0.333" in c.source for c in nb.cells if c.cell_type == "markdown")


# ---------------------------------------------------------------------------------------------
# The Chinese edition (--edition zh_CN): Chinese words, the language cell, links to the Chinese pages

ZH = L.edition("zh_CN")
# The words this script writes in the English edition: none may reach a Chinese learner's notebook.
ENGLISH_WORDS = re.compile(r"Exercise|Solution|[Ff]ig(?:ure|\.)|click|folded|explanation|Not yet|Note\b")


@pytest.fixture
def zh_chapter(tmp_path):
    """A small chapter as scripts/translation.py writes it: the language cell first, the prose Chinese."""
    md = nbformat.v4.new_markdown_cell
    code = nbformat.v4.new_code_cell
    language = code(ZH.language_cell, metadata={"tags": ["remove-cell"]})
    language.id = "book-language"
    cells = [
        language,
        code('import sys\n\nif "google.colab" in sys.modules:\n    pass', metadata={"tags": ["remove-cell"]}),
        md("# 4. 注意力\n\n```{admonition} 学习目标\n:class: tip\n你能计算 {term}`softmax`。\n```\n\n"
           "```{note}\n见 {doc}`../appendix/how_to_run`。\n```"),
        code("x = 1 / 3\nprint(x)"),
        code("from helpers.book import glue\n\nglue('third', x)", metadata={"tags": ["remove-cell"]}),
        code("plt.plot([1, 2])", metadata={"mystnb": {"figure": {"caption": "损失下降。", "name": "fig-04-loss"}}}),
        md("(sec-scale)=\n## 缩放\n\n三分之一是 {glue:text}`third:.3f`，见 {ref}`sec-scale`、{numref}`fig-04-loss` 和 "
           "{cite}`vaswani2017attention`；{cite:t}`vaswani2017attention` 提出了它。\n\n"
           "- {cite}`vaswani2017attention`\n- 二"),
        md(":::{div} untranslated\n\nThis paragraph is *not* translated yet.\n:::"),
        md("```{exercise} 初试\n:label: ex-04-a\n\n计算 {glue:text}`third:.1f`。\n```\n\n"
           "```{exercise}\n:label: ex-04-b\n\n再算一次。\n```"),
        md("## 解答\n\n```{solution-start} ex-04-a\n:class: dropdown\n```"),
        code("print(x * 3)"),
        md("结果是 1。\n\n```{solution-end}\n```"),
    ]
    root = tmp_path / "zh" / "src"
    (root / "chapters").mkdir(parents=True)
    (root / "appendix").mkdir()
    (root / "appendix" / "how_to_run.md").write_text("# 怎样运行本书\n\n## 阅读\n", encoding="utf-8")
    (root / "references.bib").write_text((ROOT / "references.bib").read_text(encoding="utf-8"), encoding="utf-8")
    src = _write(root / "chapters", cells)
    executed = root / "_build" / "jupyter_execute" / "chapters"
    executed.mkdir(parents=True)
    nbformat.write(nbformat.read(src, as_version=4), executed / src.name)
    _glue_json(executed, src.name, {"third": "0.3333333333333333"})
    return src, executed / src.name


def _zh_book(chapters, root):
    return L.Book(chapters, SITE + ZH.path, {"softmax": "term-softmax"},
                  {"vaswani2017attention": ("Vaswani 等", "2017")}, ZH, root)


def test_citations_read_as_the_editions_website_labels():
    """The notebooks cite as the website does: "Vaswani et al., 2017" and "Vaswani 等，2017"."""
    bib = ROOT / "references.bib"
    assert L.citations(bib)["vaswani2017attention"] == ("Vaswani et al.", "2017")
    assert L.citations(bib, "zh_CN")["vaswani2017attention"] == ("Vaswani 等", "2017")
    assert L.citations(bib, "zh_CN")["press2017tying"] == ("Press 和 Wolf", "2017")


def test_a_chinese_chapter_is_all_chinese(zh_chapter):
    src, executed = zh_chapter
    nb = L.convert(src, executed, _zh_book([src], src.parents[1]))
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert L.leftovers(nb) == [] and L.check_notebook(nb, ZH) == []
    assert "**练习 4.1：初试**" in text and "**练习 4.2**" in text
    assert "**练习 4.1 的解答**（已折叠：点开下面的各部分）" in text
    assert "<details><summary><b>解答 4.1：讲解</b>（点击展开）</summary>" in text and "结果是 1。" in text
    assert '<a id="fig-04-loss"></a>*图 4.1：损失下降。*' in text and "[图 4.1](#fig-04-loss)" in text
    assert "> **学习目标**" in text and "> **备注**" in text  # a titleless note: Sphinx's zh_CN title
    assert "*（尚未翻译，下面是英文原文。）*" in text and "This paragraph is *not* translated yet." in text
    assert "三分之一是 0.333，" in text and "计算 0.3。" in text and "[缩放](#sec-scale)" in text
    assert ENGLISH_WORDS.findall(text.replace("This paragraph is *not* translated yet.", "")) == []


def test_a_chinese_chapter_links_to_the_chinese_site(zh_chapter):
    src, executed = zh_chapter
    nb = L.convert(src, executed, _zh_book([src], src.parents[1]))
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    zh = "https://example.org/book/zh/"
    assert f"[softmax]({zh}appendix/glossary.html#term-softmax)" in text
    # full-width brackets, and no space between them and Chinese (locale/STYLE.md); a list item keeps its space
    assert f"和（[Vaswani 等，2017]({zh}appendix/bibliography.html)）；" in text
    assert f"- （[Vaswani 等，2017]({zh}appendix/bibliography.html)）\n" in text
    assert f"[Vaswani 等（2017）]({zh}appendix/bibliography.html) 提出了它" in text
    assert f"[怎样运行本书]({zh}appendix/how_to_run.html)" in text  # the Chinese page, under its title
    urls = re.findall(r"\]\((https?://[^)]+)\)", text)
    assert urls and all(u.startswith(zh) for u in urls), urls


def test_the_language_cell_comes_first_once(zh_chapter):
    src, executed = zh_chapter
    nb = L.convert(src, executed, _zh_book([src], src.parents[1]))
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert nb.cells[0].source == ZH.language_cell and nb.cells[0].metadata == {}  # visible, runs first
    assert 'os.environ["BOOK_LANGUAGE"] = "zh_CN"' in ZH.language_cell
    assert re.fullmatch(r"# [^\n]*[\u4e00-\u9fff][^\n]*", ZH.language_cell.splitlines()[0])  # says why, in Chinese
    assert [c.source for c in code].count(ZH.language_cell) == 1
    assert [c.source for c in code[1:]] == [c.source for c in nbformat.read(src, as_version=4).cells
                                            if c.cell_type == "code" and not L._is_glue_cell(c)][1:]
    # a source without the cell (built from the English execution cache) gets one too
    plain = nbformat.read(src, as_version=4)
    plain.cells = plain.cells[1:]
    nbformat.write(plain, src)
    again = L.convert(src, executed, _zh_book([src], src.parents[1]))
    assert [c.source for c in again.cells if c.cell_type == "code"].count(ZH.language_cell) == 1
    assert again.cells[0].source == ZH.language_cell
    # the English edition adds none
    assert all(c.get("id") != "book-language" for c in L.convert(src, executed, _book([src])).cells)


def test_check_finds_a_missing_or_doubled_language_cell(zh_chapter):
    src, executed = zh_chapter
    nb = L.convert(src, executed, _zh_book([src], src.parents[1]))
    assert L.check_notebook(nb, ZH) == []
    assert L.check_notebook(nb, L.EN) == []
    doubled = nbformat.from_dict(nb)
    doubled.cells = [*nb.cells, nbformat.v4.new_code_cell(ZH.language_cell)]
    assert "BOOK_LANGUAGE" in L.check_notebook(doubled, ZH)[0]
    missing = nbformat.from_dict(nb)
    missing.cells = nb.cells[1:]
    assert "BOOK_LANGUAGE" in L.check_notebook(missing, ZH)[0]


def test_the_chinese_edition_from_the_command_line(zh_chapter, tmp_path, capsys):
    """--edition zh_CN reads BUILD/zh/src and its build's executed notebooks, writes BUILD/learner/zh/chapters."""
    assert L.main(["--edition", "zh_CN", "--build", str(tmp_path), "--check"]) == 0
    folder = tmp_path / "learner" / "zh" / "chapters"
    assert "no MyST left" in capsys.readouterr().out
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest == {"site": L.site_url() + "zh/", "edition": "zh_CN", "notebooks": ["04_attention.ipynb"]}
    nb = nbformat.read(folder / "04_attention.ipynb", as_version=4)
    assert nb.cells[0].source == ZH.language_cell
    assert any("**练习 4.1：初试**" in c.source for c in nb.cells if c.cell_type == "markdown")
    assert not (tmp_path / "learner" / "chapters").exists()  # the English notebooks' folder is left alone
    nb.cells[2].source += "\n\n{term}`token`"  # --check reads the notebooks back
    nbformat.write(nb, folder / "04_attention.ipynb")
    assert L.check(folder, ZH) == ["04_attention.ipynb: MyST left in the learner's notebook: ['{term}`']"]


# ---------------------------------------------------------------------------------------------
# The launch buttons (_ext/learner_launch.py): each edition's pages open its learner's notebooks


spec_launch = importlib.util.spec_from_file_location("learner_launch", ROOT / "_ext" / "learner_launch.py")
LAUNCH = importlib.util.module_from_spec(spec_launch)
spec_launch.loader.exec_module(LAUNCH)


class _Config(dict):
    __getattr__ = dict.__getitem__


def _launch_urls(config_yml: Path, page: str = "chapters/04_attention") -> dict[str, str]:
    """The Colab and Binder URLs of ``page`` as the built site has them: the book's _config.yml through
    jupyter-book's config, sphinx-book-theme's launch buttons, then this book's extension."""
    from jupyter_book.config import get_final_config
    from sphinx_book_theme.header_buttons.launch import add_launch_buttons

    conf, _ = get_final_config(user_yaml=config_yml, cli_config={"latex_individualpages": False},
                               sourcedir=config_yml.parent)
    config = _Config({"learner_branch": LAUNCH.DEFAULT_BRANCH, "learner_prefix": ""})
    config.update(conf)
    opts = conf["html_theme_options"]
    provider_url, org, repo = opts["repository_url"].rstrip("/").rsplit("/", 2)
    app = SimpleNamespace(config=config, env=SimpleNamespace(doc2path=lambda name: f"{name}.ipynb",
                                                             metadata={page: {"kernelspec": {}}}))
    context = {"pagename": page, "sourcename": f"{page}.ipynb", "header_buttons": [], "github_url": provider_url,
               "github_user": org, "github_repo": repo}
    add_launch_buttons(app, page, "page.html", context, None)
    LAUNCH.retarget_launch_buttons(app, page, "page.html", context, None)
    buttons = [b for g in context["header_buttons"] if g["label"] == "launch-buttons" for b in g["buttons"]]
    return {b["text"]: b["url"] for b in buttons}


def _zh_config(tmp_path) -> Path:
    """The Chinese book's _config.yml as scripts/translation.py build writes it (for a one-page book)."""
    T = sys.modules.get("translation")  # tests/test_translation.py's, when it ran in this process
    if T is None:
        spec_t = importlib.util.spec_from_file_location("translation", ROOT / "scripts" / "translation.py")
        T = importlib.util.module_from_spec(spec_t)
        sys.modules["translation"] = T  # its dataclasses look their module up there
        spec_t.loader.exec_module(T)
    root = tmp_path / "book"
    root.mkdir()
    for name in ("_config.yml", "references.bib"):
        (root / name).write_text((ROOT / name).read_text(encoding="utf-8"), encoding="utf-8")
    (root / "_toc.yml").write_text("format: jb-book\nroot: intro\n", encoding="utf-8")
    (root / "intro.md").write_text("# Intro\n", encoding="utf-8")
    T.build(tmp_path / "zh", root, tmp_path / "locale")
    return tmp_path / "zh" / "_config.yml"


def test_launch_buttons_open_each_editions_learner_notebook(tmp_path):
    repo = "how-transformers-learn/book"
    assert re.search(rf"url: https://github.com/{repo}\n", (ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert _launch_urls(ROOT / "_config.yml") == {
        "Colab": f"https://colab.research.google.com/github/{repo}/blob/learner/chapters/04_attention.ipynb",
        "Binder": f"https://mybinder.org/v2/gh/{repo}/learner?urlpath=lab/tree/chapters/04_attention.ipynb",
    }
    assert _launch_urls(_zh_config(tmp_path)) == {
        "Colab": f"https://colab.research.google.com/github/{repo}/blob/learner/zh/chapters/04_attention.ipynb",
        "Binder": f"https://mybinder.org/v2/gh/{repo}/learner?urlpath=lab/tree/zh/chapters/04_attention.ipynb",
    }


@pytest.mark.parametrize("prefix", ["", "zh/", "zh", "/zh/"])
def test_retarget_puts_the_prefix_before_the_notebooks_path(prefix):
    where = "zh/" if prefix.strip("/") else ""
    colab = "https://colab.research.google.com/github/o/r/blob/main/book/chapters/04_attention.ipynb"
    binder = "https://mybinder.org/v2/gh/o/r/main?urlpath=tree/book/chapters/04_attention.ipynb"
    assert LAUNCH._retarget(colab, "main", "learner", prefix) == \
        f"https://colab.research.google.com/github/o/r/blob/learner/{where}book/chapters/04_attention.ipynb"
    assert LAUNCH._retarget(binder, "main", "learner", prefix) == \
        f"https://mybinder.org/v2/gh/o/r/learner?urlpath=tree/{where}book/chapters/04_attention.ipynb"
    other = "https://example.org/main/chapters/04_attention.ipynb"
    assert LAUNCH._retarget(other, "main", "learner", prefix) == other


def test_a_dropdown_is_folded_in_the_notebook(tmp_path):
    """A ```{dropdown} (side material the website folds) becomes a <details> block with its title."""
    src = _write(tmp_path, [nbformat.v4.new_markdown_cell(
        "Main text.\n\n```{dropdown} Why it works\nSide text with {ref}`sec-side`.\n```\n\n(sec-side)=\n## Side")])
    nb = L.convert(src, None, _book([src]))
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "<details><summary>Why it works</summary>" in text and "</details>" in text
    assert "Side text with [Side](#sec-side)." in text and L.leftovers(nb) == []


def test_a_role_wrapped_over_two_lines_is_converted(tmp_path):
    src = _write(tmp_path, [nbformat.v4.new_markdown_cell(
        "(sec-cache)=\n## Cache\n\nIt reads like the list above ({ref}`The KV cache\nsection <sec-cache>` shows it).")])
    nb = L.convert(src, None, _book([src]))
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "[The KV cache section](#sec-cache)" in text and L.leftovers(nb) == []


def test_a_ref_to_a_heading_that_holds_a_link_keeps_only_its_text(tmp_path):
    """A {ref} shows the heading's title; a link in that title would make a link inside a link, which
    Jupyter and Colab show as raw text: only the link's text is kept."""
    src = _write(tmp_path, [nbformat.v4.new_markdown_cell(
        "See {ref}`sec-tok`.\n\n(sec-tok)=\n## The tokenizer: [chapter 1](01_tokenization.ipynb)'s BPE")])
    nb = L.convert(src, None, _book([src]))
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "See [The tokenizer: chapter 1's BPE](#sec-tok)." in text and L.leftovers(nb) == []


def test_every_ref_in_a_chapter_names_a_label_the_learners_notebooks_resolve():
    """The learner's notebooks resolve {ref}/{numref} targets among the chapters' own labels only
    (``labels``): a ref to an appendix label builds on the website but fails `make learner`. Link
    an appendix page with a Markdown link instead."""
    chapters = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))
    known = L.labels(chapters)
    role = re.compile(r"\{(?:ref|numref)\}`(?:[^`<]*<)?([\w-]+)>?`")
    unknown = []
    for path in chapters:
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "markdown":
                unknown += [(path.name, t) for t in role.findall(cell.source) if t not in known]
    assert not unknown, unknown


def test_a_kept_cell_that_glues_imports_glue_itself():
    """The learner's notebooks drop the cells that only glue (with their ``from helpers.book import
    glue``) and keep every other cell: a kept cell that also calls glue() must import it itself,
    or it fails with a NameError in Colab (as chapter 9's three-seed cell once did)."""
    bad = []
    for path in sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb")):
        for i, cell in enumerate(nbformat.read(path, as_version=4).cells):
            if cell.cell_type != "code":
                continue
            glue_only = all(L.GLUE_ONLY.match(line) for line in cell.source.splitlines())
            calls = re.search(r"^\s*glue\(", cell.source, re.M)
            if not glue_only and calls and "import glue" not in cell.source:
                bad.append((path.name, i))
    assert not bad, bad
