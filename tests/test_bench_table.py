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
    """The file's runs in order (no load added, then busy): chapter -> (seconds, MiB), and the totals."""
    text = BENCH.read_text(encoding="utf-8")
    out = []
    for part in re.split(r"^(?=notebook\s+time)", text, flags=re.M)[1:]:
        rows = {int(n): (float(s), int(m)) for n, s, m in ROW.findall(part)}
        total = TOTAL.search(part)
        out.append({"rows": rows, "total": (float(total.group(1)), int(total.group(2)))})
    return out


def page_table() -> dict:
    """The page's table: chapter -> (idle s, busy s, idle MiB, busy MiB), and the 'all' row."""
    text = PAGE.read_text(encoding="utf-8")
    table = {}
    for line in text.splitlines():
        m = re.match(r"^\| (\d+|all[^|]*) \| ([\d.]+) \| ([\d.]+) \| ([\d,]+) \| ([\d,]+) \|$", line)
        if m:
            key = int(m.group(1)) if m.group(1).isdigit() else "all"
            table[key] = (float(m.group(2)), float(m.group(3)),
                          int(m.group(4).replace(",", "")), int(m.group(5).replace(",", "")))
    return table


def load_averages() -> tuple[list[str], list[str]]:
    """The load averages the file's header records just before and just after the first run."""
    header = " ".join(line.lstrip("# ") for line in BENCH.read_text(encoding="utf-8").splitlines()
                      if line.startswith("#"))
    m = re.search(r"load average was ([\d.]+), ([\d.]+), ([\d.]+) \(over 1, 5 and 15 minutes\) just before "
                  r"the run and ([\d.]+), ([\d.]+), ([\d.]+) just after it", header)
    assert m, "the header records the load averages around the first run"
    assert "quiet" not in header, "the header calls the machine quiet: its load averages say otherwise"
    return list(m.groups()[:3]), list(m.groups()[3:])


def spread() -> tuple[int, int]:
    """The largest difference of a chapter's peak memory between the two runs, and that chapter."""
    idle, busy = runs()
    return max((abs(idle["rows"][n][1] - busy["rows"][n][1]), n) for n in idle["rows"])


def test_the_benchmark_file_holds_an_idle_and_a_busy_run_of_every_chapter():
    idle, busy = runs()
    assert sorted(idle["rows"]) == sorted(busy["rows"]) == list(range(14))


def test_the_pages_table_is_the_benchmark_files():
    idle, busy = runs()
    table = page_table()
    assert sorted(k for k in table if k != "all") == sorted(idle["rows"]), table
    for n, (s_idle, mib) in idle["rows"].items():
        assert table[n] == (s_idle, busy["rows"][n][0], mib, busy["rows"][n][1]), f"chapter {n}: page {table[n]}"
    assert table["all"] == (idle["total"][0], busy["total"][0], idle["total"][1], busy["total"][1])


def _words(numbers: list[str]) -> str:
    return ", ".join(numbers[:-1]) + f" and {numbers[-1]}"


def test_the_prose_quotes_the_files_extremes():
    """Each benchmark number is given once, where a learner needs it: the whole book's time in "What each
    command costs", the run-to-run spread of the peaks in "Memory per chapter", the busy run's slowdown in
    Budgets; the rest is the table. The prose that quoted them again ("In short", the troubleshooting
    entries, the Budgets prose) now links to them, and what it still claims is true of the file."""
    idle, busy = runs()
    text = " ".join(PAGE.read_text(encoding="utf-8").split())
    text = re.sub(r"\[(chapter \d+)\]\([^)]+\)", r"\1", text)  # a linked "[chapter 10](...)" reads "chapter 10"
    quiet, total = max(s for s, _ in idle["rows"].values()), idle["total"][0]
    peak = max(idle["total"][1], busy["total"][1])
    # the Budgets section: the machine was not idle, its load averages are in the file's header
    before, after = load_averages()
    assert before and after
    assert "the machine was not idle (the file's header records its load averages)" in text
    assert "quiet" not in text, "the file's load averages do not show a quiet machine"
    slowest_busy = max(s for s, _ in busy["rows"].values())
    assert slowest_busy < 60, "a chapter is over budget beside two busy processes: the page must say so"
    # "Every chapter stayed within both limits in both runs": 60 s and 1.5 GB (scripts/bench.py: 1,536 MiB)
    assert max(quiet, slowest_busy) <= 60 and peak <= 1536
    assert "Every chapter stayed within both limits in both runs" in text
    longer = round(100 * (busy["total"][0] / total - 1))
    assert longer < 25, "the troubleshooting entry says other programs slowed the chapters only a little"
    assert f"beside the two busy processes the whole book took {longer}% longer" in text
    assert "other programs slowed the chapters only a little there ([Budgets]" in text
    # the whole book's time, once: "What each command costs", and the first build's minutes from it
    assert f"every chapter executed once took {total:.1f} s there" in text
    lab = round(2 * total / 60)
    assert f"Time: the chapters twice, about {lab} minutes, the first time" in text
    # each number once in the prose (the budget table repeats them: its rows start with "|")
    prose = " ".join(line for line in PAGE.read_text(encoding="utf-8").splitlines() if not line.startswith("|"))
    for number in (f"{total:.1f} s", f"{quiet:.1f} s", f"{slowest_busy:.1f} s", f"{busy['total'][0]:.1f} s",
                   f"about {lab} minutes", f"{longer}% longer"):
        assert prose.count(number) <= 1, f"{number!r} is stated {prose.count(number)} times"
    mib, _ = spread()
    assert prose.count(f"{mib} MiB") == 2  # the spread, in the fit rule's sentence (stated, then added)
    assert prose.count(f"{peak:,} MiB") == 0  # the largest peak: in the memory table only


