"""Fixtures for the voice library: real speech samples and a library wired to the emulator."""

from __future__ import annotations

import pytest

from components.library import Library, VoiceLibrary
from components.library.account import AccountVoices
from components.modelslab.client import ModelsLabClient
from components.modelslab.voices import ModelsLabVoices
from tests.audio_factory import speech_wav


@pytest.fixture(scope="session")
def sample_25s(tmp_path_factory):
    """25 s of real speech at 24 kHz: the longest voice a person is told is ideal."""
    return speech_wav(tmp_path_factory.mktemp("voice25") / "voice.wav", 25.0, 24000)


@pytest.fixture(scope="session")
def sample_8s(tmp_path_factory):
    return speech_wav(tmp_path_factory.mktemp("voice8") / "short voice.wav", 8.0)


@pytest.fixture
def library(emulator):
    """A VoiceLibrary whose account voices live on the loopback emulator."""
    client = ModelsLabClient(base_url=emulator.base_url)
    return VoiceLibrary(account=AccountVoices(ModelsLabVoices(client)))


def saved(library: VoiceLibrary, sample, name="Anna", language="english", **kwargs):
    """Save `sample` into an empty browser library; returns the SaveOutcome."""
    return library.save(sample, name=name, language=language, consent=True, library=Library(), **kwargs)
