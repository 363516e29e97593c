"""scripts/learner_notebooks.py: a chapter's MyST becomes plain Markdown a learner can read in Jupyter."""

import importlib.util
from pathlib import Path

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
