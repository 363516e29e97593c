"""Every chapter's "Reading path" box states the minutes its core path takes, in both editions.

The core path and its minutes are defined by ``core_path`` / ``core_minutes`` in
tests/test_intro_plan.py: the prose outside the **Optional** sections and the exercises at 200
words a minute (Chinese: 300 characters a minute), plus 1 minute per figure, plus the shown code
at 15 lines a minute. A box may differ from that time rounded to 5 minutes by at most 5 minutes.
``python scripts/make_intro_map.py --core`` prints the table of boxes and computed times.

The rest checks ``core_minutes`` on a small made-up notebook and on bad inputs.
"""

from __future__ import annotations

import json
from pathlib import Path

import polib
import pytest
import test_intro_plan as plan
from bad_inputs import check


@pytest.mark.parametrize("number", sorted(plan.chapter_files()))
def test_the_reading_path_box_states_the_core_paths_minutes(number):
    row = plan.core_row(number, plan.chapter_files()[number])
    problems = plan.core_box_problems([row])
    assert not problems, "\n".join(problems) + "\n(python scripts/make_intro_map.py --core prints the table)"


# ------------------------------------------------------------------------------- a tiny notebook
WORDS = "one two three four five six seven eight nine ten "  # 10 words


def _markdown(text: str, tags: list[str] | None = None) -> dict:
    return {"cell_type": "markdown", "metadata": {"tags": tags or []}, "source": text}


def _code(lines: int, tags: list[str] | None = None, figure: bool = False) -> dict:
    metadata: dict = {"tags": tags or []}
    if figure:
        metadata["mystnb"] = {"figure": {"caption": "A figure."}, "image": {"alt": "A line."}}
    source = "\n\n".join(f"x{i} = {i}" for i in range(lines))  # blank lines between: not counted
    return {"cell_type": "code", "metadata": metadata, "source": source, "outputs": [], "execution_count": None}


CORE_TEXT = "(tiny-core)=\n## Core\n\n" + WORDS * 20  # 2 + 200 words
OPTIONAL_TEXT = "## Extra\n\n**Optional.** " + WORDS * 30 + "\n\n### Deeper\n\n" + WORDS * 30


def tiny_notebook(directory: Path) -> Path:
    """A chapter: a title, a core section with 200 words, 30 shown code lines, a hidden cell of
    code and a figure; an Optional section (with a subsection, code and a figure); exercises."""
    cells = [
        _markdown("# 99. Tiny\n\n" + WORDS),  # 2 + 10 words, outside any ## section: on the core path
        _markdown(CORE_TEXT),
        _code(30),  # shown: 30 lines
        _code(45, tags=["hide-input"], figure=True),  # code behind a toggle, its figure shown
        _code(10, tags=["remove-cell"], figure=True),  # neither shown
        _markdown("hidden " * 100, tags=["remove-cell"]),
        _markdown("```{dropdown} Closed\n" + WORDS * 10 + "\n```"),  # a first read leaves it closed
        _markdown(OPTIONAL_TEXT),
        _code(60, figure=True),
        _markdown("## Back to the core\n\n" + WORDS * 3),  # 4 + 30 words
        _markdown("## Exercises\n\n" + WORDS * 50 + "\n\n## Solutions\n\n" + WORDS * 50),
        _code(90),
    ]
    notebook = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = directory / "99_tiny.ipynb"
    path.write_text(json.dumps(notebook), encoding="utf-8")
    return path


def test_the_core_path_leaves_out_optional_sections_hidden_code_and_exercises(tmp_path):
    core = plan.core_path(tiny_notebook(tmp_path))
    assert core.code_lines == 30
    assert core.figures == 1  # the hide-input cell's figure; not the removed cell's nor the Optional one's
    assert all("**Optional" not in u and "Exercises" not in u and "hidden" not in u for u in core.units)
    assert len(core.units) == 6  # the title, the core section and the last one: each a heading and a paragraph
    words = (2 + 10) + (1 + 200) + (4 + 30)  # "99" counts as a word, "tiny-core" is a label
    assert plan.core_minutes(tmp_path / "99_tiny.ipynb") == pytest.approx(words / 200 + 1 + 30 / 15)


def test_an_optional_mark_elsewhere_than_the_first_paragraph_keeps_the_section(tmp_path):
    path = tiny_notebook(tmp_path)
    notebook = json.loads(path.read_text(encoding="utf-8"))
    notebook["cells"][7] = _markdown("## Extra\n\nFirst.\n\n**Optional.** " + WORDS)
    path.write_text(json.dumps(notebook), encoding="utf-8")
    core = plan.core_path(path)
    assert any(u.startswith("**Optional.**") for u in core.units)
    assert core.figures == 2 and core.code_lines == 90


