"""Per-visitor limits in a running app: each visitor behind a trusted proxy gets their own; a forged
X-Forwarded-For from anyone else buys nothing (uvicorn's own header rewrite is off)."""

from __future__ import annotations

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from tests.conftest import app_settings, running_app

LIMIT = 2


def clone(client: Client) -> str:
    audio, _details = client.predict(
        text="Hello there.", voice_id="jacob", backend="modelslab", api_name="/clone"
    )
    return audio


def visitor(base: str, forwarded_for: str | None) -> Client:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else None
    return Client(base, verbose=False, headers=headers)


def use_up_limit(client: Client) -> None:
    for _ in range(LIMIT):
        clone(client)
    with pytest.raises(AppError, match="the limit for this shared link"):
        clone(client)


def test_on_a_space_each_forwarded_visitor_has_their_own_limit(emulator):
    settings = app_settings(emulator, rate_limit_per_minute=LIMIT, space_id="someone/voice-clone-studio")
    with running_app(settings):
        base = f"http://127.0.0.1:{settings.server_port}/"
        use_up_limit(visitor(base, "81.2.69.142"))
        # Another visitor through the same proxy is not refused...
        assert clone(visitor(base, "93.184.216.34"))
        # ...and the first cannot come back by putting another address in front of the proxy's.
        with pytest.raises(AppError, match="the limit for this shared link"):
            clone(visitor(base, "6.6.6.6, 81.2.69.142"))


def test_without_a_trusted_proxy_a_forged_header_buys_no_new_limit(emulator):
    settings = app_settings(emulator, rate_limit_per_minute=LIMIT)
    with running_app(settings):
        base = f"http://127.0.0.1:{settings.server_port}/"
        use_up_limit(visitor(base, "81.2.69.142"))
        for forged in ("93.184.216.34", "6.6.6.6, 7.7.7.7"):
            with pytest.raises(AppError, match="the limit for this shared link"):
                clone(visitor(base, forged))
        with pytest.raises(AppError, match="the limit for this shared link"):
            clone(visitor(base, None))


def test_trusted_proxies_names_the_local_proxy(emulator):
    settings = app_settings(emulator, rate_limit_per_minute=LIMIT, trusted_proxies=("127.0.0.1",))
    with running_app(settings):
        base = f"http://127.0.0.1:{settings.server_port}/"
        use_up_limit(visitor(base, "81.2.69.142"))
        assert clone(visitor(base, "93.184.216.34"))
