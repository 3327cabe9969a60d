"""Agents are visitors too: each MCP client has its own limit, although Gradio runs every tool call
through one loopback client; an agent's forged X-Forwarded-For, or a forged visitor stamp, buys nothing.

Agents connect from different loopback addresses (127.0.0.2, 127.0.0.3: all of 127/8 is this machine),
so the app sees different peers, as it would see different hosts.
"""

from __future__ import annotations

import httpx
import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from components.ui.agents import VISITOR_HEADER
from tests.async_runner import run_in_own_loop
from tests.conftest import app_settings, running_app

LIMIT = 2


def agent_clone(base: str, source: str, headers: dict | None = None):
    """One clone tool call from an MCP client whose connections leave from `source`."""
    from mcp import ClientSession
    from mcp.client.streamable_http import streamablehttp_client

    def client_from(headers=None, timeout=None, auth=None) -> httpx.AsyncClient:
        transport = httpx.AsyncHTTPTransport(local_address=source)
        return httpx.AsyncClient(headers=headers, timeout=timeout or 60, auth=auth, transport=transport)

    async def run():
        async with streamablehttp_client(
            f"{base}/gradio_api/mcp/", headers=headers, httpx_client_factory=client_from
        ) as (read, write, _):
            async with ClientSession(read, write) as session:
                await session.initialize()
                return await session.call_tool("clone", {"text": "Agent clip.", "voice_id": "jacob"})

    return run_in_own_loop(run())


def refused(answer) -> bool:
    return answer.isError and "the limit for this shared link" in answer.content[0].text


@pytest.fixture
def limited_app(emulator):
    settings = app_settings(emulator, rate_limit_per_minute=LIMIT)
    with running_app(settings):
        yield f"http://127.0.0.1:{settings.server_port}"


def test_each_agent_has_its_own_limit_and_cannot_forge_another(limited_app):
    for _ in range(LIMIT):
        assert not agent_clone(limited_app, "127.0.0.2").isError
    assert refused(agent_clone(limited_app, "127.0.0.2"))
    assert refused(agent_clone(limited_app, "127.0.0.2", {"X-Forwarded-For": "81.2.69.142"}))
    assert refused(agent_clone(limited_app, "127.0.0.2", {VISITOR_HEADER: "guess:81.2.69.142"}))
    # Another agent, from another address, is not refused: the loopback did not make them one.
    assert not agent_clone(limited_app, "127.0.0.3").isError


def test_a_forged_visitor_stamp_on_the_api_is_ignored(limited_app):
    base = limited_app + "/"
    for _ in range(LIMIT):
        Client(base, verbose=False).predict(text="Hi.", voice_id="jacob", api_name="/clone")
    forged = Client(base, verbose=False, headers={VISITOR_HEADER: "anything:93.184.216.34"})
    with pytest.raises(AppError, match="the limit for this shared link"):
        forged.predict(text="Hi.", voice_id="jacob", api_name="/clone")
