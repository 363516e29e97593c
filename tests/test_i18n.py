"""helpers.i18n: the words code prints or draws, in the edition's language."""

from __future__ import annotations

import ast
import json
import re
import string
from pathlib import Path

import pytest

from helpers import i18n

ROOT = Path(__file__).resolve().parents[1]


def fields(text: str) -> list[str]:
    return sorted(name for _, name, spec, _ in string.Formatter().parse(text) if name is not None)


def test_language_follows_the_one_setting(monkeypatch):
    monkeypatch.setenv(i18n.VARIABLE, "")  # recorded, so that set_language below is undone after the test
    assert i18n.language() == "en" and i18n.t("chapters {a}, {b}", a=3, b=4) == "chapters 3, 4"
    i18n.set_language("zh_CN")
    assert i18n.language() == "zh_CN" and i18n.t("chapters {a}, {b}", a=3, b=4) == "第 3、4 章"
    assert i18n.t("a sentence nobody translated") == "a sentence nobody translated"
    monkeypatch.setenv(i18n.VARIABLE, "fr")
    with pytest.raises(ValueError, match="BOOK_LANGUAGE must be one of"):
        i18n.language()
    with pytest.raises(ValueError, match="language must be one of"):
        i18n.set_language("zh")
    with pytest.raises(TypeError, match="text must be a str"):
        i18n.t(3)


def test_catalog_keeps_fields_and_has_no_line_breaks_between_chinese():
    table = i18n.strings("zh_CN")
    assert table, "no Chinese strings found in src/helpers/data/strings_zh_CN/"
    for english, chinese in table.items():
        assert fields(english) == fields(chinese), english
        assert chinese, english
        # a line break between two Chinese characters shows as a space in a page; a figure label the
        # English breaks into lines ("decoder masked\nself-attention") may break its Chinese too
        if chinese.count("\n") != english.count("\n"):
            assert not re.search(r"[\u4e00-\u9fff]\n[\u4e00-\u9fff]", chinese), english


def test_catalog_keeps_html_tags_and_the_house_spacing():
    """The explorers' templates carry HTML (<b>, <i>): a translation keeps the same tags. And as
    locale/STYLE.md asks: a half-width space between Chinese and Latin letters, digits or a {field}
    (which holds a number or a word; a tag around it, as in 是<b>{next}</b>, may stand in for the space),
    and full-width punctuation after Chinese."""
    table = i18n.strings("zh_CN")
    tag = re.compile(r"</?[A-Za-z]+[^>]*>")
    for english, chinese in table.items():
        assert sorted(tag.findall(english)) == sorted(tag.findall(chinese)), english
        assert not re.search(r"[\u4e00-\u9fff][A-Za-z0-9{]|[A-Za-z0-9}][\u4e00-\u9fff]", chinese), chinese
        assert not re.search(r"[\u4e00-\u9fff][,.:;?!()]", tag.sub("", chinese)), chinese


def t_literals() -> set[str]:
    """Every string literal passed to t(...) in src/helpers and the chapters' code cells."""
    sources = [p.read_text(encoding="utf-8") for p in (ROOT / "src" / "helpers").rglob("*.py")]
    for nb in (ROOT / "chapters").glob("*.ipynb"):
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        sources += ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    found = set()
    for src in sources:
        try:
            tree = ast.parse(src)
        except SyntaxError:  # IPython magics in a cell
            continue
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "t"
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                found.add(node.args[0].value)
    return found


def test_every_t_literal_in_the_code_has_a_chinese_entry():
    table = i18n.strings("zh_CN")
    assert sorted(t_literals() - set(table)) == []


def test_two_files_may_not_translate_one_english_two_ways(tmp_path, monkeypatch):
    folder = tmp_path / "data" / "strings_zh_CN"
    folder.mkdir(parents=True)
    (folder / "a.json").write_text('{"loss": "损失"}', encoding="utf-8")
    (folder / "b.json").write_text('{"loss": "代价", "step": "步"}', encoding="utf-8")

    class Files:
        def joinpath(self, *parts):
            return tmp_path.joinpath(*parts)

    monkeypatch.setattr(i18n.resources, "files", lambda package: Files())
    i18n.strings.cache_clear()
    try:
        with pytest.raises(ValueError, match="'loss' is translated as '代价' here and as '损失'"):
            i18n.strings("zh_CN")
        (folder / "b.json").write_text('{"loss": "损失", "step": "步"}', encoding="utf-8")
        i18n.strings.cache_clear()
        assert i18n.strings("zh_CN") == {"loss": "损失", "step": "步"}
    finally:
        i18n.strings.cache_clear()
