"""The page's long-text pieces: the live counter of characters and parts under the text box, the
downloads (WAV, MP3, subtitles), and the wording of part-by-part progress.

The counter runs in the browser (part_count.js mirrors components/script), so typing costs the server
nothing; its settings (part sizes, which backend a visitor gets) are baked into the page.
"""

from __future__ import annotations

import json
from pathlib import Path

import gradio as gr

from components.audio.level import wav_bytes
from components.library import EXAMPLE_VOICES
from components.long_form.planning import OFFLINE_FIRST_PART_CHARS, OFFLINE_PART_CHARS
from components.script import LIMITS
from components.settings import EMOTIONS, Settings
from components.ui.i18n import LOCALES, catalogue

PART_COUNT_JS = Path(__file__).with_name("part_count.js")


def part_count_js(settings: Settings, names: tuple[str, ...] | None = None) -> str:
    """The counter's JS function `(text, backend, api_key, saved voices) -> "1,234 / 10,000 characters ·
    parts: 3"`, in the page's language.

    Args:
        names: voice names a script may use besides this browser's saved voices (default: the
            example voices).
    """
    if names is None:
        names = tuple(voice.name for voice in EXAMPLE_VOICES)
    words = catalogue()
    config = {
        "maxChars": settings.max_text_chars,
        "maxParts": LIMITS.max_parts,
        "voiceBackend": settings.voice_backend,
        "serverKey": settings.has_server_key,
        "remote": {"part": settings.modelslab_chunk_chars, "first": None, "pack": True},
        "offline": {"part": OFFLINE_PART_CHARS, "first": OFFLINE_FIRST_PART_CHARS, "pack": True},
        "emotions": list(EMOTIONS),
        "names": list(names),
        "templates": {
            code: {
                "chars": words.text("page.char_count", code, count="{count}", limit="{limit}"),
                "parts": words.text("page.part_count", code, count="{count}", limit="{limit}", parts="{parts}"),
                "limit": words.text("page.part_limit", code, limit="{limit}"),
            }
            for code, _ in LOCALES
        },
    }
    return PART_COUNT_JS.read_text(encoding="utf-8").replace("__CONFIG__", json.dumps(config))


LIVE_FIRST_SLICE_S = 3.0
LIVE_SLICE_S = 10.0
LIVE_SHORT_SLICES_FOR_S = 15.0
"""Gradio's live player plays what its AAC encoder has finished when each value arrives, and re-reads
its HLS playlist about once per longest segment: a 30 s part sent whole played 3 s, then stalled for
seconds. So the start of a clip goes in 3 s slices, each given a moment to be encoded; after that the
player has enough buffered for 10 s slices (fewer values for the page to carry)."""
LIVE_SLICE_PAUSE_S = 0.05


def live_slices(path: Path, streamed_s: float) -> list[tuple[bytes, float, float]]:
    """A part's audio as 16-bit WAV slices for the live player: (bytes, seconds to wait before
    sending it, its length in seconds).

    Args:
        streamed_s: how much audio the live player has already been sent.
    """
    import soundfile

    samples, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
    mono, at, pieces = samples.mean(axis=1), 0, []
    while at < len(mono) or not pieces:
        short = streamed_s + at / rate < LIVE_SHORT_SLICES_FOR_S
        step = int((LIVE_FIRST_SLICE_S if short else LIVE_SLICE_S) * rate)
        piece = mono[at : at + step]
        pieces.append((wav_bytes(piece, rate), LIVE_SLICE_PAUSE_S if short and pieces else 0.0, len(piece) / rate))
        at += step
    return pieces


def first_count(settings: Settings) -> str:
    return f"0 / {settings.max_text_chars:,} characters"


def downloads_box() -> gr.File:
    return gr.File(
        label="Downloads: the clip as WAV and MP3, and its subtitles (.srt)", file_count="multiple",
        interactive=False, visible=False, elem_id="downloads",
    )


def streaming_note(done: int, total: int) -> str:
    """The details panel while a clip is being made: what is playing, what is left."""
    if total <= 1:
        return f"Speaking… {done} sentence(s) ready; the live player has started."
    if done == total:
        return f"All {total} parts are ready; putting the clip together…"
    return f"Part {done} of {total} ready and playing in the live player; making the rest…"


def failed_parts_note(count: int) -> str:
    return f"**The clip could not be finished.** The {count} part(s) made before it stopped are under Downloads."
