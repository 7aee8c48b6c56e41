"""The fix-pattern flow of issue 5 over MCP, through the official MCP Python SDK (PyPI `mcp`).

It starts ltmc once per transport asked for (--transports; both by default),
each on a fresh data dir with the real model and with the example data set
(examples/fix-patterns) as the project root: `ltmc serve --stdio` (through
the SDK's stdio client) and `ltmc serve --http 127.0.0.1:0` (through its
streamable HTTP client at /mcp). On each, through MCP tool calls only, it
imports the audits by path (import_file_audits with file_path), extracts
every pattern of patterns.json (extract_pattern, the fields as arguments the
way `ltmc patterns load` maps them), reviews each one, links
relationships.json, audits a new file whose SQL-injection debt is told in
other words (upsert_file_audit), asks recommend_fix for that audit, records
a success and then a failure with record_pattern_outcome (get_pattern after
each), reads the audit back with list_file_audits, and sends bad input that
must come back as a tool result with isError, not as a protocol error. It
prints one JSON summary on the last line of stdout;
`crates/ltmc/tests/it/mcp_python.rs` runs it and asserts on it (which
pattern must come first, what the metrics must be). That test runs stdio
only: the 25 extractions with the real model take about a minute on two
busy cores, and mcp_client.py already covers the HTTP transport.

It reads results in both spellings of the SDK, 2.x and 1.x, like
mcp_client.py. It is not a check of every tool's fields (mcp_client.py and
the Rust tests of ltmc-service do that) nor of the ranking's details
(crates/ltmc/tests/it/fix_patterns.rs does that from the CLI).

Usage: python mcp_fix_client.py --ltmc PATH/TO/ltmc --examples DIR --work-dir DIR
       [--transports stdio,http]
"""

import argparse
import json
import os
import time

import anyio

from mcp_common import check_bad, field, run_transports, tool_object

# 25 extractions with the real model on a loaded 2-core machine.
TIMEOUT_S = 300

# The new audited file and its debt, said in other words than the pattern's
# (the same as crates/ltmc/tests/it/fix_patterns.rs uses from the CLI).
NEW_AUDIT = {
    "file_path": "src/services/search_index.py",
    "layer_number": 4,
    "workflows": ["WF2"],
    "technical_debt": "The search service builds its SQL statement by pasting the shopper's "
                      "query text into the string, so a crafted search can read or delete "
                      "other tables.",
}
SUCCESS = {"time_taken": 25, "time_saved": 95}
# The seed's Phase 3 `pattern` dict, filled in as an agent following it would
# (lists where the seed builds lists, text where its columns are TEXT; the
# embeddings it computes itself, which ltmc makes on its own and ignores).
SEED_PATTERN = {
    "title": "Hardcoded bearer token moved to the environment",
    "problem_type": "Security",
    "code_type": "hardcoded_secret",
    "severity": "CRITICAL",
    "tags": "hardcoded-token, secrets",
    "layers": 4,
    "workflows": "WF1,WF4",
    "file_types": [".py"],
    "problem_description": "An API client keeps its bearer token as a literal in the source.",
    "solution_steps": "1. Read the token from the PAYMENTS_TOKEN environment variable\n"
                      "2. Fail at start-up when it is missing\n"
                      "   (never fall back to a default)\n"
                      "3. Rotate the leaked token",
    "code_before": 'TOKEN = "sk_live_0123456789abcdef"',
    "code_after": 'TOKEN = os.environ["PAYMENTS_TOKEN"]',
    "verification_steps": "grep finds no token literal; the client starts with the variable set",
    "learnings": "Secrets in source end up in every clone and log.",
    "prevention_guidance": "Read secrets from the environment or a vault, never from literals.",
    "applied_to_files": [],
    "dart_task_ids": "DART-101,DART-102",
    "guardian_rules": [],
    "anti_patterns": 'TOKEN\\s*=\\s*"sk_live_[0-9a-f]+"',
    "content_embedding": [0.1, 0.2],
    "code_embedding": [0.1, 0.2],
    "problem_embedding": [0.1, 0.2],
    "confidence_score": 0.9,
}
FAILURE_FILE = "src/other.py"

FIX_TOOLS = [
    "import_file_audits", "extract_pattern", "review_pattern", "link_patterns",
    "upsert_file_audit", "recommend_fix", "record_pattern_outcome", "get_pattern",
    "list_file_audits",
]


class CallFailed(Exception):
    """A call of the flow that did not succeed; the flow cannot go on."""


async def call(session, name, arguments):
    """Calls `name`; a protocol error, isError or success != true stops the flow."""
    result = await session.call_tool(name, arguments)
    obj = tool_object(result)[0] or {}
    if field(result, "is_error", "isError") or obj.get("success") is not True:
        raise CallFailed(f"{name}({json.dumps(arguments)[:300]}) failed: "
                         f"{obj.get('error', obj)}")
    return obj


