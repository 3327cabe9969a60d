"""Shared fixtures: the loopback ModelsLab emulator and an in-process app driven by gradio_client."""

from __future__ import annotations

import contextlib
import os
import socket
import tempfile

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("GRADIO_TEMP_DIR", tempfile.mkdtemp(prefix="vcs-gradio-"))

import pytest  # noqa: E402

from tests.fakes.modelslab_emulator import VALID_KEY, ModelsLabEmulator  # noqa: E402


@pytest.fixture(scope="session")
def emulator_server():
    server = ModelsLabEmulator().start()
    yield server
    server.stop()


@pytest.fixture
def emulator(emulator_server):
    """The emulator reset to the plain success scenario for each test."""
    emulator_server.reset()
    return emulator_server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def app_settings(emulator: ModelsLabEmulator | None = None, **overrides):
    """Settings pointed at the emulator, with the per-visitor limit off unless a test sets it."""
    from components.settings import Settings

    values = dict(
        api_key=VALID_KEY if emulator else "",
        base_url=emulator.base_url if emulator else "http://127.0.0.1:9",
        rate_limit_per_minute=0,
        job_deadline_s=20.0,
        server_port=free_port(),
    )
    values.update(overrides)
    return Settings(**values)


@contextlib.contextmanager
def running_app(settings, engine=None):
    """Launch the real Blocks in-process on a free port and yield (gradio_client.Client, service)."""
    from gradio_client import Client

    from components.ui import launch_options
    from components.wiring import build_app

    demo, service = build_app(settings, engine=engine)
    options = launch_options(settings)
    options.pop("theme", None)
    auth = options.get("auth")
    demo.launch(prevent_thread_lock=True, quiet=True, **options)
    try:
        client = Client(
            f"http://127.0.0.1:{settings.server_port}/", verbose=False,
            auth=tuple(auth[0]) if auth else None,
        )
        yield client, service
    finally:
        demo.close()
