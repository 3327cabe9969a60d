"""Crowd benchmark: 40 visitors on one shared link at once, each from its own address. Prints figures.

Usage:  python bench/crowd.py [--visitors 40] [--calls 4] [--limit 3] [--eta 1] [--budget 60]

`python app.py` runs as a subprocess against the loopback ModelsLab emulator (in this process,
`processing` mode with the given eta), three times:

1. behind a trusted proxy (SPACE_ID set, as on a Space): every visitor sends its own address in
   X-Forwarded-For, the way Hugging Face's proxy passes it on, and makes `--calls` clones back to
   back with RATE_LIMIT_PER_MINUTE=`--limit`. Each must be admitted exactly `--limit` times (its own
   limit) and refused after, and none may be starved: printed are admitted/refused per visitor, when
   each visitor got its first clip, and call times.
2. the same headers with no trusted proxy (no SPACE_ID, no TRUSTED_PROXIES): the header is forged as
   far as the app knows, so all visitors are one (the peer, 127.0.0.1): `--limit` calls in total.
   That is also what every visitor of a Space shared before the app read the header.
3. the trusted-proxy run with SERVER_KEY_MAX_PER_HOUR=`--budget`: exactly that many generations on the
   server's key, and every other call refused with the budget's message.

Callers are gradio_client Clients spread over a few processes, released together. All traffic stays
on 127.0.0.1, bounded in count and time.
"""

from __future__ import annotations

import argparse
import multiprocessing
import signal
import statistics
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.load import percentile, start_server  # noqa: E402
from tests.app_process import stop_app  # noqa: E402
from tests.fakes.modelslab_emulator import VALID_KEY, ModelsLabEmulator  # noqa: E402

CALL_TIMEOUT_S = 120.0
START_TIMEOUT_S = 180.0


def visitor_address(index: int) -> str:
    """A distinct global IPv4 address per visitor (documentation ranges do not count as global)."""
    return f"81.2.{69 + index // 250}.{1 + index % 250}"


def classify(error: Exception) -> str:
    text = str(error)
    if "the limit for this shared link" in text:
        return "visitor limit"
    if "generations an hour it may make on the server's ModelsLab key" in text:
        return "key budget" + (" (says when, and Advanced)" if "room again" in text and "under Advanced" in text else "")
    return f"other: {text[:80]}"


def visitor_batch(base: str, indices: list[int], calls: int, ready) -> list[dict]:
    """One process: a thread per visitor, each its own Client with its own X-Forwarded-For."""
    import ssl

    from gradio_client import Client

    shared_tls = ssl.create_default_context()  # see bench/load.py: one TLS context, not one per request
    clients = {
        i: Client(base, verbose=False, ssl_verify=shared_tls, headers={"X-Forwarded-For": visitor_address(i)})
        for i in indices
    }
    ready.wait(timeout=START_TIMEOUT_S)
    released = time.monotonic()

    def visit(index: int) -> dict:
        outcome = {"visitor": index, "admitted": 0, "refused": Counter(), "first_clip": None, "walls": []}
        for call in range(calls):
            started = time.monotonic()
            try:
                clients[index].predict(
                    text=f"Visitor {index}, clip {call}.", voice_id="jacob", backend="modelslab",
                    api_name="/clone",
                )
            except Exception as error:  # noqa: BLE001 - every refusal is counted by its kind
                outcome["refused"][classify(error)] += 1
                continue
            outcome["admitted"] += 1
            outcome["walls"].append(time.monotonic() - started)
            if outcome["first_clip"] is None:
                outcome["first_clip"] = time.monotonic() - released
        return outcome

    with ThreadPoolExecutor(max_workers=len(indices)) as pool:
        return list(pool.map(visit, indices))


def run_crowd(base: str, visitors: int, calls: int, processes: int) -> list[dict]:
    groups = [list(range(visitors))[i::processes] for i in range(processes)]
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        ready = manager.Barrier(len(groups))
        with ProcessPoolExecutor(max_workers=len(groups), mp_context=context) as pool:
            batches = pool.map(visitor_batch, [base] * len(groups), groups, [calls] * len(groups),
                               [ready] * len(groups))
            return [row for batch in batches for row in batch]


