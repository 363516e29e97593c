"""The nearest-rows explorer of chapter 2 (helpers.explorers.neighbours)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from importlib import resources

import pytest
import torch

from helpers.explorers.neighbours import (
    neighbour_data,
    neighbour_rows_html,
    neighbours_explorer_html,
)
from helpers.token_neighbours import nearest_tokens


def _table() -> torch.Tensor:
    torch.manual_seed(0)
    return torch.randn(40, 6)


def test_neighbours_are_those_of_nearest_tokens():
    table = _table()
    data = neighbour_data(table, [3, 0, 17], lambda i: f"t{i}", k=4)
    assert data["k"] == 4 and data["queries"] == ["t3", "t0", "t17"]
    for q, rows in zip((3, 0, 17), data["neighbours"]):
        ids, cos = nearest_tokens(table, q, k=4)
        assert [r[0] for r in rows] == [f"t{i}" for i in ids]
        assert [r[1] for r in rows] == pytest.approx(cos.tolist(), abs=1e-4)
        assert f"t{q}" not in [r[0] for r in rows]  # never its own neighbour


def test_html_embeds_the_data_and_a_static_view():
    data = neighbour_data(_table(), [1, 2], lambda i: f"<t{i}>", k=3)
    page = neighbours_explorer_html(data, "<t2>", caption="a caption")
    payload = re.search(r'<script type="application/json" class="nb-data">(.*?)</script>', page, re.S)
    assert json.loads(payload.group(1))["neighbours"] == data["neighbours"]
    assert neighbour_rows_html(data, 1) in page  # the starting token's rows, before any script
    assert "&lt;t2&gt;" in page and "<t2>" not in page.replace(payload.group(1), "")  # escaped
    assert page.count("<option") == 2 and 'value="1" selected' in page
    assert "a caption" in page


def test_bad_inputs():
    table = _table()
    with pytest.raises(TypeError, match="table"):
        neighbour_data(table.numpy(), [1], str)
    with pytest.raises(ValueError, match="each of query_ids"):
        neighbour_data(table, [40], str)
    with pytest.raises(ValueError, match="distinct"):
        neighbour_data(table, [1, 1], str)
    with pytest.raises(ValueError, match="at least one"):
        neighbour_data(table, [], str)
    with pytest.raises(TypeError, match="label"):
        neighbour_data(table, [1], "not a function")
    with pytest.raises(ValueError, match="k must be"):
        neighbour_data(table, [1], str, k=40)
    data = neighbour_data(table, [1], str, k=2)
    with pytest.raises(ValueError, match="start"):
        neighbours_explorer_html(data, "2")
    with pytest.raises(TypeError, match="data"):
        neighbours_explorer_html({"k": 2}, "1")


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node")
def test_script_parses():
    js = resources.files("helpers.explorers").joinpath("neighbours.js").read_text(encoding="utf-8")
    subprocess.run(["node", "-e", f"new Function({json.dumps(js)})"], check=True)
