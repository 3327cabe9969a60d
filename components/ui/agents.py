"""Serving agents over MCP: who an agent is, and its tools' outputs as an agent can read them.

Gradio's MCP server runs a tool by calling this same app again through a loopback gradio_client (from
127.0.0.1), passing the MCP request's headers along. The handler then sees the loopback as its peer:
every agent would be one visitor, and from a peer the app trusts as a proxy (on a Space, or with
127.0.0.1 in TRUSTED_PROXIES) an agent's own X-Forwarded-For would be taken at its word. So the app
names the visitor where the MCP request arrives, with the same rules as for any request, in a header
only this process can write (it carries a random per-process token), and the handler believes that
header and nothing else an agent sends.
"""

from __future__ import annotations

import hmac
import json
import secrets
from collections.abc import Mapping

from components.visitors import ProxyTrust, visitor_key

VISITOR_HEADER = "x-voice-clone-visitor"
_VISITOR_HEADER_BYTES = VISITOR_HEADER.encode()
_TOKEN = secrets.token_urlsafe(24)  # letters, digits, '-' and '_': never a ':'
MCP_PATH = "/gradio_api/mcp"


class StampMcpVisitor:
    """ASGI middleware: on each MCP request, replace any VISITOR_HEADER with the visitor it comes from."""

    def __init__(self, app, trust: ProxyTrust):
        self.app = app
        self.trust = trust

    async def __call__(self, scope, receive, send):
        if scope.get("type") == "http" and MCP_PATH in scope.get("path", ""):
            headers = [(name, value) for name, value in scope.get("headers", []) if name != _VISITOR_HEADER_BYTES]
            forwarded = [value.decode("latin-1") for name, value in headers if name == b"x-forwarded-for"]
            peer = (scope.get("client") or (None,))[0]
            visitor = visitor_key(peer, forwarded, self.trust)
            headers.append((_VISITOR_HEADER_BYTES, f"{_TOKEN}:{visitor}".encode("latin-1")))
            scope = {**scope, "headers": headers}
        await self.app(scope, receive, send)


def stamped_visitor(headers: Mapping[str, str]) -> str | None:
    """The visitor StampMcpVisitor named for this request's MCP call, or None (not an MCP call, or forged)."""
    token, found, visitor = (headers.get(VISITOR_HEADER) or "").partition(":")
    if found and visitor and hmac.compare_digest(token.encode(), _TOKEN.encode()):
        return visitor
    return None


def _as_json(output):
    """A list or dict output (not a file) as JSON text: Gradio would send an agent its Python repr."""
    if isinstance(output, (list, dict)):
        text = json.dumps(output, ensure_ascii=False, default=str)
        if "gradio.FileData" not in text:  # files keep Gradio's own handling (a URL to download)
            return text
    return output


def mend_mcp_outputs() -> None:
    """Give MCP clients each output of a tool as its own content item, and lists and dicts as JSON.

    Gradio's MCP server (6.31) runs a tool through gradio_client, which returns a tuple for an
    endpoint with several outputs; without a progress token Gradio wraps that tuple as ONE output and
    sends the agent its repr: a server path instead of the clip's URL, details glued on. With a
    progress token it already sends the outputs one by one; this makes both paths alike. And it
    turns a JSON output (the voice list) into text with str(): single quotes, None, True, which no
    JSON parser reads.
    """
    try:
        from gradio.mcp import GradioMCPServer
    except ImportError:  # no `mcp` installed: there is no MCP server to mend
        return
    execute, postprocess = GradioMCPServer._execute_tool_without_progress, GradioMCPServer.postprocess_output_data
    if getattr(execute, "mended", False):
        return

    async def execute_tool_without_progress(self, job):
        data = await execute(self, job)
        return list(data[0]) if len(data) == 1 and isinstance(data[0], tuple) else data

    def postprocess_output_data(self, data, root_url):
        return postprocess(self, [_as_json(output) for output in data], root_url)

    execute_tool_without_progress.mended = True
    GradioMCPServer._execute_tool_without_progress = execute_tool_without_progress
    GradioMCPServer.postprocess_output_data = postprocess_output_data
