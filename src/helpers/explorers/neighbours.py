"""The nearest-rows explorer: pick a token, see the rows of an embedding table nearest to its row
by cosine similarity (chapter 2, SmolLM2's table).

The neighbours are computed in Python (``neighbour_data``) and embedded in the page as JSON, so
the explorer needs no kernel and no model file in the browser; ``neighbours.js`` only swaps the
table shown. Before the script runs, the page already shows the starting token's table.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import torch

from .._checks import check_int, check_int_list, check_str, check_tensor, show
from ..i18n import t
from ._embed import json_payload, new_root_id, script_call

_STYLE = """
<style>
.nb-root {font-family: var(--pst-font-family-base, sans-serif); border: 1px solid #ccc; border-radius: 6px;
          padding: 10px; max-width: 100%; box-sizing: border-box; overflow-wrap: anywhere;}
.nb-root select {font-family: inherit; font-size: 15px; max-width: 100%;}
.nb-root table {border-collapse: collapse; margin-top: 8px; font-size: 15px;}
.nb-root td, .nb-root th {padding: 2px 10px; text-align: left; border-bottom: 1px solid #eee;}
.nb-root td.nb-cos {font-variant-numeric: tabular-nums; text-align: right;}
.nb-caption {font-size: 13px; color: #444; margin-top: 4px;}
</style>
"""


def neighbour_data(
    table: torch.Tensor, query_ids: list[int], label: Callable[[int], str], k: int = 5
) -> dict:
    """The ``k`` nearest rows of every query, by cosine similarity, each query itself left out.

    ``table``: (|V|, d) float, e.g. an embedding matrix with its mean row subtracted.
    ``query_ids``: distinct row ids in [0, |V|). ``label``: how a row is shown (id -> text).
    Returns ``{"k": k, "queries": [label, ...], "neighbours": [[[label, cosine], ...], ...]}``,
    one list of ``k`` (label, cosine) pairs per query, most similar first (the same rows as
    ``helpers.token_neighbours.nearest_tokens``).
    """
    check_tensor(table, "table", ndim=2, floating=True)
    ids = check_int_list(query_ids, "query_ids", "row ids")
    n_rows = table.shape[0]
    if not ids:
        raise ValueError("query_ids must hold at least one row id, got []")
    for i in ids:
        check_int(i, "each of query_ids", low=0, high=n_rows - 1)
    if len(set(ids)) != len(ids):
        raise ValueError(f"query_ids must be distinct, got {show(ids)}")
    if not callable(label):
        raise TypeError(f"label must be a function id -> str, got {show(label)}")
    check_int(k, "k", low=1, high=n_rows - 1)
    unit = table / table.norm(dim=1, keepdim=True).clamp_min(1e-8)  # (|V|, d)
    query = torch.tensor(ids)
    cos = unit[query] @ unit.T  # (queries, |V|)
    cos[torch.arange(len(ids)), query] = -float("inf")  # not its own neighbour
    values, found = cos.topk(k, dim=1)  # (queries, k)
    neighbours = [
        [[check_str(label(j), "label(id)"), round(c, 4)] for j, c in zip(row, vals)]
        for row, vals in zip(found.tolist(), values.tolist())
    ]
    return {"k": k, "queries": [check_str(label(i), "label(id)") for i in ids], "neighbours": neighbours}


def neighbour_labels() -> dict[str, str]:
    """The words of the explorer, in the current language."""
    return {
        "pick": t("token:"),
        "rank": t("rank"),
        "row": t("nearest row"),
        "cosine": t("cosine"),
    }


def _check_data(data: object) -> dict:
    if not isinstance(data, dict) or not {"k", "queries", "neighbours"} <= set(data):
        raise TypeError(f"data must be the dict neighbour_data returns, got {show(data)}")
    return data


def neighbour_rows_html(data: dict, index: int) -> str:
    """The table rows (HTML) of query number ``index`` of ``data``: rank, row, cosine."""
    _check_data(data)
    check_int(index, "index", low=0, high=len(data["queries"]) - 1)
    return "".join(
        f'<tr><td>{r}</td><td>{html.escape(name)}</td><td class="nb-cos">{cos:.2f}</td></tr>'
        for r, (name, cos) in enumerate(data["neighbours"][index], start=1)
    )


def neighbours_explorer_html(data: dict, start: str, caption: str = "") -> str:
    """A self-contained explorer: a list of the queries of ``data`` (from ``neighbour_data``) and
    the nearest rows of the one picked; it opens on the query labelled ``start``."""
    _check_data(data)
    check_str(start, "start")
    check_str(caption, "caption")
    if start not in data["queries"]:
        raise ValueError(f"start must be one of data['queries'], got {start!r}")
    first = data["queries"].index(start)
    words = neighbour_labels()
    root_id = new_root_id("nb")
    payload = json_payload({"neighbours": data["neighbours"]})
    # the list in alphabetical order of the labels; each option's value is its index in data
    order = sorted(range(len(data["queries"])), key=lambda i: data["queries"][i].lstrip("␣").lower())
    options = "".join(
        f'<option value="{i}"{" selected" if i == first else ""}>{html.escape(data["queries"][i])}</option>'
        for i in order
    )
    caption_html = f'<div class="nb-caption">{html.escape(caption)}</div>' if caption else ""
    return f"""{_STYLE}
<div class="nb-root" id="{root_id}">
  <script type="application/json" class="nb-data">{payload}</script>
  <label>{html.escape(words["pick"])} <span class="nb-static">{html.escape(start)}</span>
  <select class="nb-pick" style="display:none">{options}</select></label>
  <table><thead><tr><th>{html.escape(words["rank"])}</th><th>{html.escape(words["row"])}</th>
  <th>{html.escape(words["cosine"])}</th></tr></thead>
  <tbody class="nb-rows">{neighbour_rows_html(data, first)}</tbody></table>{caption_html}
</div>
{script_call("neighbours.js", root_id)}
"""
