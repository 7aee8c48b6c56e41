"""Shared helpers of scripts/crash-campaign and scripts/soak: building the
release binary, the environment of a throw-away store (hash embedder, a low
HNSW threshold), starting `ltmc serve --http` on a free port, and a small
HTTP client over one kept-alive connection.

Standard library only. Not a test framework and not an ltmc client library:
only what those two scripts need.
"""

import http.client
import json
import os
import random
import signal
import subprocess
import sys
import time
import urllib.parse

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def log(message):
    """Progress goes to stderr; stdout is the scripts' data."""
    print(message, file=sys.stderr, flush=True)


def build_release():
    """`cargo build --release -p ltmc`; returns the path of the binary."""
    log("building the release binary (cargo build --release -p ltmc) ...")
    out = subprocess.run(
        ["cargo", "build", "--release", "-p", "ltmc", "--message-format=json"],
        cwd=REPO, stdout=subprocess.PIPE, check=True, text=True)
    for line in out.stdout.splitlines():
        try:
            message = json.loads(line)
        except ValueError:
            continue
        if (message.get("reason") == "compiler-artifact"
                and message.get("target", {}).get("name") == "ltmc"
                and message.get("executable")):
            return message["executable"]
    raise SystemExit("error: cargo built no `ltmc` executable")


def store_env(data_dir, ann_threshold):
    """The environment of every ltmc process on the throw-away store: the
    hash embedder (deterministic, no model), the given graph threshold, and
    none of a developer's own LTMC_* settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LTMC_")}
    env.update({
        "LTMC_DATA_DIR": data_dir,
        "LTMC_EMBEDDER": "hash",
        "LTMC_ANN_THRESHOLD": str(ann_threshold),
        "LTMC_LOG": "warn",
    })
    return env


WORDS = [
    "cache", "index", "vector", "commit", "rollback", "trigger", "graph", "segment",
    "parser", "token", "socket", "retry", "budget", "schema", "cursor", "shard",
    "lease", "quorum", "replica", "journal", "buffer", "mutex", "channel", "worker",
    "future", "closure", "borrow", "lifetime", "trait", "module", "crate", "linker",
    "kernel", "signal", "thread", "heap", "stack", "pointer", "allocator", "page",
]


def unique_text(rng, tag):
    """A short note whose words make its own text its nearest neighbour."""
    words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 24)))
    return f"note {tag}: {words} {tag.replace('-', '')}"


class Server:
    """`ltmc --json serve --http 127.0.0.1:0` as a child process."""

    def __init__(self, binary, env, extra=()):
        self.proc = subprocess.Popen(
            [binary, "--json", "serve", "--http", "127.0.0.1:0", *extra],
            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"ltmc serve exited ({self.proc.wait()}) before announcing")
        self.address = json.loads(line)["address"]
        self.host, port = self.address.rsplit(":", 1)
        self.port = int(port)

    def client(self, timeout=60):
        return Client(self.host, self.port, timeout)

    def rss_kib(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return None

    def kill(self):
        """SIGKILL; returns whether it was still running."""
        running = self.proc.poll() is None
        if running:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        return running

    def stop(self, timeout=30):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
                raise RuntimeError("ltmc serve did not stop within 30 s of SIGTERM")
        return self.proc.returncode


class Client:
    """One kept-alive HTTP/1.1 connection; reconnects after an error."""

    def __init__(self, host, port, timeout):
        self.host, self.port, self.timeout = host, port, timeout
        self.conn = None

    def request(self, method, path, body=None):
        """Returns (status, parsed JSON or None). Raises OSError and
        http.client errors when the server is gone."""
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        data = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"} if data is not None else {}
        try:
            self.conn.request(method, path, body=data, headers=headers)
            response = self.conn.getresponse()
            raw = response.read()
        except Exception:
            self.close()
            raise
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = None
        return response.status, parsed

    def call(self, tool, arguments):
        return self.request("POST", f"/api/tools/{tool}", arguments)

    def search(self, text, top_k=1):
        query = urllib.parse.urlencode({"q": text, "top_k": top_k})
        return self.request("GET", f"/api/search?{query}")

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def seeded(seed):
    return random.Random(seed)


def now():
    return time.monotonic()
