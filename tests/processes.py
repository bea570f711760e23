"""Starting several real OS processes at the same moment (spawn start method, a barrier),
each running `target(*args, barrier, results)` and putting one outcome on `results`; and
the same with threads of this process, each returning its outcome."""

from __future__ import annotations

import multiprocessing
import threading
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


def run_in_threads(target: Callable[[], Any], threads: int) -> list[Any]:
    """Each thread waits for all the others, then runs `target`; the outcomes (what it
    returned, or the exception it raised) in no particular order."""
    barrier = threading.Barrier(threads)
    outcomes: list[Any] = []

    def run() -> None:
        barrier.wait(timeout=30)
        try:
            outcomes.append(target())
        except Exception as e:  # the caller decides whether an error is an outcome
            outcomes.append(e)

    started = [threading.Thread(target=run) for _ in range(threads)]
    for thread in started:
        thread.start()
    for thread in started:
        thread.join(timeout=120)
    return outcomes