def test_the_intro_promise_holds_in_both_runs():
    """The front page's promise, "under a minute on a two-core CPU ... also with both cores busy", holds for
    the slowest chapter of each run (the Budgets page, which it links, gives their times)."""
    idle, busy = runs()
    slowest = max(s for s, _ in idle["rows"].values())
    slowest_busy = max(s for s, _ in busy["rows"].values())
    assert slowest < 60 and slowest_busy < 60
    intro = " ".join(INTRO.read_text(encoding="utf-8").split())
    assert "runs in under a minute on a two-core CPU without a GPU, also with both cores busy" in intro
    assert "also with both cores busy ({ref}`Budgets <budgets>`)" in intro


SERVER_MIB = 90  # a bare JupyterLab server's peak memory, as the page states it
BINDER_MIB = 1024  # the memory mybinder.org guarantees a session
VERDICTS = ("fits", "may not fit", "does not fit")


def _chapters(text: str) -> list[int]:
    """"0, 1, 3, 5–9" or "2, 4 and 10–13" -> the chapter numbers."""
    numbers = []
    for part in re.split(r", | and ", text):
        a, _, b = part.strip().partition("–")
        numbers += range(int(a), int(b or a) + 1)
    return numbers


def binder_verdicts() -> dict[str, list[int]]:
    """Each chapter's verdict from the file: it fits only if its larger peak of the two runs, plus the
    largest run-to-run spread, plus the server, stays within the guaranteed memory; it does not fit if
    its peak plus the server alone is over; else it may not fit."""
    idle, busy = runs()
    peak = {n: max(m, busy["rows"][n][1]) for n, (_, m) in idle["rows"].items()}
    extra, _ = spread()
    want = {v: [] for v in VERDICTS}
    for n, m in sorted(peak.items()):
        if m + extra + SERVER_MIB <= BINDER_MIB:
            want["fits"].append(n)
        elif m + SERVER_MIB > BINDER_MIB:
            want["does not fit"].append(n)
        else:
            want["may not fit"].append(n)
    return want


def test_the_memory_table_sorts_the_chapters_by_what_fits_in_binder():
    idle, busy = runs()
    peak = {n: max(m, busy["rows"][n][1]) for n, (_, m) in idle["rows"].items()}
    want = binder_verdicts()
    page = PAGE.read_text(encoding="utf-8")
    text = re.sub(r"\[(\d+)\]\([^)]*\)", r"\1", " ".join(page.split()))  # chapter links as their numbers
    rows = re.findall(r"^\| ([\d, –]+) \| ([\d,]+)(?: to ([\d,]+))? MiB \| ([^|]+) \|$", page, re.M)
    got = {verdict.strip(): _chapters(chapters) for chapters, _, _, verdict in rows}
    assert got == {k: v for k, v in want.items() if v}
    for chapters, low, high, _ in rows:
        ms = [peak[n] for n in _chapters(chapters)]
        assert (int(low.replace(",", "")), int((high or low).replace(",", ""))) == (min(ms), max(ms)), chapters
    extra, n = spread()
    assert f"the Jupyter server itself takes about {SERVER_MIB} MiB" in text
    assert (f"A chapter's peak differed between the two runs by up to {extra} MiB (chapter {n}), so a chapter "
            f"counts as fitting only if its larger peak, plus {extra} MiB, plus the server's {SERVER_MIB} MiB "
            f"stays within {BINDER_MIB:,} MiB") in text
    short = re.search(r"prefer Colab for chapters ([\d, –and]+?) \(\[why\]", text)
    assert short and _chapters(short.group(1)) == sorted(want["may not fit"] + want["does not fit"])
    died = re.search(r"For chapters ([\d, –and]+?) the chapter alone can cause it", text)
    assert died and _chapters(died.group(1)) == sorted(want["may not fit"] + want["does not fit"])


def test_a_chapter_near_the_limit_may_not_fit(monkeypatch, tmp_path):
    """The verdict is computed, not copied: a chapter whose larger peak plus the spread passes 1 GB may not fit."""
    text = BENCH.read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith("04_"))
    bench = tmp_path / "bench.txt"
    bench.write_text(text.replace(row, row.replace(row.split()[-1], "900")), encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "BENCH", bench)
    assert 4 in binder_verdicts()["may not fit"]


@pytest.mark.parametrize("bad", ["| 3 | 9.1 | 19.3 | 999 | 999 |"])
def test_a_changed_row_would_be_caught(bad, monkeypatch, tmp_path):
    """The table check is not vacuous: a page whose chapter-3 row differs from the file fails."""
    page = tmp_path / "how_to_run.md"
    text = PAGE.read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith("| 3 |"))
    page.write_text(text.replace(row, bad), encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "PAGE", page)
    with pytest.raises(AssertionError, match="chapter 3"):
        test_the_pages_table_is_the_benchmark_files()
