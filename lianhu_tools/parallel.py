"""Run independent jobs on the machine's cores (processes: the solver's Python side holds the GIL)."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor


def run_all(function, jobs: list[tuple], parallel: bool = True) -> list:
    """function(*job) for each job, in separate processes when there is more than one core and job."""
    workers = min(len(jobs), os.cpu_count() or 1)
    if not parallel or workers < 2:
        return [function(*job) for job in jobs]
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        return list(pool.map(function, *zip(*jobs)))
