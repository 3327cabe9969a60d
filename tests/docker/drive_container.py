"""Start the built image and use it as a person's client would: scripts/docker_check.sh runs this.

    DOCKER_CHECK_CONTAINER=NAME [DOCKER_CHECK_IMAGE=voice-clone-studio:check] \\
        python -m tests.docker.drive_container

The container gets the tests' ModelsLab emulator as its API (MODELSLAB_BASE_URL on 127.0.0.1, reachable
through --network host) and the emulator's key as its server key, like a Space with a secret. Then:
its own HEALTHCHECK must report healthy; /clone through gradio_client must make audio offline in two
languages from a real speech sample and through the emulator with the server key; every process in
the container must run as uid 1000; the key must appear in no log and no file the app wrote; and
`docker stop` must end the app by itself, not by the kill that follows its grace period.
The container is removed at the end whatever happened (the shell script removes it again on exit).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import soundfile
from gradio_client import Client, handle_file

from tests.fakes.modelslab_emulator import VALID_KEY, ModelsLabEmulator

REPO = Path(__file__).resolve().parents[2]
SHARED_SPEAKERS = REPO.parent / "shared" / "voices" / "speakers"
"""Real read speech (LibriSpeech, CC BY 4.0) that CI has beside the clone; generated speech otherwise."""
HEALTHY_TIMEOUT_S = 240.0
CLONE_TIMEOUT_S = 240.0
HEALTH_INTERVAL = "2s"
"""The image's HEALTHCHECK command runs every 2 s here instead of every 30 s: the check waits for its
first success, and with the image's interval that alone would cost half a minute per run."""
EXPECTED_UID = "1000"
RUNTIME_STUB = "runc init"
STOP_GRACE_S = 30
"""`docker stop`'s grace period here: an app still running then is killed (exit code 137). Docker's
default is 10 s. The app needs about a second; up to 5 s more while a visitor's page (or a
gradio_client heartbeat) is still connected, which Gradio waits for."""
OFFLINE_CLONES = (
    ("english", "Hello! This voice was made inside the container, without any network."),
    ("german", "Guten Morgen! Diese Stimme wurde im Container gemacht."),
)


class CheckFailed(Exception):
    """One of the checks failed; the message says which and what was seen."""


def log(message: str) -> None:
    print(f"==> [docker check] {message}", flush=True)


