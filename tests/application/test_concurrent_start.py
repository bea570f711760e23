"""Several processes (API, workers) starting together on the same new database all
open it: creating the tables at the same moment is not an error."""

from __future__ import annotations

import pytest

from storage.database import Storage
from tests.application.race_worker import open_together
from tests.processes import run_together

pytestmark = pytest.mark.processes

PROCESSES = 3


def test_processes_starting_together_all_open_the_same_new_database(storage: Storage) -> None:
    outcomes = run_together(open_together, storage.url, processes=PROCESSES)
    assert outcomes == [("opened", None)] * PROCESSES, outcomes
