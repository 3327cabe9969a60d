"""The AI-generated disclosure, read back from real files by independent readers: libsndfile, ffmpeg
(imageio-ffmpeg's binary) and mutagen. The sound itself must not change."""

from __future__ import annotations

import subprocess
from datetime import datetime, timezone

import numpy as np
import pytest
import soundfile

from components.audio.disclosure import tag_ai_generated
from components.audio.ffmpeg import find_ffmpeg
from components.output_files import write_wav
from tests.fakes.modelslab_emulator import make_wav, wav_job_id

MADE = datetime(2026, 12, 2, 14, 30, tzinfo=timezone.utc)


def ffmpeg_tags(path) -> dict[str, str]:
    """Every metadata key ffmpeg finds in the file (lower-cased keys)."""
    out = subprocess.run(
        [find_ffmpeg(), "-v", "error", "-i", str(path), "-f", "ffmetadata", "-"],
        capture_output=True, text=True, timeout=30, check=True,
    ).stdout
    pairs = (line.split("=", 1) for line in out.splitlines()[1:] if "=" in line)
    return {key.lower(): value for key, value in pairs}


def tone(seconds: float = 1.0, rate: int = 24000) -> np.ndarray:
    return (0.3 * np.sin(2 * np.pi * 220 * np.arange(int(seconds * rate)) / rate)).astype(np.float32)


def test_wav_carries_comment_software_and_date(tmp_path):
    path = write_wav(tmp_path / "clip.wav", tone(), 24000)
    before, _ = soundfile.read(path, dtype="int16")
    tag_ai_generated(path, "the offline engine (voice matching)", made=MADE)
    with soundfile.SoundFile(path) as tagged:
        assert tagged.comment.startswith("AI-generated voice: synthetic speech, not a recording")
        assert "the offline engine" in tagged.comment and "2026-12-02 14:30 UTC" in tagged.comment
        assert tagged.software == "Voice Clone Studio (the offline engine (voice matching))"
        assert tagged.date == "2026-12-02"
    after, _ = soundfile.read(path, dtype="int16")
    assert np.array_equal(before, after)
    tags = ffmpeg_tags(path)
    assert tags["comment"].startswith("AI-generated voice") and tags["date"] == "2026-12-02"


def test_a_downloaded_wav_keeps_its_own_fields_and_is_tagged_once(tmp_path):
    path = tmp_path / "result.wav"
    path.write_bytes(make_wav(0.5, 440.0, comment="job-1234"))
    tag_ai_generated(path, "the ModelsLab voice-cloning API", made=MADE)
    tag_ai_generated(path, "the ModelsLab voice-cloning API", made=MADE)  # idempotent
    data = path.read_bytes()
    assert wav_job_id(data) == "job-1234"
    assert data.count(b"ICMT") == 1 and data.count(b"LIST") == 1
    assert data.index(b"LIST") < data.index(b"data")  # before the samples: streaming readers see it
    with soundfile.SoundFile(path) as tagged:
        assert "ModelsLab" in tagged.comment and tagged.frames == int(0.5 * 22050)


def test_an_odd_sized_chunk_stays_aligned(tmp_path):
    path = tmp_path / "odd.wav"
    soundfile.write(path, tone(1.0, 801), 801, subtype="PCM_U8")  # 801 one-byte frames: a padded chunk
    before, _ = soundfile.read(path, dtype="int16")
    tag_ai_generated(path, "ModelsLab", made=MADE)
    tag_ai_generated(path, "offline", made=MADE)
    after, _ = soundfile.read(path, dtype="int16")
    assert np.array_equal(before, after) and "offline" in soundfile.SoundFile(path).comment


def test_mp3_gets_an_id3_comment_and_txxx(tmp_path):
    from mutagen.id3 import ID3

    path = tmp_path / "result.mp3"
    soundfile.write(path, tone(), 24000, format="MP3")
    frames = soundfile.info(path).frames
    tag_ai_generated(path, "the ModelsLab voice-cloning API", made=MADE)
    tags = ID3(path)
    assert tags.getall("COMM")[0].text[0].startswith("AI-generated voice")
    assert tags.getall("TXXX:AI generated")[0].text == ["yes"]
    assert tags.getall("TXXX:Backend")[0].text == ["the ModelsLab voice-cloning API"]
    assert str(tags.getall("TSSE")[0]) == "Voice Clone Studio (the ModelsLab voice-cloning API)"
    assert soundfile.info(path).frames == frames  # still decodes, same length
    assert ffmpeg_tags(path)["comment"].startswith("AI-generated voice")


@pytest.mark.parametrize(("suffix", "fmt"), [(".flac", "FLAC"), (".ogg", "OGG")])
def test_flac_and_ogg_get_vorbis_comments(tmp_path, suffix, fmt):
    import mutagen

    path = tmp_path / f"result{suffix}"
    soundfile.write(path, tone(), 24000, format=fmt)
    tag_ai_generated(path, "ModelsLab", made=MADE)
    tags = mutagen.File(path).tags
    assert tags["COMMENT"][0].startswith("AI-generated voice") and tags["AI_GENERATED"] == ["yes"]
    assert soundfile.info(path).frames > 0


def test_a_file_that_is_not_audio_is_left_alone(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    tag_ai_generated(path, "ModelsLab")
    assert path.read_text() == "hello"
