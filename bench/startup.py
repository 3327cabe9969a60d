"""Start-up speed: `python app.py` against a minimal Gradio hello-world, measured in the same run.

For each run, each script is started as a subprocess on a free port and timed from the spawn to
  * the first HTTP 200 on `/`, and
  * the page being interactive in Chromium: the `#generate` button visible and enabled.
The two scripts alternate so both see the same machine load. Medians are printed, with the ratio
app / hello-world (target: <= 1.3). Figures only: nothing here asserts a time.

    .venv/bin/python bench/startup.py [--runs 5] [--importtime] [--no-warmup]

--importtime also prints the slowest imports of `import app` (python -X importtime), which is
where to look when the ratio is over target; --no-warmup adds app.py without the offline engine's
background warm-up, to show what that costs. The app runs with no API key (the offline default).
Run it on an otherwise idle machine: other work skews both sides.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.app_process import stop_app, wait_for_http_200  # noqa: E402

TARGET_RATIO = 1.3
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
START_TIMEOUT_S = 180.0

HELLO_WORLD = textwrap.dedent(
    '''
    """The smallest comparable Gradio app: a text box and a button."""
    import gradio as gr

    def greet(name):
        return f"Hello {name}!"

    with gr.Blocks(title="Hello") as demo:
        name = gr.Textbox(label="Name")
        out = gr.Textbox(label="Greeting")
        gr.Button("Generate", elem_id="generate").click(greet, name, out)

    if __name__ == "__main__":
        demo.launch()
    '''
)


NO_WARMUP = textwrap.dedent(
    '''
    """app.py without the offline engine's background warm-up: shows what the warm-up costs."""
    import os
    import sys

    sys.path.insert(0, {repo!r})
    os.chdir({repo!r})
    import app
    from components.ui import launch_options

    app.demo.launch(**launch_options(app.settings))
    '''
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clean_env(port: int, temp_dir: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MODELSLAB_", "APP_AUTH", "VOICE_BACKEND"))
    }
    env.update(
        GRADIO_SERVER_PORT=str(port),
        GRADIO_SERVER_NAME="127.0.0.1",
        GRADIO_ANALYTICS_ENABLED="False",
        GRADIO_TEMP_DIR=str(temp_dir),
        PYTHONUNBUFFERED="1",
    )
    return env


def wait_for_200(url: str, process: subprocess.Popen, started: float, log: Path) -> float:
    return wait_for_http_200(url, process, timeout_s=START_TIMEOUT_S, started=started, poll_s=0.02, log=log)


def measure(script: Path, browser, work: Path) -> tuple[float, float]:
    """(seconds to first HTTP 200, seconds to an enabled #generate in Chromium), from the spawn."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    log_path = work / f"{script.stem}-{port}.log"
    log = open(log_path, "wb")
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, str(script)],
        cwd=script.parent,
        env=clean_env(port, work / "gradio"),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        first_200 = wait_for_200(url, process, started, log_path)
        context = browser.new_context()
        try:
            page = context.new_page()
            page.goto(url, wait_until="commit")
            page.wait_for_function(
                "() => { const b = document.querySelector('#generate');"
                " return !!b && !b.disabled && b.offsetParent !== null; }",
                polling=20,
                timeout=START_TIMEOUT_S * 1000,
            )
            interactive = time.perf_counter() - started
        finally:
            context.close()
        return first_200, interactive
    finally:
        stop_app(process, grace_s=15)
        log.close()


def slowest_imports(limit: int = 15) -> list[tuple[float, str]]:
    """The top-level-ish imports of `import app` by cumulative time (python -X importtime)."""
    env = clean_env(free_port(), Path(tempfile.mkdtemp(prefix="bench-imp-")))
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import app"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    rows = []
    for line in out.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _self_us, cumulative_us, name = line.split(":", 1)[1].split("|")
        depth = (len(name) - len(name.lstrip())) // 2  # importtime indents nested imports by 2
        if depth <= 2:
            rows.append((int(cumulative_us) / 1e6, name.rstrip()))
    return sorted(rows, reverse=True)[:limit]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each script (default 5)")
    parser.add_argument(
        "--importtime", action="store_true", help="also list the slowest imports of app.py"
    )
    parser.add_argument(
        "--no-warmup",
        action="store_true",
        help="also time app.py without the offline engine's background warm-up",
    )
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="bench-startup-"))
    hello = work / "hello_world.py"
    hello.write_text(HELLO_WORLD)
    no_warmup = work / "app_no_warmup.py"
    no_warmup.write_text(NO_WARMUP.format(repo=str(REPO)))
    scripts = {"hello-world": hello, "app.py": REPO / "app.py"}
    if args.no_warmup:
        scripts["app, no warm-up"] = no_warmup
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in scripts}
    print(
        f"Start-up benchmark: {args.runs} runs each, alternating; python {sys.version.split()[0]}, "
        f"{os.cpu_count()} CPUs"
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        for script in scripts.values():
            measure(script, browser, work)  # warm the OS file cache, not counted
        for run in range(1, args.runs + 1):
            for name, script in scripts.items():
                first_200, interactive = measure(script, browser, work)
                results[name].append((first_200, interactive))
                print(
                    f"  run {run}  {name:<16} first 200 {first_200:6.2f} s"
                    f"   interactive {interactive:6.2f} s",
                    flush=True,
                )
        browser.close()

    medians = {
        name: (statistics.median(r[0] for r in rows), statistics.median(r[1] for r in rows))
        for name, rows in results.items()
    }
    print()
    print(f"{'median':<18}{'first HTTP 200':>16}{'interactive':>14}")
    for name, (first_200, interactive) in medians.items():
        print(f"{name:<18}{first_200:>14.2f} s{interactive:>12.2f} s")
    ratio_200 = medians["app.py"][0] / medians["hello-world"][0]
    ratio_ui = medians["app.py"][1] / medians["hello-world"][1]
    for label, ratio in (("first HTTP 200", ratio_200), ("interactive", ratio_ui)):
        verdict = "OK" if ratio <= TARGET_RATIO else f"OVER the {TARGET_RATIO} target"
        print(f"ratio app.py / hello-world, {label}: {ratio:.2f}  ({verdict})")
    if "app, no warm-up" in medians:
        print(
            "ratio without the warm-up, first 200 / interactive: "
            f"{medians['app, no warm-up'][0] / medians['hello-world'][0]:.2f} / "
            f"{medians['app, no warm-up'][1] / medians['hello-world'][1]:.2f}"
        )
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"load average at the end: {load:.2f} on {os.cpu_count()} CPUs"
        " (other work on the machine skews both sides)"
    )
    if args.importtime:
        print("\nslowest imports under `import app` (cumulative, python -X importtime):")
        for seconds, name in slowest_imports():
            print(f"  {seconds:6.2f} s  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
