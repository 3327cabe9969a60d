"""Benchmark of the voice library's storage: prints figures, asserts nothing.

Run: python bench/voice_library.py

What it measures (targets from the issue):
- bytes of a 25 s saved voice (Ogg Opus) and how long saving and reading it back take;
- whether a voice read back still passes the reference rules, and how close it is to the original: the
  voice-match speaker encoder (components.voice_match; as a yardstick, the same reader's own two halves),
  pitch median, the long-term spectrum's shape (150-6000 Hz), and whether it clones as well: the offline
  engine speaks one sentence from the original and one from the stored copy, and each clip is scored
  against the original;
- in Chromium, through the real page: ten 25 s voices imported, the characters localStorage really holds,
  the site's quota (measured by filling it), and so how many 25 s voices fit (target: at least 10).

The voices are real read speech: four LibriSpeech speakers from ../shared/voices/same-speaker (each
speaker's three utterances joined and cut to 25 s).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from components.library import Library, VoiceLibrary  # noqa: E402
from components.library.codec import compact_audio, reference_from_compact  # noqa: E402
from components.library.record import STORAGE_BUDGET_CHARS, stored_chars  # noqa: E402
from components.library.transfer import export_bytes  # noqa: E402
from components.offline import matching, spectrum  # noqa: E402
from components.reference import prepare  # noqa: E402

VOICES = ROOT.parent / "shared" / "voices" / "same-speaker"
SECONDS = 25.0
CLONE_TEXT = "The quick brown fox jumps over the lazy dog, and then it runs back home before the rain starts."
QUOTA_JS = """() => {
    let low = 0, high = 20 * 1024 * 1024;
    while (high - low > 1024) {
        const mid = (low + high) >> 1;
        try { localStorage.setItem("bench-probe", "a".repeat(mid)); low = mid; } catch (e) { high = mid; }
        localStorage.removeItem("bench-probe");
    }
    let used = 0;
    for (let i = 0; i < localStorage.length; i++) {
        const key = localStorage.key(i); used += key.length + localStorage.getItem(key).length;
    }
    return {free: low, used};
}"""


def voices_25s(folder: Path) -> list[Path]:
    """One 25 s WAV per same-speaker LibriSpeech reader."""
    out = []
    for speaker in sorted(VOICES.iterdir()):
        parts = [sf.read(str(f), dtype="float32") for f in sorted(speaker.glob("*.flac"))]
        rate = parts[0][1]
        audio = np.concatenate([p[0] for p in parts])[: int(SECONDS * rate)]
        out.append(folder / f"{speaker.name}.wav")
        sf.write(out[-1], audio, rate)
    return out


def spectrum_shape_db(a, b) -> float:
    shape = (a.ltas_db - b.ltas_db)[spectrum.FIT_BAND]
    return float(np.sqrt(np.mean((shape - shape.mean()) ** 2)))


def offline_clone_match(engine, reference, target) -> float:
    """The offline engine says one sentence in `reference`'s voice; its voice match to `target`."""
    from components.voice_match import embed, similarity

    chunks = list(engine.synthesize(CLONE_TEXT, language="english", emotion="neutral", reference=reference))
    clip = np.concatenate([chunk.samples for chunk in chunks])
    return similarity(embed(clip, chunks[0].sample_rate), target)


