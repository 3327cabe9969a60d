"""Start-up: building the page leaves Gradio's web app to launch(), and leaves Gradio as it found it."""

from __future__ import annotations

import gradio as gr
from gradio.routes import App

from components.ui.launch import web_app_built_at_launch
from components.wiring import build_app
from tests.conftest import app_settings


def test_building_the_page_builds_no_web_app_and_puts_gradio_back():
    before = App.__dict__["create_app"]
    demo, _ = build_app(app_settings(None))
    assert demo.app is None  # launch() builds the one that serves
    assert App.__dict__["create_app"] is before
    with gr.Blocks() as other:  # any other Blocks still gets its app as usual
        gr.Textbox()
    assert other.app is not None


def test_gradio_is_put_back_even_when_building_fails():
    before = App.__dict__["create_app"]
    try:
        with web_app_built_at_launch():
            raise RuntimeError("a broken page")
    except RuntimeError:
        pass
    assert App.__dict__["create_app"] is before
