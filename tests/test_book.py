"""The book's structure: clean notebooks, stable chapter names, one repository URL, Colab cells."""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))


def config_value(key: str) -> str:
    text = (ROOT / "_config.yml").read_text(encoding="utf-8")
    block = text.split("repository:", 1)[1]
    return re.search(rf"^\s+{key}:\s*(\S+)", block, re.M).group(1)


def cells(nb_path: Path) -> list[dict]:
    return json.loads(nb_path.read_text(encoding="utf-8"))["cells"]


def test_there_are_chapters():
    assert len(CHAPTERS) >= 4


@pytest.mark.parametrize("nb", CHAPTERS, ids=lambda p: p.name)
def test_chapter_file_name_is_stable_form(nb):
    assert re.fullmatch(r"\d\d_[a-z_]+\.ipynb", nb.name)


@pytest.mark.parametrize("nb", CHAPTERS, ids=lambda p: p.name)
def test_committed_without_outputs(nb):
    for c in cells(nb):
        if c["cell_type"] == "code":
            assert not c.get("outputs") and c.get("execution_count") is None, nb.name


@pytest.mark.parametrize("nb", CHAPTERS, ids=lambda p: p.name)
def test_first_code_cell_installs_helpers_on_colab_only(nb):
    code = next("".join(c["source"]) for c in cells(nb) if c["cell_type"] == "code")
    url, branch = config_value("url"), config_value("branch")
    assert 'if "google.colab" in sys.modules:' in code
    assert f"git+{url}@{branch}" in code, "the install URL must be the repository URL of _config.yml"


@pytest.mark.parametrize("nb", CHAPTERS, ids=lambda p: p.name)
def test_colab_cell_is_not_on_the_website(nb):
    """The Colab install cell is for Colab only: the static site leaves it out (remove-cell)."""
    first = next(c for c in cells(nb) if c["cell_type"] == "code")
    assert "remove-cell" in first.get("metadata", {}).get("tags", []), nb.name


@pytest.mark.parametrize("nb", CHAPTERS, ids=lambda p: p.name)
def test_chapter_teaches(nb):
    text = "\n".join("".join(c["source"]) for c in cells(nb) if c["cell_type"] == "markdown")
    assert "Learning goals" in text and "## Summary" in text
    assert text.count("{exercise}") >= 2 and "{solution-start}" in text


def test_every_chapter_is_in_the_toc():
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    for nb in CHAPTERS:
        assert f"chapters/{nb.stem}" in toc
