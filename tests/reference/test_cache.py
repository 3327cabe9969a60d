"""The prepared-reference cache: keyed by content and settings, bounded, thread-safe."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import soundfile as sf

from components.audio.prepared import PreparedReference
from components.errors import AudioInputError
from components.reference import pipeline as ra
from components.reference.cache import ReferenceCache
from components.reference.pipeline import prepare
from tests import audio_factory as af

# --- cache: keyed by content and settings, bounded, thread-safe ----------------------------------


def test_same_content_is_prepared_once(speech_src, tmp_path):
    copy = tmp_path / "copy.wav"
    copy.write_bytes(speech_src.read_bytes())
    first = prepare(speech_src)
    assert prepare(copy) is first
    other_rate = prepare(copy, target_rate=16000)
    assert other_rate is not first and other_rate.sample_rate == 16000


def test_cache_is_bounded_by_entries_and_bytes():
    cache = ReferenceCache(max_entries=2, max_bytes=1000)

    def item(n: int) -> PreparedReference:
        return PreparedReference(bytes(n), 24000, 1.0, "0" * 64, "test")

    cache.put(("a",), item(100))
    cache.put(("b",), item(100))
    cache.get(("a",))  # a is now the most recent
    cache.put(("c",), item(100))
    assert cache.get(("b",)) is None and cache.get(("a",)) and cache.get(("c",))
    assert item(400).footprint_bytes == 400 + 536 + len("data:audio/wav;base64,")  # the WAV and its data URI
    cache.put(("d",), item(400))
    assert len(cache) == 1 and cache.get(("d",))


def test_many_visitors_at_once(speech_src, tmp_path):
    paths = [
        af.transcode(speech_src, tmp_path / f"v{i}{s}")
        for i, s in enumerate([".mp3", ".wav", ".m4a"])
    ]
    results: dict[int, list] = {i: [] for i in range(len(paths))}
    errors: list[BaseException] = []

    def visitor(k: int) -> None:
        try:
            for i, path in enumerate(paths[k % 3 :] + paths[: k % 3]):
                results[(i + k % 3) % 3].append(prepare(path))
        except BaseException as err:  # noqa: BLE001 - reported by the assertion below
            errors.append(err)

    threads = [threading.Thread(target=visitor, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for refs in results.values():
        assert len(refs) == 6 and len({r.wav_bytes for r in refs}) == 1


def test_the_same_new_file_from_many_visitors_at_once_is_decoded_once(speech_src, tmp_path, monkeypatch):
    decodes: list[str] = []
    real_decode = ra.decode

    def counting_decode(path, *args, **kwargs):
        decodes.append(str(path))
        time.sleep(0.2)  # long enough that every visitor arrives while the first is still decoding
        return real_decode(path, *args, **kwargs)

    monkeypatch.setattr(ra, "decode", counting_decode)
    copies = []
    for k in range(8):  # each visitor's upload is its own file with the same bytes
        copies.append(tmp_path / f"upload{k}.wav")
        copies[-1].write_bytes(speech_src.read_bytes())
    with ThreadPoolExecutor(max_workers=8) as pool:
        refs = list(pool.map(prepare, copies))
    assert len(decodes) == 1, f"decoded {len(decodes)} times"
    assert all(ref is refs[0] for ref in refs)
    assert not ra._CACHE._preparing, "no lock is left behind"


def test_a_failed_preparation_does_not_block_the_next_visitor(tmp_path):
    silent = tmp_path / "silent.wav"
    sf.write(silent, np.zeros(16000 * 6, np.float32), 16000)
    for _ in range(2):  # the second attempt gets the same message, not a hang
        with pytest.raises(AudioInputError):
            prepare(silent)
    assert not ra._CACHE._preparing
