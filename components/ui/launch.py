"""How the page is served: launch options, the queue, and the page's CSS."""

from __future__ import annotations

import contextlib
import os
import threading

import gradio as gr
from gradio import queueing
from starlette.middleware import Middleware

from components.settings import Settings
from components.ui.agents import StampMcpVisitor, mend_mcp_outputs
from components.ui.history import CSS as HISTORY_CSS
from components.ui.i18n import page_i18n
from components.ui.session_links import RefuseSessionLinks
from components.visitors import ProxyTrust

CLONE_CONCURRENCY = 32  # network-bound jobs must not queue behind each other
CLONE_ID = "clone"
"""The concurrency group of every generation (the page's Generate and the /clone API share its slots)."""
FIRST_ESTIMATE_S = {"modelslab": 30.0, "local": 5.0}
"""What one generation takes before the queue has timed any: ModelsLab's documented processing
examples give eta 35-100 s, a short clip here takes a few seconds less; offline clips take 1-5 s."""
_BUILDING = threading.Lock()  # one page built at a time while Gradio's app builder is set aside
QUEUE_IDLE_POLL_S = 0.01  # how often Gradio's idle queue looks for new work (its default: 1 ms)

CSS = """
#details { min-height: 6em; }
#char_count { text-align: right; opacity: 0.75; font-size: 0.85em; margin-top: -0.5em; }
#reference_report { font-size: 0.9em; }
#title_row { align-items: flex-start; }
#ui_language { max-width: 12em; }
""" + HISTORY_CSS + """
/* Phones: stakeholders open shared links on them. Nothing wider than the screen, and everything
   tappable at least 44 px each way (the size Apple's and Google's guidelines ask for). Gradio
   scopes these rules to the app's own container. */
@media (max-width: 640px) {
  button, [role="button"], a[download], select { min-height: 44px; min-width: 44px; }
  label:has(> input[type="radio"]), label:has(> input[type="checkbox"]) { min-height: 44px; align-items: center; }
  input[type="text"], input[type="password"], input[role="combobox"], textarea, [role="option"] {
    min-height: 44px; }
  #details, #reference_report, #history { overflow-wrap: anywhere; }
  #downloads a[href] { display: inline-flex; align-items: center; min-height: 44px; min-width: 44px; }
  div:has(> #emotion) { flex-wrap: wrap; }
  #language, #emotion { flex: 1 1 100% !important; }
  #title_row { flex-wrap: wrap; }
  #title_row > * { flex: 1 1 100% !important; }
  #ui_language { max-width: none; }
  [data-testid="block-label"] { max-width: calc(100% - 110px); }
}
"""


# Right-to-left pages (Arabic): Gradio marks every block dir="ltr", and scopes the `css` option's
# rules inside its container, where they cannot see the page's own `dir`. These go in <head> as is.
RTL_HEAD = """<style>
html[dir="rtl"] .gradio-container .prose, html[dir="rtl"] .gradio-container label,
html[dir="rtl"] .gradio-container [data-testid="block-info"],
html[dir="rtl"] .gradio-container [data-testid="block-label"] { direction: rtl; text-align: right; }
html[dir="rtl"] .gradio-container textarea, html[dir="rtl"] .gradio-container input:not([role="combobox"]) {
  unicode-bidi: plaintext; text-align: start; }
</style>"""


def keep_peer_addresses() -> None:
    """Stop uvicorn from replacing the peer address with X-Forwarded-For before the app sees it.

    Gradio's uvicorn trusts X-Forwarded-For from 127.0.0.1 by default (FORWARDED_ALLOW_IPS) and
    overwrites `request.client` with it, so any local caller, or a proxy on this machine passing on
    a visitor's forged header, would pick their own identity. The app reads the header itself, only
    from the proxies TRUSTED_PROXIES and SPACE_ID vouch for (components.visitors).
    """
    os.environ["FORWARDED_ALLOW_IPS"] = ""  # uvicorn reads it when Gradio builds its server config