def test_chinese_minutes_count_the_catalogs_characters(tmp_path):
    path = tiny_notebook(tmp_path)
    catalog = polib.POFile()
    catalog.append(polib.POEntry(msgid=WORDS * 20, msgstr="字" * 600))  # 200 words -> 600 characters
    catalog.append(polib.POEntry(msgid="**Optional.** " + WORDS * 30, msgstr="**选读。**" + "字" * 900))
    catalog.save(str(tmp_path / "99_tiny.po"))
    english = plan.core_minutes(path)
    chinese = plan.core_minutes(path, "zh_CN", catalog=tmp_path / "99_tiny.po")
    # the other units stay in English (13 + 1 + 34 words); the Optional section stays out
    assert chinese == pytest.approx((600 + 12 + 1 + 34) / 300 + 1 + 30 / 15)
    assert chinese != english


BOX = "```{admonition} Reading path\n:class: tip\n\nCore path (about 5 min): {ref}`tiny-core`.\n```"
ZH_BOX = "```{admonition} 阅读路线\n:class: tip\n\n核心路线（约 10 分钟）：{ref}`tiny-core`。\n```"


def test_the_box_is_read_in_both_editions_and_checked(tmp_path):
    path = tiny_notebook(tmp_path)
    notebook = json.loads(path.read_text(encoding="utf-8"))
    notebook["cells"].insert(1, _markdown(BOX))
    path.write_text(json.dumps(notebook), encoding="utf-8")
    catalog = polib.POFile()
    catalog.save(str(tmp_path / "99_tiny.po"))
    assert plan.box_minutes(path, tmp_path / "99_tiny.po") == {"en": 5, "zh_CN": None}  # not translated yet
    catalog.append(polib.POEntry(msgid=BOX, msgstr=ZH_BOX))
    catalog.save(str(tmp_path / "99_tiny.po"))
    box = plan.box_minutes(path, tmp_path / "99_tiny.po")
    assert box == {"en": 5, "zh_CN": 10}
    row = {"chapter": 99, "box": box, "computed": {"en": 13.0, "zh_CN": 12.4}}
    (problem,) = plan.core_box_problems([row])  # 5 is 10 from 15; 10 is 0 from 10
    assert problem.startswith("chapter 99 (en)")
    row["box"] = {"en": None, "zh_CN": 10}
    assert "states no minutes" in plan.core_box_problems([row])[0]
    row["box"] = {"en": None, "zh_CN": None}  # no box at all: a short chapter
    assert plan.core_box_problems([row]) == []


# ----------------------------------------------------------------------------------- bad inputs
def _bad_notebook(tmp: Path) -> Path:
    path = tmp / "bad.ipynb"
    path.write_text("not json", encoding="utf-8")
    return path


def _cases(tmp: Path) -> list:
    good = tiny_notebook(tmp)
    return [
        ("path-int", lambda: plan.core_minutes(3), TypeError, "notebook_path"),
        ("path-not-ipynb", lambda: plan.core_minutes(tmp / "notes.txt"), ValueError, "notebook_path"),
        ("path-missing", lambda: plan.core_minutes(tmp / "missing.ipynb"), FileNotFoundError, "notebook_path"),
        ("path-not-json", lambda: plan.core_minutes(_bad_notebook(tmp)), ValueError, "notebook_path"),
        ("lang-unknown", lambda: plan.core_minutes(good, "fr"), ValueError, "lang"),
        ("lang-none", lambda: plan.core_minutes(good, None), ValueError, "lang"),
        ("catalog-int", lambda: plan.core_minutes(good, "zh_CN", catalog=5), TypeError, "catalog"),
        (
            "catalog-missing",
            lambda: plan.core_minutes(good, "zh_CN", catalog=tmp / "no.po"),
            FileNotFoundError,
            "catalog",
        ),
        ("core-path-int", lambda: plan.core_path(3.5), TypeError, "notebook_path"),
        ("box-catalog-int", lambda: plan.box_minutes(good, catalog=7), TypeError, "catalog"),
    ]


CASE_IDS = [  # the cases need tmp_path, so they are made in the test (bad_inputs.params needs them at import)
    "path-int",
    "path-not-ipynb",
    "path-missing",
    "path-not-json",
    "lang-unknown",
    "lang-none",
    "catalog-int",
    "catalog-missing",
    "core-path-int",
    "box-catalog-int",
]


@pytest.mark.parametrize("case_id", CASE_IDS)
def test_bad_inputs_fail_with_a_clear_message(case_id, tmp_path):
    cases = _cases(tmp_path)
    assert [c[0] for c in cases] == CASE_IDS
    check(next(c for c in cases if c[0] == case_id))


def _intro_map():
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_intro_map", plan.ROOT / "scripts" / "make_intro_map.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_common_time_is_within_5_minutes_of_both_editions():
    common_time = _intro_map().common_time
    assert common_time(62.2, 64.9) == 60  # the English time rounded, close enough to the Chinese
    assert common_time(62.2, 65.003) == 65  # 60 would be 5.003 min off the Chinese: the mean, rounded
    for en, zh in [(68.8, 71.2), (75.4, 78.6), (0.0, 9.9), (40.0, 31.0)]:
        t = common_time(en, zh)
        assert t % 5 == 0 and abs(t - en) <= 5 and abs(t - zh) <= 5
    with pytest.raises(ValueError, match="en and zh must be minutes"):
        common_time(-1.0, 3.0)
    with pytest.raises(ValueError, match="en and zh must be minutes"):
        common_time("60", 3.0)
