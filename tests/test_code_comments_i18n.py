"""The Chinese edition translates the comments of the chapters' code cells (scripts/translation.py):
units, catalogs (locale/zh_CN/code/), the rewrite of a cell, the generated book and its learner's notebooks."""

from __future__ import annotations

import importlib.util
import io
import sys
import tokenize
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
spec_l = importlib.util.spec_from_file_location("learner_notebooks", ROOT / "scripts" / "learner_notebooks.py")
L = importlib.util.module_from_spec(spec_l)
spec_l.loader.exec_module(L)

CELL = '''x = f(a)  # scores of each pair
s = "# not a comment"  # the string keeps its hash
%matplotlib inline
!ls
# (B, T, C)
y = x  # noqa: E501
# untranslated line
'''
ZH = {"scores of each pair": "每一对的得分", "the string keeps its hash": "字符串里的井号不变"}


def _index(pairs: dict[str, str], fuzzy: tuple[str, ...] = ()) -> dict[str, polib.POEntry]:
    return {k: polib.POEntry(msgid=k, msgstr=v, flags=["fuzzy"] if k in fuzzy else []) for k, v in pairs.items()}


def _tokens(source: str) -> list[tuple[int, str]]:
    python = T._python_source(source)
    return [(t.type, t.string) for t in tokenize.generate_tokens(io.StringIO(python).readline)
            if t.type != tokenize.COMMENT]


def test_units_are_comments_with_words():
    found = [T.comment_text(c) for _, _, c in T.code_comments(CELL)]
    assert found == ["scores of each pair", "the string keeps its hash", "(B, T, C)", "noqa: E501",
                     "untranslated line"]  # the "#" inside the string is no comment
    assert [t for t in found if T.comment_translatable(t)] == [
        "scores of each pair", "the string keeps its hash", "untranslated line"]


@pytest.mark.parametrize("text", ["(B, T, C)", "(h,)", "noqa: E402", "type: ignore", "x = model(x)",
                                  "d_model", "N(0, 1/d)", "pi_ref e^(r/b) / Z", "(B, h, T, hd)", "--equal-targets",
                                  "0, 1, 2", "fmt: off", ""])
def test_comments_without_words_are_not_units(text):
    assert not T.comment_translatable(text)


@pytest.mark.parametrize("text", ["the last position predicts the next word", "(T, T), head mean", "queries",
                                  "weights, bytes", "`rise`: the step that went up", "forward: one product",
                                  "PE(i) A PE(i + off)^T for i = 0 .. 39"])
def test_comments_with_words_are_units(text):
    assert T.comment_translatable(text)


def test_the_rewrite_changes_only_comments():
    out = T.translate_comments(CELL, _index(ZH))
    assert _tokens(out) == _tokens(CELL)  # every token but the comments, identical
    lines = out.splitlines()
    assert lines[0] == "x = f(a)  # 每一对的得分"  # an inline comment stays at its place
    assert lines[1] == 's = "# not a comment"  # 字符串里的井号不变'  # the string untouched
    assert lines[2:] == CELL.splitlines()[2:]  # magics, shapes, pragmas and untranslated comments as they were
    assert out.endswith("\n")


def test_stale_or_missing_translations_stay_english():
    assert T.translate_comments(CELL, _index(ZH, fuzzy=("scores of each pair",))).splitlines()[0] == CELL.splitlines()[0]
    assert T.translate_comments(CELL, _index({"scores of each pair": ""})) == CELL
    assert T.translate_comments(CELL, {}) == CELL


def test_a_cell_that_is_not_python_has_no_units():
    assert T.code_comments("%%bash\necho hi  # a shell comment\n") == []
    assert T.code_comments("%%time\nx = 1  # timed\n") == [(1, 7, "# timed")]
    assert T.code_comments('x = """unclosed\n') == []


