"""HTTP load with wrk on `introductions serve` (SQLite, projections in the process):
the `introducerReputation` query and the `recordReply` mutation, next to the framework
floor (bench/framework_floor.py) under the same uvicorn, in the same runs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bench import server, wrk
from bench.config import Config
from bench.report import Table
from bench.stats import median_of, ms, rate, ratio, times, verdict
from bench.storages import sqlite as sqlite_storage
from domain.bootstrap import open_application
from domain.introduction import ADMIN
from domain.storage import Storage

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


def reply_load(story: Story) -> str:
    return wrk.script(story.introductions, RECORD_REPLY, story.party_token, id="__ID__")


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
            "floor": (floor.url, wrk.script(["x"], HELLO, "none")),
            "query": (service.url, query),
            "mutation": (service.url, reply_load(story)),
        }
        r = interleaved(targets, config)
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
    goals = {"query": 0.8, "mutation": 0.5}
    labels = {
        "floor": "framework floor `{ hello }`",
        "query": "`introducerReputation`",
        "mutation": "`recordReply` (waits for its projections)",
    }
    for name, label in labels.items():
        share = ratio(r[f"{name}.rps"], r["floor.rps"])
        goal, met = "", ""
        if name in goals:
            p99_goal = name == "mutation"
            goal = f"≥ {goals[name]}×{', p99 ≤ 50 ms' if p99_goal else ''}, no non-2xx"
            met = verdict(
                share >= goals[name]
                and r[f"{name}.non2xx"] + r[f"{name}.socket_errors"] == 0
                and (not p99_goal or r[f"{name}.p99"] <= 50)
            )
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
    return table