def docker(*args: str, check: bool = True, timeout: float = 60.0) -> subprocess.CompletedProcess:
    """Run the docker CLI; stdout and stderr are captured as text."""
    result = subprocess.run(
        ["docker", *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=timeout,
        errors="replace",
    )
    if check and result.returncode != 0:
        raise CheckFailed(f"docker {' '.join(args[:2])} failed: {result.stderr.strip()[-800:]}")
    return result


def free_port() -> int:
    """A free port on the host (tests.conftest has the same; importing it would make a temp folder)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def reference_sample(tmp: Path) -> Path:
    """A real human voice when ../shared is there (CI), else speech the tests generate (Piper)."""
    speakers = sorted(SHARED_SPEAKERS.glob("*.flac"))
    if speakers:
        return speakers[0]
    from tests.audio_factory import speech_wav

    return speech_wav(tmp / "speech.wav", seconds=8.0)


# --- the container ------------------------------------------------------------------------------


def start_container(name: str, image: str, port: int, base_url: str) -> None:
    """The image's own CMD and HEALTHCHECK; only the port, the API and the key come from outside.

    The key goes through the environment of `docker run` (`-e NAME` without a value), never its
    command line, where any process listing would show it.
    """
    healthcheck = docker(
        "image", "inspect", "--format", "{{json .Config.Healthcheck}}", image
    ).stdout
    if not json.loads(healthcheck or "null"):
        raise CheckFailed(f"{image} has no HEALTHCHECK")
    env = dict(os.environ, MODELSLAB_API_KEY=VALID_KEY)
    command = [
        "docker", "run", "--detach", "--name", name, "--network", "host",
        "--health-interval", HEALTH_INTERVAL,
        "--env", f"GRADIO_SERVER_PORT={port}",
        "--env", f"MODELSLAB_BASE_URL={base_url}",
        "--env", "MODELSLAB_API_KEY",
        image,
    ]  # fmt: skip
    result = subprocess.run(
        command, check=False, env=env, capture_output=True, text=True, timeout=120
    )
    if result.returncode != 0:
        raise CheckFailed(f"docker run failed: {result.stderr.strip()[-800:]}")


def wait_until_healthy(name: str) -> float:
    """Seconds until Docker reports the HEALTHCHECK healthy; fails at once if the app exits."""
    started = time.monotonic()
    while time.monotonic() - started < HEALTHY_TIMEOUT_S:
        state = json.loads(docker("inspect", "--format", "{{json .State}}", name).stdout)
        health = (state.get("Health") or {}).get("Status")
        if not state.get("Running"):
            raise CheckFailed(
                f"the container stopped (exit code {state.get('ExitCode')}) before it was healthy;"
                f" its log ends:\n{container_logs(name)[-2000:]}"
            )
        if health == "healthy":
            return time.monotonic() - started
        if health == "unhealthy":
            probes = (state.get("Health") or {}).get("Log") or [{}]
            raise CheckFailed(
                f"the HEALTHCHECK reports unhealthy (last probe: {probes[-1].get('Output', '')!r});"
                f" the log ends:\n{container_logs(name)[-2000:]}"
            )
        time.sleep(0.5)
    raise CheckFailed(
        f"not healthy within {HEALTHY_TIMEOUT_S:.0f} s; the log ends:\n{container_logs(name)[-2000:]}"
    )


def container_logs(name: str) -> str:
    result = docker("logs", name, check=False)
    return result.stdout + result.stderr


# --- cloning through it --------------------------------------------------------------------------


def clone(
    client: Client, reference: Path, *, text: str, language: str, backend: str
) -> tuple[Path, str]:
    job = client.submit(
        text=text, reference=handle_file(str(reference)), voice_id="", language=language,
        emotion="neutral", backend=backend, api_key="", api_name="/clone",
    )  # fmt: skip
    try:
        audio_path, details = job.result(timeout=CLONE_TIMEOUT_S)
    except Exception as err:  # AppError, a timeout, a dropped connection: each is a failed check
        raise CheckFailed(
            f"/clone ({backend}, {language}) failed: {type(err).__name__}: {err}"
        ) from err
    return Path(audio_path), details


def audio_seconds(path: Path) -> float:
    """Duration of a result, read back by libsndfile: a file that does not decode fails here."""
    try:
        info = soundfile.info(str(path))
    except RuntimeError as err:
        raise CheckFailed(f"{path.name} does not decode as audio: {err}") from err
    if info.frames <= 0:
        raise CheckFailed(f"{path.name} has no audio frames")
    return info.frames / info.samplerate


def check_offline_clones(client: Client, reference: Path) -> None:
    for language, text in OFFLINE_CLONES:
        started = time.monotonic()
        path, details = clone(client, reference, text=text, language=language, backend="local")
        seconds = audio_seconds(path)
        if "offline" not in details or seconds < 1.0:
            raise CheckFailed(f"offline {language}: {seconds:.1f} s of audio, details {details!r}")
        log(f"offline {language}: {seconds:.1f} s of speech in {time.monotonic() - started:.1f} s")


def check_modelslab_clone(client: Client, reference: Path, emulator: ModelsLabEmulator) -> None:
    """The server key (from the container's environment) reaches the emulator, and its audio comes back."""
    started = time.monotonic()
    path, details = clone(
        client, reference, text="Hello from the container.", language="english", backend="auto"
    )
    seconds = audio_seconds(path)
    submissions = emulator.submissions()
    if len(submissions) != 1 or (submissions[0].body or {}).get("key") != VALID_KEY:
        raise CheckFailed(
            f"the emulator got {len(submissions)} submissions, not one with the server key"
        )
    if "ModelsLab" not in details or VALID_KEY in details:
        raise CheckFailed(f"ModelsLab clone: unexpected details {details!r}")
    log(f"ModelsLab (emulator): {seconds:.1f} s of audio in {time.monotonic() - started:.1f} s")


# --- what runs in there, and what it wrote ----------------------------------------------------

PROCESS_LIST = """
import json, os
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        cmd = open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\\0", b" ").decode().strip()
        uids = next(l.split()[1:] for l in open(f"/proc/{pid}/status") if l.startswith("Uid:"))
    except (OSError, StopIteration):
        continue  # a process that ended meanwhile
    print(json.dumps({"pid": int(pid), "uids": uids, "cmd": cmd, "self": int(pid) == os.getpid()}))
"""


def check_runs_as_uid_1000(name: str) -> None:
    """Every process in the container (the app, its ffmpeg children) has uid 1000, real and effective.

    Read from /proc inside the container; the lister itself (a `docker exec`) is counted too, since
    it runs as the image's USER like anything else started in there. `runc init` is left out: it is
    the container runtime's own stub, root for the moment before it becomes a `docker exec`'s
    process (a HEALTHCHECK probe, say), never the app's.
    """
    output = docker("exec", name, "python", "-c", PROCESS_LIST).stdout
    processes = [json.loads(line) for line in output.splitlines() if line.strip()]
    processes = [p for p in processes if p["cmd"] != RUNTIME_STUB]
    app = [p for p in processes if "app.py" in p["cmd"] and not p["self"]]
    if not app:
        raise CheckFailed(f"no app.py process in the container: {processes}")
    wrong = [p for p in processes if set(p["uids"]) != {EXPECTED_UID}]
    if wrong:
        listed = "; ".join(
            f"pid {p['pid']} {p['cmd'][:40]!r} uids {'/'.join(p['uids'])}"
            for p in wrong
            if not p["self"]
        )
        raise CheckFailed(
            f"{len(wrong)} processes do not run as uid {EXPECTED_UID} (docker exec included): {listed}"
        )
    pid, command = app[0]["pid"], app[0]["cmd"]
    log(f"uid {EXPECTED_UID}: the app ({command!r}, pid {pid}) and all {len(processes)} processes")


def check_key_in_no_log(name: str, port: int) -> None:
    logs = container_logs(name)
    if str(port) not in logs:
        raise CheckFailed(f"the container's log does not show the server starting:\n{logs[-2000:]}")
    if VALID_KEY in logs:
        raise CheckFailed("the API key appears in the container's log")
    written = docker(
        "exec", name, "grep", "-rlF", "--", VALID_KEY, "/home/user", "/tmp", check=False
    )  # grep: 0 = found, 1 = not found, 2 = trouble
    if written.returncode != 1:
        raise CheckFailed(
            f"the API key is in files the app wrote, or grep failed: {written.stdout}{written.stderr}"
        )
    log(
        f"the key is in no log ({len(logs.splitlines())} lines) and no file under /home/user or /tmp"
    )


def check_stops_gracefully(name: str) -> None:
    """`docker stop` (the image's STOPSIGNAL) ends the app by itself (exit code 0), before the kill."""
    started = time.monotonic()
    docker("stop", "--time", str(STOP_GRACE_S), name, timeout=STOP_GRACE_S + 30)
    took = time.monotonic() - started
    code = json.loads(docker("inspect", "--format", "{{json .State}}", name).stdout).get("ExitCode")
    if code != 0:
        raise CheckFailed(
            f"docker stop: the app exited with code {code} after {took:.1f} s (137 = killed)"
        )
    log(f"docker stop: the app exited by itself (code 0) in {took:.1f} s")


# --- the whole run --------------------------------------------------------------------------


def run_checks(name: str, image: str, emulator: ModelsLabEmulator, tmp: Path) -> None:
    port = free_port()
    start_container(name, image, port, emulator.base_url)
    log(f"container {name} started on port {port}, API {emulator.base_url} (the emulator)")
    log(f"healthy (its HEALTHCHECK) after {wait_until_healthy(name):.1f} s")
    reference = reference_sample(tmp)
    client = Client(f"http://127.0.0.1:{port}/", verbose=False, download_files=str(tmp))
    try:
        check_offline_clones(client, reference)
        check_modelslab_clone(client, reference, emulator)
    finally:
        client.close()  # ends its heartbeat thread
    check_runs_as_uid_1000(name)
    check_key_in_no_log(name, port)
    check_stops_gracefully(name)


def main() -> int:
    name = os.environ["DOCKER_CHECK_CONTAINER"]
    image = os.environ.get("DOCKER_CHECK_IMAGE", "voice-clone-studio:check")
    emulator = ModelsLabEmulator().start()
    try:
        with tempfile.TemporaryDirectory(prefix="vcs-docker-check-") as tmp:
            run_checks(name, image, emulator, Path(tmp))
    except CheckFailed as err:
        print(f"!! [docker check] FAILED: {err}", file=sys.stderr, flush=True)
        return 1
    finally:
        docker("rm", "--force", name, check=False)
        emulator.stop()
    log(
        "the image builds, starts, answers its HEALTHCHECK and clones, as uid 1000, key kept secret"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
