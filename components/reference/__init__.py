"""The reference pipeline: any user audio -> a clean 4-30 s mono reference and a report of what changed.

Exposes `prepare(path, ...) -> PreparedReference`, `clear_cache()`, and the speech limits `MIN_SPEECH_S`,
`MAX_SPEECH_S`. Modules: `decode` (soundfile, else ffmpeg), `speech` (finding speech, shortening pauses),
`report` (the plain sentences shown under the recorder), `cache` (content-keyed LRU), `pipeline`.

May import: `components.audio`, `components.errors`. Never `modelslab`, `offline` or `ui`.
"""

from components.audio.prepared import PreparedReference
from components.reference.pipeline import (
    MAX_SPEECH_S,
    MIN_SPEECH_S,
    clear_cache,
    prepare,
)

__all__ = ["MAX_SPEECH_S", "MIN_SPEECH_S", "PreparedReference", "clear_cache", "prepare"]
