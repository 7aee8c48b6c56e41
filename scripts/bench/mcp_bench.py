"""LTMC tool latencies over MCP stdio with the official Python MCP client.

Starts `ltmc serve --stdio` on a fresh data dir (real model), then times, each
`--iterations` times: store_memory of a distinct 2 KB document, retrieve_memory,
log_code_attempt and get_code_patterns. Prints p50/p99 per tool next to the
seed's targets and how many times under them, then the retrieve_memory
quality on the 20 paraphrased questions of the fixture (right note first).
The server's start-up (model load) is timed separately and not in the numbers.

A measurement tool, run by hand (scripts/bench/mcp); not a test.
"""

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

TARGETS_MS = {
    "store_memory": 2000.0,
    "retrieve_memory": 1000.0,
    "log_code_attempt": 100.0,
    "get_code_patterns": 200.0,
}

WORDS = (
    "cache index query latency replica shard lock queue retry timeout schema migration "
    "token session handler parser buffer socket thread pool batch vector embedding chunk "
    "deploy rollback canary metric alert trace span log config secret bucket region"
).split()


def is_error(result):
    return bool(getattr(result, "is_error", None) or getattr(result, "isError", None))


def payload(result):
    structured = getattr(result, "structured_content", None) or getattr(
        result, "structuredContent", None
    )
    if structured:
        return structured
    return json.loads(result.content[0].text)


async def call(session, name, arguments):
    start = time.perf_counter()
    result = await session.call_tool(name, arguments)
    elapsed = (time.perf_counter() - start) * 1000.0
    if is_error(result):
        raise SystemExit(f"{name} failed: {payload(result)}")
    return elapsed, payload(result)


def document(rng, i):
    words = []
    while len(" ".join(words)) < 2048:
        words.append(rng.choice(WORDS))
    return f"Incident note {i}: " + " ".join(words)[: 2048 - 20] + "."


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100.0 * (len(ordered) - 1))))]


async def run(args):
    fixtures = [(path, json.load(open(path))["documents"]) for path in args.fixture]
    quality = []
    rng = random.Random(7)
    data_dir = tempfile.mkdtemp(prefix="ltmc-mcp-bench-")
    env = dict(os.environ, LTMC_DATA_DIR=data_dir, LTMC_LOG="warn")
    env.pop("LTMC_EMBEDDER", None)
    params = StdioServerParameters(command=args.ltmc, args=["serve", "--stdio"], env=env)
    timings = {name: [] for name in TARGETS_MS}
    started = time.perf_counter()
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            # The first call loads the model and opens the store: start-up, not steady state.
            await call(session, "store_memory", {"file_name": "warm.md", "content": "warm up"})
            startup_ms = (time.perf_counter() - started) * 1000.0
            for i in range(args.iterations):
                ms, _ = await call(
                    session,
                    "store_memory",
                    {"file_name": f"note-{i}.md", "content": document(rng, i)},
                )
                timings["store_memory"].append(ms)
                ms, _ = await call(
                    session,
                    "retrieve_memory",
                    {"conversation_id": "bench", "query": f"{rng.choice(WORDS)} {rng.choice(WORDS)} failure", "top_k": 3},
                )
                timings["retrieve_memory"].append(ms)
                ms, _ = await call(
                    session,
                    "log_code_attempt",
                    {
                        "input_prompt": f"write a function that parses {rng.choice(WORDS)} records",
                        "generated_code": f"def parse_{i}(text):\n    return [l.split(',') for l in text.splitlines()]\n",
                        "result": rng.choice(["pass", "fail", "partial"]),
                        "function_name": f"parse_{i % 7}",
                        "file_name": f"parsers/{rng.choice(WORDS)}.py",
                        "execution_time_ms": rng.randint(5, 500),
                    },
                )
                timings["log_code_attempt"].append(ms)
                ms, _ = await call(
                    session,
                    "get_code_patterns",
                    {"query": f"parse {rng.choice(WORDS)} records", "top_k": 5},
                )
                timings["get_code_patterns"].append(ms)

            for path, fixture in fixtures:
                ids = []
                for doc in fixture:
                    _, out = await call(
                        session,
                        "store_memory",
                        {"file_name": doc["file_name"], "content": doc["content"]},
                    )
                    ids.append(out["resource_id"])
                first = 0
                for doc, rid in zip(fixture, ids):
                    _, out = await call(
                        session,
                        "retrieve_memory",
                        {"conversation_id": "paraphrase", "query": doc["question"], "top_k": 3},
                    )
                    hits = out["retrieved_chunks"]
                    first += bool(hits) and hits[0]["resource_id"] == rid
                quality.append({"fixture": os.path.basename(path), "first": first, "total": len(fixture)})

    rows = []
    print(f"ltmc over MCP stdio, {args.iterations} calls each; server start-up incl. model load {startup_ms:.0f} ms\n")
    print("| tool | p50 (ms) | p99 (ms) | seed target (ms) | p50 under target | p99 under target |")
    print("|---|---|---|---|---|---|")
    for name, values in timings.items():
        p50, p99 = percentile(values, 50), percentile(values, 99)
        target = TARGETS_MS[name]
        rows.append({"tool": name, "p50_ms": p50, "p99_ms": p99, "target_ms": target})
        print(f"| {name} | {p50:.1f} | {p99:.1f} | {target:.0f} | {target / p50:.0f}x | {target / p99:.0f}x |")
    for q in quality:
        print(f"\nretrieve_memory, paraphrased questions of {q['fixture']}: right note first for {q['first']}/{q['total']}")
    if args.json:
        json.dump(
            {"iterations": args.iterations, "startup_ms": startup_ms, "tools": rows,
             "paraphrase": quality},
            open(args.json, "w"),
            indent=2,
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ltmc", required=True)
    parser.add_argument("--fixture", action="append", required=True, help="repeatable")
    parser.add_argument("--iterations", type=int, default=100)
    parser.add_argument("--json")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