def fidelity(samples: list[Path]) -> list:
    from components.offline.engine import LocalEngine

    engine = LocalEngine()
    from components.voice_match import embed, similarity

    print(f"{'voice':>6} {'speech':>7} {'stored':>9} {'save':>7} {'read':>7} {'match':>6} {'halves':>6} "
          f"{'pitch':>14} {'spectrum':>9}  offline clone's match to the original: made from original / stored")  # fmt: skip
    stored = []
    for path in samples:
        original = prepare(path)
        started = time.perf_counter()
        audio = compact_audio(original)
        saved_s = time.perf_counter() - started
        started = time.perf_counter()
        back = reference_from_compact(audio, target_rate=original.sample_rate, prepare_reference=prepare)
        read_s = time.perf_counter() - started
        before = matching.profile_of(original.samples(), original.sample_rate)
        after = matching.profile_of(back.samples(), back.sample_rate)
        target = embed(original.samples(), original.sample_rate)
        clones = [offline_clone_match(engine, ref, target) for ref in (original, back)]
        x, y = original.samples(), back.samples()
        match = similarity(embed(x, original.sample_rate), embed(y, back.sample_rate))
        half = len(x) // 2  # the same reader, two different stretches of speech: a same-person yardstick
        halves = similarity(embed(x[:half], original.sample_rate), embed(x[half:], original.sample_rate))
        print(f"{path.stem:>6} {original.duration_s:6.1f}s {len(audio) / 1000:7.1f}kB {saved_s * 1000:5.0f}ms "
              f"{read_s * 1000:5.0f}ms {100 * match:5.0f}% {100 * halves:5.0f}% "
              f"{before.median_hz:6.1f}→{after.median_hz:5.1f}Hz "
              f"{spectrum_shape_db(before, after):7.2f}dB  {100 * clones[0]:.0f}% / {100 * clones[1]:.0f}%")  # fmt: skip
        stored.append((path, audio, back))
    sizes = [len(audio) for _, audio, _ in stored]
    print(f"stored bytes per 25 s voice: median {statistics.median(sizes) / 1000:.1f} kB "
          f"({statistics.median(sizes) * 8 / SECONDS / 1000:.1f} kbit/s); every one passed prepare() on the way back")  # fmt: skip
    return stored


def in_chromium(samples: list[Path], folder: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    from tests.browser.browser_storage import stored_text
    from tests.browser.conftest import chromium_executable
    from tests.conftest import app_settings, running_app

    maker, files, voices = VoiceLibrary(account=None), [], []
    for number in range(10):
        voice = maker.save(samples[number % len(samples)], name=f"Voice {number}", language="english",
                           consent=True, library=Library()).voice  # fmt: skip
        voice = voice.__class__(**{**voice.__dict__, "uid": f"{number:012x}"})
        voices.append(voice)
        files.append(folder / f"voice-{number}.voice.json")
        files[-1].write_bytes(export_bytes(voice))
    settings = app_settings(None)
    with running_app(settings), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_executable(), args=["--headless", "--no-sandbox"])
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{settings.server_port}/")
        expect(page.locator("#generate")).to_be_enabled(timeout=60_000)
        page.get_by_text("Import a saved voice file").click()
        page.locator("#import_voice input[type=file]").set_input_files([str(f) for f in files])
        expect(page.locator("#voice_picker input")).to_have_value("Voice 9 — my saved voice, English", timeout=120_000)
        page.wait_for_timeout(1000)
        page.reload()
        expect(page.locator("#generate")).to_be_enabled(timeout=60_000)
        held = len(stored_text(page, "voice-clone-studio.saved-voices.v1") or "")
        quota = page.evaluate(QUOTA_JS)
        browser.close()
    per_voice = held / 10
    capacity = quota["free"] + quota["used"]
    print(f"Chromium: 10 voices of 25 s imported through the page, page reloaded; localStorage holds "
          f"{held / 1e6:.2f} million characters for them ({per_voice / 1000:.0f} thousand per voice)")  # fmt: skip
    print(f"site quota measured: {capacity / 1e6:.2f} million characters; used {quota['used'] / 1e6:.2f}, free {quota['free'] / 1e6:.2f}")
    print(f"25 s voices that fit: about {int(capacity // per_voice)} in the quota; the app accepts up to "
          f"{int(STORAGE_BUDGET_CHARS // per_voice)} (its budget, {STORAGE_BUDGET_CHARS / 1e6:.1f} million) "
          f"and at most 30 — target ≥ 10")  # fmt: skip
    estimate = stored_chars(Library(tuple(voices)).to_value())
    print(f"the app's own estimate of those 10 voices (it refuses a save over its budget): {estimate / 1e6:.2f} million "
          f"characters, measured {held / 1e6:.2f}")  # fmt: skip


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        samples = voices_25s(folder)
        fidelity(samples)
        in_chromium(samples, folder)


if __name__ == "__main__":
    main()
