"""Execute each notebook in a fresh kernel; print wall time and the kernel's peak memory.

Peak memory is the kernel process's VmHWM (peak resident set size) read from /proc at the
end of the run, so it covers everything the notebook did. Linux only.

    python scripts/bench.py chapters/*.ipynb
"""

from __future__ import annotations

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


def main(paths: list[str]) -> int:
    total, worst = 0.0, 0.0
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
