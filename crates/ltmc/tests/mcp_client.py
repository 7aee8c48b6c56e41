"""End-to-end check of `ltmc serve` through the official MCP Python SDK (PyPI `mcp`).

It starts ltmc twice, each on a fresh data dir: `ltmc serve --stdio` (through
the SDK's stdio client) and `ltmc serve --http 127.0.0.1:0` (through its
streamable HTTP client at /mcp). On each it initializes, lists the tools, calls
every one of the 22 LTMC tools with valid arguments and checks the fields the
contract promises, then sends bad input and checks that it comes back as a
tool result with isError, not as a protocol error. It prints one JSON summary
on stdout; `crates/ltmc/tests/it/mcp_python.rs` runs it and asserts on it.

It reads results in both spellings of the SDK: 2.x (is_error,
structured_content, input_schema) and 1.x (isError, structuredContent,
inputSchema). It is not a test of what each tool computes: the Rust tests
of ltmc-service do that.

Usage: python mcp_client.py --ltmc PATH/TO/ltmc --work-dir DIR
"""

import argparse
import os

import anyio

from mcp_common import check_bad, field, run_transports, tool_object

TIMEOUT_S = 120

# The contract (SPEC section 4): every tool, in order.
TOOLS = [
    "store_memory", "retrieve_memory", "log_chat", "ask_with_context", "route_query",
    "build_context", "retrieve_by_type", "add_todo", "list_todos", "complete_todo",
    "search_todos", "store_context_links_tool", "get_context_links_for_message_tool",
    "get_messages_for_chunk_tool", "get_context_usage_statistics_tool", "link_resources",
    "query_graph", "auto_link_documents", "get_document_relationships_tool",
    "log_code_attempt", "get_code_patterns", "analyze_code_patterns_tool",
]


class Run:
    """The calls of one transport, with what went wrong."""

    def __init__(self, session):
        self.session = session
        self.calls = {}
        self.bad_inputs = {}

    async def call(self, name, arguments, expect):
        """Calls `name`; it must succeed and carry every field in `expect`."""
        entry = {"ok": False, "problem": None}
        self.calls[name] = entry
        try:
            result = await self.session.call_tool(name, arguments)
        except Exception as e:  # a protocol error is a failure of the contract
            entry["problem"] = f"protocol error: {e!r}"
            return {}
        obj, problem = tool_object(result)
        obj = obj or {}
        is_error = field(result, "is_error", "isError")
        missing = [f for f in expect if f not in obj]
        if problem:
            entry["problem"] = problem
        elif is_error or obj.get("success") is not True:
            entry["problem"] = f"failed: {obj.get('error', obj)}"
        elif missing:
            entry["problem"] = f"missing fields {missing} in {sorted(obj)}"
        else:
            entry["ok"] = True
        return obj

    async def bad(self, label, name, arguments):
        """Calls `name` with bad input; it must be a tool result with isError and an error."""
        self.bad_inputs[label] = await check_bad(self.session, name, arguments)


