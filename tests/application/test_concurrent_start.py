"""Several processes (API, workers) starting together on the same new database all
open it: creating the tables at the same moment is not an error."""

from __future__ import annotations

import multiprocessing

from domain.storage import Storage
from tests.application.race_worker import open_together

PROCESSES = 3


def test_processes_starting_together_all_open_the_same_new_database(storage: Storage) -> None:
    spawn = multiprocessing.get_context("spawn")
    start = spawn.Barrier(PROCESSES)
    results = spawn.Queue()
    processes = [
        spawn.Process(target=open_together, args=(storage.url, start, results))
        for _ in range(PROCESSES)
    ]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=60) for _ in processes]
    for process in processes:
        process.join(timeout=30)

    assert outcomes == [("opened", None)] * PROCESSES, outcomes
