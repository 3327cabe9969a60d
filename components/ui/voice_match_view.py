"""How the page shows voice match: the bar under the player and the coaching beside the sample.

The pictures and sentences come from components.voice_match (through clip_match); this module
only decides what is visible and formats the coaching as markdown. Nothing a visitor typed goes in.
"""

from __future__ import annotations

import gradio as gr

from components.clip_match import ClipMatch
from components.voice_match import Coaching, bar_html

BADGE_WORDS = {
    "good": "✅ **Sample check: good** — one clear voice; no noise, hum, music or distortion found.",
    "fair": "🟡 **Sample check: fair** — usable, but a better recording will sound more like the person:",
    "poor": "🔴 **Sample check: poor** — record again for a voice that sounds like the person:",
}


def bar_update(match: ClipMatch | None):
    """The voice-match bar for a finished clip, hidden when the clip has no score."""
    if match is None or match.match is None:
        return gr.update(value="", visible=False)
    return gr.update(value=bar_html(match.match), visible=True)


def coaching_markdown(coaching: Coaching | None) -> str:
    """The badge and one line per finding (empty when the sample could not be checked)."""
    if coaching is None:
        return ""
    lines = [BADGE_WORDS[coaching.badge]]
    lines.extend(f"- {sentence}" for sentence in coaching.sentences)
    note = "_Checked by a speaker encoder and signal measures: an estimate, not a verdict._"
    return "\n".join(lines) + "\n\n" + note
