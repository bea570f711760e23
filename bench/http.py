"""HTTP load on `introductions serve` (SQLite, projections in process) with wrk, next to
a minimal strawberry-on-FastAPI app under the same uvicorn, to separate the cost of the
service from the cost of the stack.

    /tmp/venv/bin/python bench/http.py --duration 10 --connections 16

Prints a Markdown table (requests/s, latency p50/p99, error responses)."""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path, and this module's name
# would hide the standard library's `http` package from httpx and uvicorn.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
ADMIN = "bench-admin-token-" + "z" * 32
LUA = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) errors = 0; non200 = 0 end
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


def baseline_app() -> Any:
    """The stack without the service: one async field, no extensions, no storage."""
    import strawberry
    from fastapi import FastAPI
    from strawberry.fastapi import GraphQLRouter

    @strawberry.type
    class Query:
        @strawberry.field
        async def hello(self) -> str:
            return "world"

    app = FastAPI()
    app.include_router(GraphQLRouter(strawberry.Schema(query=Query)), prefix="/graphql")
    return app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_up(url: str) -> None:
    for _ in range(300):
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not come up")


def gql(client: httpx.Client, token: str, query: str, **variables: Any) -> dict[str, Any]:
    r = client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    )
    body = r.json()
    assert not body.get("errors"), body
    return body["data"]


def seed(client: httpx.Client, introductions: int) -> dict[str, Any]:
    def person(name: str) -> tuple[str, str]:
        pid = gql(
            client,
            ADMIN,
            "mutation($n: String!) { registerPerson(input: {displayName: $n}) { person { id } } }",
            n=name,
        )["registerPerson"]["person"]["id"]
        token = gql(
            client, ADMIN, "mutation($p: ID!) { issueToken(personId: $p) { token } }", p=pid
        )["issueToken"]["token"]
        return pid, token

    jason, jason_token = person("Jason")
    jim, jim_token = person("Jim")
    ids = []
    for i in range(introductions):
        target, target_token = person(f"Target {i}")
        iid = gql(
            client,
            jason_token,
            "mutation($r: ID!, $t: ID!) { proposeIntroduction(input: "
            '{requesterId: $r, targetId: $t, context: "bench"}) { introduction { id } } }',
            r=jim,
            t=target,
        )["proposeIntroduction"]["introduction"]["id"]
        for token in (jim_token, target_token):
            gql(
                client,
                token,
                "mutation($i: ID!) { consentToIntroduction(id: $i) { errors { code } } }",
                i=iid,
            )
        ids.append(iid)
    return {"jason": jason, "jim_token": jim_token, "ids": ids}


def wrk(url: str, script: str, args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    out = subprocess.run(
        [
            "wrk",
            "-t",
            str(args.threads),
            "-c",
            str(args.connections),
            "-d",
            f"{args.duration}s",
            "--latency",
            "-s",
            f.name,
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    os.unlink(f.name)

    def ms(label: str) -> float:
        m = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        assert m, out
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"ERRORS (\d+) NON200 (\d+)", out)
    assert errors, out
    return {
        "rps": rps,
        "p50": ms("50%"),
        "p99": ms("99%"),
        "errors": int(errors.group(1)),
        "non200": int(errors.group(2)),
    }


def lua(ids: list[str], body: dict[str, Any], token: str) -> str:
    return LUA % {
        "ids": ", ".join(json.dumps(i) for i in ids),
        "body": json.dumps(json.dumps(body)),
        "token": token,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--introductions", type=int, default=32)
    parser.add_argument("--serve-baseline", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_baseline:
        import uvicorn

        uvicorn.run(baseline_app(), port=args.serve_baseline, log_level="warning")
        return
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    workdir = Path(tempfile.mkdtemp(prefix="bench_http_"))
    env = {
        **os.environ,
        "INTRODUCTIONS_DATABASE_URL": f"sqlite:///{workdir / 'bench.db'}",
        "INTRODUCTIONS_ADMIN_TOKEN": ADMIN,
        "PYTHONPATH": str(REPO),
    }
    port, base_port = free_port(), free_port()
    serve = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from api.cli import main; main()",
            "serve",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = subprocess.Popen(
        [sys.executable, __file__, "--serve-baseline", str(base_port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url, base_url = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{base_port}"
        wait_up(url + "/healthz")
        wait_up(base_url + "/graphql")
        with httpx.Client(base_url=url, timeout=60) as client:
            s = seed(client, args.introductions)
        runs = {
            "minimal strawberry app `{ hello }`": wrk(
                base_url + "/graphql", lua(["x"], {"query": "{ hello }"}, "none"), args
            ),
            "`introducerReputation` (query)": wrk(
                url + "/graphql",
                lua(
                    [s["jason"]],
                    {
                        "query": "query($id: ID!) { introducerReputation(introducerId: $id) "
                        "{ score rankingScore proposed introducer { displayName } } }",
                        "variables": {"id": "__ID__"},
                    },
                    s["jim_token"],
                ),
                args,
            ),
            "`recordReply` (mutation, waits for the projections)": wrk(
                url + "/graphql",
                lua(
                    s["ids"],
                    {
                        "query": "mutation($id: ID!) { recordReply(id: $id, message: "
                        '"bench") { introduction { version } errors { code } } }',
                        "variables": {"id": "__ID__"},
                    },
                    s["jim_token"],
                ),
                args,
            ),
        }
    finally:
        for p in (serve, base):
            p.terminate()
            p.wait(timeout=15)
        shutil.rmtree(workdir, ignore_errors=True)
    print(
        f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s, "
        f"{args.introductions} introductions for recordReply\n"
    )
    print("| request | requests/s | p50 ms | p99 ms | error responses |")
    print("|---|---:|---:|---:|---:|")
    for name, r in runs.items():
        print(
            f"| {name} | {r['rps']:,.0f} | {r['p50']:.1f} | {r['p99']:.1f} | "
            f"{r['errors'] + r['non200']} |"
        )


if __name__ == "__main__":
    main()
