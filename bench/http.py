"""HTTP load with wrk on `introductions serve` (SQLite, projections in the process; and
PostgreSQL with its `worker`, when there is one): the `introducerReputation` query and
the `recordReply` mutation, next to the framework floor (bench/framework_floor.py: the
same requests answered with constants, strawberry's caches on) under the same uvicorn,
in the same runs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench import server, wrk
from bench.config import Config
from bench.report import Table
from bench.stats import median_of, ms, rate, ratio, times, verdict
from bench.storages import postgres
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
INTRODUCTIONS = 32  # spread over the connections, so that replies rarely conflict
CONTENDED = 10  # fewer than the connections: replies often write the same one at once
READY_TIMEOUT = 120.0
GOALS = {"query": 0.8, "mutation": 0.5}  # of the cached floor's requests/s, same shape
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


def reply_once(
    url: str, story: Story, introduction: str, client: httpx.Client | None = None
) -> dict[str, object]:
    """One `recordReply` over HTTP, answered (no retry): its payload."""
    answer = (client or httpx).post(
        url + "/graphql",
        json={"query": RECORD_REPLY, "variables": {"id": introduction}},
        headers={"Authorization": f"Bearer {story.party_token}"},
        timeout=READY_TIMEOUT,
    )
    answer.raise_for_status()
    body = answer.json()
    if body.get("errors") or body["data"]["recordReply"]["errors"]:
        raise SystemExit(f"recordReply failed on {url}: {body}")
    payload: dict[str, object] = body["data"]["recordReply"]
    return payload


def query_load(story: Story) -> str:
    return wrk.script([story.introducer], REPUTATION, story.party_token, id="__ID__")


@contextmanager
def postgres_service(config: Config, folder: Path) -> Iterator[tuple[str, Story] | None]:
    """(url, story) of a ready `serve` on a PostgreSQL schema of its own, with the
    `worker` that runs its projections; None without PostgreSQL."""
    if not config.postgres_url:
        yield None
        return
    with postgres(config.postgres_url, "http") as storage:
        story = seed_story(storage)
        worker = server.worker(storage.url, folder)
        service = server.serve(storage.url, folder, name="serve-postgres")
        with server.running(worker, service):
            service.wait_until("/readyz", READY_TIMEOUT)
            reply_once(service.url, story, story.introductions[0])  # the worker follows
            yield service.url, story


# name: (label, the cached floor's row it is judged against, goal as a share of it)
ROWS: dict[str, tuple[str, str, float | None]] = {
    "floor_query": ("framework floor, `introducerReputation`'s shape", "floor_query", None),
    "floor_mutation": ("framework floor, `recordReply`'s shape", "floor_mutation", None),
    "cacheless": (
        "framework floor without strawberry's caches, the query's shape (earlier runs' floor)",
        "floor_query",
        None,
    ),
    "query": ("`introducerReputation`", "floor_query", GOALS["query"]),
    "mutation": (
        f"`recordReply` (waits for its projections), {INTRODUCTIONS} open introductions",
        "floor_mutation",
        GOALS["mutation"],
    ),
    "contended": (
        f"`recordReply`, {CONTENDED} open introductions (replies contend for them)",
        "floor_mutation",
        None,
    ),
    "pg_query": ("`introducerReputation`, PostgreSQL `serve` + `worker`", "floor_query", None),
    "pg_mutation": (
        f"`recordReply`, PostgreSQL `serve` + `worker`, {INTRODUCTIONS} open introductions",
        "floor_mutation",
        None,
    ),
    "paced": ("`recordReply`, paced to {pace}× the cached floor's rate", "floor_mutation", None),
    "floor_paced": ("framework floor, `recordReply`'s shape, paced alike", "floor_mutation", None),
}


def run(config: Config, folder: Path) -> Table:
    wrk.require_wrk()
    storage = sqlite_storage(folder, "http")
    story = seed_story(storage)
    contended = seed_story(storage, CONTENDED)
    service = server.serve(storage.url, folder)
    floor = server.framework_floor(folder)
    cacheless = server.framework_floor(folder, cached=False)
    with ExitStack() as stack:
        stack.enter_context(server.running(service, floor, cacheless))
        pg = stack.enter_context(postgres_service(config, folder))
        service.wait_until("/readyz", READY_TIMEOUT)
        floor.wait_until("/docs", READY_TIMEOUT)
        cacheless.wait_until("/docs", READY_TIMEOUT)
        targets = {
            "floor_query": (floor.url, query_load(story)),
            "floor_mutation": (floor.url, reply_load(story)),
            "cacheless": (cacheless.url, query_load(story)),
            "query": (service.url, query_load(story)),
            "mutation": (service.url, reply_load(story)),
            "contended": (service.url, reply_load(contended)),
        }
        if pg is not None:
            pg_url, pg_story = pg
            targets["pg_query"] = (pg_url, query_load(pg_story))
            targets["pg_mutation"] = (pg_url, reply_load(pg_story))
        r = interleaved(targets, config)
        # The p99 goal, at the throughput goal: replies paced to half the cached floor's
        # rate, and the floor paced alike, to show what the machine and the pacing cost.
        goal_rate = GOALS["mutation"] * r["floor_mutation.rps"]
        replies = paced(service.url, lambda rate: reply_load(story, rate), goal_rate, config)
        r.update({f"paced.{k}": v for k, v in replies.items()})
        floor_replies = paced(floor.url, lambda rate: reply_load(story, rate), goal_rate, config)
        r.update({f"floor_paced.{k}": v for k, v in floor_replies.items()})
    return table(r, goal_rate, config)


def table(r: dict[str, float], goal_rate: float, config: Config) -> Table:
    pace = GOALS["mutation"]
    result = Table(
        f"HTTP, SQLite, one `serve` process (PostgreSQL beside): wrk -c{config.connections} "
        f"-d{config.duration:g}s (median of {config.runs})",
        [
            "request",
            "requests/s",
            "p50 ms",
            "p99 ms",
            "non-2xx",
            "GraphQL errors",
            "ratio to the cached floor",
            "goal",
            "verdict",
        ],
    )
    for name, (label, floor, goal_share) in ROWS.items():
        if f"{name}.rps" not in r:
            continue  # PostgreSQL skipped
        share = ratio(r[f"{name}.rps"], r[f"{floor}.rps"])
        no_errors = r[f"{name}.non2xx"] + r[f"{name}.socket_errors"] == 0
        goal, met = "", ""
        if goal_share is not None:
            goal = f"≥ {goal_share}×, no non-2xx"
            met = verdict(share >= goal_share and no_errors)
        elif name == "paced":
            goal = f"p99 ≤ {P99_GOAL_MS:g} ms at ≥ {PACE_REACHED:.0%} of the pace, no non-2xx"
            reached = r[f"{name}.rps"] >= PACE_REACHED * goal_rate
            met = verdict(r[f"{name}.p99"] <= P99_GOAL_MS and reached and no_errors)
        result.add(
            label.format(pace=pace),
            *load_cells(r, name),
            f"{r[f'{name}.errors']:.0f}",
            times(share),
            goal,
            met,
        )
    result.notes.append(
        "The floor is strawberry on FastAPI with its `ParserCache` and `ValidationCache` "
        "extensions under uvicorn started as `serve` starts it, answering the same request "
        "bodies with constants; each row's ratio is to the floor row of its shape. The "
        "floor without the caches answers at "
        f"{times(ratio(r['cacheless.rps'], r['floor_query.rps']))} of the cached one, and "
        f"`introducerReputation` at {times(ratio(r['query.rps'], r['cacheless.rps']))} "
        "of the cacheless one."
    )
    result.notes.append(
        f"{INTRODUCTIONS} (and, for the contended row, {CONTENDED}) consented introductions "
        "seeded in process; the replies pick one at random, and a reply that loses a race "
        "for its introduction counts as a GraphQL error. Non-2xx includes wrk's socket "
        "errors (timeouts); each count is the median over the runs. PostgreSQL rows: "
        "`serve` and a `worker` (the projections) on a schema of their own."
    )
    result.notes.append(
        f"The p99 goal is judged with the replies paced to the throughput goal ({pace}× the "
        f"cached floor's `recordReply` rate, {goal_rate:.0f}/s, over the same "
        f"{config.connections} connections; the runs reached {r['paced.rps']:.0f}/s). "
        "As fast as it answers, each connection sends "
        "again the moment it has its answer, so latency is the connections divided by the "
        "throughput plus the queue's spread, whatever the service does: the floor itself, "
        f"which does nothing, has a p99 of {r['floor_mutation.p99']:.1f} ms that way."
    )
    result.notes.append(
        "Paced, the requests arrive on a random schedule at the pace (exponentially "
        "distributed gaps, as those of independent clients) and each goes out on the "
        f"next free connection of the {config.connections}; wrk times it from then. A fixed "
        "pause after each answer put the connections in step, in bursts, and a pause "
        "calibrated to the pace missed it. The floor paced alike has a p99 of "
        f"{r['floor_paced.p99']:.1f} ms, and the replies' p99 is "
        f"{times(ratio(r['paced.p99'], r['floor_paced.p99']))} of it."
    )
    return result
