"""Long text and scripts, made: a Plan's parts generated (side by side on ModelsLab, one by one
offline), checked against their text, stitched in order, written as the clip, its subtitles and parts.

Exposes `LongForm` (runs one plan on one backend, yielding PartialAudio in text order, then a
CloneResult), `Voice` / `VoiceDirectory` / `NO_NAMED_VOICES` (who a script line's name means) and
`PartFailedError` (a part that failed for good: names it, and carries the parts that worked).

May import: components.backends and everything below it (modelslab, offline, output_files, script,
stitch, audio, errors, settings). Never gradio, never HTTP directly (the modelslab client does that).
"""

from components.long_form.outcome import PartFailedError
from components.long_form.runner import LongForm
from components.long_form.voices import NO_NAMED_VOICES, Voice, VoiceDirectory

__all__ = ["NO_NAMED_VOICES", "LongForm", "PartFailedError", "Voice", "VoiceDirectory"]
