"""The page: layout, input components, event handlers and launch options. The only part that imports gradio
(besides `wiring`).

Exposes `build_demo(settings, service) -> gr.Blocks` and `launch_options(settings)`. Modules: `page`
(which components, where), `handlers` (what each event does), `widgets` (component subclasses), `agents`
(who an MCP agent is; tool outputs an agent can read), `launch` (queue and launch settings),
`session_links` (Gradio's own session-saving deep-link route, closed: it would store the key),
`api_words` (the API description in English while the page is translated).

May import: the service layer (`clone_service`, `backends`), `reference` (its limits), `visitors` (who a
request is from), `settings`, `errors`.
Never `modelslab` or `offline` directly: it talks to backends only through the service.
"""

from components.ui.launch import configure_queue, launch_options
from components.ui.page import build_demo

__all__ = ["build_demo", "configure_queue", "launch_options"]
