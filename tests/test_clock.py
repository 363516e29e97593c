"""helpers.clock: timings recorded by the English build and replayed by the Chinese one."""

from __future__ import annotations

import sys
import time
from types import ModuleType, SimpleNamespace

import pytest

from helpers import clock


@pytest.fixture
def kernel(monkeypatch):
    """A stand-in IPython whose input history the test sets (clock reads only ``user_ns['In']``)."""
    shell = SimpleNamespace(user_ns={"In": [""]})
    fake = ModuleType("IPython")
    fake.get_ipython = lambda: shell
    monkeypatch.setitem(sys.modules, "IPython", fake)
    monkeypatch.setattr(clock, "_seen", {})
    monkeypatch.setattr(clock, "_replayed", {})
    return shell


def run_cells(shell, cells, readings_per_cell=2):
    out = []
    for source in cells:
        shell.user_ns["In"].append(source)
        out.append([clock.perf_counter() for _ in range(readings_per_cell)])
        time.sleep(0.002)
    return out


def test_off_is_the_real_clock(monkeypatch, kernel):
    monkeypatch.delenv(clock.VARIABLE, raising=False)
    a = clock.perf_counter()
    b = time.perf_counter()
    assert a <= b < a + 1


def test_replay_gives_the_recorded_readings_in_order(monkeypatch, tmp_path, kernel):
    cells = ["import torch\n", "t0 = clock.perf_counter()\n", "print(1)\n"]
    monkeypatch.setenv(clock.VARIABLE, f"record:{tmp_path}")
    recorded = run_cells(kernel, cells)
    # the Chinese kernel: a fresh process whose first cell is the build's language cell
    kernel.user_ns["In"] = ["", clock.SKIP_MARK + "：代码打印的文字用中文\nimport os\n"]
    monkeypatch.setattr(clock, "_replayed", {})
    monkeypatch.setenv(clock.VARIABLE, f"replay:{tmp_path}")
    time.sleep(0.01)
    assert run_cells(kernel, cells) == recorded
    assert recorded[1][1] > recorded[1][0]


def test_process_time_is_recorded_and_replayed_apart_from_perf_counter(monkeypatch, tmp_path, kernel):
    monkeypatch.setenv(clock.VARIABLE, f"record:{tmp_path}")
    kernel.user_ns["In"].append("t = clock.process_time()\n")
    recorded = [clock.process_time(), clock.perf_counter(), clock.process_time(), clock.thread_time()]
    monkeypatch.setattr(clock, "_replayed", {})
    monkeypatch.setenv(clock.VARIABLE, f"replay:{tmp_path}")
    sum(range(200_000))
    assert [clock.process_time(), clock.perf_counter(), clock.process_time(), clock.thread_time()] == recorded


def test_a_cell_that_was_not_recorded_reads_the_real_clock_with_a_warning(monkeypatch, tmp_path, kernel):
    monkeypatch.setenv(clock.VARIABLE, f"replay:{tmp_path}")
    kernel.user_ns["In"].append("x = 1\n")
    with pytest.warns(UserWarning, match="no recorded perf_counter reading 0"):
        value = clock.perf_counter()
    assert abs(value - time.perf_counter()) < 1


def test_the_same_cell_after_other_code_is_another_key(monkeypatch, tmp_path, kernel):
    monkeypatch.setenv(clock.VARIABLE, f"record:{tmp_path}")
    run_cells(kernel, ["a = 1\n", "t = clock.perf_counter()\n"], readings_per_cell=1)
    kernel.user_ns["In"] = [""]
    monkeypatch.setattr(clock, "_seen", {})
    run_cells(kernel, ["b = 2\n", "t = clock.perf_counter()\n"], readings_per_cell=1)
    assert len(list(tmp_path.glob("*.json"))) == 4


@pytest.mark.parametrize("value", ["record", "replay:", "play:/tmp/x", "/tmp/x"])
def test_a_bad_setting_is_named(monkeypatch, value):
    monkeypatch.setenv(clock.VARIABLE, value)
    with pytest.raises(ValueError, match=r"BOOK_CLOCK must be 'record:DIR' or 'replay:DIR'.*" + repr(value).replace("/", ".")):
        clock.perf_counter()