async def exercise(session):
    """Initialize, list, call all 22 tools, then the bad inputs."""
    init = await session.initialize()
    server_info = field(init, "server_info", "serverInfo")
    listed = (await session.list_tools()).tools
    schemas_ok = all(
        isinstance(field(t, "input_schema", "inputSchema"), dict)
        and field(t, "input_schema", "inputSchema").get("type") == "object"
        for t in listed
    )
    run = Run(session)

    stored = await run.call("store_memory", {
        "file_name": "retry.md",
        "content": "The HTTP client retries failed requests with exponential backoff, "
                   "doubling the delay after each attempt up to five tries.",
        "resource_type": "document",
    }, ["resource_id", "chunk_count", "message"])
    await run.call("store_memory", {
        "file_name": "cache.py",
        "content": "def cached(f):\n    memo = {}\n    return lambda x: memo.setdefault(x, f(x))\n",
        "resource_type": "code",
    }, ["resource_id", "chunk_count"])
    retrieved = await run.call("retrieve_memory", {
        "conversation_id": "e2e", "query": "how are failed requests retried?", "top_k": 3,
    }, ["context", "retrieved_chunks"])
    chunks = retrieved.get("retrieved_chunks") or [{}]
    chunk_id = chunks[0].get("chunk_id", 1)
    chat = await run.call("log_chat", {
        "conversation_id": "e2e", "role": "user", "content": "what was the retry policy?",
        "agent_name": "e2e-test", "metadata": {"k": "v"}, "source_tool": "mcp_client.py",
    }, ["message_id"])
    message_id = chat.get("message_id", 1)
    await run.call("ask_with_context", {
        "query": "how many times does the client retry?", "conversation_id": "e2e", "top_k": 2,
    }, ["query", "conversation_id", "context", "answer", "documents_used"])
    await run.call("route_query", {
        "query": "retry backoff", "source_types": ["document", "code", "chat", "todo"], "top_k": 2,
    }, [])
    await run.call("build_context", {
        "documents": [
            {"id": "a", "title": "a.md", "content": "Backoff doubles the delay."},
            {"id": "b", "title": "b.md", "content": "Five tries at most."},
        ],
        "max_tokens": 100,
    }, ["context", "token_count", "documents_processed", "max_tokens"])
    await run.call("retrieve_by_type", {
        "query": "memoize a function", "doc_type": "code", "top_k": 2,
    }, ["documents", "count"])
    todo = await run.call("add_todo", {
        "title": "Cap the retry delay", "description": "Never wait more than 30 s between tries",
        "priority": "high",
    }, ["todo_id", "message"])
    await run.call("list_todos", {}, ["todos", "count"])
    await run.call("complete_todo", {"todo_id": todo.get("todo_id", 1)}, ["message"])
    await run.call("search_todos", {"query": "retry delay"}, ["todos", "count"])
    await run.call("store_context_links_tool", {
        "message_id": message_id, "chunk_ids": [chunk_id],
    }, ["links_created", "message_id"])
    await run.call("get_context_links_for_message_tool", {"message_id": message_id},
                   ["links", "count"])
    await run.call("get_messages_for_chunk_tool", {"chunk_id": chunk_id}, ["messages", "count"])
    await run.call("get_context_usage_statistics_tool", {}, ["statistics"])
    source = str(stored.get("resource_id", "1"))
    await run.call("link_resources", {
        "source_id": source, "target_id": "design-notes", "relation": "references",
    }, ["relationship_created", "source_id", "target_id", "relationship_type"])
    await run.call("query_graph", {"entity": source}, ["relationships", "count"])
    await run.call("auto_link_documents", {
        "documents": [
            {"id": "doc-retry", "content": "Retry failed requests with exponential backoff."},
            {"id": "doc-backoff", "content": "Exponential backoff doubles the wait between retries."},
            {"id": "doc-cake", "content": "Bake the cake at 180 degrees for forty minutes."},
        ],
    }, ["links_created", "documents_processed"])
    await run.call("get_document_relationships_tool", {"doc_id": source},
                   ["relationships", "count"])
    await run.call("log_code_attempt", {
        "input_prompt": "memoize a pure function", "generated_code": "functools.cache",
        "result": "pass", "function_name": "cached", "file_name": "cache.py",
        "module_name": "util", "execution_time_ms": 12, "tags": ["python", "cache"],
    }, ["pattern_id", "message"])
    await run.call("get_code_patterns", {"query": "cache a function's results", "top_k": 3},
                   ["patterns", "count", "query"])
    await run.call("analyze_code_patterns_tool", {"time_range_days": 30}, [
        "total_patterns", "pass_count", "fail_count", "partial_count", "success_rate",
    ])

    await run.bad("missing required argument", "store_memory", {"file_name": "x.md"})
    await run.bad("mistyped argument", "retrieve_memory",
                  {"conversation_id": "e2e", "query": "x", "top_k": "three"})
    await run.bad("unknown todo id", "complete_todo", {"todo_id": 987654})
    await run.bad("invalid source type", "route_query", {"query": "x", "source_types": ["nope"]})
    await run.bad("unknown message id", "store_context_links_tool",
                  {"message_id": 987654, "chunk_ids": [chunk_id]})
    await run.bad("invalid attempt result", "log_code_attempt",
                  {"input_prompt": "p", "generated_code": "c", "result": "maybe"})
    await run.bad("unknown tool", "no_such_tool", {})

    names = [t.name for t in listed]
    ok = (
        names[: len(TOOLS)] == TOOLS
        and len(names) == len(TOOLS) + 21  # the fix-pattern tools follow
        and schemas_ok
        and all(c["ok"] for c in run.calls.values())
        and all(b["ok"] for b in run.bad_inputs.values())
    )
    return {
        "ok": ok,
        "server": {"name": server_info.name, "version": server_info.version},
        "tools_listed": names,
        "schemas_ok": schemas_ok,
        "calls": run.calls,
        "bad_inputs": run.bad_inputs,
    }


def server_env(data_dir):
    env = dict(os.environ)
    env.update({"LTMC_DATA_DIR": data_dir, "LTMC_EMBEDDER": "hash", "LTMC_LOG": "warn"})
    env.pop("LTMC_TOKEN", None)
    return env


async def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ltmc", required=True, help="the ltmc binary")
    parser.add_argument("--work-dir", required=True, help="a directory for the data dirs")
    args = parser.parse_args()

    async def start(name, transport):
        data_dir = os.path.join(args.work_dir, f"data-{name}")
        return await transport(args.ltmc, [], server_env(data_dir), exercise)

    await run_transports(["stdio", "http"], TIMEOUT_S, start)


if __name__ == "__main__":
    anyio.run(main)
