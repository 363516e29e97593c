"""The How to run page's budget table and the numbers its prose quotes agree with the shipped
benchmark file (appendix/how_to_run_bench.txt, written by `make bench` and `make bench-busy`): a
new benchmark run that is shipped without updating the page fails here."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "appendix" / "how_to_run_bench.txt"
PAGE = ROOT / "appendix" / "how_to_run.md"
ROW = re.compile(r"^(\d\d)_\w+\.ipynb\s+([\d.]+)\s+(\d+)", re.M)
TOTAL = re.compile(r"^whole book\s+([\d.]+)\s+(\d+)", re.M)


def runs() -> list[dict]:
    """The file's runs in order (idle, then busy): chapter -> (seconds, MiB), and the totals."""
    text = BENCH.read_text(encoding="utf-8")
    out = []
    for part in re.split(r"^(?=notebook\s+time)", text, flags=re.M)[1:]:
        rows = {int(n): (float(s), int(m)) for n, s, m in ROW.findall(part)}
        total = TOTAL.search(part)
        out.append({"rows": rows, "total": (float(total.group(1)), int(total.group(2)))})
    return out


def page_table() -> dict:
    """The page's table: chapter -> (idle s, busy s, MiB), and the 'all' row."""
    text = PAGE.read_text(encoding="utf-8")
    table = {}
    for line in text.splitlines():
        m = re.match(r"^\| (\d+|all[^|]*) \| ([\d.]+) \| ([\d.]+)[^|]* \| ([\d,]+) \|$", line)
        if m:
            key = int(m.group(1)) if m.group(1).isdigit() else "all"
            table[key] = (float(m.group(2)), float(m.group(3)), int(m.group(4).replace(",", "")))
    return table


def test_the_benchmark_file_holds_an_idle_and_a_busy_run_of_every_chapter():
    idle, busy = runs()
    assert sorted(idle["rows"]) == sorted(busy["rows"]) == list(range(14))


def test_the_pages_table_is_the_benchmark_files():
    idle, busy = runs()
    table = page_table()
    assert sorted(k for k in table if k != "all") == sorted(idle["rows"]), table
    for n, (s_idle, mib) in idle["rows"].items():
        assert table[n] == (s_idle, busy["rows"][n][0], mib), f"chapter {n}: page {table[n]}"
    assert table["all"] == (idle["total"][0], busy["total"][0], idle["total"][1])


def test_the_prose_quotes_the_files_extremes():
    idle, busy = runs()
    text = " ".join(PAGE.read_text(encoding="utf-8").split())
    slowest = max(idle["rows"], key=lambda n: idle["rows"][n][0])
    seconds, mib = idle["rows"][slowest]
    assert f"took {seconds:.1f} s and needed {mib:,} MiB" in text
    assert f"all fourteen together took {idle['total'][0]:.1f} s" in text
    over = [n for n, (s, _) in busy["rows"].items() if s > 60]
    others = max(s for n, (s, _) in busy["rows"].items() if n not in over)
    for n in over:
        assert f"{busy['rows'][n][0]:.1f} s there" in text
    assert f"at most {others:.1f} s" in text


@pytest.mark.parametrize("bad", ["| 3 | 9.1 | 19.3 | 999 |"])
def test_a_changed_row_would_be_caught(bad, monkeypatch, tmp_path):
    """The table check is not vacuous: a page whose chapter-3 row differs from the file fails."""
    page = tmp_path / "how_to_run.md"
    text = PAGE.read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith("| 3 |"))
    page.write_text(text.replace(row, bad), encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "PAGE", page)
    with pytest.raises(AssertionError, match="chapter 3"):
        test_the_pages_table_is_the_benchmark_files()
