#!/usr/bin/env bash
# Build the project's Dockerfile as it is, start the image and use it, then clean up.
#
#   bash scripts/docker_check.sh
#
# Linting a Dockerfile cannot tell whether the image starts, serves and clones; this does:
#   1. a Docker engine: the running one, or (as root, with apt) docker.io's dockerd started for
#      this check only and stopped at the end;
#   2. the base image: the real one if it is here or can be pulled, else a debootstrap stand-in of
#      the same Debian release and Python, built once and kept in ~/.cache/voice-clone-studio/;
#   3. `docker build` of ./Dockerfile, unchanged (the engine's layer cache makes a rebuild fast);
#   4. tests/docker/drive_container.py: starts the container (network host, ModelsLab emulator and
#      its key), waits for its HEALTHCHECK, clones offline in two languages and through the
#      emulator with gradio_client, checks the app runs as uid 1000, the key is in no log, and
#      `docker stop` ends it cleanly;
#   5. on exit, whatever happened: the container is removed and an engine started here is stopped.
#
# Needs root and apt-get, unless a Docker engine is already reachable and the base image can be
# had. SKIP_DOCKER_CHECK=1 skips it on a machine that has neither (loudly); CI never skips.
# PYTHON names the driver's interpreter (default .venv/bin/python: scripts/setup.sh --dev).
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE=voice-clone-studio:check
CACHE_DIR=${XDG_CACHE_HOME:-$HOME/.cache}/voice-clone-studio
PYTHON=${PYTHON:-.venv/bin/python}
PULL_TIMEOUT_S=300
ENGINE_START_TIMEOUT_S=60
BUILD_TIMEOUT_S=2400
STAND_IN_LABEL=voice-clone-studio.base=debootstrap-stand-in

container="vcs-docker-check-$$"
work_dir=""
engine_pid=""
rootfs=""
started_at=$SECONDS

say() { echo "==> [docker check] $*"; }
warn() { echo "!! [docker check] $*" >&2; }
fail() {
  warn "FAILED: $*"
  exit 1
}
elapsed() { echo "$((SECONDS - ${1:-$started_at})) s"; }

# --- the opt-out and what this machine can do -------------------------------------------------

check_opt_out() {
  # A developer without Docker (and without root) may skip the check knowingly; CI may not, so a
  # variable left set by mistake cannot turn a CI run green without the image ever being built.
  [ "${SKIP_DOCKER_CHECK:-}" = 1 ] || return 0
  if [ "${CI:-}" = true ]; then
    fail "SKIP_DOCKER_CHECK=1 is set, but CI never skips the Docker check. Unset it."
  fi
  warn "################################################################################"
  warn "SKIPPED: SKIP_DOCKER_CHECK=1 is set. The Docker image was NOT built, started or"
  warn "used. Unset SKIP_DOCKER_CHECK on a machine with Docker (or root and apt-get)."
  warn "################################################################################"
  exit 0
}

cannot_run_here() {
  warn "The Docker check cannot run on this machine: $1"
  warn "It needs a running Docker engine this user can reach, or root with apt-get (to install"
  warn "docker.io and start one for the check only). Run 'sudo bash scripts/docker_check.sh', start"
  warn "Docker, or set SKIP_DOCKER_CHECK=1 to skip it knowingly (CI never does)."
  exit 1
}

have_root_and_apt() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; }

check_machine() {
  # Said before anything is installed or started, so a laptop without Docker learns it at once.
  command -v docker >/dev/null && engine_answers && return 0
  have_root_and_apt && return 0
  cannot_run_here "no Docker engine answers ($(docker_error)), and this is not root with apt-get."
}

check_driver_python() {
  # The driver talks to the container with gradio_client and runs the tests' ModelsLab emulator.
  "$PYTHON" -c "import gradio_client, numpy, soundfile" 2>/dev/null \
    || fail "$PYTHON cannot import gradio_client: run 'bash scripts/setup.sh --dev' or set PYTHON."
}

apt_updated=0
apt_install() {
  local log="$work_dir/apt.log"
  say "installing $* (Debian packages)"
  if [ "$apt_updated" = 0 ]; then
    apt-get update -qq >>"$log" 2>&1 || { tail -n 20 "$log" >&2; fail "apt-get update failed."; }
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >>"$log" 2>&1 \
    || { tail -n 20 "$log" >&2; fail "apt-get could not install $*."; }
}

# --- the engine -------------------------------------------------------------------------------

engine_answers() { docker info >/dev/null 2>&1; }

ensure_engine() {
  if command -v docker >/dev/null && engine_answers; then
    say "using the Docker engine that is already running"
    return
  fi
  command -v dockerd >/dev/null || apt_install docker.io
  start_engine
}

docker_error() {
  # The first line `docker version` writes to stderr that is not a warning: why no engine answers.
  command -v docker >/dev/null || { echo "there is no docker command"; return; }
  local why
  why=$(docker version --format "{{.Server.Version}}" 2>&1 >/dev/null \
    | grep -v -e '^WARNING' -e '^[[:space:]]*$' | head -n 1 || true)
  echo "${why:-docker version fails}"
}