def launch_options(settings: Settings) -> dict:
    """Keyword arguments for demo.launch(), shared by app.py and the tests."""
    keep_peer_addresses()
    if settings.mcp_server:
        mend_mcp_outputs()
    options = {
        "server_name": settings.server_name,
        "server_port": settings.server_port,
        "max_file_size": f"{settings.max_upload_mb:g}mb",
        "theme": gr.themes.Soft(),
        "css": CSS,
        "show_error": False,
        # Handlers of network-bound jobs sleep in threads; keep spare threads for pre/post-processing.
        "max_threads": 4 * CLONE_CONCURRENCY,
        "footer_links": ["api", "gradio"],
        # /clone (and the other public endpoints) as MCP tools at /gradio_api/mcp/ (MCP_SERVER=0: off).
        "mcp_server": settings.mcp_server,
        # Agents are named where their MCP request arrives, not at Gradio's loopback call (ui.agents).
        # Gradio's own session-saving deep-link route is off (ui.session_links): it would store the key.
        "app_kwargs": {"middleware": [
            Middleware(StampMcpVisitor, trust=ProxyTrust.from_settings(settings)), Middleware(RefuseSessionLinks),
        ]},
        # The page's words in every language it speaks; `localise` fills it as the page is built.
        "i18n": page_i18n(),
        "head": RTL_HEAD,
    }
    if settings.auth:
        options["auth"] = list(settings.auth)
        options["auth_message"] = "This voice-cloning demo is private. Sign in with the login you were given."
    return options


def seed_queue_estimates(demo: gr.Blocks, seconds: float) -> None:
    """Let the queue estimate a wait from the very first crowd.

    Gradio tells a queued visitor their place and an estimate, but it estimates from the average time
    of the events it has finished: on a fresh server the first crowd would see their place with no
    estimate. One assumed run of `seconds` per generation event starts that average; every real run
    then counts as much, so the estimate is soon the measured one.
    """
    for fn in demo.fns.values():
        if fn.concurrency_id == CLONE_ID and fn not in demo._queue.process_time_per_fn:
            demo._queue.process_time_per_fn[fn].add(seconds)


@contextlib.contextmanager
def web_app_built_at_launch():
    """While the page is built, Gradio does not build its web app: launch() builds it anyway.

    Gradio builds its whole FastAPI app (about 80 routes) when a Blocks is created, again when it is
    closed, and once more in launch(), the only one that serves: 0.25 s of start-up on these 2 cores
    for two apps nobody uses. Nothing reads `demo.app` before launch() here (mounting the page in
    another FastAPI app would, through gr.mount_gradio_app, which builds its own).
    """
    from gradio.routes import App

    original = App.__dict__["create_app"]
    with _BUILDING:
        App.create_app = staticmethod(lambda *args, **kwargs: None)
        try:
            yield
        finally:
            App.create_app = original


def configure_queue(demo: gr.Blocks) -> gr.Blocks:
    """A bounded queue: network jobs run side by side, the page never queues behind them."""
    # What demo.queue(max_size=256, default_concurrency_limit=4) sets up, without the rest of it:
    # queue() also rebuilds Gradio's whole web app (about 80 routes, 0.1-0.2 s of start-up on these
    # 2 cores), which launch() then builds once more anyway.
    demo._queue = queueing.Queue(
        live_updates=True, concurrency_count=demo.max_threads, update_intervals=1,
        max_size=256, blocks=demo, default_concurrency_limit=4,
    )
    # Gradio's queue loop checks for new work every 1 ms when idle: about 10% of a core on a
    # 2-core Space doing nothing, and GIL time taken from busy handlers under load. Every 10 ms
    # costs a tenth of that and delays a job's start by at most 10 ms.
    demo._queue.sleep_when_free = max(demo._queue.sleep_when_free, QUEUE_IDLE_POLL_S)
    return demo