def one_run(emulator: ModelsLabEmulator, args, extra_env: dict[str, str]) -> list[dict]:
    workdir = Path(tempfile.mkdtemp(prefix="vcs-crowd-"))
    (workdir / "gradio").mkdir()
    env = {
        "MODELSLAB_API_KEY": VALID_KEY, "MODELSLAB_BASE_URL": emulator.base_url,
        "RATE_LIMIT_PER_MINUTE": str(args.limit), "SERVER_KEY_MAX_PER_HOUR": "0", **extra_env,
    }
    proc, base = start_server(REPO / "app.py", workdir, env)
    try:
        emulator.reset(mode="processing", eta_s=args.eta)
        return run_crowd(base, args.visitors, args.calls, args.client_processes)
    finally:
        stop_app(proc, sig=signal.SIGINT)


def report_run(title: str, rows: list[dict], args) -> None:
    admitted = [row["admitted"] for row in rows]
    refused = sum((row["refused"] for row in rows), Counter())
    firsts = [row["first_clip"] for row in rows if row["first_clip"] is not None]
    walls = [wall for row in rows for wall in row["walls"]]
    starved = sum(1 for row in rows if row["admitted"] == 0)
    print(f"  {title}")
    print(f"    admitted {sum(admitted)}/{len(rows) * args.calls}; per visitor min {min(admitted)}, "
          f"max {max(admitted)}; visitors with no clip: {starved}")
    print(f"    refused  {dict(refused) or 'none'}")
    if firsts:
        print(f"    first clip per visitor after release: median {statistics.median(firsts):.2f} s, "
              f"max {max(firsts):.2f} s; admitted calls p50 {percentile(walls, 50):.2f} s, "
              f"p95 {percentile(walls, 95):.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visitors", type=int, default=40)
    parser.add_argument("--calls", type=int, default=4, help="clones each visitor tries, back to back")
    parser.add_argument("--limit", type=int, default=3, help="RATE_LIMIT_PER_MINUTE for the runs")
    parser.add_argument("--eta", type=float, default=1.0, help="the emulator's processing eta (s)")
    parser.add_argument("--budget", type=int, default=60, help="SERVER_KEY_MAX_PER_HOUR for the third run")
    parser.add_argument("--client-processes", type=int, default=4)
    args = parser.parse_args()
    args.visitors = max(1, min(args.visitors, 64))
    args.calls = max(1, min(args.calls, 10))

    emulator = ModelsLabEmulator().start()
    try:
        space = one_run(emulator, args, {"SPACE_ID": "bench/voice-clone-studio"})
        untrusted = one_run(emulator, args, {})
        budget = one_run(emulator, args, {"SPACE_ID": "bench/voice-clone-studio",
                                          "SERVER_KEY_MAX_PER_HOUR": str(args.budget)})
    finally:
        emulator.stop()

    print(f"crowd: {args.visitors} visitors at once, each from its own address in X-Forwarded-For, "
          f"{args.calls} clones each back to back; RATE_LIMIT_PER_MINUTE={args.limit}; emulator eta "
          f"{args.eta:g} s")
    report_run("1. on a Space (SPACE_ID set): the proxy's X-Forwarded-For names each visitor", space, args)
    own = all(row["admitted"] == min(args.calls, args.limit) for row in space)
    print(f"    every visitor admitted exactly its own limit, none starved: {'PASS' if own else 'MISS'}")
    report_run("2. no trusted proxy: the same headers count as forged, all visitors are one", untrusted, args)
    one = sum(row["admitted"] for row in untrusted) == min(args.calls * args.visitors, args.limit)
    print(f"    a forged header buys no new limit: {'PASS' if one else 'MISS'}")
    report_run(f"3. on a Space with SERVER_KEY_MAX_PER_HOUR={args.budget}", budget, args)
    held = sum(row["admitted"] for row in budget) == min(args.budget, args.visitors * min(args.calls, args.limit))
    print(f"    the server-key budget holds: {'PASS' if held else 'MISS'}")


if __name__ == "__main__":
    main()
