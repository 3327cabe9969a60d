"""The Docker image, built and used for real (scripts/docker_check.sh), and how the check says no.

The check builds ./Dockerfile as it is, starts the image, waits for its HEALTHCHECK and clones
through it offline and through the ModelsLab emulator (see the script's header). It runs here, inside
the test command, so a broken image fails `bash scripts/test.sh` and CI like any other test. On a
machine with neither Docker nor root and apt it fails with a plain message; SKIP_DOCKER_CHECK=1
skips it knowingly there, loudly, and never on CI.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "scripts" / "docker_check.sh"
CHECK_TIMEOUT_S = 45 * 60
"""A cold run (Debian packages, debootstrap, a full build) takes about 4 minutes on 2 cores."""
SKIPPED_REASON = (
    "SKIP_DOCKER_CHECK=1: the Docker image was NOT built, started or used. "
    "Unset it on a machine with Docker (or root and apt-get); CI never skips this."
)


def script_env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("SKIP_DOCKER_CHECK", "CI")}
    env.update(values)
    return env


def run_script_copy(env: dict[str, str], *, as_nobody: bool = False) -> subprocess.CompletedProcess:
    """Run a copy of the script from a world-readable folder with nothing else in it.

    The copy can build nothing (there is no Dockerfile beside it), so these tests only ever see
    what the script says before it does anything.
    """
    folder = Path(tempfile.mkdtemp(prefix="vcs-docker-check-test-"))
    try:
        (folder / "scripts").mkdir()
        shutil.copy(SCRIPT, folder / "scripts" / SCRIPT.name)
        for path in (folder, folder / "scripts"):
            path.chmod(0o755)
        (folder / "scripts" / SCRIPT.name).chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
        command = ["bash", str(folder / "scripts" / SCRIPT.name)]
        if as_nobody:
            command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *command]
        return subprocess.run(
            command, check=False, env=env, capture_output=True, text=True, timeout=60
        )
    finally:
        shutil.rmtree(folder)


# --- the real thing ------------------------------------------------------------------------------


def test_the_image_builds_starts_answers_its_healthcheck_and_clones(capfd):
    if os.environ.get("SKIP_DOCKER_CHECK") == "1" and os.environ.get("CI") != "true":
        pytest.skip(SKIPPED_REASON)
    env = dict(os.environ, PYTHON=sys.executable)
    with capfd.disabled():  # its progress and timings belong in the test command's output
        print(flush=True)
        process = subprocess.Popen(["bash", str(SCRIPT)], cwd=REPO, env=env)
        try:
            code = process.wait(timeout=CHECK_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.terminate()  # its EXIT trap removes the container and stops its engine
            code = process.wait(timeout=120)
            pytest.fail(f"the Docker check took over {CHECK_TIMEOUT_S // 60} minutes")
    assert code == 0, f"the Docker check failed (exit code {code}); what it said is just above"


# --- what it says when it cannot, or must not, run ------------------------------------------------


def test_skipping_is_loud_and_passes_outside_ci():
    result = run_script_copy(script_env(SKIP_DOCKER_CHECK="1"))
    assert result.returncode == 0, result.stderr
    assert "SKIPPED" in result.stderr and "NOT built" in result.stderr


def test_ci_never_skips():
    result = run_script_copy(script_env(SKIP_DOCKER_CHECK="1", CI="true"))
    assert result.returncode != 0
    assert "CI never skips" in result.stderr


def test_without_docker_or_root_it_says_so_plainly_and_fails():
    """A developer's laptop: no engine to talk to, not root. The check fails, saying what it needs."""
    env = script_env(DOCKER_HOST="unix:///nonexistent/docker.sock")
    is_root = os.geteuid() == 0
    if is_root and not shutil.which("setpriv"):
        pytest.fail("setpriv (util-linux) is needed to run the script as a user other than root")
    result = run_script_copy(env, as_nobody=is_root)
    assert result.returncode != 0, result.stdout + result.stderr
    message = result.stderr
    assert "cannot run on this machine" in message, message
    assert "root with apt-get" in message and "SKIP_DOCKER_CHECK=1" in message, message
    assert "==>" not in result.stdout, "it must not start doing anything first"


def test_readme_says_how_the_image_is_verified():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    docker_section = readme.split("### Docker", 1)[1].split("\n## ", 1)[0]
    assert "scripts/docker_check.sh" in docker_section
    assert "SKIP_DOCKER_CHECK" in docker_section
    for stale in ("machines have no Docker engine", "no image is built in CI"):
        assert stale not in readme, f"the README still says {stale!r}: CI builds and runs the image"
