"""What the list of takes does: record each finished clip with what made it, redraw the list (on load,
after a clip, when the language changes), put a take's settings back, and share the take on show.

The list itself lives in the visitor's browser (gr.BrowserState): the server keeps none of it, so
no visitor can see another's takes. What comes back from the browser is checked (`takes.read_takes`)
before anything is done with it.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

import gradio as gr
from gradio.utils import get_upload_folder

from components.ui.history.panel import render
from components.ui.history.share import write_deep_link
from components.ui.history.takes import (
    MAX_DETAILS,
    MAX_NAME,
    MAX_TAKES,
    Take,
    checked_inputs,
    is_app_clip,
    is_upload,
    read_takes,
    still_there,
)
from components.ui.library_texts import NEW as NEW_VOICE

log = logging.getLogger(__name__)

_ENGLISH_MATCH = re.compile(r"Voice match:?\**:?\s*(\d{1,3})\s?%", re.IGNORECASE)


class HistoryEvents:
    """The list's handlers, bound to the page's translator and the app's output folder."""

    def __init__(self, translator, outputs_root: Path, demo: gr.Blocks | None = None):
        self.translator = translator
        self.outputs_root = Path(os.path.abspath(outputs_root))
        self.demo = demo
        self.targets: dict[str, gr.components.Component] = {}
        """What 'use again' fills in, by name (set by `wire_history`; only the parts the page has)."""

    @property
    def uploads_root(self) -> Path:
        return Path(os.path.abspath(get_upload_folder()))

    # --- reading and drawing ------------------------------------------------------------------
    def takes(self, stored) -> list[Take]:
        return read_takes(stored, self.outputs_root, self.uploads_root)

    def view(self, takes: list[Take], request) -> str:
        locale = self.translator.locale(request)
        present = {take.id for take in takes if still_there(take.clip)}
        return render(takes, present, lambda key, **values: self.translator.text(key, locale=locale, **values))

    def on_load(self, stored, request: gr.Request = None):
        """Page load: the browser's list, checked, redrawn (clips older than an hour say so)."""
        takes = self.takes(stored)
        return [take.stored() for take in takes], self.view(takes, request)

    def on_redraw(self, stored, request: gr.Request = None) -> str:
        """After a language switch: the same list in the new language."""
        return self.view(self.takes(stored), request)

    # --- recording a take -----------------------------------------------------------------------
    def on_clip_ready(self, clip, details, pending, stored, request: gr.Request = None):
        """A clip is finished: add it (newest first) and make it the take on show."""
        clip = os.path.abspath(clip) if isinstance(clip, str) and clip else ""
        takes = self.takes(stored)
        if not is_app_clip(clip, self.outputs_root):
            log.warning("a finished clip outside the output folder was not listed")
            return gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
        pending = pending if isinstance(pending, dict) else {}  # from the browser: checked below
        take = Take.new(clip, **self._take_inputs(pending, details if isinstance(details, str) else "", request))
        takes = [take] + [old for old in takes if old.clip != clip]
        takes = takes[:MAX_TAKES]
        return (
            [old.stored() for old in takes], self.view(takes, request), take.stored(),
            gr.update(interactive=True), gr.update(visible=False, value=""),
        )

    def _take_inputs(self, pending: dict, details: str, request) -> dict:
        reference, voice_id, picked, label = (
            value if isinstance(value, str) else ""
            for value in (
                pending.get("reference"), pending.get("voice_id"), pending.get("picked"), pending.get("picked_label")
            )
        )
        reference = os.path.abspath(reference) if reference else ""
        voice_id = voice_id.strip()
        if picked and picked != NEW_VOICE:  # a voice picked from the list wins over a recording, as Generate does
            kind, name = "picker", label.strip() or picked  # the name the visitor saw in the list
            reference = ""
        elif reference:
            kind, name = "sample", ""
        elif voice_id:
            kind, name = "id", voice_id
        else:
            kind, name = "builtin", ""
        made_by, match = self.outcome(details, request)
        return dict(
            **checked_inputs(pending), voice_kind=kind, voice_name=name[:MAX_NAME],
            voice_id=voice_id[:MAX_NAME], picked=picked[:MAX_NAME],
            reference=reference if is_upload(reference, self.uploads_root) else "",
            made_by=made_by, match=match, details=details[:MAX_DETAILS],
        )

    def outcome(self, details: str, request) -> tuple[str, int | None]:
        """(backend that made it, voice match %) from the details, in whichever language they are."""
        locale = self.translator.locale(request)
        words = self.translator.words
        made_by, match = "", None
        for line in details.splitlines():
            found = words.match(line.strip(), locale) or words.match(line.strip())
            if not found:
                continue
            key, values = found
            if key == "details.backend":
                made_by = values.get("backend", "").strip()[:40]
            elif key == "details.voice_match" and values.get("percent", "").strip().isdigit():
                match = min(100, int(values["percent"].strip()))
        english = _ENGLISH_MATCH.search(details)
        if match is None and english:
            match = min(100, int(english.group(1)))
        return made_by, match

    # --- using a take again -------------------------------------------------------------------
    def on_use(self, stored, event: gr.EventData, request: gr.Request = None):
        """'Use these settings again': the take's inputs, clip and details back on the page."""
        data = getattr(event, "_data", None) or {}
        take_id = data.get("id") if isinstance(data, dict) else None
        take = next((take for take in self.takes(stored) if take.id == take_id), None)
        if take is None:
            gr.Warning(self.translator.text("history.gone", request))
            return {}
        present = still_there(take.clip)
        values = {
            "text": take.text, "language": take.language, "emotion": take.emotion, "voice_id": take.voice_id,
            "backend": take.backend_choice, "output_audio": take.clip if present else None,
            "details": take.details, "current": take.stored(), "share": gr.update(interactive=present),
            "share_link": gr.update(visible=False, value=""), "live_audio": gr.update(visible=False),
            "voice_match": match_bar(take.match),
        }
        values.update(restored_voice(take))
        if take.voice_kind == "sample" and not still_there(take.reference):
            gr.Warning(self.translator.text("history.sample_gone", request))
        gr.Info(self.translator.text("history.restored", request))
        return {self.targets[name]: value for name, value in values.items() if name in self.targets}

    # --- sharing the take on show ------------------------------------------------------------
    def on_share(self, current, request: gr.Request = None):
        """Save a link to the take on show; the browser turns it into the full address."""
        take = Take.from_stored(current, self.outputs_root, self.uploads_root) if current else None
        if take is None:
            raise gr.Error(self.translator.text("share.no_result", request), print_exception=False)
        if not still_there(take.clip):
            raise gr.Error(self.translator.text("share.expired", request), print_exception=False)
        bar = match_bar(take.match)
        link = write_deep_link(self.demo.config["components"], take, self.uploads_root, shown={"voice_match": bar})
        return f"?deep_link={link}", gr.update(visible=True, value="")


def restored_voice(take: Take) -> dict:
    """The voice inputs as the take had them. Generate lets a picked voice win over a sample, and a
    sample over a voice id, so anything left on the page from later would make the next clip in
    another voice: a take made from a voice id (or the built-in voice) empties the sample box and
    puts the picker back to a new recording; a sample take puts its sample back."""
    if take.voice_kind == "picker" and take.picked:
        return {"voice_picker": take.picked}
    values: dict = {"voice_picker": NEW_VOICE}
    if take.voice_kind != "sample":
        values["reference_audio"] = None
    elif still_there(take.reference):
        values["reference_audio"] = take.reference
    # else the sample is gone from the server: what is in the box stays, and the visitor is told
    return values


def match_bar(percent: int | None):
    """The voice-match bar for a take's score (hidden when it has none), as the page draws it."""
    if percent is None:
        return gr.update(value="", visible=False)
    from components.voice_match import VoiceMatch, bar_html

    return gr.update(value=bar_html(VoiceMatch.from_cosine(percent / 100)), visible=True)
