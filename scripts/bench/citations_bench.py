"""What checking citations adds to retrieve_memory (issue 22's target: at most
2 ms p50 with top_k 5 and 3 citations per memory), over MCP stdio with the
official Python client.

Two servers of the same binary on two fresh data dirs with the same notes
and the same project root (a tree of generated source files): in one every
note cites 3 spans of those files, in the other none. Each answers
`--iterations` retrieve_memory calls (top_k 5) of the same queries,
alternating; the p50/p99 of both and the difference are printed. The hash
embedder by default (`--real-model` for the real one), so the numbers show
the check, not the model. A measurement tool run by hand
(scripts/bench/citations); not a test.
"""

import argparse
import asyncio
import json
import os
import random
import statistics
import tempfile
import time

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

CITED = "with 3 citations each"
WORDS = ("cache index query latency replica shard lock queue retry timeout schema migration "
         "token session handler parser buffer socket thread pool batch vector embedding").split()


def payload(result):
    for item in result.content:
        text = getattr(item, "text", None)
        if text:
            return json.loads(text)
    return {}


def make_tree(root, files):
    os.makedirs(os.path.join(root, "src"), exist_ok=True)
    for f in range(files):
        lines = [f"def f{f}_{i}(x):\n    return x + {i}\n" for i in range(60)]
        with open(os.path.join(root, "src", f"m{f}.py"), "w", encoding="utf-8") as out:
            out.write("".join(lines))


async def serve(ltmc, data_dir, root, real_model):
    env = dict(os.environ, LTMC_DATA_DIR=data_dir, LTMC_LOG="warn")
    if real_model:
        env.pop("LTMC_EMBEDDER", None)
    else:
        env["LTMC_EMBEDDER"] = "hash"
    return StdioServerParameters(command=ltmc, args=["--project-root", root, "serve", "--stdio"], env=env)


async def fill(session, notes, files, cite, rng):
    for i in range(notes):
        text = " ".join(rng.choice(WORDS) for _ in range(40)) + f" note {i}"
        args = {"file_name": f"note-{i}.md", "content": text}
        if cite:
            args["citations"] = [
                {"path": f"src/m{(i + k) % files}.py", "start_line": 10 * k + 1, "end_line": 10 * k + 8}
                for k in range(3)
            ]
        r = payload(await session.call_tool("store_memory", args))
        if r.get("success") is False:
            raise SystemExit(f"store_memory failed: {r}")


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ltmc", required=True)
    ap.add_argument("--notes", type=int, default=300)
    ap.add_argument("--files", type=int, default=50)
    ap.add_argument("--iterations", type=int, default=300)
    ap.add_argument("--real-model", action="store_true")
    args = ap.parse_args()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        root = os.path.join(tmp, "root")
        make_tree(root, args.files)
        times = {}
        queries = [" ".join(rng.choice(WORDS) for _ in range(6)) for _ in range(args.iterations)]
        sessions = {}
        async with stdio_client(await serve(args.ltmc, os.path.join(tmp, "cited"), root, args.real_model)) as (r1, w1), \
                stdio_client(await serve(args.ltmc, os.path.join(tmp, "plain"), root, args.real_model)) as (r2, w2):
            async with ClientSession(r1, w1) as cited, ClientSession(r2, w2) as plain:
                sessions = {CITED: cited, "without citations": plain}
                for name, s in sessions.items():
                    await s.initialize()
                    await fill(s, args.notes, args.files, name == CITED, random.Random(11))
                    times[name] = []
                for i, q in enumerate(queries):
                    for name, s in sessions.items():
                        t = time.perf_counter()
                        r = payload(await s.call_tool("retrieve_memory", {"conversation_id": "bench", "query": q, "top_k": 5}))
                        times[name].append((time.perf_counter() - t) * 1000)
                        if i == 0 and name == CITED:
                            statuses = [h.get("citation_status") for h in r.get("retrieved_chunks", [])]
                            print(f"first answer's citation statuses: {statuses}")
        load = open("/proc/loadavg").read().split()[:3]
        print(f"retrieve_memory over MCP stdio, top_k 5, {args.notes} notes, {args.iterations} calls each, "
              f"{'real model' if args.real_model else 'hash embedder'}, load {' '.join(load)}")
        for name, t in times.items():
            print(f"  {name:24} p50 {statistics.median(t):7.2f} ms   p99 {pct(t, 99):7.2f} ms")
        a, b = (statistics.median(times[k]) for k in sessions)
        print(f"  added by the check: {a - b:+.2f} ms p50 (target <= 2 ms)")


asyncio.run(main())
