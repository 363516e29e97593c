"""The Chinese edition translates the strings a chapter's code prints or draws (scripts/translation.py,
``code_literals``): which strings are units, how a translation is written back into the code, what
``check`` requires of it, and that every chapter's shown code is free of ``t(...)``."""

from __future__ import annotations

import ast
import importlib.util
import sys
from pathlib import Path

import nbformat
import polib
import pytest

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("translation", ROOT / "scripts" / "translation.py")
T = importlib.util.module_from_spec(spec)
sys.modules["translation"] = T
spec.loader.exec_module(T)

CELL = '''n, loss = 3, 0.25
print(f"loss after {n} steps:"
      f" {loss:.3f}",  # the loss
      "end")
scores = {"the cat": 2}
print(scores["the cat"], "the cat" in scores)
ax.set_title("attention weights")
names = ["causal mask", "padding mask"]
if names[1] == "padding mask":
    pass
glue("loss name", "a glued note")
print("->", r"\\d+ words", b"bytes here", "\\n")


def f(x):
    """A docstring, not a string unit."""
    return x
'''
ZH = {
    "loss after {n} steps: {loss:.3f}": "{n} 步后的损失：{loss:.3f}",
    "end": "完",
    "attention weights": "注意力权重",
    "causal mask": "因果掩码",
    "a glued note": "一条粘贴的说明",
    "the cat": "猫",
}


def _index(pairs: dict[str, str], fuzzy: tuple[str, ...] = ()) -> dict[str, polib.POEntry]:
    return {k: polib.POEntry(msgid=k, msgstr=v, flags=["fuzzy"] if k in fuzzy else [T.VALUE] if k in VALUES else [])
            for k, v in pairs.items()}


def _code(source: str) -> str:
    """A cell's code with every string emptied: what the Chinese edition must keep as it is (the key
    helpers.clock gives a cell, which the Chinese run needs equal to the English run's)."""
    from helpers.clock import _without_comments

    return _without_comments(source)


KEYS = T.page_keys([CELL])
VALUES = frozenset({"causal mask", "a glued note"})  # kept strings flagged ``value`` in the catalog


def test_units_are_shown_strings_and_keys_are_not():
    assert KEYS == {"the cat", "padding mask", "loss name"}  # looked up, compared, glue's name
    flagged = frozenset({"the cat"})  # a kept string flagged value is a unit unless the page looks it up
    assert "the cat" in {lit.text for lit in T.code_literals(CELL, frozenset(), flagged)}
    assert "the cat" not in {lit.text for lit in T.code_literals(CELL, KEYS, flagged)}
    found = {lit.text: lit.display for lit in T.code_literals(CELL, KEYS, VALUES)}
    assert found == {
        "loss after {n} steps: {loss:.3f}": True,  # an f-string over two lines: one unit, fields as written
        "end": True,
        "attention weights": True,  # a figure's label
        "causal mask": False,  # kept in a list: a unit only when flagged value
        "a glued note": False,  # glue's second argument is a value; its first, the name, is a key
    }  # not units: a text the page looks up or compares (anywhere), raw, bytes, no letter, an escape,
    # a docstring


def test_a_string_with_spaces_around_it_is_a_unit_and_keeps_them():
    lit = T.code_literals('print("loss:  ", x)\n')[0]
    assert lit.text == "loss:  " and lit.display
    assert T.translate_code('print("loss:  ", x)\n', _index({"loss:  ": "损失：  "})) == 'print("损失：  ", x)\n'


