"""The embedded offline engine: a built-in voice per language, matched to the reference (no cloning).

Exposes `LocalEngine` (from `engine`). Modules: `voices` (Piper for English, espeak-ng for the rest),
`text` (splitting and per-language clean-up), `kanji_readings` (Japanese kanji -> kana, from a compact
dictionary), `matching` (pitch, formants and EQ toward the reference).

May import: `components.audio`, `components.settings`, `components.errors`. Never `modelslab`,
`reference` (it receives a `PreparedReference`, it does not make one) or `ui`.
"""

from components.offline.engine import LocalEngine, SpeechChunk

__all__ = ["LocalEngine", "SpeechChunk"]