start_engine() {
  # No iptables rules and no bridge: the check must not touch the host's firewall, and the
  # container shares the host's network instead (--network host), which also lets it reach the
  # emulator on 127.0.0.1. The data root stays (/var/lib/docker) so the next run reuses the base
  # image and the layer cache; the storage driver is the best this kernel offers (overlay2 here).
  local log="$work_dir/dockerd.log"
  say "starting a Docker engine for this check"
  dockerd --iptables=false --ip6tables=false --bridge=none \
    --host unix:///var/run/docker.sock >"$log" 2>&1 &
  engine_pid=$!
  export DOCKER_HOST=unix:///var/run/docker.sock
  local deadline=$((SECONDS + ENGINE_START_TIMEOUT_S))
  until engine_answers; do
    if ! kill -0 "$engine_pid" 2>/dev/null; then
      engine_pid=""
      tail -n 20 "$log" >&2 || true
      fail "dockerd exited while starting (its log is above)."
    fi
    [ "$SECONDS" -lt "$deadline" ] || fail "dockerd gave no answer in ${ENGINE_START_TIMEOUT_S} s."
    sleep 0.5
  done
  say "engine ready: $(docker info --format '{{.ServerVersion}}, storage {{.Driver}}')," \
    "$(elapsed "$started_at") since the check began"
}

stop_engine() {
  [ -n "$engine_pid" ] || return 0
  say "stopping the Docker engine this check started (pid $engine_pid)"
  kill -TERM "$engine_pid" 2>/dev/null || true
  local deadline=$((SECONDS + 30))
  while kill -0 "$engine_pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.5; done
  if kill -0 "$engine_pid" 2>/dev/null; then
    warn "dockerd did not stop within 30 s; killing it"
    kill -KILL "$engine_pid" 2>/dev/null || true
  fi
  wait "$engine_pid" 2>/dev/null || true
  engine_pid=""
}

# --- the base image ---------------------------------------------------------------------------

base_image() { awk 'toupper($1) == "FROM" { print $2; exit }' Dockerfile; }

is_stand_in() {
  docker image inspect --format '{{json .Config.Labels}}' "$1" 2>/dev/null \
    | grep -qF "\"${STAND_IN_LABEL%%=*}\":\"${STAND_IN_LABEL#*=}\""
}

ensure_base_image() {
  local base
  base=$(base_image)
  [ -n "$base" ] || fail "the Dockerfile has no FROM line."
  if docker image inspect "$base" >/dev/null 2>&1 && ! is_stand_in "$base"; then
    say "base image $base: the real one, already here"
    return
  fi
  if try_pull "$base"; then
    say "base image $base: pulled"
    return
  fi
  if docker image inspect "$base" >/dev/null 2>&1; then
    say "base image $base: the debootstrap stand-in, already here"
    return
  fi
  import_stand_in "$base"
}

try_pull() {
  # Where Docker Hub is unreachable this fails at once (no such host); the timeout covers a
  # network that hangs instead.
  local log="$work_dir/pull.log"
  if timeout "$PULL_TIMEOUT_S" docker pull --quiet "$1" >"$log" 2>&1; then
    return 0
  fi
  say "cannot pull $1 ($(tail -n 1 "$log" | cut -c1-160))"
  return 1
}

import_stand_in() {
  local base=$1 tarball
  tarball="$CACHE_DIR/$(echo "$base" | tr ':/' '--')-stand-in.tar"
  if [ -s "$tarball" ]; then
    say "base image $base: importing the cached stand-in $tarball"
  else
    build_stand_in_tarball "$base" "$tarball"
  fi
  local t0=$SECONDS
  docker import --change "LABEL $STAND_IN_LABEL" --change "ENV LANG=C.UTF-8" \
    --change 'CMD ["python3"]' "$tarball" "$base" >/dev/null
  say "stand-in imported as $base ($(elapsed "$t0"))"
}