def _chapter(path: Path, cells: list) -> Path:
    nb = nbformat.v4.new_notebook(cells=cells)
    for i, c in enumerate(nb.cells):
        c.id = f"c{i}"
    nbformat.write(nb, path)
    return path


def test_update_adds_and_obsoletes_comment_units(tmp_path):
    code = nbformat.v4.new_code_cell
    page = _chapter(tmp_path / "04_attention.ipynb", [
        code("x = 1  # one row per query\n# (T, T)\n"),
        code("# set up\nglue('x', x)", metadata={"tags": ["remove-cell"]}),  # a removed cell: no units
    ])
    po = T.update_catalog(T.code_units(page), polib.POFile())
    assert [(e.msgid, e.occurrences) for e in po] == [("one row per query", [("c0:1", "")])]
    po.find("one row per query").msgstr = "每个查询一行"
    _chapter(page, [code("x = 1  # one row per key\n# a new comment\n")])
    po2 = T.update_catalog(T.code_units(page), po)
    got = {e.msgid: (e.msgstr, e.fuzzy, e.obsolete) for e in po2}
    assert got["one row per key"] == ("每个查询一行", True, False)  # stale: the old translation, flagged
    assert got["a new comment"] == ("", False, False)
    assert T.status(po2) == {"units": 2, "translated": 0, "stale": 1, "missing": 1}
    _chapter(page, [code("x = 1\n")])
    po3 = T.update_catalog(T.code_units(page), po2)
    assert [e.msgid for e in po3 if not e.obsolete] == [] and po3.find("one row per key", include_obsolete_entries=True).obsolete
    assert T.code_catalog_path(page, tmp_path / "locale") == tmp_path / "locale" / "code" / "04_attention.po"


def test_check_keeps_numbers_and_code():
    assert T.check_comment("the `rise` of 3 steps", "`rise` 的 3 步") == []
    assert T.check_comment("the `rise` of 3 steps", "rise 的三步") == [
        "numbers differ: missing ['3'], added []", "code differ: missing ['`rise`'], added []"]
    assert T.check_comment("two", "二\n三") == ["a comment's translation must be one line"]


def _mini_book(tmp_path, source: str) -> tuple[Path, Path]:
    root = mini_book(tmp_path)
    page = _chapter(root / "chapters" / "04_attention.ipynb", [nbformat.v4.new_markdown_cell("# 4. Attention"),
                                                                nbformat.v4.new_code_cell(source)])
    locale = tmp_path / "locale"
    po = T.update_catalog(T.code_units(page), polib.POFile())
    for e in po:
        e.msgstr = ZH.get(e.msgid, "")
    path = T.code_catalog_path(page, locale)
    path.parent.mkdir(parents=True)
    po.save(str(path))
    return root, locale


def test_the_chinese_book_and_its_learners_notebook_show_the_translated_comments(tmp_path):
    root, locale = _mini_book(tmp_path, CELL)
    out = tmp_path / "zh"
    T.build(out, root, locale)
    zh = nbformat.read(out / "chapters" / "04_attention.ipynb", as_version=4)
    code = [c.source for c in zh.cells if c.cell_type == "code" and c.id != "book-language"]
    assert code == [T.translate_comments(CELL, _index(ZH))] and "# 每一对的得分" in code[0]
    book = L.Book([out / "chapters" / "04_attention.ipynb"], "https://example.org/zh/", {}, {}, L.ZH_CN, out)
    learner = L.convert(out / "chapters" / "04_attention.ipynb", None, book)
    assert any("x = f(a)  # 每一对的得分" in c.source for c in learner.cells if c.cell_type == "code")


