"""What a change adds to retrieve_memory's latency over MCP stdio (issue 20's
target: at most 2 ms p50), with the official Python client: two servers, one
of each binary (`--before`, `--after`), on two fresh data dirs holding the
same notes (the rare-term set's 284), answer the same questions (its 332)
with `retrieve_memory` (top_k 5), alternating, `--rounds` times; p50/p99 of
both and the difference are printed with the machine's load. The real model
by default (`--hash` for the hash embedder, which shows the store's part
alone). A measurement tool run by hand (scripts/bench/retrieve-ab); not a test.
"""

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "..", "crates", "ltmc", "tests", "fixtures", "rare_terms.json")


def payload(result):
    for item in result.content:
        text = getattr(item, "text", None)
        if text:
            return json.loads(text)
    return {}


def server(ltmc, data_dir, hash_embedder):
    env = dict(os.environ, LTMC_DATA_DIR=data_dir, LTMC_LOG="warn")
    if hash_embedder:
        env["LTMC_EMBEDDER"] = "hash"
    else:
        env.pop("LTMC_EMBEDDER", None)
    return StdioServerParameters(command=ltmc, args=["serve", "--stdio"], env=env)


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--before", required=True)
    ap.add_argument("--after", required=True)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--hash", action="store_true")
    args = ap.parse_args()
    fixture = json.load(open(FIXTURE, encoding="utf-8"))
    questions = [q["question"] for q in fixture["queries"]] * args.rounds
    times = {"before": [], "after": []}
    with tempfile.TemporaryDirectory() as tmp:
        async with stdio_client(server(args.before, os.path.join(tmp, "before"), args.hash)) as (r1, w1), \
                stdio_client(server(args.after, os.path.join(tmp, "after"), args.hash)) as (r2, w2):
            async with ClientSession(r1, w1) as before, ClientSession(r2, w2) as after:
                sessions = {"before": before, "after": after}
                for s in sessions.values():
                    await s.initialize()
                    for d in fixture["documents"]:
                        r = payload(await s.call_tool("store_memory", d))
                        if r.get("success") is False:
                            raise SystemExit(f"store_memory failed: {r}")
                    # One warm-up call: the model loads on first use.
                    await s.call_tool("retrieve_memory", {"conversation_id": "warm", "query": "warm up", "top_k": 5})
                for q in questions:
                    for name, s in sessions.items():
                        t = time.perf_counter()
                        r = payload(await s.call_tool("retrieve_memory", {"conversation_id": "bench", "query": q, "top_k": 5}))
                        times[name].append((time.perf_counter() - t) * 1000)
                        if r.get("success") is False:
                            raise SystemExit(f"retrieve_memory failed: {r}")
    load = open("/proc/loadavg").read().split()[:3]
    print(f"retrieve_memory over MCP stdio, top_k 5, {len(fixture['documents'])} notes, {len(questions)} calls each, "
          f"{'hash embedder' if args.hash else 'real model'}, load {' '.join(load)}")
    for name, t in times.items():
        print(f"  {name:7} p50 {statistics.median(t):7.2f} ms   p99 {pct(t, 99):7.2f} ms")
    print(f"  added: {statistics.median(times['after']) - statistics.median(times['before']):+.2f} ms p50 (target <= 2 ms)")


asyncio.run(main())
