"""`make demo`, step by step: seconds of each step (and of its timed parts) on the wall clock and in CPU time.

    .venv/bin/python bench/demo.py                        # small, then city (what make demo runs), seed 2012
    .venv/bin/python bench/demo.py --sizes city --seed 7

Each size runs `run_demo` in a fresh process (imports included in its total), into a temporary folder. Target
(issue 13): city under 2 minutes on a 2-core machine. CPU time (user + system, finished child processes included)
is printed beside the wall clock because a shared machine's wall clock is noisy. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path


def one(size: str, seed: int, out: Path) -> None:
    """In the child: the demo, then its steps' timings as one line of JSON."""
    from lianhu_tools.demo.pipeline import run_demo

    timings: list = []
    run_demo(size, seed, out, say=lambda message: None, timings=timings)
    print(json.dumps(timings, ensure_ascii=False))


def measured(size: str, seed: int) -> tuple[list, float, float]:
    """One fresh process running the demo: its steps, its wall and CPU seconds."""
    with tempfile.TemporaryDirectory(prefix="lianhu_bench_demo_") as folder:
        started = time.perf_counter()
        child = subprocess.Popen([sys.executable, __file__, "--one", size, "--seed", str(seed), "--out", f"{folder}/demo"],
                                 stdout=subprocess.PIPE, text=True)
        output = child.stdout.read()
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
    if status:
        sys.exit(f"the {size} demo failed (status {status})")
    return json.loads(output.strip().splitlines()[-1]), wall, usage.ru_utime + usage.ru_stime


def columns(text: str) -> int:
    """Terminal columns `text` takes (a Chinese character takes two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def padded(text: str, width: int) -> str:
    return text + " " * (width - columns(text))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", nargs="+", default=["small", "city"])
    parser.add_argument("--seed", type=int, default=2012)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        return one(args.one, args.seed, args.out)

    runs = {size: measured(size, args.seed) for size in args.sizes}
    steps = list(dict.fromkeys(name for timings, _, _ in runs.values() for name, _, _ in timings))
    width = max(map(columns, steps + ["process total (imports included)"]))
    print(f"make demo, step by step (seed {args.seed}; {os.cpu_count()} cores; seconds, wall / CPU = user + system)")
    print(padded("step", width) + "".join(f" | {size:>8} wall {'CPU':>6}" for size in runs))
    for step in steps:
        cells = []
        for timings, _, _ in runs.values():
            found = [(wall, cpu) for name, wall, cpu in timings if name == step]
            cells.append(f" | {found[0][0]:13.1f} {found[0][1]:6.1f}" if found else f" | {'—':>13} {'':>6}")
        print(padded(step, width) + "".join(cells))
    print(padded("steps total", width) + "".join(f" | {sum(w for _, w, _ in t):13.1f} {sum(c for _, _, c in t):6.1f}"
                                               for t, _, _ in runs.values()))
    print(padded("process total (imports included)", width) + "".join(f" | {wall:13.1f} {cpu:6.1f}"
                                                                    for _, wall, cpu in runs.values()))


if __name__ == "__main__":
    main()