def test_with_the_english_cache_comments_are_translated_after_the_merge(tmp_path):
    """The English outputs are matched by the English code, so the comments are translated after the merge."""
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    root, locale = _mini_book(tmp_path, "x = 2  # scores of each pair\nprint(x)\n")
    page = root / "chapters" / "04_attention.ipynb"
    executed = nbformat.read(page, as_version=4)
    executed.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="2\n")]
    executed.cells[1].execution_count = 1
    cache = get_cache(str(tmp_path / "cache"))
    cache.cache_notebook_bundle(CacheBundleIn(executed, str(page)), check_validity=False)
    T.build(tmp_path / "zh", root, locale, english_cache=tmp_path / "cache")
    cell = nbformat.read(tmp_path / "zh" / "chapters" / "04_attention.ipynb", as_version=4).cells[1]
    assert cell.source == "x = 2  # 每一对的得分\nprint(x)\n" and cell.outputs[0]["text"] == "2\n"


def test_the_clock_replays_a_translated_cell(monkeypatch, tmp_path):
    """BOOK_CLOCK=replay keys a cell by its code without comments: a translated cell replays the English readings."""
    from types import ModuleType, SimpleNamespace

    from helpers import clock

    assert clock._without_comments(CELL) == clock._without_comments(T.translate_comments(CELL, _index(ZH)))
    assert clock._without_comments("x = 1\n") != clock._without_comments("x = 2\n")
    shell = SimpleNamespace(user_ns={"In": [""]})
    fake = ModuleType("IPython")
    fake.get_ipython = lambda: shell
    monkeypatch.setitem(sys.modules, "IPython", fake)
    python = T._python_source(CELL)  # IPython keeps the cell as Python (its magics turned into calls)
    readings = []
    for kind, source in (("record", python), ("replay", T.translate_comments(python, _index(ZH)))):
        monkeypatch.setattr(clock, "_seen", {})
        monkeypatch.setattr(clock, "_replayed", {})
        monkeypatch.setenv(clock.VARIABLE, f"{kind}:{tmp_path}")
        shell.user_ns["In"] = ["", source]
        readings.append(clock.perf_counter())
    assert readings[0] == readings[1]


def test_comment_catalogs_are_up_to_date_with_the_english():
    """Run `make translations` (translation.py update) after editing a chapter's code comments."""
    for page in T.book_pages():
        if page.suffix == ".ipynb":
            po = T.load_catalog(T.code_catalog_path(page))
            live = {e.msgid for e in po if not e.obsolete}
            assert live == {u.text for u in T.code_units(page, frozenset(live), T.value_units(po))}, \
                f"{page.name}: run `make translations`"


def test_every_comment_translation_keeps_numbers_and_code():
    problems = []
    for page in T.book_pages():
        for e in T.load_catalog(T.code_catalog_path(page)) if page.suffix == ".ipynb" else []:
            if e.msgstr and not e.obsolete:
                problems += [f"{page.name}: {e.msgid!r}: {p}"
                             for p in T.check_comment(e.msgid, e.msgstr, literal=e.comment == T.LITERAL_NOTE)]
    assert problems == []


def test_every_code_comment_is_translated():
    """Every comment unit of every chapter translated, none stale."""
    left = {}
    for page in T.book_pages():
        if page.suffix == ".ipynb":
            counts = T.status(T.load_catalog(T.code_catalog_path(page)))
            if counts["missing"] or counts["stale"]:
                left[page.name] = counts
    assert left == {}


def test_the_chinese_prose_quotes_comments_as_the_chinese_code_shows_them():
    """A Chinese paragraph that points at a code line by its comment (`# ...`) quotes the comment the
    Chinese code shows: the translation, or the English where the comment is not translated."""
    import re

    wrong = []
    for page in T.book_pages():
        if page.suffix != ".ipynb":
            continue
        code = {e.msgid: e.msgstr for e in T.load_catalog(T.code_catalog_path(page))
                if not e.obsolete and e.msgstr and not e.fuzzy}
        for e in T.load_catalog(T.catalog_path(page)):
            if e.obsolete or not e.msgstr:
                continue
            for quoted in re.findall(r"`# ([^`]+)`", e.msgstr):
                if quoted in code:  # the English of a translated comment
                    wrong.append(f"{page.name}: `# {quoted}` shows as `# {code[quoted]}`")
    assert wrong == [], wrong


