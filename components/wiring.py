"""Construct the real backends from Settings and hand them to the UI factory."""

from __future__ import annotations

from pathlib import Path

import gradio as gr
from gradio.utils import get_upload_folder

from components.backends import LocalBackend, ModelsLabBackend
from components.clone_service import CloneService
from components.library import VoiceLibrary
from components.library.account import AccountVoices
from components.long_form import LongForm
from components.long_form.uploads import ReferenceUrls
from components.modelslab.client import ModelsLabClient
from components.modelslab.voices import ModelsLabVoices
from components.offline.engine import LocalEngine
from components.output_files import OutputFiles
from components.secrets import register_secret
from components.settings import Settings
from components.ui import build_demo, configure_queue
from components.ui.launch import FIRST_ESTIMATE_S, seed_queue_estimates


def build_service(settings: Settings, *, engine: LocalEngine | None = None) -> CloneService:
    """The CloneService with both backends; the offline engine loads lazily on first use."""
    register_secret(settings.api_key)
    # Inside Gradio's own cache folder: Gradio then serves each clip where it is, instead of hashing
    # and copying it there after every generation.
    outputs = OutputFiles(Path(get_upload_folder()) / "voice-clone-studio")
    client = ModelsLabClient(
        base_url=settings.base_url,
        tier=settings.tier,
        connect_timeout_s=settings.connect_timeout_s,
        read_timeout_s=settings.read_timeout_s,
        job_deadline_s=settings.job_deadline_s,
        max_download_bytes=int(settings.max_download_mb * 1024 * 1024),
    )
    backends = {
        "modelslab": ModelsLabBackend(client, outputs),
        "local": LocalBackend(engine or LocalEngine(), outputs),
    }
    voices = ModelsLabVoices(client)
    library = VoiceLibrary(
        account=AccountVoices(voices),
        target_rate=settings.target_rate,
        max_upload_mb=settings.max_upload_mb,
    )
    long_form = LongForm(
        outputs, max_parallel=settings.modelslab_max_parallel, deadline_s=settings.job_deadline_s,
        reference_urls=ReferenceUrls(voices.base64_to_url),
    )
    return CloneService(settings, backends, outputs, library=library, long_form=long_form)


def build_app(settings: Settings, *, engine: LocalEngine | None = None) -> tuple[gr.Blocks, CloneService]:
    """The queued Blocks and the service behind it (app.py warms the offline engine after launch)."""
    service = build_service(settings, engine=engine)
    demo = configure_queue(build_demo(settings, service))
    seed_queue_estimates(demo, FIRST_ESTIMATE_S["local" if settings.offline_is_default else "modelslab"])
    return demo, service
