#!/usr/bin/env python3
"""Try hybrid fusion weights offline on `ltmc bench beir --samples` rows.

Each hybrid row holds a first-tier candidate's cosine similarity (or none, when
it came from the keyword side only), the rarity-weighted shares of the query's
words and identifiers it holds, and its judgement. Re-scoring the candidates
with other weights (score = similarity-or-floor + W*words + I*identifiers) and
taking the top ten gives nDCG@10 close to what `ltmc bench beir` would measure
with those weights (only candidates the dump left out are missed).

Usage: scripts/bench/fusion_sweep.py SAMPLES.jsonl --used-word W0 --used-identifier I0
Prints a grid of nDCG@10 over word and identifier weights, best first.
Not a benchmark of ltmc itself: it reads numbers ltmc wrote.
"""
import argparse
import json
import math
from collections import defaultdict


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("samples")
    ap.add_argument("--used-word", type=float, required=True)
    ap.add_argument("--used-identifier", type=float, required=True)
    ap.add_argument("--set", default=None, help="only rows of this set")
    args = ap.parse_args()
    per_query = defaultdict(list)
    for line in open(args.samples):
        r = json.loads(line)
        if r["mode"] != "hybrid" or (args.set and r["set"] != args.set):
            continue
        per_query[r["query"]].append(r)
    results = []
    for w in [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0]:
        for i in [0.0, 0.3, 0.6, 1.0, 1.5]:
            total = 0.0
            for q, rows in per_query.items():
                judged = {r["doc"] for r in rows if r["relevant"]}
                scored = []
                for r in rows:
                    words = r["words"] or 0.0
                    ids = r["identifiers"] or 0.0
                    base = r["score"] - args.used_word * words - args.used_identifier * ids
                    scored.append((base + w * words + i * ids, r["doc"]))
                scored.sort(key=lambda x: -x[0])
                ranked = [d for _, d in scored]
                dcg = sum(1.0 / math.log2(j + 2) for j, d in enumerate(ranked[:10]) if d in judged)
                # The ideal counts every judged document, found or not.
                ideal = sum(1.0 / math.log2(j + 2) for j in range(min(10, rows[0]["judged"])))
                total += dcg / ideal if ideal else 0.0
            results.append((total / max(len(per_query), 1), w, i))
    results.sort(reverse=True)
    for score, w, i in results[:15]:
        print(f"word {w:.2f} identifier {i:.2f}: nDCG@10 {score:.4f}")


if __name__ == "__main__":
    main()
