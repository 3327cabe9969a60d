"""The long-text settings: defaults as the README says, and what the environment may change."""

from __future__ import annotations

import pytest

from components.settings import Settings


def test_long_text_defaults():
    settings = Settings.from_env({})
    assert (settings.max_text_chars, settings.modelslab_chunk_chars, settings.modelslab_max_parallel) == (10_000, 500, 5)


def test_long_text_settings_from_the_environment():
    settings = Settings.from_env({"MAX_TEXT_CHARS": "4000", "MODELSLAB_CHUNK_CHARS": "300", "MODELSLAB_MAX_PARALLEL": "10"})
    assert (settings.max_text_chars, settings.modelslab_chunk_chars, settings.modelslab_max_parallel) == (4000, 300, 10)
    assert Settings.from_env({"MODELSLAB_CHUNK_CHARS": "5"}).modelslab_chunk_chars == 50, "a part is never tiny"
    with pytest.raises(ValueError, match="MODELSLAB_MAX_PARALLEL must be a number"):
        Settings.from_env({"MODELSLAB_MAX_PARALLEL": "many"})
