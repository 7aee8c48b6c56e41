#!/usr/bin/env python3
"""Search-latency baseline with Python sentence-transformers, for scripts/bench/foundation.

Modes (each prints one JSON object on stdout):
  make-corpus DIR N          write N small deterministic text files (the corpus both sides store)
  warm MODEL_DIR DIR         encode every file (batch 32), then time query embedding + exact cosine
                             search (sentence_transformers.util.semantic_search) per query, warm
  cold MODEL_DIR EMB.npy     one process start: import, load model, embed one query, search: what a
                             one-shot CLI call costs

torch is limited to 2 threads, like the machines ltmc is measured on.
"""

import json
import os
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")

QUERIES = [
    "why did the database migration fail",
    "how do we retry a request with backoff",
    "memory leak in the connection pool",
    "unique constraint failed on insert",
    "how are vector ids allocated",
    "slow test suite after the upgrade",
    "where is the configuration file loaded",
    "deadlock between two threads holding locks",
    "parse a date from a string",
    "rollback plan for a failed deploy",
]

SUBJECTS = ["the migration", "our cache", "the scheduler", "a worker thread", "the parser",
            "the deploy script", "the index", "the login page", "the billing job", "the queue",
            "the retry loop", "the connection pool", "the test suite", "the config loader",
            "the backup task", "the search API", "the chunker", "the model cache", "the CLI",
            "the dashboard"]
VERBS = ["fails", "stalls", "leaks memory", "times out", "crashes", "slows down", "double-writes",
         "skips records", "returns stale data", "deadlocks", "panics", "loses updates"]
WHENS = ["after the upgrade", "under heavy load", "on Mondays", "when the disk is full",
         "during backups", "with unicode input", "behind the proxy", "on the first run",
         "after a restart", "when two users edit at once", "in the nightly build",
         "on large files", "with an empty config"]
FIXES = ["We fixed it by adding an index.", "A retry with backoff solved it.",
         "The lock order was changed.", "We raised the timeout.", "The cache is now invalidated.",
         "We split the batch.", "The query now uses a prepared statement.",
         "We pinned the dependency.", "The parser got a streaming mode.", "We added a test."]


def make_corpus(out_dir, n):
    os.makedirs(out_dir, exist_ok=True)
    for i in range(n):
        s = SUBJECTS[i % len(SUBJECTS)]
        v = VERBS[(i // len(SUBJECTS)) % len(VERBS)]
        w = WHENS[(i * 7) % len(WHENS)]
        f = FIXES[(i * 3) % len(FIXES)]
        text = f"Incident {i}: {s} {v} {w}. {f} Ticket {i * 7919 % 100000} tracks it.\n"
        with open(os.path.join(out_dir, f"doc{i:05}.txt"), "w") as fh:
            fh.write(text)
    print(json.dumps({"files": n, "dir": out_dir}))


def percentiles(samples_ms):
    s = sorted(samples_ms)
    def rank(p):
        i = max(1, min(len(s), -(-p * len(s) // 100)))
        return s[i - 1]
    return {"p50": rank(50), "p99": rank(99), "mean": sum(s) / len(s)}


def load(model_dir):
    import torch
    torch.set_num_threads(2)
    from sentence_transformers import SentenceTransformer
    return SentenceTransformer(model_dir, device="cpu")


def warm(model_dir, corpus_dir, rounds=5):
    import numpy as np
    import torch
    from sentence_transformers import util
    model = load(model_dir)
    names = sorted(os.listdir(corpus_dir))
    texts = [open(os.path.join(corpus_dir, n)).read() for n in names]
    t0 = time.perf_counter()
    emb = model.encode(texts, batch_size=32, convert_to_tensor=True, normalize_embeddings=True)
    ingest_s = time.perf_counter() - t0
    np.save(os.path.join(corpus_dir, "..", "st_embeddings.npy"), emb.cpu().numpy())
    embed_ms, search_ms, total_ms = [], [], []
    for r in range(rounds + 1):
        for q in QUERIES:
            a = time.perf_counter()
            qv = model.encode(q, convert_to_tensor=True, normalize_embeddings=True)
            b = time.perf_counter()
            hits = util.semantic_search(qv, emb, top_k=5)[0]
            c = time.perf_counter()
            assert len(hits) == 5
            if r > 0:
                embed_ms.append((b - a) * 1000)
                search_ms.append((c - b) * 1000)
                total_ms.append((c - a) * 1000)
    print(json.dumps({
        "impl": "python-sentence-transformers",
        "chunks": len(texts),
        "ingest_s": ingest_s,
        "ingest_texts_per_s": len(texts) / ingest_s,
        "embed_ms": percentiles(embed_ms),
        "search_ms": percentiles(search_ms),
        "total_ms": percentiles(total_ms),
    }))


def cold(model_dir, emb_path):
    t0 = time.perf_counter()
    import numpy as np
    import torch
    from sentence_transformers import util
    model = load(model_dir)
    emb = torch.from_numpy(np.load(emb_path))
    qv = model.encode(QUERIES[0], convert_to_tensor=True, normalize_embeddings=True)
    hits = util.semantic_search(qv, emb, top_k=5)[0]
    assert len(hits) == 5
    print(json.dumps({"cold_ms": (time.perf_counter() - t0) * 1000}))


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "make-corpus":
        make_corpus(sys.argv[2], int(sys.argv[3]))
    elif mode == "warm":
        warm(sys.argv[2], sys.argv[3])
    elif mode == "cold":
        cold(sys.argv[2], sys.argv[3])
    else:
        sys.exit(f"unknown mode {mode}")
