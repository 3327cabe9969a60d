"""Clips get fresh, private paths with names a person recognises, and old ones are cleaned up."""

from __future__ import annotations

import os
import time

import numpy as np

from components.output_files import OutputFiles, clip_file_name


def test_clip_names_come_from_the_text_language_and_emotion():
    assert clip_file_name("Hello there! How are you?", "english", "happy") == "hello-there-how-are-you-english-happy"
    assert clip_file_name("今日は良い天気ですね。", "japanese", "neutral") == "今日は良い天気ですね-japanese-neutral"
    assert clip_file_name("../../etc/passwd; rm -rf ~", "english", "sad") == "etc-passwd-rm-rf-english-sad"
    assert clip_file_name("!!!", "german", "dull") == "clip-german-dull"
    assert len(clip_file_name("word " * 100, "english", "angry")) <= 40 + len("-english-angry")


def test_two_clips_with_the_same_name_never_share_a_path(tmp_path):
    outputs = OutputFiles(tmp_path)
    first, second = (outputs.new_path(".wav", "hello-english-neutral") for _ in range(2))
    assert first != second and first.name == second.name == "hello-english-neutral.wav"
    assert first.parent.parent == tmp_path


def test_the_finished_clip_keeps_its_name_and_sentences_stay_separate(tmp_path):
    writer = OutputFiles(tmp_path).wav_writer("hi-english-neutral")
    parts = [writer.append(np.zeros(2205, np.float32), 22050) for _ in range(2)]
    whole = writer.finish()
    assert whole.name == "hi-english-neutral.wav" and all(p.name != whole.name for p in parts)


def test_files_and_folders_older_than_the_limit_are_removed(tmp_path):
    outputs = OutputFiles(tmp_path, max_age_s=60)
    old_file, old_clip = tmp_path / "old.wav", outputs.new_path(".wav", "old-english-neutral")
    old_file.write_bytes(b"x")
    old_clip.write_bytes(b"x")
    hour_ago = time.time() - 3600
    for path in (old_file, old_clip.parent):
        os.utime(path, (hour_ago, hour_ago))
    restarted = OutputFiles(tmp_path, max_age_s=60)  # prunes on its first new path (then once a minute)
    fresh = restarted.new_path(".wav", "new-english-neutral")
    assert not old_file.exists() and not old_clip.parent.exists() and fresh.parent.exists()
