"""The plain-English sentences shown next to the reference: what was changed, and what to fix.

Written for a person who is not an audio engineer: seconds, "louder", "a pause", never jargon
beyond "dB"; each warning says what to do differently next time.
"""

from __future__ import annotations

from components.audio.level import CLIP_SHARE, LevelChange
from components.audio.source import Decoded, channel_word, format_rate
from components.errors import AudioInputError
from components.reference.speech import SpeechPlan

IDEAL_SPEECH = "10–25 s"
LOW_RATE_HZ = 16000
"""Below this the reference is telephone quality: accepted, with a warning."""


def no_speech_error(reason: str) -> AudioInputError:
    what = {
        "silent": "it is silent",
        "empty": "it is empty",
        "steady": "it holds only a steady sound, such as hiss, hum or a tone",
        "noise": "it sounds like noise, not a voice",
    }.get(reason, "it holds no voice")
    return AudioInputError(
        f"No speech was found in this recording: {what}. Check that the right microphone is "
        f"selected and not muted, then record {IDEAL_SPEECH} of someone speaking."
    )


def describe(
    decoded: Decoded,
    rate: int,
    target_rate: int,
    plan: SpeechPlan,
    max_s: float,
    change: LevelChange,
    clip_share: float,
    kept_s: float,
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Plain-English report sentences, and which of them are warnings."""
    report, warnings = _format_sentences(decoded, rate, target_rate)
    if plan.lead_trimmed_s >= 0.1:
        report.append(f"Removed {plan.lead_trimmed_s:.1f} s of silence at the start.")
    if plan.tail_trimmed_s >= 0.1:
        report.append(f"Removed {plan.tail_trimmed_s:.1f} s of silence at the end.")
    if plan.pauses_shortened:
        pauses = (
            "1 long pause" if plan.pauses_shortened == 1 else f"{plan.pauses_shortened} long pauses"
        )
        report.append(
            f"Shortened {pauses} to half a second ({plan.pause_time_removed_s:.1f} s removed)."
        )
    if plan.window is not None:
        where = "at a pause" if plan.window_cut_at_pause else "between words"
        start, end = plan.window
        report.append(
            f"The recording has {plan.speech_total_s:.1f} s of speech, more than the "
            f"{max_s:g} s limit: cut to {kept_s:.1f} s {where}, keeping the steadiest, "
            f"clearest part ({_clock(start)} to {_clock(end)})."
        )
    if abs(change.gain_db) >= 1.0:
        direction = "louder" if change.gain_db > 0 else "quieter"
        sentence = f"Made it {abs(change.gain_db):.1f} dB {direction} to a standard speaking level"
        if change.held_back_db >= 2.0:
            sentence += (
                f", {change.held_back_db:.0f} dB short of it so its loudest peaks do not distort"
            )
        report.append(sentence + ".")
    if clip_share > CLIP_SHARE:
        warnings.append(
            "The recording is distorted in places (it was recorded too loud, so peaks were cut off). "
            "For a better clone, record again a little further from the microphone or with lower input volume."
        )
    return tuple(report + warnings), tuple(warnings)


def _format_sentences(decoded: Decoded, rate: int, target_rate: int) -> tuple[list[str], list[str]]:
    """What converting the input's format did (report), and a warning for telephone-quality rates."""
    report: list[str] = []
    warnings: list[str] = []
    src = decoded.source
    what = " ".join(
        p for p in (format_rate(src.sample_rate), channel_word(src.channels), src.format_name) if p
    )
    if src.has_video:
        report.append(
            f"Took the sound from the video ({what}) and made it {format_rate(rate)} mono."
        )
    elif (src.sample_rate, src.channels, src.format_name) != (rate, 1, "WAV (16-bit)"):
        report.append(f"Converted {what} to {format_rate(rate)} mono.")
    if src.sample_rate and src.sample_rate < target_rate:
        report.append(
            f"Kept its own {format_rate(src.sample_rate)} rate: raising it to "
            f"{format_rate(target_rate)} would not add any detail."
        )
    if src.sample_rate and src.sample_rate < LOW_RATE_HZ:
        warnings.append(
            f"This recording is only {format_rate(src.sample_rate)} (telephone quality), so the clone "
            "may sound muffled. A recording at 16 kHz or more will work better."
        )
    return report, warnings


def _clock(seconds: float) -> str:
    """62.4 -> '1:02.4' (minutes:seconds, as a media player shows it)."""
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)}:{rest:04.1f}"
