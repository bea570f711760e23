"""Load with wrk: a Lua script posts a GraphQL body (with a random id of a list in place
of __ID__) and counts answers that are not 200 and GraphQL errors."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

LUA = """
local threads = {}
function setup(thread) table.insert(threads, thread); thread:set("number", #threads) end
function init(args) errors = 0; non200 = 0; math.randomseed(os.time() * 100 + number) end
local ids = {%(ids)s}
local body = %(body)s
local headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer %(token)s"}
function request()
  local id = ids[math.random(#ids)]
  return wrk.format("POST", "/graphql", headers, (body:gsub("__ID__", id)))
end
function response(status, hdrs, resp)
  if status ~= 200 then non200 = non200 + 1
  elseif string.find(resp, '"errors":[{', 1, true) or string.find(resp, '"errors": [{', 1, true)
  then errors = errors + 1 end
end
function done(summary, latency, requests)
  local e, n = 0, 0
  for _, t in ipairs(threads) do e = e + t:get("errors"); n = n + t:get("non200") end
  io.write(string.format("ERRORS %%d NON200 %%d\\n", e, n))
end
"""


def require_wrk() -> None:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk)")


# Arrivals on a schedule: each wrk thread draws the times of its requests as a Poisson
# process (exponentially distributed gaps) and, when a connection is free, delay() holds
# it until the next arrival. LuaJIT's ffi gives the monotonic clock that wrk's Lua lacks.
SCHEDULE = """
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clock_id, bench_timespec *tp);
]]
local clock = ffi.new("bench_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, clock)  -- CLOCK_MONOTONIC
  return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
end
local next_arrival = nil
function delay()
  local now = now_ms()
  next_arrival = (next_arrival or now) - math.log(1 - math.random()) * %(gap_ms).6f
  return math.max(0, next_arrival - now)
end
"""
THREADS = 2


def script(
    ids: list[str], query: str, token: str, *, rate: float | None = None, **variables: Any
) -> str:
    """A Lua script posting `query`; a variable whose value is "__ID__" takes a random id
    of `ids` on each request. With `rate` (requests per second over all connections), the
    requests arrive at that rate on a random schedule, as those of independent clients
    do: each connection, once answered, waits for the next arrival, and goes at once when
    that time has passed (all connections busy), so that a stall is followed by the
    arrivals it held up. The rate is then the schedule's, whatever the latency, as long
    as the connections keep up with it."""
    lua = LUA % {
        "ids": ", ".join(json.dumps(i) for i in ids),
        "body": json.dumps(json.dumps({"query": query, "variables": variables})),
        "token": token,
    }
    if rate is not None:
        lua += SCHEDULE % {"gap_ms": 1000 * THREADS / rate}
    return lua


def run(url: str, lua: str, *, duration: int, connections: int) -> dict[str, float]:
    """requests/s, p50 and p99 in ms, GraphQL errors, non-2xx answers and socket errors."""
    threads = min(THREADS, connections)
    if "function delay()" in lua and threads != THREADS:
        msg = f"a schedule is split over {THREADS} threads: give {THREADS} connections or more"
        raise ValueError(msg)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "load.lua"
        path.write_text(lua)
        done = subprocess.run(
            [
                "wrk",
                "-t",
                str(threads),
                "-c",
                str(connections),
                "-d",
                f"{duration}s",
                "--timeout",
                "10s",
                "--latency",
                "-s",
                str(path),
                url + "/graphql",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    if done.returncode:
        raise SystemExit(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    out = done.stdout

    def latency(label: str) -> float:
        m = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M)
        assert m, out
        value, unit = float(m.group(1)), m.group(2)
        return value * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]

    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    counted = re.search(r"ERRORS (\d+) NON200 (\d+)", out)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    assert rps, out
    assert counted, out
    return {
        "rps": float(rps.group(1)),
        "p50": latency("50%"),
        "p99": latency("99%"),
        "errors": float(counted.group(1)),
        "non2xx": float(counted.group(2)),
        "socket_errors": float(sum(int(g) for g in sockets.groups())) if sockets else 0.0,
    }
