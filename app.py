"""Voice Clone Studio: read settings, build the backends and the Blocks, launch.

`python app.py` serves on 127.0.0.1:7860 (GRADIO_SERVER_NAME / GRADIO_SERVER_PORT override).
Importing this module builds the page but starts nothing, so tests and Spaces can import `demo`.
"""

from __future__ import annotations

import logging
import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # nothing leaves the machine at start-up
# Gradio rebuilds a pandas summary of up to 10,000 past events after every event, for a monitoring
# page this app does not enable: 4-11 ms of CPU per click, growing with uptime. Compute it never.
os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", str(10**9))

from components.settings import Settings  # noqa: E402
from components.wiring import build_app  # noqa: E402

settings = Settings.from_env()
demo, service = build_app(settings)

if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from components.secrets import install_log_redaction
    from components.ui import launch_options

    install_log_redaction()
    demo.launch(prevent_thread_lock=True, **launch_options(settings))
    if settings.offline_is_default:
        # Load the offline voice in the background once the page is up: the first visitor never waits.
        # With a server key it loads on the first offline request instead (it costs ~350 MB).
        service.backends["local"].engine.start_warmup()
    service.matcher.start_warmup()  # the speaker encoder for voice match (niced, ~0.3 s of CPU)
    demo.block_thread()