# ----------------------------------------------------------------------------- docstrings

DOC_CELL = '''def f(x):
    """Scores of each pair, (B, T)."""  # one line
    return x


class Box:
    r"""A box with a \\ backslash.

    Second paragraph: (T, T).
    """

    def g(self, s="not a docstring"):
        'Single quoted.'
        return f"{s}"


def h():
    return """not a docstring"""
'''
DOC_ZH = {"Scores of each pair, (B, T).": "每一对的得分，(B, T)。",
          "A box with a \\ backslash.\n\nSecond paragraph: (T, T).": "带一个 \\ 反斜杠的盒子。\n\n第二段：(T, T)。",
          "Single quoted.": "单引号。", "one line": "一行"}


def test_docstrings_are_units_and_other_strings_are_not():
    docs = T.code_docstrings(DOC_CELL)
    assert [d.text for d in docs] == list(DOC_ZH)[:3]
    assert [(d.line, d.opening, d.closing_own_line) for d in docs] == [(1, '"""', False), (6, 'r"""', True),
                                                                       (12, "'", False)]


def test_translated_docstrings_keep_the_code_and_the_layout():
    import ast

    out = T.translate_code(DOC_CELL, _index(DOC_ZH))
    assert out == '''def f(x):
    """每一对的得分，(B, T)。"""  # 一行
    return x


class Box:
    r"""带一个 \\ 反斜杠的盒子。

    第二段：(T, T)。
    """

    def g(self, s="not a docstring"):
        '单引号。'
        return f"{s}"


def h():
    return """not a docstring"""
'''
    assert [d.text for d in T.code_docstrings(out)] == [DOC_ZH[k] for k in list(DOC_ZH)[:3]]

    def blank(source):
        tree = ast.parse(source)
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                node.body[0].value.value = ""
        return ast.dump(tree)

    assert blank(out) == blank(DOC_CELL)


def test_a_docstring_translation_that_would_break_the_literal_is_not_used():
    assert T.translate_code(DOC_CELL, _index({"Single quoted.": "含 ' 引号"})) == DOC_CELL
    assert T.translate_code(DOC_CELL, _index({"Single quoted.": "两\n行"})) == DOC_CELL  # one-line quotes
    assert T.translate_code(DOC_CELL, _index({"Scores of each pair, (B, T).": '以引号结尾"'})) == DOC_CELL
    assert T.translate_code(DOC_CELL, _index({"Scores of each pair, (B, T).": "模糊"}, fuzzy=("Scores of each pair, (B, T).",))) == DOC_CELL


def test_a_docstring_keeps_its_line_count_rule():
    assert T.check_comment("one line", "一\n行") == ["a comment's translation must be one line"]
    assert T.check_comment("two\nlines", "两\n行") == []


def test_the_clock_key_ignores_translated_docstrings():
    from helpers import clock

    out = T.translate_code(DOC_CELL, _index(DOC_ZH))
    assert clock._without_comments(DOC_CELL) == clock._without_comments(out)
    assert clock._without_comments(DOC_CELL) != clock._without_comments(DOC_CELL.replace("return x", "return -x"))


def test_every_chapter_docstring_is_translated_in_the_chinese_code():
    """Each docstring of a chapter's code cells shows its Chinese in the Chinese edition."""
    for page in sorted((ROOT / "chapters").glob("*.ipynb")):
        index = T.code_index(page)
        nb = nbformat.read(page, as_version=4)
        for cell in T._translated_cells(nb):
            for d in T.code_docstrings(cell.source):
                if T.comment_translatable(d.text):
                    out = [x.text for x in T.code_docstrings(T.translate_code(cell.source, index))]
                    assert index[d.text].msgstr in out, f"{page.name}: {d.text!r} is not translated"