async def bad(session, name, arguments):
    """Calls `name` with bad input; it must be a tool result with isError and an error."""
    return await check_bad(session, name, arguments, check_shape=False)


def draft_of(item):
    """A patterns.json entry as extract_pattern arguments (as `ltmc patterns load` does)."""
    # Steps written as lines of text go as they are: the tool splits them.
    return {k: v for k, v in item.items() if k not in ("key", "reviewed", "reviewer_notes")}


def metrics(pattern):
    return {k: pattern.get(k) for k in (
        "applied_count", "success_rate", "avg_time_saved", "last_applied", "applied_to_files",
    )}


async def flow(session, examples):
    """The issue-5 flow; returns what it saw, for the Rust test to judge."""
    started = time.monotonic()
    init = await session.initialize()
    server_info = field(init, "server_info", "serverInfo")
    listed = {t.name: t for t in (await session.list_tools()).tools}
    run = {
        "server": {"name": server_info.name, "version": server_info.version},
        "fix_tools_missing": [t for t in FIX_TOOLS if t not in listed],
    }
    extract_schema = field(listed.get("extract_pattern"), "input_schema", "inputSchema") or {}
    known = set((extract_schema.get("properties") or {}).keys())

    phases = run["phase_seconds"] = {"start": round(time.monotonic() - started, 2)}
    imported = await call(session, "import_file_audits", {"file_path": "audits.json"})
    run["audits"] = {"rows": imported.get("rows"), "imported": imported.get("imported"),
                     "errors": imported.get("errors")}

    with open(os.path.join(examples, "patterns.json"), encoding="utf-8") as f:
        items = json.load(f)
    unknown, patterns, ids = set(), [], {}
    for item in items:
        draft = draft_of(item)
        unknown |= set(draft) - known
        out = await call(session, "extract_pattern", draft)
        pattern_id = out["pattern_id"]
        ids[item.get("key")] = pattern_id
        reviewed = await call(session, "review_pattern", {
            "pattern_id": pattern_id, "reviewed": True,
            "reviewer_notes": item.get("reviewer_notes") or "reviewed by mcp_fix_client.py",
        })
        patterns.append({
            "key": item.get("key"), "title": out["pattern"]["title"], "pattern_id": pattern_id,
            "reviewed": reviewed.get("reviewed"),
        })
    phases["extract_and_review"] = round(time.monotonic() - started, 2)
    run["unknown_draft_fields"] = sorted(unknown)
    run["patterns"] = patterns
    run["extracted"] = len(patterns)
    run["reviewed"] = sum(1 for p in patterns if p["reviewed"] is True)

    linked = 0
    relationships_file = os.path.join(examples, "relationships.json")
    if os.path.isfile(relationships_file):
        with open(relationships_file, encoding="utf-8") as f:
            for r in json.load(f):
                await call(session, "link_patterns", {
                    "source_pattern_id": ids[r["source_key"]],
                    "target_pattern_id": ids[r["target_key"]],
                    "relationship_type": r["relationship_type"],
                    "strength": r.get("strength", 1.0),
                    "description": r.get("description"),
                })
                linked += 1
    run["relationships_linked"] = linked

    phases["linked"] = round(time.monotonic() - started, 2)
    audit = await call(session, "upsert_file_audit", NEW_AUDIT)
    audit_id = audit["file_audit_id"]
    run["audit_id"] = audit_id

    rec = await call(session, "recommend_fix", {"file_audit_id": audit_id})
    top = rec.get("recommended_pattern") or {}
    run["recommend"] = {
        "decision": rec.get("decision"),
        "pattern_id": rec.get("pattern_id"),
        "title": top.get("title"),
        "confidence": rec.get("confidence"),
        "similarity": top.get("similarity"),
        "confidence_factors": top.get("confidence_factors"),
        "steps": len(rec.get("steps") or []),
        "candidates": [[c.get("pattern_id"), c.get("computed_confidence")]
                       for c in rec.get("candidates") or []],
    }
    phases["recommended"] = round(time.monotonic() - started, 2)
    chosen = rec.get("pattern_id")
    if chosen is None:
        raise CallFailed(f"recommend_fix chose no pattern: {rec}")

    before = await call(session, "get_pattern", {"pattern_id": chosen})
    run["before"] = metrics(before["pattern"])
    success = await call(session, "record_pattern_outcome", {
        "pattern_id": chosen, "success": True, "file_audit_id": audit_id, **SUCCESS,
    })
    after_success = await call(session, "get_pattern", {"pattern_id": chosen})
    run["after_success"] = {
        "outcome": metrics(success),
        "pattern": metrics(after_success["pattern"]),
        "applications": len(after_success.get("applications") or []),
    }
    failure = await call(session, "record_pattern_outcome", {
        "pattern_id": chosen, "success": False, "file_path": FAILURE_FILE,
    })
    after_failure = await call(session, "get_pattern", {"pattern_id": chosen})
    run["after_failure"] = {
        "outcome": metrics(failure),
        "pattern": metrics(after_failure["pattern"]),
        "applications": len(after_failure.get("applications") or []),
    }

    listing = await call(session, "list_file_audits", {"limit": 1000})
    mine = [a for a in listing.get("audits") or [] if a.get("id") == audit_id]
    run["audit_after"] = {k: (mine[0].get(k) if mine else None)
                          for k in ("file_path", "status", "notes", "pattern_id")}
    run["audit_count"] = listing.get("count")

    # The seed's own shapes (its Phase 3 `pattern` dict; solution_steps is
    # `TEXT NOT NULL` there, a file audit's workflows "WF1,WF4" text).
    seed_audit = await call(session, "upsert_file_audit", {
        "file_path": "src/clients/payments.py", "layer_number": 4, "workflows": "WF1,WF4",
        "technical_debt": "Bearer token for the payments API is a string literal in the client.",
    })
    seed = await call(session, "extract_pattern", SEED_PATTERN)
    run["seed_shapes"] = {
        "audit_workflows": seed_audit["audit"]["workflows"],
        **{k: seed["pattern"].get(k) for k in (
            "solution_steps", "workflows", "layers", "tags", "file_types", "dart_task_ids",
            "anti_patterns")},
    }

    # The review queue over MCP: a page by confidence, accept with edits in
    # the seed's shapes, merge a second draft into it, reject a third.
    queue = await call(session, "list_pattern_drafts", {"order": "confidence", "limit": 5})
    twin = await call(session, "extract_pattern", {
        **SEED_PATTERN, "title": "Payments token read from the environment (again)",
    })
    stray = await call(session, "extract_pattern", {
        **SEED_PATTERN, "title": "Not a pattern", "solution_steps": "Do nothing",
    })
    accepted = await call(session, "accept_pattern", {
        "pattern_id": seed["pattern_id"], "reviewer_notes": "accepted over MCP",
        "solution_steps": "1. Read the token from the environment 2. Rotate it",
        "workflows": "WF2,WF4", "layers": 4,
    })
    merged = await call(session, "merge_patterns", {
        "into_pattern_id": seed["pattern_id"], "from_pattern_id": twin["pattern_id"],
    })
    rejected = await call(session, "reject_pattern", {
        "pattern_id": stray["pattern_id"], "reason": "noise",
    })
    after = await call(session, "list_pattern_drafts", {"limit": 500})
    run["review"] = {
        "queue_total": queue.get("total"),
        "queue_order": queue.get("order"),
        "accepted_edited": accepted.get("edited"),
        "accepted_steps": accepted["pattern"].get("solution_steps"),
        "accepted_reviewed": accepted.get("reviewed"),
        "merged_removed": merged.get("removed_pattern_id") == twin["pattern_id"],
        "rejected_key": rejected.get("fold_key") == f"pattern:{stray['pattern_id']}",
        "left_in_queue": [i["id"] for i in after.get("items") or []],
        "gone": [twin["pattern_id"], stray["pattern_id"], seed["pattern_id"]],
        "tombstones": after.get("tombstones"),
    }

    run["bad_inputs"] = {
        "bad merge": await bad(session, "merge_patterns", {
            "into_pattern_id": seed["pattern_id"], "from_pattern_id": seed["pattern_id"],
        }),
        "steps as a number": await bad(session, "extract_pattern", {
            **SEED_PATTERN, "solution_steps": 5,
        }),
        "empty problem": await bad(session, "extract_pattern", {
            "title": "nothing", "problem_description": "", "solution_steps": ["do it"],
            "layers": [4],
        }),
        "unknown audit": await bad(session, "recommend_fix", {"file_audit_id": 987654}),
    }
    run["seconds"] = round(time.monotonic() - started, 2)
    run["ok"] = (
        not run["fix_tools_missing"]
        and not run["unknown_draft_fields"]
        and all(b["ok"] for b in run["bad_inputs"].values())
    )
    return run


def server_env(data_dir, examples):
    env = dict(os.environ)
    env.update({"LTMC_DATA_DIR": data_dir, "LTMC_PROJECT_ROOT": examples, "LTMC_LOG": "warn"})
    for name in ("LTMC_TOKEN", "LTMC_EMBEDDER", "LTMC_PROJECT"):  # the real model, default project
        env.pop(name, None)
    return env


async def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ltmc", required=True, help="the ltmc binary")
    parser.add_argument("--examples", required=True, help="the fix-pattern data set directory")
    parser.add_argument("--work-dir", required=True, help="a directory for the data dirs")
    parser.add_argument("--transports", default="stdio,http", help="stdio, http or both")
    args = parser.parse_args()
    examples = os.path.abspath(args.examples)

    async def start(name, transport):
        data_dir = os.path.join(args.work_dir, f"fix-data-{name}")
        return await transport(args.ltmc, ["--project-root", examples],
                               server_env(data_dir, examples),
                               lambda session: flow(session, examples))

    await run_transports(args.transports.split(","), TIMEOUT_S, start)


if __name__ == "__main__":
    anyio.run(main)