def test_a_translated_cell_keeps_its_code_and_its_layout():
    out = T.translate_code(CELL, _index(ZH), KEYS)
    assert _code(out) == _code(CELL)  # every node but the strings, identical
    lines = out.splitlines()
    assert lines[1] == 'print(f"{n} 步后的损失："'  # two lines, as the English has
    assert lines[2] == '      f"{loss:.3f}",  # the loss'  # the part that holds a field keeps its f
    assert lines[3] == '      "完")'
    assert lines[4:6] == CELL.splitlines()[4:6]  # keys the page looks up stay English, even when units
    assert lines[6] == 'ax.set_title("注意力权重")'
    assert lines[7] == 'names = ["因果掩码", "padding mask"]'
    assert lines[8] == 'if names[1] == "padding mask":'  # a comparison's operand is a key
    assert lines[10] == 'glue("loss name", "一条粘贴的说明")'
    assert lines[11:] == CELL.splitlines()[11:]
    assert eval(lines[1][6:] + lines[2].split(",")[0].strip(), {"n": 3, "loss": 0.25}) == "3 步后的损失：0.250"


@pytest.mark.parametrize(
    "zh",
    [
        "{m} 步后的损失：{loss:.3f}",  # a field the English has not
        "损失：{loss:.3f}",  # a field dropped
        '{n} 步后的"损失"：{loss:.3f}',  # would end the literal
        "{n} 步后的损失：{loss:.3f}\\",  # would escape the closing quote
    ],
)
def test_a_translation_that_would_change_or_break_the_code_is_not_used(zh):
    out = T.translate_code(CELL, _index({"loss after {n} steps: {loss:.3f}": zh}))
    assert out == CELL


def test_a_stale_translation_is_not_used_and_a_format_spec_may_differ():
    key = "loss after {n} steps: {loss:.3f}"
    assert T.translate_code(CELL, _index({key: "{n} 步：{loss:.3f}"}, fuzzy=(key,))) == CELL
    out = T.translate_code(CELL, _index({key: "{n:>3} 步后的损失：{loss:.2f}"}))
    assert 'f"{n:>3} 步后的损失："' in out


def test_a_translation_is_cut_where_it_may_be():
    lit = T.code_literals('print(f"a {x:.3f} b"\n      f" c {y[0]} d")\n')[0]
    for text in ("一二{x:.3f}三四{y[0]}五", "{x:.3f}{y[0]}", "一{x:.3f}\\n{y[0]}"):
        out = T.render_literal(lit, text)
        names = {"x": 1.5, "y": [2]}
        assert eval("(" + out + ")", names) == eval("f" + repr(text).replace("\\\\n", "\\n"), names)
    assert T._split_text("{a}{b}", [5, 5], True) == ["{a}", "{b}"]
    assert T._split_text("{ab}", [5, 5], True) == ["{ab}"]  # no place to cut: one piece


def test_check_requires_the_same_field_expressions_escapes_and_numbers():
    english = "loss after {n} steps\\n of {len(x):,} at 10%"
    assert T.check_comment(english, "{n} 步后的损失\\n，共 {len(x):>6,}，10%", literal=True) == []
    assert T.check_comment(english, "{m} 步\\n {len(x)} 10%", literal=True) == [
        "fields differ: missing ['n'], added ['m']"]
    assert T.check_comment(english, "{n} 步 {len(x)} 10%", literal=True) == []  # a label may drop its \\n
    assert T.check_comment(english, "{n} 步\\n {len(x)}", literal=True) == ["numbers differ: missing ['10'], added []"]
    assert T.check_comment("1st copy, regulated5", "第一份，五言律诗", literal=True) == []
    assert T.field_expression("{a[1:2]:>6}") == "a[1:2]" and T.field_expression("{x != y!r}") == "x != y"


