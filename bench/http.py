"""HTTP load with wrk on `introductions serve` (SQLite, projections in the process):
the `introducerReputation` query and the `recordReply` mutation, next to the framework
floor (bench/framework_floor.py) under the same uvicorn, in the same runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench import server, wrk
from bench.config import Config
from bench.report import Table
from bench.stats import median_of, ms, rate, ratio, times, verdict
from bench.storages import sqlite as sqlite_storage
from domain.introduction import ADMIN
from storage.bootstrap import open_application
from storage.database import Storage

REPUTATION = (
    "query($id: ID!) { introducerReputation(introducerId: $id) "
    "{ score rankingScore proposed introducer { displayName } } }"
)
RECORD_REPLY = (
    'mutation($id: ID!) { recordReply(id: $id, message: "bench") '
    "{ introduction { version } errors { code } } }"
)
HELLO = "{ hello }"
INTRODUCTIONS = 32  # spread over the connections, so that replies rarely conflict
READY_TIMEOUT = 120.0
GOALS = {"query": 0.8, "mutation": 0.5}  # of the floor's requests/s
P99_GOAL_MS = 50.0
PACE_REACHED = 0.95  # a p99 is judged only at a rate this close to the goal's


@dataclass(frozen=True)
class Story:
    introducer: str
    party_token: str  # a party to every introduction: may read the reputation and reply
    introductions: list[str]


def seed_story(storage: Storage, introductions: int = INTRODUCTIONS) -> Story:
    """In process: one introducer, one requester with a token, `introductions` consented
    introductions of the requester to as many targets."""
    app = open_application(storage)
    try:
        introducer, requester = (
            str(app.register_person(ADMIN, name).person.id) for name in ("Jason", "Jim")
        )
        token, _ = app.issue_token(ADMIN, requester)
        ids = []
        for i in range(introductions):
            target = str(app.register_person(ADMIN, f"Target {i}").person.id)
            iid = app.propose(introducer, requester, target, "bench").introduction.id
            app.consent(requester, iid)
            app.consent(target, iid)
            ids.append(str(iid))
        return Story(introducer, token, ids)
    finally:
        app.close()


def reply_load(story: Story, rate: float | None = None) -> str:
    return wrk.script(story.introductions, RECORD_REPLY, story.party_token, rate=rate, id="__ID__")


def hello_load(rate: float | None = None) -> str:
    return wrk.script(["x"], HELLO, "none", rate=rate)


def paced(url: str, load: Callable[[float], str], rate: float, config: Config) -> dict[str, float]:
    """wrk's figures for requests arriving at `rate` per second over all connections,
    `load(rate)` giving the Lua script (bench/wrk.py's schedule). wrk alone can only
    pause after each answer: the pause calibrated in short runs before these had the
    load miss the pace in both directions, once by 23% over it, which loads the service
    more than the goal asks (BENCHMARKS.md, 2026-11-26)."""

    def one(_: int) -> dict[str, float]:
        return wrk.run(url, load(rate), duration=config.duration, connections=config.connections)

    return median_of(config.runs, one)


def interleaved(targets: dict[str, tuple[str, str]], config: Config) -> dict[str, float]:
    """Median over the runs of each target's (url, Lua script) wrk figures, keyed
    "target.figure". The targets take turns within a run, so that a change in the
    machine's load hits them alike."""

    def one(_: int) -> dict[str, float]:
        results = {}
        for name, (url, lua) in targets.items():
            figures = wrk.run(url, lua, duration=config.duration, connections=config.connections)
            results.update({f"{name}.{key}": value for key, value in figures.items()})
        return results

    return median_of(config.runs, one)


def load_cells(r: dict[str, float], name: str) -> list[str]:
    """requests/s, p50, p99 and non-2xx answers (socket errors included) of one target."""
    bad = r[f"{name}.non2xx"] + r[f"{name}.socket_errors"]
    return [rate(r[f"{name}.rps"]), ms(r[f"{name}.p50"]), ms(r[f"{name}.p99"]), f"{bad:.0f}"]


def run(config: Config, folder: Path) -> Table:
    wrk.require_wrk()
    storage = sqlite_storage(folder, "http")
    story = seed_story(storage)
    service = server.serve(storage.url, folder)
    floor = server.framework_floor(folder)
    with server.running(service, floor):
        service.wait_until("/readyz", READY_TIMEOUT)
        floor.wait_until("/docs", READY_TIMEOUT)
        query = wrk.script([story.introducer], REPUTATION, story.party_token, id="__ID__")
        targets = {
            "floor": (floor.url, hello_load()),
            "query": (service.url, query),
            "mutation": (service.url, reply_load(story)),
        }
        r = interleaved(targets, config)
        # The p99 goal, at the throughput goal: replies paced to half the floor's rate,
        # and the floor paced alike, to show what the machine and the pacing alone cost.
        goal_rate = GOALS["mutation"] * r["floor.rps"]
        replies = paced(service.url, lambda rate: reply_load(story, rate), goal_rate, config)
        r.update({f"paced.{k}": v for k, v in replies.items()})
        hellos = paced(floor.url, hello_load, goal_rate, config)
        r.update({f"floor_paced.{k}": v for k, v in hellos.items()})
    pace = GOALS["mutation"]
    table = Table(
        f"HTTP, SQLite, one `serve` process: wrk -c{config.connections} "
        f"-d{config.duration:g}s (median of {config.runs})",
        [
            "request",
            "requests/s",
            "p50 ms",
            "p99 ms",
            "non-2xx",
            "GraphQL errors",
            "ratio to floor",
            "goal",
            "verdict",
        ],
    )
    labels = {
        "floor": "framework floor `{ hello }`, as fast as it answers",
        "query": "`introducerReputation`, as fast as it answers",
        "mutation": "`recordReply` (waits for its projections), as fast as it answers",
        "paced": f"`recordReply`, paced to {pace}× the floor's rate",
        "floor_paced": "framework floor, paced alike (the p99's baseline)",
    }
    for name, label in labels.items():
        share = ratio(r[f"{name}.rps"], r["floor.rps"])
        no_errors = r[f"{name}.non2xx"] + r[f"{name}.socket_errors"] == 0
        goal, met = "", ""
        if name in GOALS:
            goal = f"≥ {GOALS[name]}×, no non-2xx"
            met = verdict(share >= GOALS[name] and no_errors)
        elif name == "paced":
            goal = f"p99 ≤ {P99_GOAL_MS:g} ms at ≥ {PACE_REACHED:.0%} of the pace, no non-2xx"
            reached = r[f"{name}.rps"] >= PACE_REACHED * goal_rate
            met = verdict(r[f"{name}.p99"] <= P99_GOAL_MS and reached and no_errors)
        table.add(
            label,
            *load_cells(r, name),
            f"{r[f'{name}.errors']:.0f}",
            times(share),
            goal,
            met,
        )
    table.notes.append(
        f"{INTRODUCTIONS} consented introductions seeded in process; the replies pick one at "
        "random. Non-2xx includes wrk's socket errors (timeouts); "
        "each count is the median over the runs."
    )
    table.notes.append(
        f"The p99 goal is judged with the replies paced to the throughput goal ({pace}× the "
        f"floor's rate, {goal_rate:.0f}/s, over the same "
        f"{config.connections} connections; the runs reached {r['paced.rps']:.0f}/s). "
        "As fast as it answers, each connection sends "
        "again the moment it has its answer, so latency is the connections divided by the "
        "throughput plus the queue's spread, whatever the service does: the floor itself, "
        f"which does nothing, has a p99 of {r['floor.p99']:.1f} ms that way."
    )
    table.notes.append(
        "Paced, the requests arrive on a random schedule at the pace (exponentially "
        "distributed gaps, as those of independent clients) and each goes out on the "
        f"next free connection of the {config.connections}; wrk times it from then. A fixed "
        "pause after each answer put the connections in step, in bursts, and a pause "
        "calibrated to the pace missed it. The floor paced alike has a p99 of "
        f"{r['floor_paced.p99']:.1f} ms, and the replies' p99 is "
        f"{times(ratio(r['paced.p99'], r['floor_paced.p99']))} of it."
    )
    return table