build_stand_in_tarball() {
  # python:X.Y-slim-RELEASE is Debian RELEASE with CPython X.Y on PATH as `python` and `pip`.
  # Debian's own python3.Y in a minimal debootstrap of the same release is close enough to build
  # and run the project's Dockerfile unchanged. It is never published: only this check uses it.
  local base=$1 tarball=$2 python_version release mirror t0=$SECONDS
  if [[ ! "$base" =~ ^python:([0-9]+\.[0-9]+)(\.[0-9]+)?-slim-([a-z]+)$ ]]; then
    fail "no stand-in is known for base image '$base' (expected python:X.Y-slim-RELEASE)."
  fi
  python_version=${BASH_REMATCH[1]}
  release=${BASH_REMATCH[3]}
  have_root_and_apt \
    || cannot_run_here "$base cannot be pulled, and building its stand-in needs root with apt-get."
  command -v debootstrap >/dev/null || apt_install debootstrap
  mirror=$(debian_mirror "$release")
  rootfs=$(mktemp -d "${TMPDIR:-/tmp}/vcs-stand-in.XXXXXX")
  say "building a stand-in for $base: debootstrap $release from $mirror (about a minute)"
  if ! debootstrap --variant=minbase \
    --include="python$python_version,python3-venv,python3-pip,ca-certificates" \
    "$release" "$rootfs" "$mirror" >"$work_dir/debootstrap.log" 2>&1; then
    tail -n 20 "$work_dir/debootstrap.log" >&2 || true
    fail "debootstrap failed (its log is above)."
  fi
  shape_like_python_image "$rootfs" "$python_version"
  mkdir -p "$CACHE_DIR"
  tar -C "$rootfs" --numeric-owner -cf "$tarball.part" .
  mv "$tarball.part" "$tarball"
  remove_rootfs
  say "stand-in saved as $tarball ($(du -h "$tarball" | cut -f1), $(elapsed "$t0"))"
}

debian_mirror() {
  # The mirror apt already uses for this release (these machines reach only that one).
  local found
  found=$(apt-cache policy 2>/dev/null | awk -v rel="$1/main" '$3 == rel { print $2; exit }')
  echo "${found:-http://deb.debian.org/debian}"
}

shape_like_python_image() {
  local root=$1 version=$2
  ln -sf "/usr/bin/python$version" "$root/usr/local/bin/python"
  ln -sf "/usr/bin/python$version" "$root/usr/local/bin/python3"
  for pip in pip pip3; do
    printf '#!/bin/sh\nexec python%s -m pip "$@"\n' "$version" >"$root/usr/local/bin/$pip"
    chmod 755 "$root/usr/local/bin/$pip"
  done
  # The official image's Python is its own build, which pip may install into; Debian's is marked
  # as managed by apt (PEP 668), which would make the Dockerfile's `pip install` refuse.
  rm -f "$root/usr/lib/python$version/EXTERNALLY-MANAGED"
  # pip reaches PyPI through whatever this host trusts (a proxy's CA included): copy the host's
  # bundle, and its local CAs so that a later update-ca-certificates in the build keeps them.
  cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
  if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
    cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
  fi
  rm -rf "$root/var/lib/apt/lists/"* "$root/var/cache/apt/archives/"*.deb
}

remove_rootfs() {
  [ -n "$rootfs" ] && [ -d "$rootfs" ] || return 0
  # A debootstrap that failed half-way can leave /proc or /sys mounted inside the tree.
  findmnt -rno TARGET | grep -F "$rootfs/" | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  rm -rf --one-file-system "$rootfs"
  rootfs=""
}

# --- build, run, clean up ---------------------------------------------------------------------

build_image() {
  local log="$work_dir/build.log" t0=$SECONDS previous
  previous=$(docker image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null || true)
  say "building ./Dockerfile as $IMAGE"
  if ! timeout "$BUILD_TIMEOUT_S" \
    docker build --network host --tag "$IMAGE" --file Dockerfile . >"$log" 2>&1; then
    tail -n 30 "$log" >&2 || true
    fail "the image did not build (the end of 'docker build' is above)."
  fi
  local size built
  built=$(docker image inspect --format '{{.Id}}' "$IMAGE")
  size=$(docker image inspect --format '{{.Size}}' "$IMAGE")
  size=$(awk -v b="$size" 'BEGIN { printf "%.2f GB (%d MB)", b / 1e9, b / 1e6 }')
  say "built in $(elapsed "$t0"): $size," \
    "$(grep -cE ' ---> Using cache|CACHED' "$log" || true) steps from cache"
  # Keep one check image, not one per run: the previous build goes once it is replaced.
  if [ -n "$previous" ] && [ "$previous" != "$built" ]; then
    docker image rm "$previous" >/dev/null 2>&1 || true
  fi
}

drive_container() {
  say "starting the container and cloning through it (tests/docker/drive_container.py)"
  DOCKER_CHECK_CONTAINER="$container" DOCKER_CHECK_IMAGE="$IMAGE" \
    "$PYTHON" -m tests.docker.drive_container
}

cleanup() {
  local status=$?
  set +e
  if [ -n "$engine_pid" ] || engine_answers; then
    docker rm --force "$container" >/dev/null 2>&1
  fi
  remove_rootfs
  stop_engine
  if [ "$status" = 0 ]; then
    rm -rf "$work_dir"
    say "passed in $(elapsed)"
  else
    warn "failed after $(elapsed); the engine's and the build's logs are kept in $work_dir"
  fi
  exit "$status"
}

main() {
  check_opt_out
  check_machine
  check_driver_python
  work_dir=$(mktemp -d "${TMPDIR:-/tmp}/vcs-docker-check.XXXXXX")
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  ensure_engine
  ensure_base_image
  build_image
  drive_container
}

main "$@"
