"""The one link the reference inputs accept: a link to a file already uploaded to this app (what an MCP
client's upload step returns). Its path is read from the link and checked; nothing is fetched."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import gradio as gr
import pytest

from components.ui.widgets import UploadOnlyAudio, own_file_path


def move(component, path):
    # Its own thread and event loop: the browser tests leave a loop running in this one.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, component.async_move_resource_to_block_cache(path)).result()


def test_the_path_inside_a_file_route_link():
    assert own_file_path("https://me.hf.space/gradio_api/file=/tmp/gradio/ab/my%20voice.wav") == (
        "/tmp/gradio/ab/my voice.wav"
    )
    assert own_file_path("http://127.0.0.1:7860/gradio_api/file=/tmp/x.wav?download=1") == "/tmp/x.wav"
    assert own_file_path("https://example.com/voice.wav") is None
    assert own_file_path("https://example.com/gradio_api/file=") is None


def test_a_link_to_an_uploaded_file_reads_that_file(tmp_path):
    component = UploadOnlyAudio()
    component.GRADIO_CACHE = str(tmp_path)
    uploaded = tmp_path / "abc123" / "my voice.wav"
    uploaded.parent.mkdir()
    uploaded.write_bytes(b"RIFF")
    link = f"http://127.0.0.1:9/gradio_api/file={quote(str(uploaded))}"
    assert move(component, link) == str(uploaded)


@pytest.mark.parametrize("target", ["/etc/passwd", "{cache}/missing.wav", "{cache}/../outside.wav"])
def test_a_file_route_link_outside_the_uploads_or_to_nothing_is_refused(tmp_path, target):
    component = UploadOnlyAudio()
    cache = tmp_path / "cache"
    cache.mkdir()
    (tmp_path / "outside.wav").write_bytes(b"RIFF")
    component.GRADIO_CACHE = str(cache)
    with pytest.raises(gr.Error):
        move(component, "http://127.0.0.1:9/gradio_api/file=" + target.format(cache=cache))
