#!/usr/bin/env python3
"""Side-by-side benchmark of ltmc against two stores a user would pick instead, on one workload.

Run through scripts/bench/peers (it builds ltmc in release mode and prepares the Python venv with
sentence-transformers, chromadb and sqlite-vec). The three systems:
  ltmc        the CLI: `ltmc store DIR` (one file per document), `ltmc bench search` (warm
              searches in one process), `ltmc search --mode vector` (one fresh process per query);
  Chroma      embedded `chromadb.PersistentClient`, a cosine collection whose embedding function
              is Chroma's own SentenceTransformerEmbeddingFunction wrapping the shared model;
  sqlite-vec  Python sqlite3 + the sqlite-vec extension: a `vec0` table (float[384], cosine)
              beside an ordinary table holding the texts, embedded with the same model.
All three embed with all-MiniLM-L6-v2 from ltmc's model directory (`ltmc model path`); the two
Python peers share one sentence-transformers instance (torch limited to --threads threads).

The workload: the first --docs documents of BEIR SciFact (title + "\\n" + text) are stored, then
the first --queries queries are searched one at a time for the top --k, query embedding included.
Measured per system: store throughput (docs/s, embedding included), warm search latency
(p50/p99 after one untimed warm-up round over the same queries), the store's size on disk, and a
cold start (a fresh process opens the store and answers one query). The top-1 document of every
query is compared across systems: a benchmark whose systems do different work is worthless.

Prints a markdown table on stdout (progress goes to stderr); --json FILE writes every number.
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DIM = 384
# The real all-MiniLM-L6-v2 truncates at 256 word pieces (its sentence_bert_config.json), as ltmc
# does; ltmc's model directory lacks that file, so sentence-transformers would default to 512.
MAX_SEQ_LENGTH = 256
COLLECTION = "scifact"
T0 = time.perf_counter()


def log(msg):
    print(f"[{time.perf_counter() - T0:7.1f}s] {msg}", file=sys.stderr, flush=True)


def percentiles(samples_ms):
    """p50 and p99 by nearest rank, and the mean: the same definition as `ltmc bench`."""
    s = sorted(samples_ms)
    def rank(p):
        i = max(1, min(len(s), -(-p * len(s) // 100)))
        return s[i - 1]
    return {"p50": rank(50), "p99": rank(99), "mean": sum(s) / len(s), "n": len(s)}


def disk_usage(path):
    """Bytes allocated on disk under path (like `du`), and the apparent size (sum of file sizes)."""
    allocated = apparent = 0
    paths = [path] if os.path.isfile(path) else [
        os.path.join(d, f) for d, _, files in os.walk(path) for f in files]
    for p in paths:
        st = os.lstat(p)
        allocated += st.st_blocks * 512
        apparent += st.st_size
    return {"allocated_bytes": allocated, "apparent_bytes": apparent}


def doc_id_of(file_name):
    return os.path.splitext(os.path.basename(file_name))[0]


def read_jsonl(path, n):
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                out.append(json.loads(line))
                if len(out) == n:
                    break
    return out


# --- shared model and the two Python stores ---------------------------------------------------

def load_model(model_dir, threads):
    import torch
    torch.set_num_threads(threads)
    from sentence_transformers import SentenceTransformer
    model = SentenceTransformer(model_dir, device="cpu")
    model.max_seq_length = MAX_SEQ_LENGTH
    return model


def chroma_ef(model, model_dir):
    """Chroma's own sentence-transformers embedding function, wrapping `model` (not a second copy):
    it keeps its models in a class-level cache keyed by name, which we fill first."""
    from chromadb.utils.embedding_functions import SentenceTransformerEmbeddingFunction
    SentenceTransformerEmbeddingFunction.models[model_dir] = model
    return SentenceTransformerEmbeddingFunction(model_name=model_dir, device="cpu",
                                                normalize_embeddings=True)


def chroma_client(path):
    import chromadb
    return chromadb.PersistentClient(path=path,
                                     settings=chromadb.Settings(anonymized_telemetry=False))


def chroma_create(path, ef):
    client = chroma_client(path)
    try:
        # chromadb >= 1.0: the index space is part of the collection's configuration.
        coll = client.create_collection(COLLECTION, embedding_function=ef,
                                        configuration={"hnsw": {"space": "cosine"}})
    except TypeError:
        # Older releases only take the legacy metadata key.
        coll = client.create_collection(COLLECTION, embedding_function=ef,
                                        metadata={"hnsw:space": "cosine"})
    return client, coll


def chroma_search(coll, q, k):
    r = coll.query(query_texts=[q], n_results=k)
    return r["ids"][0]


def sqlite_module():
    """The stdlib sqlite3 when it can load extensions, else pysqlite3 (pysqlite3-binary), a drop-in
    build that can: some Python builds (pyenv's, macOS's) leave extension loading out."""
    import sqlite3
    if hasattr(sqlite3.Connection, "enable_load_extension"):
        return sqlite3, "stdlib sqlite3"
    import pysqlite3
    return pysqlite3, "pysqlite3-binary (the stdlib sqlite3 here cannot load extensions)"


def sqlite_vec_open(path):
    import sqlite_vec
    sqlite3, _ = sqlite_module()
    conn = sqlite3.connect(path)
    conn.enable_load_extension(True)
    sqlite_vec.load(conn)
    conn.enable_load_extension(False)
    return conn


SQLITE_VEC_KNN = (
    "SELECT d.doc_id, d.text, v.distance FROM "
    "(SELECT rowid, distance FROM vec_docs WHERE embedding MATCH ? AND k = ?) v "
    "JOIN docs d ON d.id = v.rowid ORDER BY v.distance"
)


def sqlite_vec_search(conn, model, q, k):
    import sqlite_vec
    a = time.perf_counter()
    qv = model.encode(q, normalize_embeddings=True, convert_to_numpy=True)
    b = time.perf_counter()
    rows = conn.execute(SQLITE_VEC_KNN, [sqlite_vec.serialize_float32(qv.tolist()), k]).fetchall()
    c = time.perf_counter()
    return [r[0] for r in rows], (b - a) * 1000, (c - b) * 1000


# --- a fresh process: open a store, answer one query (the cold start) -------------------------

def cold_child(system, store_path, model_dir, threads, k, query):
    model = load_model(model_dir, threads)
    if system == "chroma":
        client = chroma_client(store_path)
        coll = client.get_collection(COLLECTION, embedding_function=chroma_ef(model, model_dir))
        ids = chroma_search(coll, query, k)
    else:
        conn = sqlite_vec_open(store_path)
        ids, _, _ = sqlite_vec_search(conn, model, query, k)
    print(json.dumps({"ids": ids}))


def run_timed(cmd, env=None):
    t0 = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env)
    return (time.perf_counter() - t0) * 1000, out.stdout


# --- the systems --------------------------------------------------------------------------------

def bench_ltmc(args, docs, queries, work):
    docs_dir = os.path.join(work, "ltmc-docs")
    data_dir = os.path.join(work, "ltmc-data")
    os.makedirs(docs_dir)
    for d in docs:
        with open(os.path.join(docs_dir, f"{d['_id']}.txt"), "w", encoding="utf-8") as fh:
            fh.write(d["content"])
    env = dict(os.environ, LTMC_LOG="warn")
    if args.ltmc_chunking == "whole":
        # Like the peers: one vector per document, the model reads its first 256 pieces.
        env["LTMC_CHUNK_BYTES"] = "100000000"
    base = [args.ltmc, "--data-dir", data_dir, "--json"]

    log(f"ltmc: storing {len(docs)} documents (one process: `ltmc store DIR`)")
    store_ms, out = run_timed([*base, "store", docs_dir], env=env)
    stored = [json.loads(l) for l in out.splitlines() if l.startswith("{")]
    chunks = sum(s["chunk_count"] for s in stored)
    assert len(stored) == len(docs), f"ltmc stored {len(stored)} of {len(docs)} documents"
    size = disk_usage(data_dir)

    log(f"ltmc: {len(queries)} warm searches (`ltmc bench search`)")
    out = subprocess.run([*base, "bench", "search", "-k", str(args.k), "--rounds", "1", "--",
                          *queries], check=True, capture_output=True, text=True, env=env).stdout
    warm = json.loads(out.strip().splitlines()[-1])
    assert warm["queries"] == len(queries), warm

    log(f"ltmc: {len(queries)} one-shot processes (`ltmc search --mode vector`), for the top "
        "hits and the cold start")
    tops, cold = [], []
    for q in queries:
        ms, out = run_timed([*base, "search", "--mode", "vector", "-k", str(args.k), "--", q],
                            env=env)
        cold.append(ms)
        res = json.loads(out.strip().splitlines()[-1])
        assert res["mode"] == "vector", res
        tops.append([doc_id_of(h["file_name"]) for h in res["results"]])
    return {
        "store_s": store_ms / 1000,
        "store_docs_per_s": len(docs) * 1000 / store_ms,
        "chunks": chunks,
        "disk": size,
        "search_total_ms": warm["total_ms"],
        "search_embed_ms": warm["embed_ms"],
        "search_vector_ms": warm["search_ms"],
        "open_ms": warm["open_ms"],
        "cold_ms": percentiles(cold),
        "results": tops,
    }


def bench_chroma(args, docs, queries, work, model, model_dir):
    path = os.path.join(work, "chroma")
    ef = chroma_ef(model, model_dir)
    client, coll = chroma_create(path, ef)
    log(f"Chroma: storing {len(docs)} documents (collection.add, {args.batch} per call)")
    t0 = time.perf_counter()
    for i in range(0, len(docs), args.batch):
        batch = docs[i:i + args.batch]
        coll.add(ids=[d["_id"] for d in batch], documents=[d["content"] for d in batch])
    store_s = time.perf_counter() - t0
    assert coll.count() == len(docs)
    size = disk_usage(path)

    log(f"Chroma: {len(queries)} warm searches (collection.query(query_texts=[q]))")
    for q in queries:  # warm-up round, as `ltmc bench search` does
        chroma_search(coll, q, args.k)
    total, tops = [], []
    for q in queries:
        a = time.perf_counter()
        ids = chroma_search(coll, q, args.k)
        total.append((time.perf_counter() - a) * 1000)
        tops.append(ids)
    space = None
    try:
        space = coll.configuration_json["hnsw"]["space"]
    except Exception:  # noqa: BLE001 - only informative
        space = (coll.metadata or {}).get("hnsw:space")
    del coll, client
    return {
        "store_s": store_s,
        "store_docs_per_s": len(docs) / store_s,
        "disk": size,
        "space": space,
        "search_total_ms": percentiles(total),
        "results": tops,
    }


def bench_sqlite_vec(args, docs, queries, work, model):
    import sqlite_vec
    path = os.path.join(work, "sqlite-vec.db")
    conn = sqlite_vec_open(path)
    conn.execute("CREATE TABLE docs (id INTEGER PRIMARY KEY, doc_id TEXT NOT NULL, text TEXT NOT NULL)")
    conn.execute(f"CREATE VIRTUAL TABLE vec_docs USING vec0(embedding float[{DIM}] "
                 "distance_metric=cosine)")
    conn.commit()
    log(f"sqlite-vec: storing {len(docs)} documents ({args.batch} per transaction)")
    t0 = time.perf_counter()
    for i in range(0, len(docs), args.batch):
        batch = docs[i:i + args.batch]
        vecs = model.encode([d["content"] for d in batch], batch_size=32,
                            normalize_embeddings=True, convert_to_numpy=True)
        with conn:
            for j, (d, v) in enumerate(zip(batch, vecs)):
                rowid = i + j + 1
                conn.execute("INSERT INTO docs (id, doc_id, text) VALUES (?, ?, ?)",
                             (rowid, d["_id"], d["content"]))
                conn.execute("INSERT INTO vec_docs (rowid, embedding) VALUES (?, ?)",
                             (rowid, sqlite_vec.serialize_float32(v.tolist())))
    store_s = time.perf_counter() - t0
    assert conn.execute("SELECT count(*) FROM vec_docs").fetchone()[0] == len(docs)
    size = disk_usage(path)

    log(f"sqlite-vec: {len(queries)} warm searches (vec0 KNN, texts joined)")
    for q in queries:  # warm-up round, as `ltmc bench search` does
        sqlite_vec_search(conn, model, q, args.k)
    total, embed, knn, tops = [], [], [], []
    for q in queries:
        a = time.perf_counter()
        ids, e_ms, s_ms = sqlite_vec_search(conn, model, q, args.k)
        total.append((time.perf_counter() - a) * 1000)
        embed.append(e_ms)
        knn.append(s_ms)
        assert len(ids) == min(args.k, len(docs))
        tops.append(ids)
    conn.close()
    return {
        "store_s": store_s,
        "store_docs_per_s": len(docs) / store_s,
        "disk": size,
        "search_total_ms": percentiles(total),
        "search_embed_ms": percentiles(embed),
        "search_vector_ms": percentiles(knn),
        "results": tops,
    }


def embedding_parity(ltmc, model, texts, n_queries):
    """Cosine similarity of ltmc's and sentence-transformers' vectors for the same texts: the
    check that all three systems embed with the same model (and truncate alike)."""
    import numpy as np
    out = subprocess.run([ltmc, "--json", "embed", "--", *texts], check=True, capture_output=True,
                         text=True, env=dict(os.environ, LTMC_LOG="warn")).stdout
    ours = np.asarray(json.loads(out.strip().splitlines()[-1])["vectors"], dtype=np.float64)
    theirs = model.encode(texts, normalize_embeddings=True, convert_to_numpy=True).astype(np.float64)
    ours /= np.linalg.norm(ours, axis=1, keepdims=True)
    cos = (ours * theirs).sum(axis=1)
    return {"texts": len(texts), "queries": n_queries, "docs": len(texts) - n_queries,
            "min_cosine": float(cos.min()), "mean_cosine": float(cos.mean())}


def cold_runs(args, system, store_path, model_dir, queries, expected):
    times = []
    for i in range(min(args.cold_runs, len(queries))):
        ms, out = run_timed([sys.executable, os.path.abspath(__file__), "--cold", system,
                             store_path, "--model-dir", model_dir, "--threads", str(args.threads),
                             "--k", str(args.k), "--cold-query", queries[i]])
        ids = json.loads(out.strip().splitlines()[-1])["ids"]
        if ids[:1] != expected[i][:1]:
            log(f"warning: {system} cold process answered {ids[:1]}, warm run {expected[i][:1]}")
        times.append(ms)
    return percentiles(times)


# --- report -------------------------------------------------------------------------------------

def agreement(a, b):
    """Fraction of queries whose top-1 document is the same; of those whose top-1 in b is among
    a's top k; and the mean overlap of the top-k document sets relative to b's (ltmc's k hits are
    chunks, so it may name fewer than k documents)."""
    top1 = sum(1 for x, y in zip(a, b) if x[:1] == y[:1]) / len(a)
    b_top1_in_a = sum(1 for x, y in zip(a, b) if y[:1] and y[0] in x) / len(a)
    overlap = statistics.mean(len(set(x) & set(y)) / max(1, len(set(y))) for x, y in zip(a, b))
    return {"top1": top1, "b_top1_in_a_topk": b_top1_in_a, "topk_overlap": overlap}


def load_average():
    try:
        with open("/proc/loadavg") as fh:
            return float(fh.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def cpu_model():
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def versions(ltmc):
    from importlib.metadata import version, PackageNotFoundError
    out = {}
    for pkg in ["chromadb", "sqlite-vec", "sentence-transformers", "torch", "transformers"]:
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "not installed"
    sqlite3, how = sqlite_module()
    out["sqlite"] = f"{sqlite3.sqlite_version} ({how})"
    out["python"] = platform.python_version()
    out["ltmc"] = subprocess.run([ltmc, "--version"], capture_output=True, text=True).stdout.strip()
    return out


def print_report(r):
    L, C, S = r["ltmc"], r["chroma"], r["sqlite_vec"]
    mb = lambda s: s["disk"]["allocated_bytes"] / 1e6  # noqa: E731

    def fmt(x, digits):
        return "—" if x is None else f"{x:,.{digits}f}"

    def ratio(ours, theirs, higher_is_better):
        if ours is None or theirs is None or ours == 0 or theirs == 0:
            return "—"
        return f"{(ours / theirs if higher_is_better else theirs / ours):.2f}×"

    rows = [
        (f"store {r['docs']} docs, embedding included (docs/s)",
         [x["store_docs_per_s"] for x in (L, C, S)], 1, True),
        (f"search p50, k={r['k']}, query embedding included (ms)",
         [x["search_total_ms"]["p50"] for x in (L, C, S)], 2, False),
        (f"search p99, k={r['k']}, query embedding included (ms)",
         [x["search_total_ms"]["p99"] for x in (L, C, S)], 2, False),
        ("  of which query embedding, p50 (ms)",
         [L["search_embed_ms"]["p50"], None, S["search_embed_ms"]["p50"]], 2, False),
        ("  of which vector search, p50 (ms)",
         [L["search_vector_ms"]["p50"], None, S["search_vector_ms"]["p50"]], 3, False),
        ("store size on disk (MB)", [mb(x) for x in (L, C, S)], 2, False),
        ("cold start: fresh process, open + 1 query, p50 (ms)",
         [x["cold_ms"]["p50"] for x in (L, C, S)], 0, False),
    ]
    print("| measure | ltmc | Chroma | sqlite-vec | ltmc/Chroma | ltmc/sqlite-vec |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, (l, c, s), digits, hib in rows:
        print(f"| {name} | {fmt(l, digits)} | {fmt(c, digits)} | {fmt(s, digits)} | "
              f"{ratio(l, c, hib)} | {ratio(l, s, hib)} |")
    ag = r["agreement"]
    print(f"| top-1 document same as ltmc's (fraction of {r['queries']} queries) | — | "
          f"{ag['ltmc_chroma']['top1']:.3f} | {ag['ltmc_sqlite_vec']['top1']:.3f} | — | — |")
    print()
    print("Ratios are phrased so that >1 means ltmc is better: throughput ltmc/peer; "
          "latency and size peer/ltmc.")
    print()
    m, v = r["machine"], r["versions"]
    print(f"- Machine: {m['nproc']} CPUs, {m['cpu']}; {m['os']}; 1-minute load average "
          f"{m['loadavg_1min_at_start']} at the start, {m['loadavg_1min_at_end']} at the end "
          "(anything near or above 1 means other work distorted the numbers). torch limited to "
          f"{r['threads']} threads (torch.set_num_threads); ltmc uses the machine's cores.")
    print(f"- Versions: {v['ltmc']}; chromadb {v['chromadb']}; sqlite-vec {v['sqlite-vec']} on "
          f"SQLite {v['sqlite']}; sentence-transformers {v['sentence-transformers']}; "
          f"torch {v['torch']}; transformers {v['transformers']}; Python {v['python']}.")
    print(f"- Workload: the first N={r['docs']} SciFact documents (title + text), the first "
          f"Q={r['queries']} SciFact queries, k={r['k']}; all-MiniLM-L6-v2 (ltmc's model "
          f"directory, {MAX_SEQ_LENGTH}-token truncation) for all three.")
    if r.get("ltmc_chunking") == "chunked":
        print(f"- ltmc chunks documents (800-byte chunks, 120-byte overlap): it embedded and stores "
              f"{L['chunks']} chunks for {r['docs']} documents ({L['chunks'] / r['docs']:.2f} per "
              "document); Chroma and sqlite-vec store one vector per document (truncated at "
              f"{MAX_SEQ_LENGTH} tokens). ltmc's k={r['k']} hits are chunks, the peers' documents.")
    else:
        print(f"- All three store one vector per document (LTMC_CHUNK_BYTES=100000000 for ltmc: "
              f"{L['chunks']} chunks for {r['docs']} documents), each truncated by the model at "
              f"{MAX_SEQ_LENGTH} tokens; `--ltmc-chunking chunked` runs ltmc with its own chunks.")
    print("- ltmc search mode: vector only, for every ltmc number (`ltmc bench search` times "
          "query embedding + the store's nearest-chunk search, no keyword ranking; the one-shot "
          "processes run `ltmc search --mode vector`; the CLI's default is hybrid). Exact search "
          f"below --ann-threshold vectors (default 10,000; here {L['chunks']}), HNSW above. "
          f"Chroma: its HNSW index, space {C.get('space')}. sqlite-vec: vec0 brute force, cosine.")
    print("- Store time: ltmc is one `ltmc store DIR` process, start, model load and file "
          "reading included; the peers embed in an already running Python process with the "
          f"model loaded (Chroma: collection.add, {r['batch']} documents per call; sqlite-vec: "
          f"encode + insert, {r['batch']} per transaction).")
    print("- Search latency: one untimed warm-up round over all Q queries, then Q timed single "
          "searches (the method of `ltmc bench search`); Chroma's time includes fetching "
          "documents and metadata, sqlite-vec's fetching the texts.")
    print(f"- Cold start: ltmc over {L['cold_ms']['n']} `ltmc search` processes (one per query), "
          f"the peers over {C['cold_ms']['n']} fresh Python processes each (imports, model load, "
          "open, one query). Files are in the page cache: process cold, not disk cold.")
    p = r["embedding_parity"]
    print(f"- Same model check: cosine similarity of ltmc's and sentence-transformers' vectors "
          f"for {p['texts']} texts ({p['queries']} queries, the {p['docs']} longest documents): min "
          f"{p['min_cosine']:.6f}, mean {p['mean_cosine']:.6f}.")
    print(f"- Size: bytes allocated on disk (du) under each store after storing. Agreement "
          f"Chroma vs sqlite-vec top-1: {ag['chroma_sqlite_vec']['top1']:.3f}; mean top-{r['k']}"
          f" document overlap with ltmc: Chroma {ag['ltmc_chroma']['topk_overlap']:.3f}, "
          f"sqlite-vec {ag['ltmc_sqlite_vec']['topk_overlap']:.3f}; the peer's top-1 document "
          f"is among ltmc's top {r['k']} hits for Chroma "
          f"{ag['ltmc_chroma']['b_top1_in_a_topk']:.3f}, sqlite-vec "
          f"{ag['ltmc_sqlite_vec']['b_top1_in_a_topk']:.3f} of the queries.")


def main():
    default_data = os.path.normpath(os.path.join(ROOT, "..", "shared", "data", "scifact"))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ltmc", help="the ltmc binary (scripts/bench/peers passes the release build)")
    ap.add_argument("--data", default=default_data,
                    help="BEIR SciFact directory (corpus.jsonl, queries.jsonl)")
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--ltmc-chunking", choices=["whole", "chunked"], default="whole",
                    help="whole: ltmc stores one chunk per document, like the peers (default); "
                         "chunked: ltmc's own 800-byte chunks (more vectors, more work)")
    ap.add_argument("--batch", type=int, default=64, help="documents per add call / transaction")
    ap.add_argument("--cold-runs", type=int, default=5, help="fresh processes per Python peer")
    ap.add_argument("--threads", type=int, default=2, help="torch threads")
    ap.add_argument("--work-dir", help="where the stores go (default: a new temp dir, removed)")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir")
    ap.add_argument("--json", help="write all numbers here")
    # Internal: the cold-start child process.
    ap.add_argument("--cold", nargs=2, metavar=("SYSTEM", "STORE"), help=argparse.SUPPRESS)
    ap.add_argument("--model-dir", help=argparse.SUPPRESS)
    ap.add_argument("--cold-query", help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.cold:
        cold_child(args.cold[0], args.cold[1], args.model_dir, args.threads, args.k,
                   args.cold_query)
        return
    if not args.ltmc:
        ap.error("--ltmc is required")
    args.ltmc = os.path.abspath(args.ltmc)

    docs = read_jsonl(os.path.join(args.data, "corpus.jsonl"), args.docs)
    for d in docs:
        d["content"] = f"{d.get('title', '')}\n{d['text']}"
    queries = [q["text"] for q in read_jsonl(os.path.join(args.data, "queries.jsonl"),
                                             args.queries)]
    if len(docs) < args.docs or len(queries) < args.queries:
        log(f"note: the collection has only {len(docs)} documents / {len(queries)} queries")

    subprocess.run([args.ltmc, "model", "fetch"], check=True, capture_output=True)
    model_dir = subprocess.run([args.ltmc, "model", "path"], check=True, capture_output=True,
                               text=True).stdout.strip()

    if args.work_dir:
        work = os.path.abspath(args.work_dir)
        if os.path.exists(work) and os.listdir(work):
            sys.exit(f"error: --work-dir {work} is not empty")
        os.makedirs(work, exist_ok=True)
    else:
        work = tempfile.mkdtemp(prefix="ltmc-peers-")
    busy = load_average()
    if busy is not None and busy > 0.5:
        log(f"warning: load average {busy:.2f}: other work is running; the numbers will be "
            "distorted (torch with several threads on busy cores most of all)")
    log(f"work dir {work}; {len(docs)} documents, {len(queries)} queries, model {model_dir}")

    results = {
        "docs": len(docs), "queries": len(queries), "k": args.k, "batch": args.batch,
        "ltmc_chunking": args.ltmc_chunking,
        "threads": args.threads,
        "machine": {"nproc": os.cpu_count(), "cpu": cpu_model(),
                    "os": f"{platform.system()} {platform.release()}",
                    "loadavg_1min_at_start": load_average()},
        "versions": versions(args.ltmc),
    }
    try:
        results["ltmc"] = bench_ltmc(args, docs, queries, work)
        log("loading the model in Python (sentence-transformers)")
        t0 = time.perf_counter()
        model = load_model(model_dir, args.threads)
        results["st_model_load_s"] = time.perf_counter() - t0
        model.encode(queries[:1] + [docs[0]["content"]], normalize_embeddings=True)  # warm-up
        # Queries and whole documents (the long ones exercise the 256-token truncation).
        longest = sorted(docs, key=lambda d: len(d["content"]), reverse=True)[:5]
        parity = embedding_parity(args.ltmc, model,
                                  queries[:5] + [d["content"] for d in longest],
                                  len(queries[:5]))
        results["embedding_parity"] = parity
        if parity["min_cosine"] < 0.999:
            log(f"warning: ltmc and sentence-transformers embed differently: {parity}")
        results["chroma"] = bench_chroma(args, docs, queries, work, model, model_dir)
        results["sqlite_vec"] = bench_sqlite_vec(args, docs, queries, work, model)
        log(f"cold starts: {args.cold_runs} fresh Python processes per peer")
        results["chroma"]["cold_ms"] = cold_runs(args, "chroma", os.path.join(work, "chroma"),
                                                 model_dir, queries, results["chroma"]["results"])
        results["sqlite_vec"]["cold_ms"] = cold_runs(
            args, "sqlite-vec", os.path.join(work, "sqlite-vec.db"), model_dir, queries,
            results["sqlite_vec"]["results"])
        results["machine"]["loadavg_1min_at_end"] = load_average()
        L, C, S = (results[s]["results"] for s in ("ltmc", "chroma", "sqlite_vec"))
        results["agreement"] = {"ltmc_chroma": agreement(L, C), "ltmc_sqlite_vec": agreement(L, S),
                                "chroma_sqlite_vec": agreement(C, S)}
        # ltmc ranks chunks, the peers whole documents, so their top-1 may differ where a
        # document's best chunk outranks another's whole text; the peers' top-1 should still be
        # among ltmc's top k, and the two peers (same vectors) should agree with each other.
        ag = results["agreement"]
        if ag["chroma_sqlite_vec"]["top1"] < 0.9:
            log(f"warning: Chroma and sqlite-vec agree on the top-1 document for only "
                f"{ag['chroma_sqlite_vec']['top1']:.3f} of the queries")
        for pair in ("ltmc_chroma", "ltmc_sqlite_vec"):
            if ag[pair]["b_top1_in_a_topk"] < 0.9 or ag[pair]["top1"] < 0.5:
                log(f"warning: {pair}: top-1 agreement {ag[pair]['top1']:.3f}, peer's top-1 in "
                    f"ltmc's top {args.k} {ag[pair]['b_top1_in_a_topk']:.3f}: the systems may "
                    "not be doing the same work")
        print_report(results)
        if args.json:
            with open(args.json, "w") as fh:
                json.dump(results, fh, indent=2)
    finally:
        if args.keep or args.work_dir:
            log(f"stores kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    log("done")


if __name__ == "__main__":
    main()
