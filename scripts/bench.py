"""Execute each notebook in a fresh kernel; print wall time and the kernel's peak memory.

Peak memory is the kernel process's VmHWM (peak resident set size) read from /proc at the
end of the run, so it covers everything the notebook did. Linux only.

    python scripts/bench.py chapters/*.ipynb
    python scripts/bench.py --busy 2 chapters/*.ipynb   # beside two busy processes (a busy laptop)

With ``--busy N``, N processes that keep one core each fully busy run for the whole benchmark, as
other programs do on a learner's laptop; every chapter must still finish in 60 s.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

PEAK_CELL = (
    "import re as _re\n"
    "print('VmHWM', _re.search(r'VmHWM:\\s+(\\d+) kB', open('/proc/self/status').read()).group(1))"
)


def run(path: Path) -> tuple[float, float]:
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(PEAK_CELL))
    client = NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    out = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
    peak_mb = int(out.split()[1]) / 1024
    return seconds, peak_mb


def _spin(stop) -> None:
    """Keep one core busy (pure Python arithmetic) until ``stop`` is set."""
    x = 0
    while not stop.is_set():
        for i in range(100_000):
            x = (x + i * i) % 1_000_003


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="+", help="notebooks to execute")
    parser.add_argument("--busy", type=int, default=0, help="busy processes to run beside the notebooks (default 0)")
    args = parser.parse_args(argv)
    if args.busy < 0:
        parser.error(f"--busy must be >= 0, got {args.busy}")
    stop = mp.Event()
    spinners = [mp.Process(target=_spin, args=(stop,), daemon=True) for _ in range(args.busy)]
    for s in spinners:
        s.start()
    try:
        return _bench(args.paths, args.busy)
    finally:
        stop.set()
        for s in spinners:
            s.join(timeout=5)


def _bench(paths: list[str], busy: int) -> int:
    total, worst = 0.0, 0.0
    if busy:
        print(f"beside {busy} busy process(es), each keeping one core fully busy")
    print(f"{'notebook':40s} {'time (s)':>9s} {'peak RSS (MB)':>14s}")
    for p in paths:
        seconds, peak = run(Path(p))
        total += seconds
        worst = max(worst, peak)
        flag = "" if seconds <= 60 and peak <= 1536 else "   OVER BUDGET"
        print(f"{Path(p).name:40s} {seconds:9.1f} {peak:14.0f}{flag}")
    print(f"{'whole book':40s} {total:9.1f} {worst:14.0f}  (sum of times; largest peak)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
