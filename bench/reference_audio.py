"""Benchmark of components.reference.pipeline.prepare(): prints figures, asserts nothing.

Run: python bench/reference_audio.py [--runs 7]

Targets (from the issue): a 60 s 44.1 kHz stereo MP3 and a 60 s WebM/Opus recording each prepared in
<= 300 ms median and within 3x of a bare `ffmpeg -i IN -ac 1 -ar 24000 OUT.wav` measured in the same
run; a prepared 30 s reference <= 2.0 MB as a base64 request body; a cache hit <= 5 ms; peak memory
for a 10-minute input <= 300 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from components.audio.ffmpeg import find_ffmpeg  # noqa: E402
from components.reference import pipeline as ra  # noqa: E402
from tests import audio_factory as af  # noqa: E402

# VmHWM (this process's peak resident memory), not ru_maxrss: Linux carries ru_maxrss over from
# the forking parent, which here holds the speech synthesiser.
_MEMORY_PROBE = """
import json, resource, sys, time
def hwm_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
sys.path.insert(0, sys.argv[1])
from components.reference import pipeline as ra
import numpy, soundfile  # imported by prepare() anyway: count them in the baseline
base = hwm_mb()
t = time.perf_counter()
ref = ra.prepare(sys.argv[2])
elapsed = time.perf_counter() - t
child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"base_mb": base, "peak_mb": hwm_mb(), "ffmpeg_mb": child / 1024,
                  "seconds": elapsed, "kept_s": ref.duration_s}))
"""


def median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def bare_ffmpeg(ffmpeg: str, src: Path, out_dir: Path) -> None:
    out = out_dir / "bare.wav"
    cmd = [
        ffmpeg,
        "-y",
        "-loglevel",
        "error",
        "-i",
        str(src),
        "-ac",
        "1",
        "-ar",
        "24000",
        str(out),
    ]
    subprocess.run(cmd, check=True)


def cold_prepare(path: Path) -> None:
    ra.clear_cache()
    ra.prepare(path)


def same_file_at_once(path: Path, tmp: Path, visitors: int) -> tuple[float, float]:
    """Wall and CPU ms until `visitors` who send the same new file at the same moment all have its
    reference (each upload is its own file, as Gradio stores them)."""
    copies = [Path(shutil.copyfile(path, tmp / f"visitor{k}{path.suffix}")) for k in range(visitors)]
    ra.clear_cache()
    wall, cpu = time.perf_counter(), time.process_time()
    with ThreadPoolExecutor(visitors) as pool:
        list(pool.map(ra.prepare, copies))
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def make_inputs(tmp: Path) -> dict[str, Path]:
    """60 s of speech as a stereo MP3, as a browser-style WebM/Opus (no cues, no duration), and
    a 10-minute MP3 and WebM for the memory figure."""
    speech = af.speech_wav(tmp / "speech60.wav", 60.0, 44100)
    files = {
        "mp3 60 s 44.1 kHz stereo": af.transcode(
            speech, tmp / "in60.mp3", "-ac", "2", "-b:a", "128k"
        ),
        "webm/opus 60 s (browser-style)": af.transcode(
            speech,
            tmp / "in60.webm",
            "-c:a",
            "libopus",
            "-b:a",
            "64k",
            "-ar",
            "48000",
            "-live",
            "1",
        ),
    }
    ten_wav = tmp / "speech600.wav"
    subprocess.run(["ffmpeg", "-y", "-loglevel", "error", "-stream_loop", "9", "-i", str(speech),
                    "-c", "copy", str(ten_wav)], check=True)  # fmt: skip
    files["mp3 10 min 44.1 kHz stereo"] = af.transcode(
        ten_wav, tmp / "in600.mp3", "-ac", "2", "-b:a", "64k"
    )
    files["webm/opus 10 min"] = af.transcode(
        ten_wav, tmp / "in600.webm", "-c:a", "libopus", "-b:a", "24k"
    )
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    print(
        f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}; runs per figure: {args.runs}"
    )
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        files = make_inputs(tmp)
        app_ffmpeg, system_ffmpeg = find_ffmpeg(), shutil.which("ffmpeg")
        print("\n== speed (median of cold runs; cache cleared before each) ==")
        print(f"the app's ffmpeg: {app_ffmpeg}; system ffmpeg: {system_ffmpeg}")
        for name in ("mp3 60 s 44.1 kHz stereo", "webm/opus 60 s (browser-style)"):
            path = files[name]
            cold_prepare(path)  # warm the OS file cache and numpy's FFT plans
            ours = median_ms(lambda: cold_prepare(path), args.runs)
            bare = median_ms(lambda: bare_ffmpeg(app_ffmpeg, path, tmp), args.runs)
            verdict = "OK" if ours <= 300 and ours <= 3 * bare else "MISSED"
            print(f"{name:34s} prepare {ours:6.1f} ms | bare ffmpeg (same binary) {bare:6.1f} ms | "
                  f"ratio {ours / bare:4.2f}x  [target <= 300 ms and <= 3x: {verdict}]")  # fmt: skip
            if system_ffmpeg and system_ffmpeg != app_ffmpeg:
                system = median_ms(lambda: bare_ffmpeg(system_ffmpeg, path, tmp), args.runs)
                print(f"{'':34s} bare system ffmpeg {system:6.1f} ms (ratio {ours / system:4.2f}x)")

        mp3 = files["mp3 60 s 44.1 kHz stereo"]
        ra.clear_cache()
        ref = ra.prepare(mp3)
        hit = median_ms(lambda: ra.prepare(mp3), max(args.runs, 20))
        print(
            f"{'cache hit (same mp3 again)':34s} {hit:6.2f} ms  [target <= 5 ms: {'OK' if hit <= 5 else 'MISSED'}]"
        )
        together = [same_file_at_once(mp3, tmp, 8) for _ in range(args.runs)]
        print(f"{'8 visitors send that new mp3 at once':34s} {statistics.median(w for w, _ in together):6.1f} ms wall, "
              f"{statistics.median(c for _, c in together):6.1f} ms CPU (it is decoded once; the others wait for it)")

        print("\n== size ==")
        body = json.dumps({"init_audio": ref.data_uri(), "base64": True}).encode()
        print(f"prepared reference: {ref.duration_s:.1f} s at {ref.sample_rate} Hz, WAV {len(ref.wav_bytes) / 1e6:.2f} MB, "
              f"base64 request body {len(body) / 1e6:.2f} MB  [target <= 2.0 MB: "
              f"{'OK' if len(body) <= 2_000_000 else 'MISSED'}]")  # fmt: skip
        print("report:", " | ".join(ref.report))

        print("\n== memory (fresh process per input; peak resident set, VmHWM) ==")
        for name in ("mp3 10 min 44.1 kHz stereo", "webm/opus 10 min"):
            out = subprocess.run([sys.executable, "-c", _MEMORY_PROBE, str(ROOT), str(files[name])],
                                 check=True, capture_output=True, text=True)  # fmt: skip
            m = json.loads(out.stdout.strip().splitlines()[-1])
            verdict = "OK" if m["peak_mb"] <= 300 else "MISSED"
            print(f"{name:34s} peak {m['peak_mb']:6.1f} MB (after imports {m['base_mb']:.1f} MB; ffmpeg child "
                  f"{m['ffmpeg_mb']:.1f} MB), {m['seconds'] * 1000:.0f} ms, kept {m['kept_s']:.1f} s  "
                  f"[target <= 300 MB: {verdict}]")  # fmt: skip


if __name__ == "__main__":
    main()
