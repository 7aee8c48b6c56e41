#!/usr/bin/env python3
"""Side-by-side benchmark of ltmc's foundation against Python sentence-transformers, in one run.

Run through scripts/bench/foundation (it builds ltmc in release mode and prepares the Python venv).
Measures, on this machine:
  1. embedding throughput (texts/s): short (~8 words) and long (~200 words) texts, batch 1 and 32;
  2. search latency on a 10,000-chunk store: warm in-process (query embedding + exact search) and
     a cold one-shot `ltmc search` process, against the same with sentence-transformers + exact
     cosine search (util.semantic_search) over the same 10,000 texts;
  3. ingest: storing the 10,000 texts.
Prints a table and, with --json FILE, writes every number.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def run_json(cmd, env=None):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


def timed(cmd, env=None):
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, env=env)
    return (time.perf_counter() - t0) * 1000


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ltmc", required=True)
    ap.add_argument("--bench-embed", required=True, help="the ltmc-embed bench_embed example binary")
    ap.add_argument("--python", required=True, help="python of the sentence-transformers venv")
    ap.add_argument("--chunks", type=int, default=10_000)
    ap.add_argument("--cold-runs", type=int, default=10)
    ap.add_argument("--json", help="write all numbers here")
    args = ap.parse_args()

    model_dir = subprocess.run([args.ltmc, "model", "path"], check=True, capture_output=True,
                               text=True).stdout.strip()
    subprocess.run([args.ltmc, "model", "fetch"], check=True, capture_output=True)
    work = tempfile.mkdtemp(prefix="ltmc-bench-")
    results = {"machine": {"cpus": os.cpu_count()}, "chunks": args.chunks}

    # 1. Embedding throughput, same texts on both sides.
    texts = os.path.join(work, "texts.json")
    bench_embed_py = os.path.join(ROOT, "scripts/parity/bench_embed.py")
    subprocess.run([args.python, bench_embed_py, "--write-texts", texts], check=True)
    st_embed = run_json([args.python, bench_embed_py, model_dir, "--texts", texts])
    rs_embed = run_json([args.bench_embed, texts])
    results["embed"] = {"ltmc": rs_embed, "sentence_transformers": st_embed}

    # 2./3. A 10,000-chunk store on both sides.
    corpus = os.path.join(work, "corpus")
    run_json([args.python, os.path.join(HERE, "st_search.py"), "make-corpus", corpus, str(args.chunks)])
    env = dict(os.environ, LTMC_DATA_DIR=os.path.join(work, "data"), LTMC_LOG="warn")
    t0 = time.perf_counter()
    subprocess.run([args.ltmc, "store", "--json", corpus], check=True, capture_output=True, env=env)
    ingest_s = time.perf_counter() - t0
    # Both sides time the same queries: st_search.QUERIES, passed to ltmc explicitly.
    sys.path.insert(0, HERE)
    from st_search import QUERIES
    warm = run_json([args.ltmc, "bench", "search", "--json", *QUERIES], env=env)
    cold = [timed([args.ltmc, "search", "--json", "why did the database migration fail"], env=env)
            for _ in range(args.cold_runs)]
    results["ltmc_search"] = {
        "ingest_s": ingest_s, "ingest_texts_per_s": args.chunks / ingest_s, "warm": warm,
        "cold_ms": {"p50": statistics.median(cold), "min": min(cold), "max": max(cold)},
    }
    st_warm = run_json([args.python, os.path.join(HERE, "st_search.py"), "warm", model_dir, corpus])
    emb = os.path.join(work, "st_embeddings.npy")
    st_cold = [timed([args.python, os.path.join(HERE, "st_search.py"), "cold", model_dir, emb])
               for _ in range(max(3, args.cold_runs // 3))]
    results["st_search"] = {"warm": st_warm,
                            "cold_ms": {"p50": statistics.median(st_cold), "min": min(st_cold),
                                        "max": max(st_cold)}}

    def row(name, ours, theirs, unit, higher_is_better):
        ratio = ours / theirs if higher_is_better else theirs / ours
        print(f"{name:<44} {ours:>12.2f} {theirs:>12.2f}  {unit:<8} {ratio:>6.2f}x")

    print(f"{'measure':<44} {'ltmc':>12} {'py-ST':>12}  {'unit':<8} {'ltmc advantage':>6}")
    for key, label in [("short_b1", "embed short texts, batch 1"), ("short_b32", "embed short texts, batch 32"),
                       ("long_b1", "embed 200-word texts, batch 1"), ("long_b32", "embed 200-word texts, batch 32")]:
        row(label, rs_embed[key], st_embed[key], "texts/s", True)
    row(f"ingest {args.chunks} chunks (ltmc: store CLI)", results["ltmc_search"]["ingest_texts_per_s"],
        st_warm["ingest_texts_per_s"], "texts/s", True)
    for part, label in [("embed_ms", "query embedding"), ("search_ms", "exact search"), ("total_ms", "search total")]:
        row(f"warm {label} p50 ({args.chunks} chunks)", warm[part]["p50"], st_warm[part]["p50"], "ms", False)
        row(f"warm {label} p99 ({args.chunks} chunks)", warm[part]["p99"], st_warm[part]["p99"], "ms", False)
    row("cold one-shot search process p50", results["ltmc_search"]["cold_ms"]["p50"],
        results["st_search"]["cold_ms"]["p50"], "ms", False)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(results, fh, indent=2)
    print(f"\n(all numbers from one run; work dir {work})", file=sys.stderr)


if __name__ == "__main__":
    main()
