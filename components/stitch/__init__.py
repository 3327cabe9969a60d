"""Parts of a clip -> one clip: decode, trim, matched loudness, crossfades, pauses, timestamps, checks.

Exposes `read_audio` (a generated file -> mono float samples), `prepare_part` (trim the silence
around a part and bring it to the clip's loudness), `judge_duration` (is a part's length plausible
for its text?), `Stitcher` (parts in text order -> chunks ready to play, the whole clip and each
part's time span) and `srt_text` / `player_subtitles`. Works on numpy arrays; writes no files.

May import: components.audio, components.script, components.errors.
"""

from components.stitch.audio_file import read_audio
from components.stitch.join import PreparedPart, Stitcher, prepare_part
from components.stitch.subtitles import Cue, player_subtitles, srt_text
from components.stitch.timing import judge_duration

__all__ = [
    "Cue", "PreparedPart", "Stitcher", "judge_duration", "player_subtitles", "prepare_part", "read_audio",
    "srt_text",
]