def test_update_keeps_a_known_string_and_adds_a_shown_one(tmp_path):
    page = tmp_path / "04_attention.ipynb"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(CELL)])
    nb.cells[0].id = "c0"
    nbformat.write(nb, page)
    texts = [u.text for u in T.code_units(page) if u.note == T.LITERAL_NOTE]
    assert texts == ["loss after {n} steps: {loss:.3f}", "end", "attention weights"]
    cell = 'names = {"all on": 1, "looked up": 2, "data": 3}\nprint(names["looked up"])\n'
    keys = T.page_keys([cell])
    assert T.code_literals(cell, keys) == []  # a dict's keys are data unless flagged
    flagged = frozenset({"all on", "looked up"})
    assert [lit.text for lit in T.code_literals(cell, keys, flagged)] == ["all on"]  # flagged, not looked up
    index = _index({"all on": "不关", "looked up": "查", "data": "数据"})
    for e in index.values():
        e.flags.append(T.VALUE) if e.msgid != "data" else None
    assert T.value_units(index) == {"all on", "looked up"}
    zh = T.translate_code(cell, index, keys)
    assert zh == 'names = {"不关": 1, "looked up": 2, "data": 3}\nprint(names["looked up"])\n'
    known = frozenset({"causal mask"})
    assert "causal mask" not in [u.text for u in T.code_units(page, known)]  # kept, not flagged value
    texts = [u.text for u in T.code_units(page, known, known) if u.note == T.LITERAL_NOTE]
    assert texts == ["loss after {n} steps: {loss:.3f}", "end", "attention weights", "causal mask"]
    po = T.update_catalog(T.code_units(page, known, known), T.load_catalog(tmp_path / "none.po"))
    assert {e.msgid: e.comment for e in po}["end"] == T.LITERAL_NOTE


def test_the_clock_key_ignores_translated_strings():
    from helpers import clock

    out = T.translate_code(CELL, _index(ZH), KEYS)
    assert clock._without_comments(CELL) == clock._without_comments(out)
    assert clock._without_comments('print(f"{a} {b}")') == clock._without_comments('print(f"{b} 与 {a}")')
    assert clock._without_comments("print(x)") != clock._without_comments("print(y)")


def _shown_cells(nb):
    hidden = {"remove-cell", "remove-input", "hide-input", "hide-cell"}
    return [c for c in nb.cells if c.cell_type == "code" and not hidden & set(c.metadata.get("tags", []))]


def test_the_code_a_chapter_shows_calls_no_t():
    """The shown code prints plain strings; a copied cell runs anywhere (no ``t`` needed)."""
    for page in sorted((ROOT / "chapters").glob("*.ipynb")):
        for cell in _shown_cells(nbformat.read(page, as_version=4)):
            tree = ast.parse(T._python_source(cell.source) or "")
            calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
                     and n.func.id == "t"]
            assert not calls, f"{page.name}, cell {cell.get('id')}: {ast.unparse(calls[0])[:60]}"


def test_every_chapter_string_translation_is_written_into_the_chinese_code():
    """Each translated string unit of a chapter shows its Chinese in the Chinese edition's code, and
    every translated cell is still Python whose code (strings aside) is the English cell's."""
    written = 0
    for page in sorted((ROOT / "chapters").glob("*.ipynb")):
        index = T.code_index(page)
        nb = nbformat.read(page, as_version=4)
        keys = T.page_keys([c.source for c in nb.cells if c.cell_type == "code"])
        for cell in T._translated_cells(nb):
            out = T.translate_code(cell.source, index, keys)
            python, english = T._python_source(out), T._python_source(cell.source)
            if python is None:
                continue
            assert _code(python) == _code(english), f"{page.name}, cell {cell.get('id')}"
            for lit in T.code_literals(cell.source, keys):
                entry = index.get(lit.text)
                if entry is not None and entry.msgstr and entry.msgstr != lit.text and not entry.fuzzy:
                    new = T.render_literal(lit, entry.msgstr)
                    assert new is not None and new in out, f"{page.name}: {lit.text!r} is not translated"
                    written += 1
    assert written > 1000, written


def test_the_chapter_12_labels_the_ablation_test_copies_are_the_catalogs():
    """tests/test_llama_ablation.py draws chapter 12's figures with two labels as the Chinese code shows
    them, copied there; they must be the catalog's translations."""
    index = T.code_index(ROOT / "chapters" / "12_real_model.ipynb")
    assert index["all on"].msgstr == "不关"
    assert index["Layer {PREV[0]}: one head switched off at a time"].msgstr == "第 {PREV[0]} 层：每次关掉一个头"
