"""What the two end-to-end MCP clients share (mcp_client.py, mcp_fix_client.py).

Reading a tool result in both spellings of the official Python SDK (2.x:
is_error, structured_content; 1.x: isError, structuredContent), checking a
bad-input call, starting `ltmc serve` over stdio or streamable HTTP and
running a coroutine on the session, and running each transport under a
timeout into one JSON summary. Not a test by itself: the two clients say
what to call and what to expect.
"""

import json
import subprocess
import sys
import traceback
from importlib import metadata

import anyio
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

try:  # mcp 2.x
    from mcp.client.streamable_http import streamable_http_client as http_client
except ImportError:  # mcp 1.x
    from mcp.client.streamable_http import streamablehttp_client as http_client


def field(obj, snake, camel):
    """A result attribute under the 2.x name or the 1.x one."""
    if hasattr(obj, snake):
        return getattr(obj, snake)
    return getattr(obj, camel, None)


def tool_object(result):
    """The tool's JSON object (structured content, else the text content
    parsed) and a problem, or None, when the two disagree or one is missing."""
    structured = field(result, "structured_content", "structuredContent")
    text = None
    for block in result.content or []:
        if getattr(block, "type", None) == "text":
            text = block.text
            break
    parsed = json.loads(text) if text is not None else None
    if structured is None:
        return parsed, "no structured content"
    if parsed != structured:
        return structured, "text content differs from structured content"
    return structured, None


async def check_bad(session, name, arguments, check_shape=True):
    """Calls `name` with bad input; it must be a tool result with isError and
    an error object. With check_shape, structured and text content must also
    agree. Returns {"ok", "tool", "error", "problem"}."""
    entry = {"ok": False, "tool": name, "error": None, "problem": None}
    try:
        result = await session.call_tool(name, arguments)
    except Exception as e:  # a protocol error is a failure of the contract
        entry["problem"] = f"protocol error instead of isError: {e!r}"
        return entry
    obj, problem = tool_object(result)
    obj = obj or {}
    entry["error"] = obj.get("error")
    if problem and check_shape:
        entry["problem"] = problem
    elif field(result, "is_error", "isError") is not True:
        entry["problem"] = f"isError not set: {obj}"
    elif obj.get("success") is not False or not obj.get("error"):
        entry["problem"] = f"not a failure object: {obj}"
    else:
        entry["ok"] = True
    return entry


async def over_stdio(ltmc, args, env, body):
    """`ltmc serve --stdio ARGS...` through the SDK's stdio client; body(session)."""
    params = StdioServerParameters(command=ltmc, args=["serve", "--stdio", *args], env=env)
    async with stdio_client(params) as streams:
        async with ClientSession(streams[0], streams[1]) as session:
            return await body(session)


async def over_http(ltmc, args, env, body):
    """`ltmc serve --http 127.0.0.1:0 ARGS...` through the SDK's streamable
    HTTP client at the /mcp URL it announces; body(session), with "url" added."""
    server = subprocess.Popen(
        [ltmc, "--json", "serve", "--http", "127.0.0.1:0", *args],
        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=sys.stderr, text=True,
    )
    try:
        line = await anyio.to_thread.run_sync(server.stdout.readline)
        if not line:
            raise RuntimeError(f"ltmc serve --http exited with {server.wait()} before listening")
        url = json.loads(line)["mcp"]
        async with http_client(url) as streams:
            async with ClientSession(streams[0], streams[1]) as session:
                summary = await body(session)
        summary["url"] = url
        return summary
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


TRANSPORTS = {"stdio": over_stdio, "http": over_http}


async def run_transports(names, timeout_s, start):
    """Runs start(name, transport) for each transport name under timeout_s;
    prints one JSON summary {"sdk_version", "runs": {name: ...}, "ok"}, where a
    crash is recorded, not raised."""
    summary = {"sdk_version": metadata.version("mcp"), "runs": {}}
    for name in names:
        try:
            with anyio.fail_after(timeout_s):
                summary["runs"][name] = await start(name, TRANSPORTS[name])
        except BaseException as e:  # noqa: BLE001 - every failure goes into the summary
            summary["runs"][name] = {
                "ok": False,
                "crash": "".join(traceback.format_exception(e)),
            }
    summary["ok"] = bool(summary["runs"]) and all(r["ok"] for r in summary["runs"].values())
    print(json.dumps(summary))
