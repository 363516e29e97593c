"""The How to run page's budget and memory tables and the numbers its prose quotes, and the front
page's running time, agree with the shipped benchmark file (appendix/how_to_run_bench.txt, written
by `make bench` and `make bench-busy`): a new benchmark run that is shipped without updating the
pages fails here."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "appendix" / "how_to_run_bench.txt"
PAGE = ROOT / "appendix" / "how_to_run.md"
INTRO = ROOT / "intro.md"
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
    quiet, total = max(s for s, _ in idle["rows"].values()), idle["total"][0]
    # the Budgets section: the quiet run, then the busy run (every chapter within the 60 s budget)
    assert f"no chapter took more than {quiet:.1f} s, all fourteen together took {total:.1f} s" in text
    slowest_busy = max(s for s, _ in busy["rows"].values())
    assert slowest_busy < 60, "a chapter is over budget beside two busy processes: the page must say so"
    assert f"beside two busy processes no chapter took more than {slowest_busy:.1f} s" in text
    # "In short", the troubleshooting entry and the commands' times
    assert f"machine no chapter took more than {quiet:.1f} s;" in text
    assert f"on a quiet 2-core machine no chapter took more than {quiet:.1f} s ([Budgets]" in text
    assert f"needs at most {idle['total'][1]:,} MiB of memory" in text
    assert f"a chapter needs up to {idle['total'][1]:,} MiB" in text
    assert f"every chapter executed once took {total:.1f} s there" in text
    lab = round(2 * total / 60)
    assert f"about 2 × {total:.1f} s (about {lab} minutes)" in text
    assert f"about {lab} minutes for the chapters alone" in text
    assert f"Time: about {total:.1f} s for the chapters" in text


def test_the_intro_quotes_the_quiet_run():
    """The front page's promise, "under a minute on a quiet two-core CPU", with the run's slowest chapter."""
    idle, _ = runs()
    quiet = max(s for s, _ in idle["rows"].values())
    assert quiet < 60
    intro = " ".join(INTRO.read_text(encoding="utf-8").split())
    assert "runs in under a minute on a quiet two-core CPU" in intro
    assert f"the slowest took {quiet:.1f} s in the measured run" in intro


SERVER_MIB = 90  # a bare JupyterLab server's peak memory, as the page states it
BINDER_MIB = 1024  # the memory mybinder.org guarantees a session
SPARE_MIB = 100  # "fits, with under 100 MiB to spare"


def _chapters(text: str) -> list[int]:
    """"0, 1, 3, 5–9" or "2, 4 and 10–13" -> the chapter numbers."""
    numbers = []
    for part in re.split(r", | and ", text):
        a, _, b = part.strip().partition("–")
        numbers += range(int(a), int(b or a) + 1)
    return numbers


def test_the_memory_table_sorts_the_chapters_by_what_fits_in_binder():
    idle, _ = runs()
    peak = {n: m for n, (_, m) in idle["rows"].items()}
    want = {
        "fits": [n for n, m in peak.items() if m + SERVER_MIB <= BINDER_MIB - SPARE_MIB],
        f"fits, with under {SPARE_MIB} MiB to spare": [
            n for n, m in peak.items() if BINDER_MIB - SPARE_MIB < m + SERVER_MIB <= BINDER_MIB
        ],
        "does not fit": [n for n, m in peak.items() if m + SERVER_MIB > BINDER_MIB],
    }
    page = PAGE.read_text(encoding="utf-8")
    text = re.sub(r"\[(\d+)\]\([^)]*\)", r"\1", " ".join(page.split()))  # chapter links as their numbers
    rows = re.findall(r"^\| ([\d, –]+) \| ([\d,]+)(?: to ([\d,]+))? MiB \| ([^|]+) \|$", page, re.M)
    got = {verdict.strip(): _chapters(chapters) for chapters, _, _, verdict in rows}
    assert got == {k: v for k, v in want.items() if v}
    for chapters, low, high, _ in rows:
        ms = [peak[n] for n in _chapters(chapters)]
        assert (int(low.replace(",", "")), int((high or low).replace(",", ""))) == (min(ms), max(ms)), chapters
    assert f"the Jupyter server itself takes about {SERVER_MIB} MiB" in text
    short = re.search(r"prefer Colab for chapters ([\d, –and]+?) \(\[why\]", text)
    assert short and _chapters(short.group(1)) == sorted(want[f"fits, with under {SPARE_MIB} MiB to spare"]
                                                           + want["does not fit"])
    # the pairs of chapters that fit in the guaranteed memory: every pair of the named chapters, no other
    fits = [(a, b) for a in peak for b in peak if a < b and peak[a] + peak[b] + SERVER_MIB <= BINDER_MIB]
    small = sorted({n for pair in fits for n in pair})
    assert fits == [(a, b) for a in small for b in small if a < b], fits
    names = ", ".join(str(n) for n in small[:-1]) + f" and {small[-1]}"
    largest = max(peak[a] + peak[b] for a, b in fits)
    assert (f"fit in the guaranteed 1 GB only if both are among chapters {names} "
            f"(the largest such pair needs {largest} MiB, plus the server's {SERVER_MIB})") in text
    assert peak[12] + peak[10] + SERVER_MIB > 2048
    assert f"({peak[12]:,} + {peak[10]:,} = {peak[12] + peak[10]:,} MiB) does not fit even in 2 GB" in text


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
