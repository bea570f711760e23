"""Where a request's time goes: `python -m bench.profile` runs bench http's two loads on a
SQLite `serve` and on the cached framework floor, and prints for each the CPU
milliseconds per request (the process's user + system time from /proc over the wrk run)
and, with py-spy installed (`pip install -e ".[bench]"`), the largest shares of the
service's sampled stacks under each of our entry points. With --gil only the thread
holding the GIL is sampled, and the share of the time it was held comes first.

Not a benchmark: py-spy slows what it samples, so its shares say where the time goes,
and the CPU per request (taken in separate, unsampled runs) says how much there is."""

from __future__ import annotations

import argparse
import collections
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from bench import server, wrk
from bench.http import query_load, reply_load, seed_story
from bench.storages import sqlite as sqlite_storage

LOADS = {"query": query_load, "reply": reply_load}
RATE = 200  # py-spy's samples a second
# A stack counts under the first area whose frames (all of them) it holds.
AREAS = (
    ("reading thread: reputation view", ("ReadModels.reputation",)),
    ("reading thread: persons (their events, opened)", ("read_persons",)),
    ("write thread: load the introduction", ("_introduction_to_change",)),
    ("write thread: the rule and its event", ("Introduction.record_reply",)),
    ("write thread: waiting for the group's commit", ("insert_events", "Condition.wait")),
    ("write thread: fold own write", ("fold_own_write",)),
    ("write thread: insert and commit", ("insert_events",)),
    ("write thread: other", ("write_and_wait",)),
    ("pools' threads between tasks", ("_worker",)),
    ("event loop: strawberry execution", ("Schema.execute",)),
    ("event loop: middlewares, routing, uvicorn", ("Runner.run",)),
    # A coroutine resumed by the loop is sampled without the loop's frames beneath it.
    ("event loop: strawberry execution", ("strawberry/",)),
    ("event loop: strawberry execution", ("graphql/",)),
    ("event loop: middlewares, routing, uvicorn", ("uvicorn/",)),
    ("event loop: middlewares, routing, uvicorn", ("starlette/",)),
    ("event loop: middlewares, routing, uvicorn", ("fastapi/",)),
    ("event loop: middlewares, routing, uvicorn", ("api/",)),
    ("storage calls outside the areas above", ("eventsourcing/",)),
)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_ms_per_request(target: server.Process, lua: str, seconds: int) -> tuple[float, float]:
    """(requests/s, CPU ms per request) of one wrk run of 16 connections."""
    before = cpu_seconds(target.popen.pid)
    figures = wrk.run(target.url, lua, duration=seconds, connections=16)
    used = cpu_seconds(target.popen.pid) - before
    return figures["rps"], 1000 * used / max(1.0, figures["rps"] * seconds)


def sampled_shares(
    target: server.Process, lua: str, seconds: int, folder: Path, *, gil: bool = False
) -> list[str]:
    spy = shutil.which("py-spy")
    if spy is None:
        return ["(py-spy not installed: no shares)"]
    out = folder / "stacks.txt"
    record = [spy, "record", "--nonblocking", "-r", str(RATE), "-d", str(seconds), "-f", "raw"]
    record += ["--gil"] if gil else []
    sampler = subprocess.Popen(
        [*record, "-o", str(out), "-p", str(target.popen.pid)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1)
    wrk.run(target.url, lua, duration=seconds + 2, connections=16)
    sampler.wait()
    collapsed = out.read_text()
    if not gil:
        return shares(collapsed)
    held = sum(int(line.rpartition(" ")[2]) for line in collapsed.splitlines())
    return [f"the GIL held {100 * held / (RATE * seconds):.0f}% of the time", *shares(collapsed)]


def shares(collapsed: str) -> list[str]:
    """Each area's share of the samples in which a thread was running."""
    counts: collections.Counter[str] = collections.Counter()
    total = 0
    for line in collapsed.splitlines():
        stack, _, n = line.rpartition(" ")
        total += int(n)
        area = next((a for a, frames in AREAS if all(f in stack for f in frames)), "other")
        counts[area] += int(n)
    return [f"{100 * n / max(1, total):5.1f}%  {area}" for area, n in counts.most_common()]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("--duration", type=int, default=10, help="seconds of each wrk run")
    parser.add_argument("--gil", action="store_true", help="sample only the thread holding the GIL")
    args = parser.parse_args()
    wrk.require_wrk()
    with tempfile.TemporaryDirectory(prefix="introductions-profile-") as name:
        folder = Path(name)
        storage = sqlite_storage(folder, "profile")
        story = seed_story(storage)
        service = server.serve(storage.url, folder)
        floor = server.framework_floor(folder)
        with server.running(service, floor):
            service.wait_until("/readyz", 120)
            floor.wait_until("/docs", 120)
            for load, make in LOADS.items():
                lua = make(story)
                wrk.run(service.url, lua, duration=2, connections=16)  # warm
                ours, floors = (cpu_ms_per_request(t, lua, args.duration) for t in (service, floor))
                print(
                    f"{load}: serve {ours[0]:.0f}/s at {ours[1]:.2f} CPU ms a request; "
                    f"floor {floors[0]:.0f}/s at {floors[1]:.2f} ms ({ours[1] / floors[1]:.2f}×)"
                )
                for line in sampled_shares(service, lua, args.duration, folder, gil=args.gil):
                    print("   ", re.sub(r"\s+$", "", line))


if __name__ == "__main__":
    main()
