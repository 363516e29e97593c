"""helpers.table.Table: the same cells as text and as HTML, numbers formatted, bad inputs refused."""

import pytest

from helpers.table import Table


def test_text_aligns_numbers_right_and_words_left():
    t = Table(["model", "loss", "params"], [["bigram", 2.4567, 1000], ["GPT", 1.5, 123456]], digits=2)
    assert repr(t).splitlines() == [
        "model   loss   params",
        "bigram  2.46    1,000",
        "GPT     1.50  123,456",
    ]


def test_html_holds_the_same_cells_escaped():
    t = Table(["a<b", "x"], [["<pad>", 0.5]], digits=1, caption="Table 1")
    out = t._repr_html_()
    assert "&lt;pad&gt;" in out and "<pad>" not in out and "a&lt;b" in out
    assert '<td style="text-align:right">0.5</td>' in out
    assert "<caption>Table 1</caption>" in out and 'class="book-table"' in out


def test_a_column_mixing_words_and_numbers_is_left_aligned():
    t = Table(["k", "v"], [["a", 1], ["b", "n/a"]])
    assert t.numeric == [False, False]


@pytest.mark.parametrize("kwargs, message", [
    (dict(header="ab", rows=[]), "header must be a non-empty list"),
    (dict(header=[], rows=[]), "header must be a non-empty list"),
    (dict(header=[1], rows=[]), "header must hold strings"),
    (dict(header=["a"], rows="x"), "rows must be a list"),
    (dict(header=["a", "b"], rows=[[1]]), r"rows\[0\] must be a list of 2 cells"),
    (dict(header=["a"], rows=[[1]], digits=-1), "digits"),
    (dict(header=["a"], rows=[[1]], caption=3), "caption must be a string"),
])
def test_bad_inputs_are_named(kwargs, message):
    with pytest.raises((TypeError, ValueError), match=message):
        Table(**kwargs)
