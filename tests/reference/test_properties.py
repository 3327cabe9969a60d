"""Property tests: whatever the pipeline accepts is a clean reference; any bytes fail only cleanly."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from components.errors import AudioInputError
from components.reference.pipeline import MIN_SPEECH_S, prepare
from tests import audio_factory as af
from tests.reference.conftest import (
    check_reference,
)

# --- properties -----------------------------------------------------------------------------------

segment = st.tuples(
    st.floats(0.3, 9.0),  # speech seconds
    st.floats(0.0, 2.5),  # silence after it
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    segments=st.lists(segment, min_size=1, max_size=5),
    lead_s=st.floats(0.0, 3.0),
    gain_db=st.floats(-40.0, 6.0),
    hiss_db=st.one_of(st.none(), st.floats(-80.0, -60.0)),
    rate=st.sampled_from([24000, 44100, 48000]),
    stereo=st.booleans(),
)
def test_whatever_is_accepted_is_a_clean_reference(
    segments, lead_s, gain_db, hiss_db, rate, stereo
):
    parts = [np.zeros(int(lead_s * rate), np.float32)]
    for i, (speech_s, silence_s) in enumerate(segments):
        parts.append(
            af.speech_samples(round(speech_s, 1), rate, text=f"Part {i % 3}, said clearly.")
        )
        parts.append(np.zeros(int(silence_s * rate), np.float32))
    x = np.concatenate(parts) * 10 ** (gain_db / 20)
    if hiss_db is not None:
        x = x + np.random.default_rng(1).standard_normal(len(x)) * 10 ** (hiss_db / 20)
    x = np.clip(x, -1, 1).astype(np.float32)
    if stereo:
        x = np.stack([x, x * 0.5], axis=1)
    speech_total = sum(round(s, 1) for s, _ in segments)
    with tempfile.TemporaryDirectory() as tmp:
        path = af.write_wav(Path(tmp) / "p.wav", x, rate)
        try:
            ref = prepare(path)
        except AudioInputError as err:
            assert re.search(
                r"found only \d+\.\d s of speech|No speech was found", err.user_message
            )
            assert speech_total < MIN_SPEECH_S + 3.5, (speech_total, err.user_message)
            return
    check_reference(ref)
    assert speech_total >= MIN_SPEECH_S - 1.0


FUZZ_PREFIXES = [b"", b"RIFF\x10\x00\x00\x00WAVEfmt ", b"ID3\x03\x00", b"\xff\xfb\x90\x00", b"OggS\x00",
                 b"fLaC\x00\x00\x00\x22", b"\x1a\x45\xdf\xa3", b"\x00\x00\x00\x18ftypM4A ", b"\xff\xf1"]  # fmt: skip


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prefix=st.sampled_from(FUZZ_PREFIXES), body=st.binary(min_size=0, max_size=6000))
def test_arbitrary_bytes_raise_only_audio_input_error(prefix, body):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "upload.bin"
        path.write_bytes(prefix + body)
        try:
            ref = prepare(path)
        except AudioInputError as err:
            assert err.user_message.endswith(".")
        else:  # random bytes that decode to 4 s of "speech" are still a valid reference
            check_reference(ref, rate=ref.sample_rate)
