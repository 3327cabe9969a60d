"""PlayableAudio: files the app can vouch for skip Gradio's ffprobe; everything else still gets it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile
from gradio import processing_utils

from components.ui.widgets import PlayableAudio, browser_playable

TONE = (0.3 * np.sin(np.arange(24000) / 8)).astype("float32")


def write(path: Path, **options) -> Path:
    soundfile.write(str(path), TONE, 24000, **options)
    return path


@pytest.fixture
def probes(monkeypatch):
    """Records every file Gradio's own playability check (the ffprobe subprocess) is asked about."""
    asked: list[str] = []

    def fake_probe(path: str) -> bool:
        asked.append(Path(path).name)
        return True

    monkeypatch.setattr(processing_utils, "audio_is_playable", fake_probe)
    return asked


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("clip.wav", {"subtype": "PCM_16"}),
        ("clip.wav", {"subtype": "FLOAT"}),
        ("clip.mp3", {"format": "MP3"}),
        ("clip.flac", {}),
        ("clip.ogg", {"format": "OGG", "subtype": "VORBIS"}),
    ],
)
def test_browser_playable_files_skip_the_probe(tmp_path, probes, name, options):
    path = write(tmp_path / name, **options)
    data = PlayableAudio().postprocess(str(path))
    assert data.path == str(path) and data.orig_name == name
    assert probes == []


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("mulaw.wav", {"subtype": "ULAW"}),  # a WAV browsers may not play
        ("really-mp3.wav", {"format": "MP3"}),  # the name does not match the bytes
        ("clip.aiff", {"format": "AIFF"}),  # a container no browser plays
    ],
)
def test_anything_else_still_gets_gradios_check(tmp_path, probes, name, options):
    path = write(tmp_path / name, **options)
    assert not browser_playable(path)
    PlayableAudio().postprocess(str(path))
    assert probes == [name]


def test_unreadable_and_missing_files_are_not_vouched_for(tmp_path):
    garbage = tmp_path / "garbage.wav"
    garbage.write_bytes(b"RIFF" + b"\0" * 100)
    assert not browser_playable(garbage)
    assert not browser_playable(tmp_path / "missing.wav")


def test_every_subclass_uses_a_built_in_frontend():
    """Gradio picks a template's frontend by its immediate base class: a subclass of a subclass would
    ask the browser for a custom component that does not exist, and the page would not load."""
    from components.ui import widgets as ui_components

    expected = {"ChoiceDropdown": "dropdown", "ChoiceRadio": "radio", "PlayableAudio": "audio",
                "UploadOnlyAudio": "audio", "UploadOnlyFile": "file"}
    for name, block in expected.items():
        component = getattr(ui_components, name)()
        assert component.get_block_name() == block, name


def test_subclasses_keep_their_configuration():
    """Gradio builds a component's page config from its __init__ signature: a subclass that wrapped
    __init__ in *args/**kwargs would lose its label and elem_id in the page (and break the browser tests)."""
    from components.ui import widgets as ui_components

    for name in ("ChoiceDropdown", "ChoiceRadio", "PlayableAudio", "UploadOnlyAudio", "UploadOnlyFile"):
        config = getattr(ui_components, name)(label="Shown label", elem_id="some_id").get_config()
        assert (config["label"], config["elem_id"]) == ("Shown label", "some_id"), name
