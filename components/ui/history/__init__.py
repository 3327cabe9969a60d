"""The visitor's list of takes: each clip of theirs with what made it, to play two one after the other,
put a take's settings back, download it, or share it as a link.

The list is kept in the visitor's own browser (gr.BrowserState), never on the server, and is
checked whenever it comes back (`takes`). Modules: `takes` (one take, validation), `panel`
(components, HTML, browser code), `events` (handlers), `share` (the deep link), `wire`.

Exposes: `history_panel`, `HistoryEvents`, `capture_settings`, `wire_history`, `CSS`.
May import: gradio, `settings` (the choices a take may hold).
"""

from components.ui.history.events import HistoryEvents
from components.ui.history.panel import CSS, history_panel
from components.ui.history.wire import capture_settings, wire_history

__all__ = ["CSS", "HistoryEvents", "capture_settings", "history_panel", "wire_history"]
