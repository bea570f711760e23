"""Starting several real OS processes at the same moment (spawn start method, a barrier),
each running `target(*args, barrier, results)` and putting one outcome on `results`."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from typing import Any


def run_together(target: Callable[..., None], *args: Any, processes: int) -> list[Any]:
    spawn = multiprocessing.get_context("spawn")
    barrier = spawn.Barrier(processes)
    results = spawn.Queue()
    started = [
        spawn.Process(target=target, args=(*args, barrier, results)) for _ in range(processes)
    ]
    for process in started:
        process.start()
    outcomes = [results.get(timeout=120) for _ in started]
    for process in started:
        process.join(timeout=30)
    return outcomes
