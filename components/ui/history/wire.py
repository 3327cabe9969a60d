"""Connect the list of takes to the page: record after each clip, draw on load and after a language
switch, put a take back, share the take on show."""

from __future__ import annotations

import gradio as gr

from components.ui.history.events import HistoryEvents
from components.ui.history.panel import HistoryPanel

RESTORED = (
    "text", "language", "emotion", "voice_id", "backend", "reference_audio", "voice_picker", "output_audio",
    "details", "voice_match", "live_audio", "current", "share", "share_link",
)
"""What 'use these settings again' fills in: the page's parts of these names, when it has them."""

SNAPSHOT_JS = """(text, reference, voice_id, language, emotion, backend, picked) => ({
  text, voice_id, language, emotion, backend_choice: backend, picked: picked || '',
  picked_label: picked ? ((document.querySelector('#voice_picker input') || {}).value || '') : '',
  reference: reference ? (reference.path || '') : '',
})"""
"""Generate's inputs as they are when it is pressed, for the take this click makes."""

SHARE_JS = """(token) => {
  if (!token) return '';
  const url = new URL(window.location.href);
  url.search = token;
  url.hash = '';
  const link = url.toString();
  try { navigator.clipboard.writeText(link).catch(() => {}); } catch (error) {}
  return link;
}"""
"""The link's full address is the page's own (on a Space, the *.hf.space address), so the server
never has to guess which host name the visitor used."""


def capture_settings(page) -> gr.JSON:
    """Copy Generate's inputs at each click, for the take it makes. Must be wired BEFORE Generate's
    own click handler: the browser runs one trigger's handlers in the order they were added, each
    after the previous one (and its follow-ups) has finished."""
    picker = getattr(page, "voice_picker", None)
    settings_in = [page.text, page.reference_audio, page.voice_id, page.language, page.emotion, page.backend]
    # Taken in the browser at the click itself: the visitor may type the next text while this one is
    # made. Checked again on the server.
    pending = gr.JSON(visible=False)
    page.generate.click(
        None, settings_in + ([picker] if picker is not None else []), pending, js=SNAPSHOT_JS,
        api_visibility="private", show_progress="hidden",
    )
    return pending


def wire_history(page, panel: HistoryPanel, events: HistoryEvents, generate_event, page_loaded_events,
                 pending: gr.JSON) -> None:
    """`page` has the input/output components by their names; `generate_event` is Generate's click
    event; `page_loaded_events` are events after which the page knows its language (load, switch);
    `pending` is what `capture_settings` copied."""
    private = dict(api_visibility="private", show_progress="hidden")
    shown = [panel.store, panel.view, panel.current, panel.share, panel.share_link]
    generate_event.success(
        events.on_clip_ready, [page.output_audio, page.details, pending, panel.store], shown, **private
    )
    loaded, *switched = page_loaded_events
    loaded.then(events.on_load, panel.store, [panel.store, panel.view], **private)
    for event in switched:
        event.then(events.on_redraw, panel.store, panel.view, **private)
    events.targets = {
        name: component
        for name in RESTORED
        if (component := getattr(page, name, None) or getattr(panel, name, None)) is not None
    }
    panel.view.click(events.on_use, panel.store, list(events.targets.values()), **private)
    panel.share.click(events.on_share, panel.current, [panel.token, panel.share_link], **private).success(
        None, panel.token, panel.share_link, js=SHARE_JS, **private
    )
