"""Each glue key is glued by one cell of its chapter: myst-nb warns "glue key ... duplicate" otherwise,
and the strict build (-W) stops (a fresh-clone CI stopped on chapter 13's sft_batch)."""
import json
import re
from collections import defaultdict
from pathlib import Path

import pytest

CHAPTERS = sorted((Path(__file__).resolve().parents[1] / "chapters").glob("*.ipynb"))
GLUE = re.compile(r"""\bglue\(\s*["']([^"'{}]+)["']""")  # literal keys only (f-string keys vary by loop)


@pytest.mark.parametrize("page", CHAPTERS, ids=lambda p: p.stem)
def test_no_glue_key_is_glued_by_two_cells(page):
    cells = defaultdict(list)
    for i, cell in enumerate(json.loads(page.read_text(encoding="utf-8"))["cells"]):
        if cell["cell_type"] == "code":
            for key in set(GLUE.findall("".join(cell["source"]))):
                cells[key].append(i)
    twice = {k: v for k, v in cells.items() if len(v) > 1}
    assert not twice, f"{page.name}: glue keys glued in more than one cell: {twice}"


def test_the_check_sees_a_duplicate(tmp_path):
    nb = {"cells": [{"cell_type": "code", "source": ['glue("a", 1)\n']},
                    {"cell_type": "code", "source": ['glue( "a", 2)\n']}]}
    page = tmp_path / "x.ipynb"
    page.write_text(json.dumps(nb), encoding="utf-8")
    with pytest.raises(AssertionError, match="'a': \\[0, 1\\]"):
        test_no_glue_key_is_glued_by_two_cells(page)
