"""The example voices shipped with the app (LibriSpeech, CC BY 4.0), and the demo rows that use them.

Their audio sits in `examples/` next to this module (so the Dockerfile's copy of components/ ships
it), with the credits in `examples/README.md`. Each is named `example:<slug>`: a stable id that
`/voices` lists and `/clone` accepts as `voice_id`; the server sends its audio as the reference.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

EXAMPLE_PREFIX = "example:"
EXAMPLES_DIR = Path(__file__).resolve().parent / "examples"


@dataclass(frozen=True, slots=True)
class ExampleVoice:
    slug: str
    name: str
    language: str
    """The language spoken in the recording."""
    description: str
    speaker: str
    """LibriSpeech speaker id, for the credit."""
    utterance: str

    @property
    def voice_id(self) -> str:
        return EXAMPLE_PREFIX + self.slug

    @property
    def path(self) -> Path:
        return EXAMPLES_DIR / f"{self.slug}.ogg"


EXAMPLE_VOICES: tuple[ExampleVoice, ...] = (
    ExampleVoice("owen", "Owen", "english", "deep male voice", "4813", "4813-248638-0000"),
    ExampleVoice("hugo", "Hugo", "english", "male voice", "8609", "8609-262281-0000"),
    ExampleVoice("nora", "Nora", "english", "female voice", "4195", "4195-17507-0000"),
    ExampleVoice("mia", "Mia", "english", "bright female voice", "5652", "5652-19215-0000"),
)

EXAMPLE_ROWS: tuple[tuple[str, str, str, str], ...] = (
    # (text, language, emotion, voice id): one click on a row makes a clip, no recording needed.
    ("Welcome to the quarterly review. Today we look at the three numbers that matter most.",
     "english", "neutral", "example:owen"),
    ("I can't believe it: we actually won the championship!", "english", "happy", "example:mia"),
    ("Guten Morgen! So klingt eine geklonte Stimme auf Deutsch.", "german", "neutral", "example:nora"),
    ("I am sorry. The last train has already left the station.", "english", "sad", "example:hugo"),
)  # fmt: skip


def example_voice(name_or_id: str) -> ExampleVoice | None:
    """The example called `example:<slug>`, or whose name or slug is `name_or_id` (any case)."""
    wanted = name_or_id.strip().casefold().removeprefix(EXAMPLE_PREFIX)
    return next((v for v in EXAMPLE_VOICES if wanted in (v.slug, v.name.casefold())), None)
